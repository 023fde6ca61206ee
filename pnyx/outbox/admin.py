"""The delivery log: every mail, its status and the mail server's last answer; failed ones sent again."""

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Email, Subscription, Unsubscribe
from .services import email_retry


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "reason", "subject", "status", "attempts", "sent_at", "answer")
    list_filter = ("status", "reason")
    search_fields = ("to", "subject")
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [field.name for field in Email._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Email | None = None) -> bool:
        return False  # a log: read, retried by the action, never edited

    @admin.action(description=_("Send again (failed or not sent)"), permissions=["view"])
    def send_again(self, request: HttpRequest, queryset) -> None:
        with transaction.atomic():
            count = sum(email_retry(email=email) for email in queryset)
        self.message_user(
            request,
            ngettext("%(n)d mail queued again.", "%(n)d mails queued again.", count) % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(Unsubscribe)
class UnsubscribeAdmin(admin.ModelAdmin):
    list_display = ("email", "reason", "created_at")
    search_fields = ("email",)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Who follows what; staff may end a subscription. Added only by readers (double opt-in)."""

    list_display = ("email", "topic_type", "topic_id", "confirmed_at", "created_at")
    list_filter = ("topic_type",)
    search_fields = ("email",)
    readonly_fields = ("email", "topic_type", "topic_id", "confirmed_at", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
