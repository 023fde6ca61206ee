"""The ``pnyx`` command: Django's management commands with pnyx's settings preset.

``pnyx serve`` and ``pnyx demo`` are management commands of the ``pnyx`` app itself, so ``pnyx help``
lists them beside ``migrate``, ``createsuperuser`` and the rest.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Settings are loaded here, before any command: a bad variable stops every command at start with one
    # line, where Django would print a traceback or, for some commands, go on without the settings.
    try:
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as error:
        print(f"pnyx: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
