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
    PHONE,
    SeriousAxe,
    SharedContext,
    demo_app,
    demo_ids,
    demo_sqlite_url,
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
    127.0.0.1 (support.BLOCK_OTHER_HOSTS). For a test that makes its own context; ``page`` and ``phone``
    are tabs of a browser per module (support.SharedContext)."""
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


@pytest.fixture(scope="module")
def desktop(playwright_driver, live_server, tmp_path_factory):
    shared = SharedContext(playwright_driver, live_server, tmp_path_factory.mktemp("desktop-profile"))
    yield shared
    shared.close()


@pytest.fixture(scope="module")
def handset(playwright_driver, live_server, tmp_path_factory):
    shared = SharedContext(playwright_driver, live_server, tmp_path_factory.mktemp("phone-profile"),
                           viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield shared
    shared.close()


@pytest.fixture
def page(desktop, blocked_requests, console_errors):
    """A new tab of the module's desktop browser, logged out (see ``SharedContext``)."""
    with desktop.tab(blocked_requests, console_errors, timeout=15_000) as page:
        yield page


@pytest.fixture
def phone(handset, blocked_requests, console_errors):
    """A new tab on a phone's screen (390 × 844, touch), logged out, guarded like ``page``."""
    # Every page of a role, with axe, on a loaded 2-core machine: a longer timeout.
    with handset.tab(blocked_requests, console_errors, timeout=30_000) as page:
        yield page


@pytest.fixture
def login_as():
    """``login_as(page, email)`` logs in through the form (password: the demo's)."""
    return _login_as


@pytest.fixture(scope="module")
def axe():
    return SeriousAxe()
