"""``pnyx backup``: the whole site in one file, made while it keeps serving (see pnyx.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from pnyx.backup import BackupError, create_backup, default_archive_name, pg_dump_command


class Command(BaseCommand):
    help = (
        "Back up the site into one .tar.gz (mode 600): the SQLite database, copied safely while pnyx "
        "serves, the secret key and media. On PostgreSQL it says which pg_dump to run for the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", type=Path, help="the archive to write (default: pnyx-backup-DATE-TIME.tar.gz here)"
        )

    def handle(self, *args, output: Path | None, verbosity: int, **options):
        output = output or Path(default_archive_name())
        try:
            contents = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        held = "the database, " if contents.holds_database else ""
        if verbosity > 0:
            self.stdout.write(f"Backed up {held}the secret key and {contents.media_files} media file(s) to {output}")
        if not contents.holds_database:
            self.stderr.write(
                f"The {contents.database} database is not in the archive; back it up with: "
                f"{pg_dump_command(connection.settings_dict)}"
            )
