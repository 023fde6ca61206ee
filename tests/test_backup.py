"""``pnyx backup`` and ``pnyx restore``, through the installed command on data dirs of their own."""

import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

PNYX = str(Path(sys.executable).parent / "pnyx")


def _pnyx(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """Run the installed ``pnyx`` on SQLite in ``data_dir`` (plus ``env``)."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PNYX_SECRET_KEY")}
    return subprocess.run(
        [PNYX, *args], env={**base, "PNYX_DATA_DIR": str(data_dir), **env}, capture_output=True, text=True, timeout=120
    )


def _site(data_dir: Path) -> str:
    """Everything a reader and the admin see, as WXR, less the line that says when it was exported."""
    exported = _pnyx(["export"], data_dir)
    assert exported.returncode == 0, exported.stderr
    return "\n".join(line for line in exported.stdout.splitlines() if not line.startswith("<pubDate>"))


@pytest.fixture
def demo_dir(tmp_path) -> Path:
    data_dir = tmp_path / "site"
    assert _pnyx(["demo"], data_dir).returncode == 0
    (data_dir / "media" / "2026").mkdir(parents=True)
    (data_dir / "media" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    return data_dir


def test_a_backup_made_while_a_write_is_under_way_restores_the_same_site_and_secret_key(demo_dir, tmp_path):
    writer = sqlite3.connect(demo_dir / "pnyx.sqlite3", isolation_level=None)
    # Committed, but while this connection stays open it sits in the -wal file, not the database file.
    writer.execute("UPDATE blog_post SET title = title || ' (revised)'")
    site = _site(demo_dir)
    assert "(revised)" in site and "<wp:comment>" in site
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE blog_post SET title = 'not committed yet'")
    try:
        made = _pnyx(["backup", "-o", str(tmp_path / "site.tar.gz")], demo_dir)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "site.tar.gz").stat().st_mode & 0o777 == 0o600

    restored = _pnyx(["restore", str(tmp_path / "site.tar.gz")], tmp_path / "new")
    assert restored.returncode == 0, restored.stderr
    assert "Restored the database, the secret key and 1 media file(s)" in restored.stdout
    assert _site(tmp_path / "new") == site
    assert (tmp_path / "new" / "secret_key").read_text() == (demo_dir / "secret_key").read_text()
    assert (tmp_path / "new" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new" / "media" / "2026" / "photo.jpg").read_bytes() == b"\xff\xd8 a photo"


def test_restore_replaces_a_database_that_has_tables_only_when_forced(demo_dir, tmp_path):
    assert _pnyx(["backup", "-o", str(tmp_path / "site.tar.gz")], demo_dir).returncode == 0
    other = tmp_path / "other"
    assert _pnyx(["migrate", "-v0"], other).returncode == 0
    refused = _pnyx(["restore", str(tmp_path / "site.tar.gz")], other)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "already holds a database" in refused.stderr and "--force" in refused.stderr
    assert "<item>" not in _site(other)
    forced = _pnyx(["restore", "--force", str(tmp_path / "site.tar.gz")], other)
    assert forced.returncode == 0, forced.stderr
    assert _site(other) == _site(demo_dir)


def _foreign_archive(path: Path) -> None:
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"notes"))


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]), "not a readable pnyx backup"),
        (lambda path: path.write_bytes(b"PK\x03\x04 a zip file, say"), "not a readable pnyx backup"),
        (_foreign_archive, "not a pnyx backup (no pnyx-backup.json in it)"),
    ],
    ids=["truncated", "not-gzip", "foreign-tar"],
)
def test_a_damaged_or_foreign_file_is_refused_in_one_line_and_changes_nothing(demo_dir, tmp_path, damage, says):
    archive = tmp_path / "site.tar.gz"
    assert _pnyx(["backup", "-o", str(archive)], demo_dir).returncode == 0
    damage(archive)
    result = _pnyx(["restore", str(archive)], tmp_path / "new")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert says in line and "Traceback" not in result.stdout + result.stderr
    assert _empty_or_absent(tmp_path / "new" / "pnyx.sqlite3")


def test_on_postgresql_backup_names_the_pg_dump_to_run_and_keeps_the_secret_key_and_media(demo_dir, tmp_path):
    # Nothing listens on port 1: the database itself is never touched, only described.
    postgres = {"DATABASE_URL": "postgres://blog:pg-secret@127.0.0.1:1/blog"}
    made = _pnyx(["backup", "-o", str(tmp_path / "site.tar.gz")], demo_dir, **postgres)
    assert made.returncode == 0, made.stderr
    assert "pg_dump --format=custom --file=pnyx.dump --host=127.0.0.1 --port=1 --username=blog blog" in made.stderr
    assert "pg-secret" not in made.stdout + made.stderr
    with tarfile.open(tmp_path / "site.tar.gz") as archive:
        assert set(archive.getnames()) == {"pnyx-backup.json", "secret_key", "media/2026/photo.jpg"}

    restored = _pnyx(["restore", str(tmp_path / "site.tar.gz")], tmp_path / "new", **postgres)
    assert restored.returncode == 0, restored.stderr
    assert "pg_restore --clean --if-exists --no-owner" in restored.stderr
    assert (tmp_path / "new" / "secret_key").read_text() == (demo_dir / "secret_key").read_text()


def _empty_or_absent(database: Path) -> bool:
    """Settings create the SQLite file empty and private (0600) before SQLite may; nothing more was written."""
    return not database.exists() or database.stat().st_size == 0
