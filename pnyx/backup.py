"""One archive holds a site: the SQLite database, the secret key and the media (``pnyx backup`` / ``restore``).

The database is copied with SQLite's online backup API, which reads one consistent snapshot while
``pnyx serve`` keeps writing (write-ahead logging lets readers and writers pass each other); a plain
file copy could catch a half-written page, or miss what still sits in the ``-wal`` file. The secret key
comes along because signed links and cookies in readers' hands stop working without it. PostgreSQL has
its own tool for a consistent dump, so there the archive holds the key and media, and the command says
which ``pg_dump`` to run.
"""

import io
import json
import os
import shlex
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "pnyx-backup.json"
FORMAT = "pnyx backup"
FORMAT_VERSION = 1
DATABASE = "database.sqlite3"
KEY_FILE = "secret_key"
MEDIA = "media"


class BackupError(Exception):
    """What the operator reads when a backup cannot be made or restored; nothing was changed."""


@dataclass(frozen=True)
class Contents:
    database: str  # the vendor the site ran on: "sqlite" (its database is in the archive) or e.g. "postgresql"
    media_files: int

    @property
    def holds_database(self) -> bool:
        return self.database == "sqlite"


def default_archive_name() -> str:
    return f"pnyx-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"


def create_backup(path: Path) -> Contents:
    """Write the site into ``path`` (mode 600: it holds commenters' emails and IPs, and the secret key).

    Written beside ``path`` first and renamed when complete, so a cron job never leaves a truncated
    archive under the name of a good one.
    """
    contents = Contents(database=connection.vendor, media_files=0)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    try:
        with os.fdopen(fd, "wb") as file, tarfile.open(fileobj=file, mode="w:gz") as archive:
            manifest = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "pnyx": version("pnyx"),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": contents.database,
            }
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            if contents.holds_database:
                with tempfile.TemporaryDirectory() as scratch:
                    copy = Path(scratch) / DATABASE
                    _copy_sqlite(Path(settings.DATABASES["default"]["NAME"]), copy)
                    archive.add(copy, DATABASE)
            _add_bytes(archive, KEY_FILE, settings.SECRET_KEY.encode())
            media_files = _add_media(archive, Path(settings.MEDIA_ROOT))
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Contents(database=contents.database, media_files=media_files)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _add_media(archive: tarfile.TarFile, root: Path) -> int:
    files = sorted(path for path in root.rglob("*") if path.is_file()) if root.is_dir() else []
    for path in files:
        archive.add(path, f"{MEDIA}/{path.relative_to(root).as_posix()}")
    return len(files)


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent snapshot of ``source`` as one self-contained file (rollback journal, no ``-wal``)."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source} yet: nothing to back up")
    try:
        # mode=rw: never create an empty database where the real one was expected.
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=20)) as reader,
            closing(sqlite3.connect(target)) as writer,
        ):
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"could not copy the database {source}: {error}") from None


def pg_dump_command(params: dict) -> str:
    """The ``pg_dump`` that makes a consistent copy of this site's PostgreSQL database.

    Without the password, which pg_dump reads from ~/.pgpass or PGPASSWORD rather than a command line.
    """
    return shlex.join(["pg_dump", "--format=custom", "--file=pnyx.dump", *_pg_options(params), str(params["NAME"])])


def pg_restore_command(params: dict) -> str:
    """The ``pg_restore`` that puts :func:`pg_dump_command`'s file back into this site's database."""
    options = ["--clean", "--if-exists", "--no-owner", *_pg_options(params), f"--dbname={params['NAME']}"]
    return shlex.join(["pg_restore", *options, "pnyx.dump"])


def _pg_options(params: dict) -> list[str]:
    options = (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER"))
    return [f"{option}={params[key]}" for option, key in options if params.get(key)]


def restore_backup(path: Path, *, force: bool) -> Contents:
    """Put the site in ``path`` into this data dir: database (SQLite), secret key, media.

    The whole archive is unpacked and checked before anything in the data dir changes, so a damaged
    or foreign file changes nothing. A database that already has tables is replaced only with
    ``force``: restoring over a live site by mistake would lose everything written since the backup.
    """
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR) as scratch:
        unpacked = Path(scratch)
        manifest = _unpack(path, unpacked)
        contents = Contents(
            database=manifest.get("database", ""),
            media_files=sum(1 for p in (unpacked / MEDIA).rglob("*") if p.is_file()),
        )
        if contents.holds_database:
            _check_restorable(unpacked / DATABASE, force=force)
        if not (unpacked / KEY_FILE).is_file():
            raise BackupError(f"{path} is not a complete pnyx backup: it has no secret key")
        if contents.holds_database:
            _restore_sqlite(unpacked / DATABASE, Path(settings.DATABASES["default"]["NAME"]))
        _write_secret_key((unpacked / KEY_FILE).read_text())
        if (unpacked / MEDIA).is_dir():
            shutil.copytree(unpacked / MEDIA, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return contents


def _unpack(path: Path, into: Path) -> dict:
    """Unpack the archive and return its manifest; a file that is not a readable pnyx backup is refused."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(into, filter="data")
        manifest = json.loads((into / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{path} is not a pnyx backup (no {MANIFEST} in it)") from None
    except (OSError, EOFError, tarfile.TarError, zlib.error, ValueError) as error:
        raise BackupError(f"{path} is not a readable pnyx backup: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a pnyx backup")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is a pnyx backup of format {manifest.get('version')}, made by pnyx {manifest.get('pnyx')}; "
            f"this pnyx {version('pnyx')} reads format {FORMAT_VERSION}"
        )
    return manifest


def _check_restorable(database: Path, *, force: bool) -> None:
    if connection.vendor != "sqlite":
        raise BackupError(
            f"this backup holds a SQLite database, but this site's database is {connection.vendor}: "
            "restore it without DATABASE_URL, then move the data over with pnyx export and pnyx import"
        )
    try:
        with closing(sqlite3.connect(database)) as check:
            verdict = check.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as error:
        verdict = str(error)
    if verdict != "ok":
        raise BackupError(f"the database in this backup is damaged: {verdict}")
    target = Path(settings.DATABASES["default"]["NAME"])
    if not force and _has_tables(target):
        raise BackupError(
            f"{target} already holds a database: restore into a fresh PNYX_DATA_DIR, "
            "or add --force to replace it (stop pnyx serve first)"
        )


def _has_tables(database: Path) -> bool:
    if not database.is_file():
        return False
    with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as check:
        return check.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0


def _restore_sqlite(source: Path, target: Path) -> None:
    """Copy through SQLite rather than over the file, so a ``-wal`` left by the old database cannot mix in."""
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target, timeout=20)) as writer:
        reader.backup(writer)


def _write_secret_key(key: str) -> None:
    path = Path(settings.DATA_DIR) / KEY_FILE
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(key)
    partial.replace(path)
