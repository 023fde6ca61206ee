import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import truncatechars
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pnyx.blog.admin import PostAdmin
from pnyx.blog.models import Post

from .lifecycle import comment_create
from .models import Comment, ModerationSettings, Thread
from .moderation import address_revoke, comment_approve, comment_edit, comment_spam, comment_trash
from .privacy import accounts_with, address_export, address_forget, comments_of
from .rules.dryrun import dry_run


class PrivacyForm(forms.Form):
    """A request about one address: what does the site hold (export), or forget it (anonymize, erase)."""

    ACTIONS = [
        ("export", _("Export everything held about the address (JSON)")),
        ("anonymize", _("Anonymize its comments: name, address, website, IP and browser removed; text kept")),
        ("erase", _("Anonymize its comments and erase their text too")),
    ]
    email = forms.EmailField(label=_("Email address"))
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect, initial="export")
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "display_name",
        "author_email",
        "thread",
        "status",
        "status_reason",
        "ip",
        "user_agent_excerpt",
        "created_at",
    ]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["body", "author_name", "author_email", "author_url", "ip"]
    list_select_related = ["thread", "user"]
    raw_id_fields = ["thread", "parent", "user"]
    # Status changes only through the actions, so that each is a step of the lifecycle with its reason.
    readonly_fields = ["status", "status_reason", "ip", "user_agent", "created_at", "depth", "import_ref", "history"]
    actions = ["approve", "mark_spam", "trash", "revoke_trust"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_urls(self):
        privacy = path("privacy/", self.admin_site.admin_view(self.privacy_view), name="discussion_privacy")
        return [privacy, *super().get_urls()]

    def privacy_view(self, request: HttpRequest) -> HttpResponse:
        """Export or forget one address's comments. Forgetting is shown first, with what it will touch,
        and done only on a second POST that confirms it."""
        if not (self.has_view_permission(request) and (request.method == "GET" or self.has_change_permission(request))):
            raise PermissionDenied
        form = PrivacyForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form}
        context["title"] = _("Privacy requests")
        if request.method != "POST" or not form.is_valid():
            return TemplateResponse(request, "admin/discussion/privacy.html", context)
        email, action = form.cleaned_data["email"], form.cleaned_data["action"]
        if action == "export":
            response = HttpResponse(
                json.dumps(address_export(email=email), indent=2, ensure_ascii=False),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="pnyx-export.json"'
            return response
        if not form.cleaned_data["confirm"]:
            context.update(count=comments_of(email).count(), accounts=accounts_with(email), email=email, action=action)
            return TemplateResponse(request, "admin/discussion/privacy.html", context)
        done = address_forget(email=email, erase_text=action == "erase")
        message = ngettext(
            "%(n)d comment of %(email)s anonymized; its proofs are revoked.",
            "%(n)d comments of %(email)s anonymized; its proofs are revoked.",
            done.comments,
        )
        self.message_user(request, message % {"n": done.comments, "email": email}, messages.SUCCESS)
        return redirect("admin:discussion_privacy")

    def get_readonly_fields(self, request, obj=None):
        """A comment's place is fixed once written: its stored thread key follows its parent and thread."""
        if obj is not None:
            return [*self.readonly_fields, "thread", "parent"]
        return self.readonly_fields

    @admin.display(description=_("comment"))
    def excerpt(self, comment: Comment) -> str:
        return truncatechars(comment.body, 80)

    @admin.display(description=_("history"))
    def history(self, comment: Comment) -> str:
        """The comment's history as the lifecycle wrote it (``CommentEvent``), oldest first."""
        events = comment.events.select_related("actor") if comment.pk else []
        return format_html_join(
            "",
            "<p>{}: {} → {}, {} ({})</p>",
            (
                (e.at.strftime("%Y-%m-%d %H:%M"), e.old_status or "new", e.new_status, e.what, e.actor or e.via)
                for e in events
            ),
        )

    @admin.display(description=_("user agent"))
    def user_agent_excerpt(self, comment: Comment) -> str:
        return truncatechars(comment.user_agent, 40)

    @admin.action(description=_("Approve selected comments"))
    def approve(self, request, queryset):
        self._moderate(request, queryset, comment_approve, _("approved"))

    @admin.action(description=_("Mark selected comments as spam"))
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, comment_spam, _("marked as spam"))

    @admin.action(description=_("Move selected comments to trash"))
    def trash(self, request, queryset):
        self._moderate(request, queryset, comment_trash, _("moved to trash"))

    @admin.action(description=_("Stop trusting the addresses of selected comments (every browser's proof)"))
    def revoke_trust(self, request, queryset):
        emails = {c.author_email.lower() for c in queryset if c.author_email}
        for comment in queryset:
            address_revoke(comment=comment)
        message = ngettext("%(n)d address no longer trusted.", "%(n)d addresses no longer trusted.", len(emails))
        self.message_user(request, message % {"n": len(emails)}, messages.SUCCESS)

    def _moderate(self, request, queryset, service, done: str) -> None:
        """Run one moderation service per comment, so counts, reasons and after-commit effects stay right."""
        comments = list(queryset.select_related("thread"))
        for comment in comments:
            service(comment=comment, moderator=request.user)
        message = ngettext("%(n)d comment %(done)s.", "%(n)d comments %(done)s.", len(comments))
        self.message_user(request, message % {"n": len(comments), "done": done}, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        """A comment a moderator adds here is theirs to publish; an edit changes its text, not its status,
        and the text through ``comment_edit``, so the old one stays in the history and the pages follow."""
        if change:
            new_body = obj.body
            if "body" in form.changed_data:
                obj.body = form.initial["body"]
            super().save_model(request, obj, form, change)
            comment_edit(comment=obj, body=new_body, editor=request.user)
        else:
            reason = f"added by {request.user.get_username()} in the admin"
            comment_create(comment=obj, status=Comment.Status.APPROVED, reason=reason, via=Comment.Via.MODERATOR)


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "path", "site", "post", "is_open", "slow_mode", "comment_count"]
    list_filter = ["is_open", "slow_mode"]
    search_fields = ["path", "title"]
    raw_id_fields = ["post"]
    readonly_fields = ["comment_count", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        """A post's thread follows the post's address and title."""
        if obj is not None and obj.post_id is not None:
            return [*self.readonly_fields, "site", "path", "title", "post"]
        return self.readonly_fields


class ThreadInline(admin.StackedInline):
    model = Thread
    fields = ["is_open", "slow_mode", "comment_count"]
    readonly_fields = ["comment_count"]
    can_delete = False
    max_num = 1
    verbose_name = verbose_name_plural = _("discussion")

    def has_add_permission(self, request, obj=None) -> bool:
        """A new post gets its thread when it is saved; only an existing one is edited here."""
        return False


class PostWithThreadAdmin(PostAdmin):
    """The blog's post admin, with the post's discussion (open or closed, and its count) under it."""

    inlines = [*PostAdmin.inlines, ThreadInline]
    list_display = [*PostAdmin.list_display, "comment_count"]
    list_select_related = ["thread", "author"]

    @admin.display(description=_("comments"), ordering="thread__comment_count")
    def comment_count(self, post: Post) -> int:
        thread = getattr(post, "thread", None)
        return thread.comment_count if thread is not None else 0


admin.site.unregister(Post)
admin.site.register(Post, PostWithThreadAdmin)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    """One row of settings: the list goes straight to it, and *Dry run* tries a change before saving it."""

    change_form_template = "admin/discussion/moderationsettings/change_form.html"
    filter_horizontal = ["moderators"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["hold_first_comment", "max_links", "close_after_days"]}),
        (_("Moderators"), {"fields": ["moderators"]}),
        (
            _("Blocklists and allowlist"),
            {
                "fields": [
                    "blocked_words",
                    "blocked_emails",
                    "blocked_ips",
                    "blocked_link_domains",
                    "blocklist_outcome",
                    "allowed",
                ]
            },
        ),
        (_("Slow mode"), {"fields": ["slow_mode_seconds", "slow_mode_after_per_hour"]}),
        (
            _("Spam engines"),
            {
                "fields": [
                    "spamd_enabled",
                    "spamd_host",
                    "spamd_port",
                    "akismet_enabled",
                    "akismet_endpoint",
                    "akismet_key",
                    "engine_timeout",
                ]
            },
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return not ModerationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not ModerationSettings.objects.exists():
            ModerationSettings.load().save()  # the defaults, written once, so there is a row to edit
        return redirect(reverse("admin:discussion_moderationsettings_change", args=[1]))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_dryrun" in request.POST and self.has_change_permission(request):
            return self._dry_run(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _dry_run(self, request, object_id):
        """The changed settings (not saved) tried on the last weeks of comments."""
        settings = ModerationSettings.load()
        form = self.get_form(request, settings, change=True)(request.POST, instance=settings)
        try:
            weeks = max(1, min(52, int(request.POST.get("_dryrun_weeks") or 4)))
        except ValueError:
            weeks = 4
        if not form.is_valid():
            self.message_user(
                request, _("The dry run needs valid settings: %s") % form.errors.as_text(), messages.ERROR
            )
            return redirect(request.path)
        report = dry_run(settings=form.save(commit=False), weeks=weeks)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Dry run of the changed settings"),
            "report": report,
            "counts": sorted(report.counts.items()),
            "shown": report.differences[:200],
            "weeks": weeks,
        }
        return TemplateResponse(request, "admin/discussion/moderationsettings/dry_run.html", context)
