"""The example configs in deploy/ are what nginx, Caddy and systemd accept, checked by the tools themselves.

Each test needs its tool (Debian's nginx-light, caddy, systemd); where it is absent the test is skipped
with a line saying so, and nothing is installed from here.
"""

import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
PNYX = str(Path(sys.executable).parent / "pnyx")


def _tool(name: str) -> str:
    """The tool's path, or a skip that says which Debian package would bring it."""
    found = shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    if found is None:
        pytest.skip(f"{name} is not installed here (apt-get install {name}): deploy/ not checked with it")
    return found


def _nginx_setup(tmp_path: Path, site: str) -> list[str]:
    """nginx's command line for ``site`` (deploy/nginx.conf, adapted) with a throwaway certificate in tmp_path."""
    nginx, openssl = _tool("nginx"), _tool("openssl")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=blog.example.org"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    site = re.sub(r"ssl_certificate (\S+);", f"ssl_certificate {tmp_path / 'cert.pem'};", site)
    site = re.sub(r"ssl_certificate_key (\S+);", f"ssl_certificate_key {tmp_path / 'key.pem'};", site)
    assert site.count(str(tmp_path)) == 2
    (tmp_path / "site.conf").write_text(site)
    temp_paths = "".join(
        f"  {kind}_temp_path {tmp_path / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n  access_log off;\n{temp_paths}  include {tmp_path / 'site.conf'};\n}}\n"
    )
    return [nginx, "-e", "stderr", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]


def test_the_nginx_example_is_accepted_by_nginx(tmp_path):
    nginx = _nginx_setup(tmp_path, (DEPLOY / "nginx.conf").read_text())
    result = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr and "[emerg]" not in result.stderr


def test_behind_the_nginx_example_pnyx_knows_its_readers_came_over_https(tmp_path):
    """The comment form accepts a post only from its own https origin: proof the proxy headers arrive."""
    pnyx_port, tls_port = free_port(), free_port()
    preamble, _, tls_server = (DEPLOY / "nginx.conf").read_text().split("\nserver {")
    site = f"{preamble}\nserver {{{tls_server}"  # the TLS server alone, on free loopback ports
    site = site.replace("127.0.0.1:8000", f"127.0.0.1:{pnyx_port}").replace("listen [::]:443 ssl http2;", "")
    nginx = _nginx_setup(tmp_path, site.replace("listen 443 ssl", f"listen 127.0.0.1:{tls_port} ssl"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PNYX_SECRET_KEY")}
    env |= _example_env() | {"PNYX_DATA_DIR": str(tmp_path / "data")}
    subprocess.run([PNYX, "demo"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [PNYX, "serve", "--port", str(pnyx_port), "--workers", "1"], env=env, stdout=subprocess.DEVNULL
    )
    proxy = subprocess.Popen([*nginx, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    try:
        home = _fetch(tls_port, "/")
        assert home[0] == 200 and b"The case for slow comment threads" in home[1]
        from_here = _fetch(tls_port, "/comments/thread/1/", data=b"comment=", origin="https://blog.example.org")
        from_elsewhere = _fetch(tls_port, "/comments/thread/1/", data=b"comment=", origin="http://blog.example.org")
        assert (from_here[0], from_elsewhere[0]) == (400, 403)  # 400: heard, and told the comment is empty
    finally:
        proxy.terminate()
        server.send_signal(signal.SIGINT)
        proxy.wait(timeout=30)
        server.wait(timeout=30)


def _fetch(port: int, path: str, *, data: bytes | None = None, origin: str = "") -> tuple[int, bytes]:
    """One request to nginx on ``port`` as a browser at https://blog.example.org would send it."""
    headers = {"Host": "blog.example.org"} | ({"Origin": origin} if origin else {})
    request = urllib.request.Request(f"https://127.0.0.1:{port}{path}", data=data, headers=headers)
    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE  # the throwaway certificate
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10, context=unverified) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            if error.code != 502 or time.monotonic() > deadline:  # 502: pnyx is still starting
                return error.code, error.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


def test_the_caddyfile_example_is_accepted_by_caddy():
    caddy = _tool("caddy")
    result = subprocess.run(
        [caddy, "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile", "--validate"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert '"upstreams":[{"dial":"127.0.0.1:8000"}]' in result.stdout


@pytest.mark.parametrize(
    ("name", "command"), [("pnyx.service", "pnyx serve "), ("pnyx-worker.service", "pnyx worker\n")]
)
def test_the_systemd_units_are_accepted_by_systemd_and_run_pnyx_hardened(tmp_path, name, command):
    analyze = _tool("systemd-analyze")
    unit = (DEPLOY / name).read_text()
    for hardening in ("NoNewPrivileges=true", "PrivateTmp=true", "ProtectSystem=strict", "Restart=on-failure"):
        assert f"\n{hardening}\n" in unit
    assert f"\nExecStart=/opt/pnyx/bin/{command}" in unit and "\nUser=pnyx\n" in unit
    # Where this checkout has pnyx installed and its example environment, so systemd can check they exist.
    unit = unit.replace("/opt/pnyx/bin/pnyx", PNYX).replace("/etc/pnyx/pnyx.env", str(DEPLOY / "pnyx.env"))
    (tmp_path / name).write_text(unit)
    result = subprocess.run([analyze, "verify", str(tmp_path / name)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert name not in result.stderr, result.stderr  # unknown keys and bad values are only warned about


def test_the_example_environment_sets_what_a_proxy_in_front_needs():
    env = _example_env()
    assert env["PNYX_HTTPS"] == "true" and env["PNYX_PROXY_COUNT"] == "1"


def _example_env() -> dict[str, str]:
    lines = (DEPLOY / "pnyx.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
