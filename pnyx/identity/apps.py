from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class IdentityConfig(AppConfig):
    name = "pnyx.identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from allauth.socialaccount.models import SocialApp

        from .providers import forget_choices

        post_save.connect(forget_choices, sender=SocialApp, dispatch_uid="identity.social_app_saved")
        post_delete.connect(forget_choices, sender=SocialApp, dispatch_uid="identity.social_app_deleted")
