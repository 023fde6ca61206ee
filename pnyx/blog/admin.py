from django.contrib import admin

from .models import Post, Term


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "taxonomy", "slug", "parent"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "published_at", "author", "is_sticky"]
    list_filter = ["status", "kind", "is_sticky"]
    search_fields = ["title", "standfirst", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    filter_horizontal = ["terms"]
    readonly_fields = ["import_ref"]
    fields = [
        "title",
        "slug",
        "standfirst",
        "body",
        "body_format",
        "kind",
        "author",
        "status",
        "published_at",
        "is_sticky",
        "import_ref",
    ]

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}
