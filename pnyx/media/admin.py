from django.contrib import admin
from django.utils.html import format_html

from . import images
from .forms import ImageChangeForm, ImageForm
from .models import Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "alt", "width", "height", "uploaded_by", "created_at"]
    search_fields = ["alt", "file"]
    readonly_fields = ["thumbnail", "markdown", "width", "height", "uploaded_by", "source_url", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ImageChangeForm if obj else ImageForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["upload", "alt"]
        return ["thumbnail", "alt", "markdown", "width", "height", "uploaded_by", "source_url", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            obj.uploaded_by = request.user
            images.image_save(image=obj, prepared=form.cleaned_data["upload"])

    @admin.display(description="image")
    def thumbnail(self, obj: Image):
        return format_html('<img src="{}" alt="" width="128">', obj.url)

    @admin.display(description="Markdown to paste into a post")
    def markdown(self, obj: Image):
        return obj.markdown
