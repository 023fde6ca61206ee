"""The library's files, when they are kept in the data dir (with an S3 store, the store serves them).

A proxy in front may serve ``$PNYX_DATA_DIR/media/`` itself (docs/deploy.md); this answer is for a site
without one. A file is never changed once stored (``images``), so browsers and CDNs may keep it for a year.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.static import serve

FOREVER = "public, max-age=31536000, immutable"


def media_file(request: HttpRequest, path: str) -> HttpResponse:
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = FOREVER
    return response
