"""``pnyx restore FILE``: put a ``pnyx backup`` into this data dir, e.g. on a new machine (see pnyx.backup)."""

import os
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from pnyx.backup import BackupError, pg_restore_command, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a pnyx backup into this data dir: database, secret key and media. Refuses to replace a "
        "database that has tables unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="an archive made by pnyx backup")
        parser.add_argument("--force", action="store_true", help="replace the database this data dir already has")

    def handle(self, *args, file: Path, force: bool, verbosity: int, **options):
        try:
            contents = restore_backup(file, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if contents.holds_database:
            call_command("migrate", interactive=False, verbosity=0)  # a backup from an older pnyx
        held = "the database, " if contents.holds_database else ""
        if verbosity > 0:
            self.stdout.write(f"Restored {held}the secret key and {contents.media_files} media file(s) from {file}")
        if not contents.holds_database:
            self.stderr.write(
                f"The backup's {contents.database} database is not in the archive; restore it with: "
                f"{pg_restore_command(connection.settings_dict)}"
            )
        if os.environ.get("PNYX_SECRET_KEY"):
            self.stderr.write("PNYX_SECRET_KEY is set: the site uses it, not the restored secret_key file.")
