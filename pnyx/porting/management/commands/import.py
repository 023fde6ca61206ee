"""``pnyx import FILE``: move a blog in from WordPress (WXR), or its comments from Disqus or Isso.

The work is ``pnyx.porting.detect.import_file``; this command adds the progress bar and the summary.
"""

import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from pnyx.porting.detect import import_file
from pnyx.porting.report import PortingError


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0-1.2), a Disqus XML export or an Isso database; the format is "
        "recognised from the content. Importing the same file again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Read and check everything, then roll back.")
        parser.add_argument(
            "--media",
            action="store_true",
            help="Also fetch the images a WordPress blog's posts show into the library and point the posts at "
            "them; what cannot be fetched is listed.",
        )

    def handle(self, *args, file: Path, dry_run: bool, media: bool, verbosity: int, **options):
        call_command("migrate", interactive=False, verbosity=0)  # so a fresh data dir can be moved into
        show_bar = verbosity > 0 and sys.stderr.isatty()
        size = 2 * file.stat().st_size if file.is_file() else 0  # read twice: checked whole, then imported
        with tqdm(total=size, unit="B", unit_scale=True, desc="Importing", disable=not show_bar) as bar:
            try:
                report = import_file(file, progress=bar.update, dry_run=dry_run, media=media)
            except PortingError as error:
                raise CommandError(f"{error} Nothing was imported.") from None
        if verbosity > 0:
            self.stdout.write("\n".join(report.lines()))
            if dry_run:
                self.stdout.write("Dry run: nothing was saved.")
