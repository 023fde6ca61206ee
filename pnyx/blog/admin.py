from django.contrib import admin

from . import roles
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
    autocomplete_fields = ["featured_image"]
    readonly_fields = ["import_ref"]
    fields = [
        "title",
        "slug",
        "standfirst",
        "body",
        "body_format",
        "featured_image",
        "kind",
        "author",
        "status",
        "published_at",
        "password",
        "is_sticky",
        "import_ref",
    ]

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    # The roles (``roles``): what a writer may do with posts, whatever the form sent.

    def get_queryset(self, request):
        return roles.writable_posts(request.user, super().get_queryset(request))

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and roles.may_touch(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and roles.may_touch(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        if roles.edits_others(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "author"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            allowed = roles.allowed_statuses(request.user)
            kwargs["choices"] = [(s.value, s.label) for s in Post.Status if s in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not roles.edits_others(request.user) and not change:
            obj.author = request.user
        if obj.status not in roles.allowed_statuses(request.user):
            obj.status = Post.Status.PENDING  # a contributor's post waits for an editor
        super().save_model(request, obj, form, change)
