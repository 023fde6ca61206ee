from django.urls import path

from . import images, views

app_name = "writing"
urlpatterns = [
    path("", views.post_list, name="list"),
    path("new/", views.post_new, name="new"),
    path("<int:post_id>/", views.post_edit, name="edit"),
    path("<int:post_id>/preview/", views.post_preview, name="preview_page"),
    path("preview/", views.preview, name="preview"),
    path("autosave/", views.autosave, name="autosave"),
    path("discard/", views.discard, name="discard"),
    path("images/", images.image_library, name="images"),
]
