"""The WSGI application that ``pnyx serve`` runs: Django, behind the cache-first front (``pnyx.front``)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from pnyx.front import Front
from pnyx.pagecache import page_cache

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
django_application = get_wsgi_application()

from pnyx.blog import protection  # noqa: E402 (its models need the apps loaded above)

application = Front(
    django_application,
    page_cache,
    cache_control=settings.PNYX_PAGE_CACHE_CONTROL,
    allowed_hosts=settings.ALLOWED_HOSTS,
    bypass_cookies=[protection.COOKIE],
)
