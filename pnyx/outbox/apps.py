from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "pnyx.outbox"
    verbose_name = "Outbox"
