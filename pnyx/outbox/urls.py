from django.urls import path

from . import views

app_name = "outbox"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
