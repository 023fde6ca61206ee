"""The upload form, the same in the writer's desk and the admin: the checks are ``images.image_prepare``'s."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import images
from .models import Image


class ImageForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Image"),
        help_text=_("A JPEG, PNG, GIF or WebP. Its location and camera details are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )

    class Meta:
        model = Image
        fields = ["alt"]

    def clean_upload(self) -> images.Prepared:
        return images.image_prepare(upload=self.cleaned_data["upload"])

    def save(self, commit: bool = True) -> Image:
        image = super().save(commit=False)
        if commit:
            images.image_save(image=image, prepared=self.cleaned_data["upload"])
        return image


class ImageChangeForm(forms.ModelForm):
    """A stored image's alt text may change; its file never does (pages may link it)."""

    class Meta:
        model = Image
        fields = ["alt"]
