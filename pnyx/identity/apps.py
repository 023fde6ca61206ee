from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "pnyx.identity"
    verbose_name = "Identity"
