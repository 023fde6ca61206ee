from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "pnyx.blog"
    verbose_name = "Blog"
