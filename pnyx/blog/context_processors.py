from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """The site's name and tagline, the same for every visitor."""
    return {"site_name": settings.PNYX_SITE_NAME, "site_tagline": settings.PNYX_SITE_TAGLINE}
