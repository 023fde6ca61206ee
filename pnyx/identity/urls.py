from django.urls import path

from . import views

app_name = "identity"
urlpatterns = [
    path("forget/", views.forget_me, name="forget"),
    path("login/", views.login, name="login"),
    path("back/", views.back, name="back"),
    path("logout/", views.log_out, name="logout"),
    path("avatar/<int:user_id>/", views.avatar, name="avatar"),
]
