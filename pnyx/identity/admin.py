from django.contrib import admin

from .models import MastodonInstance


@admin.register(MastodonInstance)
class MastodonInstanceAdmin(admin.ModelAdmin):
    """Servers pnyx registered on. Deleting one makes pnyx register again the next time a reader names it
    (after, say, the server's admin removed the app); the secret is never shown."""

    list_display = ["host", "registered_at"]
    search_fields = ["host"]
    fields = ["host", "client_id", "redirect_uri", "registered_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False
