"""The browser-test harness: the app served on 127.0.0.1, Debian's chromium, and helpers.

Fixtures (tests/browser/conftest.py): ``live_server`` (the demo on a migrated SQLite database; a
module may parametrize ``live_server_engine`` indirectly with "postgres"), ``browser``, ``page``
(every request to another host is aborted and recorded in ``blocked_requests``),
``console_errors`` and ``login_as``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from jco import create_app
from jco.core.db import get_session

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("JCO_TEST_CHROMIUM", "/usr/bin/chromium")
# Every request to another host goes to a proxy that is not there (port 9 of the loopback, "discard"),
# and fails; the app on 127.0.0.1 is reached directly. guard_requests records those requests.
BLOCK_OTHER_HOSTS = {"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
DEMO_PASSWORD = "jco-demo"
DEMO_ACCOUNTS = {
    "secretariat": "secretariat@example.org",
    "de_delegate": "de.delegate@example.org",
    "lv_delegate": "lv.delegate@example.org",
    "pl_delegate": "pl.delegate@example.org",
    "fr_delegate": "fr.delegate@example.org",
    "manager": "manager@example.org",
    "admin": "admin@example.org",
}

# As in production, except what a browser test cannot do without: fast password hashing, no
# rate limit on the many logins. CSRF stays on: the browser submits the real forms.
LIVE_CONFIG = {
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": False,
    "WTF_CSRF_ENABLED": True,
    "RATELIMIT_ENABLED": False,
    "JCO_FAST_PASSWORD_HASHING": True,
    "SECRET_KEY": "browser-test-secret",
}


def unavailable(reason: str):
    """Skip on a developer's machine; in CI (CI=true) a missing browser is a failure."""
    if IN_CI:
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


@dataclass
class LiveServer:
    app: Flask
    url: str
    ids: dict[str, int] = field(default_factory=dict)
    _server: object = None
    _thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
        self.app.extensions["jco_engine"].dispose()


def demo_ids(app: Flask) -> dict[str, int]:
    """Ids of the demo records the tests visit, looked up rather than assumed."""
    from jco.comments.models import CommentRound
    from jco.documents.models import Document
    from jco.meetings.models import Meeting
    from jco.operations.models import Jco

    with app.app_context():
        session = get_session()
        return {
            "athena": session.scalar(select(Jco.id).where(Jco.name == "Athena", Jco.edition == "IV")),
            "postbox": session.scalar(select(Jco.id).where(Jco.name == "Postbox")),
            "baltica": session.scalar(select(Jco.id).where(Jco.name == "Baltica")),
            "lighthouse": session.scalar(select(Jco.id).where(Jco.name == "DEMO Lighthouse")),
            "round": session.scalar(select(CommentRound.id).join(Jco, Jco.id == CommentRound.jco_id)
                                    .where(Jco.name == "DEMO Lighthouse")),
            "classified_document": session.scalar(
                select(Document.id).where(Document.reference == "6512/1/15 ADD 1 REV 1")),
            "document": session.scalar(select(Document.id).where(Document.reference == "13305/15")),
            "meeting": session.scalar(select(Meeting.id).where(Meeting.notice_reference == "CM 4063/15")),
        }


def serve(app: Flask) -> LiveServer:
    """Serve ``app`` from a thread on a free port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, app, threaded=True)

    class Handler(server.RequestHandlerClass):  # type: ignore[name-defined,misc]
        # Werkzeug writes a response's headers and its body separately; with Nagle's algorithm on,
        # the body of a keep-alive response waits for the browser's delayed ACK of the headers.
        disable_nagle_algorithm = True

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    return LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", _server=server, _thread=thread)


def demo_app(database_url: str, extra_config: dict | None = None,
             configure: Callable[[Flask], None] | None = None) -> Flask:
    """An app on a migrated, empty database, with the demo loaded; ``configure`` may add routes."""
    from jco.demo import load_demo

    app = live_app(database_url, extra_config, configure)
    with app.app_context():
        session = get_session()
        load_demo(session)
        session.commit()
    return app


def live_app(database_url: str, extra_config: dict | None = None,
             configure: Callable[[Flask], None] | None = None) -> Flask:
    """An app as the browser tests run it, on ``database_url`` as it is; ``configure`` may add routes."""
    from tests.conftest import _TEMPLATE_CODE

    app = create_app({**LIVE_CONFIG, "DATABASE_URL": database_url, **(extra_config or {})})
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE  # templates compiled once per worker, as in the app fixture
    if configure:
        configure(app)
    return app


# Loading the demo with its public history takes seconds; every browser module needs its own copy to
# change. The first module of a worker migrates a SQLite file and loads the demo into it exactly as
# ``demo_app`` does; each module then gets a copy of that file. Keyed by the day the demo was loaded for.
_DEMO_FILES: dict[date, Path] = {}


def demo_sqlite_url(tmp_path_factory) -> str:
    """The URL of a fresh SQLite database holding the demo as ``demo_app`` loads it (LIVE_CONFIG)."""
    from sqlalchemy import create_engine

    from jco.core import migrate
    from jco.core.timeutil import today

    with create_app({**LIVE_CONFIG, "DATABASE_URL": "sqlite://"}).app_context():
        day = today()
    if day not in _DEMO_FILES:
        template = tmp_path_factory.mktemp("demo-template") / "demo.sqlite3"
        engine = create_engine(f"sqlite:///{template}")
        migrate.upgrade(engine)
        engine.dispose()
        demo_app(f"sqlite:///{template}").extensions["jco_engine"].dispose()
        _DEMO_FILES[day] = template
    copy = tmp_path_factory.mktemp("live") / "jco.sqlite3"
    # The backup API copies a consistent database whatever its journal (WAL) holds.
    with closing(sqlite3.connect(_DEMO_FILES[day])) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    return f"sqlite:///{copy}"


def guard_requests(context, host: str, record: Callable[[str], None], *, fresh_cache: bool = False) -> None:
    """Pass ``record`` every request that would leave ``host``; the browser (``BLOCK_OTHER_HOSTS``) lets
    none of them out.

    Nothing is intercepted: Playwright turns the HTTP cache off for a context with a route, and then
    every page fetched its stylesheets and scripts again, plotly's 4.8 MB included. A test about a
    first visit (nothing cached yet) asks for ``fresh_cache``: the requests to other hosts are then
    aborted by a route, which also keeps the cache off.
    """
    foreign = re.compile(rf"^(?!(?:https?|wss?)://{re.escape(host)}/)(?:https?|wss?)://")
    if fresh_cache:
        def handle(route):
            route.abort("blockedbyclient")

        context.route(foreign, handle)
    context.on("request", lambda request: record(request.url) if foreign.match(request.url) else None)


def record_console_errors(page, console_errors: list[str]) -> None:
    """Append the page's console errors (CSP violations included) and uncaught exceptions."""
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))


class SharedContext:
    """One browser for the tests of a module, as one person's browser: each test gets a new tab with
    no cookie (so no session and no language chosen), while the HTTP cache and the compiled scripts
    carry over. It runs on a profile of its own, not in an incognito context: incognito keeps no code
    cache, and every new tab then compiled plotly.js again (about a second and a half, on each page
    with a chart). Pages are ``no-store``: only static files are cached. A test about a first visit
    makes its own context (``browser``)."""

    def __init__(self, driver, live_server: LiveServer, profile: Path, **options) -> None:
        self.context = driver.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=LAUNCH_ARGS, proxy=BLOCK_OTHER_HOSTS,
            base_url=live_server.url, service_workers="block", locale="en-GB", **options)
        self.blocked: list[str] = []
        guard_requests(self.context, live_server.host, lambda url: self.blocked.append(url))

    @contextmanager
    def tab(self, blocked: list[str], console_errors: list[str], *, timeout: int):
        """A new tab, logged out; requests to other hosts go to ``blocked``, errors to ``console_errors``."""
        self.context.clear_cookies()
        self.blocked = blocked
        page = self.context.new_page()
        page.set_default_timeout(timeout)
        record_console_errors(page, console_errors)
        try:
            yield page
        finally:
            page.close()
            self.blocked = []

    def close(self) -> None:
        self.context.close()


def login_as(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def focused(page) -> dict:
    """What has the keyboard focus: its tag, id, text and href."""
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || e.value || '').trim(),
                           href: e.getAttribute('href') || '', type: e.getAttribute('type') || ''}; }"""
    )


STATIC_DIR = Path(__file__).resolve().parent / "static"

PHONE = {"width": 390, "height": 844}


def wait_for_charts(page) -> None:
    """Check a page with charts once they are drawn: a check then sees what a reader sees."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart')].every(e => e.getAttribute('data-plotly-state'))",
        timeout=30_000)


def draw_every_chart(page) -> None:
    """Bring every chart into view first (a JCO page draws its map only then), and wait for them all."""
    for chart in page.locator(".chart").all():
        chart.scroll_into_view_if_needed()
    wait_for_charts(page)


def sideways_overflow(page) -> list[str]:
    """The page's width beyond the screen, and the widest elements that cause it."""
    return page.evaluate(
        """() => {
             const width = document.documentElement.clientWidth;
             if (document.documentElement.scrollWidth <= width) { return []; }
             return [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > width + 1)
               .slice(0, 5)
               .map(e => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`);
           }""")


SERIOUS = ("serious", "critical")

# Each rule that axe-core's default run checks (enabled, not experimental or deprecated), with the
# impacts it can report: its own and its checks'.
_RULE_IMPACTS = """() => {
  const checks = axe._audit.data.checks || {}, excluded = axe._audit.tagExclude || [];
  return axe._audit.rules.filter(rule => rule.enabled !== false && !rule.tags.some(tag => excluded.includes(tag)))
    .map(rule => [rule.id, [rule.impact,
    ...[...rule.any, ...rule.all, ...rule.none].map(c => (checks[typeof c === 'string' ? c : c.id] || {}).impact)]]);
}"""


class SeriousAxe:
    """axe-core (bundled in axe-playwright-python: nothing is fetched), running only the rules that can
    report a serious or critical violation — the only ones the tests look at. The other third
    (landmarks, heading order, "region": minor or moderate at most) cost almost half of a check.
    ``test_axe_checks_every_rule_that_can_be_serious`` shows both runs find the same violations."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.rules: list[str] | None = None

    def serious_rules(self, page) -> list[str]:
        if self.rules is None:
            page.evaluate(self.axe.axe_script)
            impacts = page.evaluate(_RULE_IMPACTS)
            self.rules = sorted(rule for rule, levels in impacts if any(level in SERIOUS for level in levels))
        return self.rules

    def run(self, page, *, every_rule: bool = False):
        if every_rule:
            return self.axe.run(page)
        return self.axe.run(page, options={"resultTypes": ["violations"],
                                           "runOnly": {"type": "rule", "values": self.serious_rules(page)}})
