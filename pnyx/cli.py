"""The ``pnyx`` command: Django's management commands with pnyx's settings preset.

``pnyx serve`` and ``pnyx demo`` are management commands of the ``pnyx`` app itself, so ``pnyx help``
lists them beside ``migrate``, ``createsuperuser`` and the rest.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
