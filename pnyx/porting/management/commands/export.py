"""``pnyx export``: the whole blog as a WordPress export (WXR 1.2), so leaving pnyx is as easy as coming."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from pnyx.porting.export import export_wxr


class Command(BaseCommand):
    help = "Write every post, page, term, author and comment as WXR 1.2, to standard output or to -o FILE."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", type=Path, help="Write to this file instead of standard output.")
        parser.add_argument(
            "--base-url",
            default=settings.PNYX_BASE_URL,
            help="The blog's public address, for the links in the file (default: PNYX_BASE_URL, %(default)s).",
        )

    def handle(self, *args, output: Path | None, base_url: str, verbosity: int, **options):
        call_command("migrate", interactive=False, verbosity=0)  # a fresh data dir exports an empty blog
        if output is None:
            counts = export_wxr(self.stdout, base_url=base_url)
        else:
            with output.open("w", encoding="utf-8") as f:
                counts = export_wxr(f, base_url=base_url)
        if verbosity > 0:
            summary = ", ".join(f"{n} {what}" for what, n in counts.items())
            sys.stderr.write(f"Exported {summary}.\n")
