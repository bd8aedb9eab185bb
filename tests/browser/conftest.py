"""Fixtures of the browser tests (see support.py for the harness and its helpers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from jco.core import migrate
from tests.browser.support import (
    BLOCK_OTHER_HOSTS,
    CHROMIUM,
    LAUNCH_ARGS,
    SeriousAxe,
    demo_app,
    demo_ids,
    demo_sqlite_url,
    guard_requests,
    live_app,
    serve,
    unavailable,
)
from tests.browser.support import login_as as _login_as


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def live_server_engine(request):
    """"sqlite" unless a module parametrizes it (indirect=True) with "postgres" too."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="module")
def live_server(live_server_engine, tmp_path_factory):
    """The app with the demo, served on 127.0.0.1 for the tests of one module."""
    from tests.conftest import (
        IN_CI,
        POSTGRES_URL,
        _create_postgres_database,
        _drop_postgres_database,
    )
    from tests.worker_db import keep_sqlite_open

    pg_name = keeper = None
    if live_server_engine == "postgres":
        if not POSTGRES_URL:
            if IN_CI:
                pytest.fail("CI must run the PostgreSQL browser tests: JCO_TEST_POSTGRES_URL is not set")
            pytest.skip("PostgreSQL browser tests need JCO_TEST_POSTGRES_URL")
        url, pg_name = _create_postgres_database()
        engine = create_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        server = serve(demo_app(url))
    else:
        # A copy of a SQLite file the demo was loaded into once per worker (the same rows).
        url = demo_sqlite_url(tmp_path_factory)
        keeper = keep_sqlite_open(url)
        server = serve(live_app(url))
    server.ids = demo_ids(server.app)
    yield server
    server.stop()
    if keeper:
        keeper.close()
    if pg_name:
        _drop_postgres_database(pg_name)


@pytest.fixture(scope="module")
def playwright_driver():
    if not Path(CHROMIUM).exists():
        unavailable(f"Debian's chromium is not at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"Playwright is not installed: {error}")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver):
    """Debian's chromium, never a downloaded browser (no `playwright install`); no request leaves
    127.0.0.1 (support.BLOCK_OTHER_HOSTS)."""
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, proxy=BLOCK_OTHER_HOSTS)
    yield browser
    browser.close()


@pytest.fixture
def blocked_requests() -> list[str]:
    """URLs the page tried to fetch from another host (all aborted)."""
    return []


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions of the page, CSP violations included."""
    return []


@pytest.fixture
def page(browser, live_server, blocked_requests, console_errors):
    context = browser.new_context(base_url=live_server.url, service_workers="block", locale="en-GB")
    guard_requests(context, live_server.host, blocked_requests)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    yield page
    context.close()


@pytest.fixture
def login_as():
    """``login_as(page, email)`` logs in through the form (password: the demo's)."""
    return _login_as


@pytest.fixture(scope="module")
def axe():
    return SeriousAxe()
