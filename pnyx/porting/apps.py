from django.apps import AppConfig


class PortingConfig(AppConfig):
    name = "pnyx.porting"
    label = "porting"
    verbose_name = "Import and export"
