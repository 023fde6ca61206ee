from django.db import models
from django.utils.translation import gettext_lazy as _

from pnyx.blog.models import Post


class LegacyPath(models.Model):
    """An address an imported post had on the old site, answered with a 301 to its pnyx page.

    ``query`` is kept only for WordPress's ``/?p=123`` style links, normalised to ``p=123``; for every
    other link it is empty and the path alone matches.
    """

    path = models.CharField(max_length=500)
    query = models.CharField(max_length=200, blank=True, default="")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="legacy_paths")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["path", "query"], name="legacy_path_query")]
        verbose_name = _("legacy path")

    def __str__(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path
