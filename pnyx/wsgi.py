"""The WSGI application that ``pnyx serve`` runs."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
application = get_wsgi_application()
