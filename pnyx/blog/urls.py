from django.urls import path, register_converter

from . import views
from .converters import UnicodeSlugConverter

register_converter(UnicodeSlugConverter, "uslug")

app_name = "blog"
urlpatterns = [
    path("", views.home, name="home"),
    path("posts/<uslug:slug>/", views.post_detail, name="post"),
    path("<uslug:slug>/", views.page_detail, name="page"),
]
