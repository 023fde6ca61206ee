from django.apps import AppConfig


class PnyxConfig(AppConfig):
    """The project package is an app too: it carries the shared templates, static files and commands."""

    name = "pnyx"
    verbose_name = "pnyx"

    def ready(self) -> None:
        from pnyx import (
            checks,  # noqa: F401 (registers the system checks)
            freshness,
        )

        freshness.connect()
