import json
import os
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import free_port

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make there
# (creating posts, reading results) are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_with_back_cache(playwright):
    """Chromium with the back-forward cache readers' browsers have, which Playwright turns off: Back
    then shows the page just as it was left, scripts' state included, and fires no load event (so
    ``go_back(wait_until="commit")``)."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, ignore_default_args=["--disable-back-forward-cache"]
    )
    yield browser
    browser.close()


def _page_in(browser):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
    _served_all()


def _served_all(timeout: float = 10) -> None:
    """Wait for the live server's requests still running when the page closed (a draft's autosave, a
    preview): the test's database is emptied next, and on PostgreSQL that TRUNCATE deadlocks with a
    request still writing. The live server runs each connection in a thread of its own."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        thread.name.endswith("(process_request_thread)") for thread in threading.enumerate()
    ):
        time.sleep(0.02)


@pytest.fixture
def page(browser):
    yield from _page_in(browser)


@pytest.fixture
def page_with_back_cache(browser_with_back_cache):
    yield from _page_in(browser_with_back_cache)


# The checkers a browser-like test runs over a page: axe-core (accessibility, in the page itself) and
# the Nu HTML Checker (vnu.jar, run with the machine's Java). bin/test installs both with npm from
# tests/browser/package-lock.json into .venv/npm; PNYX_NPM_MODULES points at another node_modules.
ROOT = Path(__file__).resolve().parents[2]
NPM_MODULES = Path(os.environ.get("PNYX_NPM_MODULES") or ROOT / ".venv" / "npm" / "node_modules")
AXE_SCRIPT = NPM_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NPM_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHECKERS_MISSING = f"axe-core and vnu-jar not found in {NPM_MODULES} (bin/test installs them with npm)"
JAVA_MISSING = "no java on PATH for the Nu HTML Checker (bin/test installs default-jre-headless as root)"


def _missing(reason: str):
    """Skip a page check whose checker is not here; under CI, where it must be, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter):
    """One line for however many page checks were skipped, whatever -r says."""
    for reason in (CHECKERS_MISSING, JAVA_MISSING):
        skipped = [r for r in terminalreporter.stats.get("skipped", []) if reason in str(r.longrepr)]
        if skipped:
            terminalreporter.write_line(f"{len(skipped)} skipped: {reason}")


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE_SCRIPT.is_file():
        _missing(CHECKERS_MISSING)
    return AXE_SCRIPT.read_text()


_AXE_RUN = """axe.run(document, {resultTypes: ['violations']}).then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => [n.target.join(' '), n.failureSummary]),
})))"""


@pytest.fixture
def axe(axe_script):
    """``axe(page)``: axe-core's violations on the page as it stands, one readable entry per element.

    Evaluated through the DevTools protocol rather than added as a <script>: the site's CSP allows
    no inline script, and the check must run under the CSP readers get."""

    def violations(page) -> list[str]:
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(axe_script)
        return [
            f"{v['id']} ({v['impact']}): {v['help']}\n    at {target}\n    " + summary.replace("\n", "\n    ")
            for v in page.evaluate(_AXE_RUN)
            for target, summary in v["nodes"]
        ]

    return violations


def _nu_errors(messages: list[dict], html: str) -> list[str]:
    """The checker's errors (not its warnings), each with the line of HTML it is about."""
    lines = html.splitlines()
    return [
        f"line {m['lastLine']}: {m['message']}\n    {lines[m['lastLine'] - 1].strip()[:200]}"
        if 0 < m.get("lastLine", 0) <= len(lines)
        else m["message"]
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]


@pytest.fixture(scope="session")
def nu_checker(tmp_path_factory):
    """``nu_checker(html)``: the Nu HTML Checker's errors in a page's HTML, one readable entry each.

    One checker for the session, in its HTTP service mode: a JVM per page would cost seconds each."""
    import shutil
    import subprocess
    import urllib.request

    if not VNU_JAR.is_file():
        _missing(CHECKERS_MISSING)
    java = shutil.which("java")
    if java is None:
        _missing(JAVA_MISSING)
    port = free_port()
    log = tmp_path_factory.mktemp("vnu") / "vnu.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [java, "-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(port)], stdout=out, stderr=subprocess.STDOUT
        )

    url = f"http://127.0.0.1:{port}/?out=json"

    def check(html: str) -> list[str]:
        request = urllib.request.Request(url, data=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return _nu_errors(json.load(response)["messages"], html)

    deadline = time.monotonic() + 120  # a cold JVM on a busy two-core machine takes its time
    while True:
        try:
            check("<!doctype html><html lang=en><title>Up?</title></html>")
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                said = "\n".join(log.read_text(errors="replace").splitlines()[-5:])
                pytest.fail(f"the Nu HTML Checker did not start:\n{said}", pytrace=False)
            time.sleep(0.5)
    yield check
    server.terminate()
    server.wait(timeout=10)
