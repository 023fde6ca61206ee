import os

import pytest

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


@pytest.fixture
def page(browser):
    yield from _page_in(browser)


@pytest.fixture
def page_with_back_cache(browser_with_back_cache):
    yield from _page_in(browser_with_back_cache)
