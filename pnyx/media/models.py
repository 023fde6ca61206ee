from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Image(models.Model):
    """An image of the library: the re-encoded original and its narrower copies, all in the default storage.

    Files are never overwritten or renamed (each name carries a random part), so they may be cached for good.
    """

    file = models.FileField(max_length=300, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    variants = models.JSONField(
        default=list,
        editable=False,
        help_text=_("The narrower copies, as [width, height, file name], narrowest first."),
    )
    alt = models.CharField(
        _("alt text"),
        max_length=500,
        help_text=_("What the image shows, for readers who cannot see it (screen readers, images turned off)."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source_url = models.URLField(
        max_length=1000,
        blank=True,
        default="",
        editable=False,
        help_text=_("Where an imported image was fetched from, so importing again reuses it."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["source_url"])]

    def __str__(self) -> str:
        return self.alt or self.file.name

    @property
    def url(self) -> str:
        return self.file.url

    @property
    def srcset(self) -> str:
        """Every copy with its width, the original last: a browser picks the smallest that fills the space."""
        storage = self.file.storage
        copies = [f"{storage.url(name)} {width}w" for width, _height, name in self.variants]
        return ", ".join([*copies, f"{self.url} {self.width}w"])

    @property
    def markdown(self) -> str:
        """What a writer pastes into a post's Markdown to show the image."""
        alt = self.alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        return f"![{alt}]({self.url})"

    def file_names(self) -> list[str]:
        return [self.file.name, *(name for _w, _h, name in self.variants)]
