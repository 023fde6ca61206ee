"""A site's own theme: templates and static files in the data dir replace pnyx's of the same name."""

import os
import subprocess
import sys
from pathlib import Path

PNYX = str(Path(sys.executable).parent / "pnyx")


def _pnyx(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PNYX_SECRET_KEY")}
    env["PNYX_DATA_DIR"] = str(data_dir)
    result = subprocess.run([PNYX, *args], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def test_a_template_in_the_data_dir_replaces_pnyxs(tmp_path):
    theme = tmp_path / "theme" / "templates" / "blog"
    theme.mkdir(parents=True)
    (theme / "home.html").write_text(
        '{% extends "base.html" %}{% block content %}<p>Our own home page.</p>{% endblock %}'
    )
    script = "from django.template.loader import get_template; print(get_template('blog/home.html').origin)"
    assert _pnyx(["shell", "-c", script], tmp_path).stdout.strip().endswith(str(theme / "home.html"))


def test_a_stylesheet_in_the_data_dir_replaces_pnyxs(tmp_path):
    static = tmp_path / "theme" / "static" / "pnyx"
    static.mkdir(parents=True)
    (static / "site.css").write_text("body { color: rebeccapurple; }")
    found = _pnyx(["findstatic", "--first", "pnyx/site.css"], tmp_path).stdout
    assert str(static / "site.css") in found
