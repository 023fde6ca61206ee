from django.contrib import admin, messages
from django.db import models
from django.template.defaultfilters import truncatechars
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Comment
from .moderation import comment_approve, comment_spam, comment_trash


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "display_name", "author_email", "post", "status", "status_reason", "created_at"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["body", "author_name", "author_email", "author_url", "ip"]
    list_select_related = ["post", "user"]
    raw_id_fields = ["post", "parent", "user"]
    readonly_fields = ["ip", "user_agent", "status_reason", "created_at", "depth", "import_ref"]
    actions = ["approve", "mark_spam", "trash"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        """A comment's place is fixed once written: its stored thread key follows its parent and post."""
        if obj is not None:
            return [*self.readonly_fields, "post", "parent"]
        return self.readonly_fields

    @admin.display(description=_("comment"))
    def excerpt(self, comment: Comment) -> str:
        return truncatechars(comment.body, 80)

    @admin.action(description=_("Approve selected comments"))
    def approve(self, request, queryset):
        self._moderate(request, queryset, comment_approve, _("approved"))

    @admin.action(description=_("Mark selected comments as spam"))
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, comment_spam, _("marked as spam"))

    @admin.action(description=_("Move selected comments to trash"))
    def trash(self, request, queryset):
        self._moderate(request, queryset, comment_trash, _("moved to trash"))

    def _moderate(self, request, queryset, service, done: str) -> None:
        """Run one moderation service per comment, so counts and reasons stay right."""
        comments = list(queryset.select_related("post"))
        for comment in comments:
            service(comment=comment, moderator=request.user)
        message = ngettext("%(n)d comment %(done)s.", "%(n)d comments %(done)s.", len(comments))
        self.message_user(request, message % {"n": len(comments), "done": done}, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.post.refresh_comment_count()
