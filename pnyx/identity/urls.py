from django.urls import path

from . import views

app_name = "identity"
urlpatterns = [
    path("forget/", views.forget_me, name="forget"),
]
