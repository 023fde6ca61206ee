from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "pnyx.discussion"
    verbose_name = "Discussion"
