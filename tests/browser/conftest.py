"""A real Chromium (Debian's package, never a downloaded build) driven by
Playwright against Django's live server loaded with the seed data."""

import contextlib
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# fixtures make here are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH"
        )
        # CI must not pass by skipping the browser tests.
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(transactional_db, live_server):
    from positions.seeding import load_seed

    load_seed(record=False)
    return live_server.url


def _open(browser, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda message: message.type == "error" and page.errors.append(message.text),
    )
    return context, page


def close(context, page) -> None:
    """Close the browser once the page has no request in flight: a request
    the live server is still answering holds its tables while the test's
    teardown empties them, and PostgreSQL then found a deadlock (the
    matrix's totals, loaded by htmx as the test ended)."""
    from playwright.sync_api import Error

    # Closed already, or never idle: it is closed anyway.
    with contextlib.suppress(Error):
        page.wait_for_load_state("networkidle", timeout=5_000)
    context.close()


@pytest.fixture
def page(browser):
    context, page = _open(browser, viewport={"width": 1280, "height": 900})
    yield page
    close(context, page)


@pytest.fixture
def page_without_js(browser):
    context, page = _open(browser, java_script_enabled=False)
    yield page
    close(context, page)


@pytest.fixture
def phone(browser):
    context, page = _open(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    yield page
    close(context, page)


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    """axe-core's critical and serious findings on the page as it stands
    (its context must bypass the site's CSP: axe is injected inline)."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("critical", "serious")
    ]
