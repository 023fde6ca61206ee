"""Which importer reads a file, decided by its content (never its name), and the one import entry point."""

from pathlib import Path
from types import ModuleType

from django.db import transaction

from . import attachments, disqus, isso, wxr
from .report import PortingError, Report
from .xmlstream import Progress

FORMATS: list[ModuleType] = [wxr, disqus, isso]
HEAD = 1 << 16


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def detect(path: Path) -> ModuleType:
    """The importer module for the file at ``path``, or PortingError saying what it is not."""
    try:
        with path.open("rb") as f:
            head = f.read(HEAD)
    except OSError as error:
        raise PortingError(f"{path}: cannot be read ({error.strerror}).") from None
    for fmt in FORMATS:
        if fmt.detect(head):
            return fmt
    names = ", ".join(fmt.NAME for fmt in FORMATS)
    raise PortingError(f"{path.name}: not a file pnyx can import. It reads: {names}.")


def import_file(path: Path, *, progress: Progress | None = None, dry_run: bool = False, media: bool = False) -> Report:
    """Import ``path``: all of it, or nothing when it is bad.

    Each importer reads the whole file first and writes nothing until it has, so a bad file leaves no
    trace. It then writes in short transactions (a post, a batch of comments), never holding the
    database for long: on SQLite one long transaction would lock out every reader's comment for the
    whole import. An import cut short is finished by running it again, as importing adds only what is
    missing. A dry run is the one exception: one transaction, rolled back.

    ``media``: then fetch the images of a WordPress export into the library (``attachments``); never in
    a dry run, which would store files for posts it rolls back.
    """
    fmt = detect(path)
    report = Report(source=f"{path.name} ({fmt.NAME})")
    if media and (dry_run or fmt is not wxr):
        report.notes[
            "--media left aside: " + ("a dry run fetches nothing" if dry_run else "only a WordPress export has images")
        ] += 1
    if not dry_run:
        fmt.import_file(path, report=report, progress=progress)
        if media and fmt is wxr:
            attachments.import_media(path, report=report)
        return report
    try:
        with transaction.atomic():
            fmt.import_file(path, report=report, progress=progress)
            raise _DryRun
    except _DryRun:
        pass
    return report
