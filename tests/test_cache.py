"""The data-versioned cache (jco.core.cache): served while nothing changed, never once something did,
never across clearances — on both engines."""

from __future__ import annotations

import json
import re
import threading

import pytest
from cachetools import TTLCache
from sqlalchemy import select, text

from jco.core.cache import DataVersion, bump, current_version
from jco.core.db import get_session
from jco.devtools.synthetic import generate
from jco.documents.models import Document
from jco.operations.models import Commodity, Jco, Organisation, Result
from tests.factories import count_statements, make_jco

FIGURE_RE = re.compile(r'<script type="application/json" class="plotly-figure" data-target="([^"]+)">(.*?)</script>', re.S)


def get(app, client, path: str) -> tuple[str, int]:
    with count_statements(app.extensions["jco_engine"]) as statements:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
    return body, len(statements)


def pipeline(html: str) -> dict[str, int]:
    figs = {target: json.loads(body) for target, body in FIGURE_RE.findall(html)}
    trace = figs["pipeline-chart"]["data"][0]
    return dict(zip(trace["x"], trace["y"], strict=True))


# ------------------------------------------------------------------------------ the version


def test_only_a_commit_that_changed_something_counts(app):
    with app.app_context():
        session = get_session()
        start = current_version(session)
        assert start is not None
        session.scalars(select(Jco)).all()
        session.commit()
        assert current_version(session) == start  # reading changes nothing

        session.add(Commodity(name="amber"))
        session.flush()
        session.rollback()
        assert current_version(session) == start  # nor does a change rolled back

        session.add(Commodity(name="amber"))
        session.commit()
        assert current_version(session) == start + 1

        commodity = session.scalar(select(Commodity).where(Commodity.name == "amber"))
        commodity.name = "raw amber"
        session.commit()
        assert current_version(session) == start + 2

        session.delete(commodity)
        session.commit()
        assert current_version(session) == start + 3

        # a bulk statement through the session counts too
        session.execute(Commodity.__table__.insert().values(name="jet"))
        session.commit()
        assert current_version(session) == start + 4


def test_synthetic_data_written_by_copy_counts_as_a_change(app):
    with app.app_context():
        session = get_session()
        start = current_version(session)
        generate(session, operations=3, seed=7, results_per_operation=2)
        session.commit()
        assert current_version(session) == start + 1


def test_one_version_row_is_created_by_the_migrations(app):
    with app.app_context():
        rows = get_session().scalars(select(DataVersion)).all()
        assert [row.id for row in rows] == [1]


# ------------------------------------------------------------------------------ the dashboard


def test_dashboard_is_served_from_cache_until_the_data_changes(app, client, auth, demo):
    auth.login("manager@example.org")
    client.get("/account")  # the first page after logging in also writes the server-side session
    first, cold = get(app, client, "/dashboard")
    second, warm = get(app, client, "/dashboard")
    assert FIGURE_RE.findall(second) == FIGURE_RE.findall(first)
    # Warm: the account, the data version; no aggregate is computed again.
    assert warm <= 3 < cold, (warm, cold)
    before = pipeline(first)

    with app.app_context():
        session = get_session()
        make_jco(session, "Amberline", lead="PL")  # a new operation, in state Proposed
        session.commit()

    after, recomputed = get(app, client, "/dashboard")
    assert pipeline(after)["Proposed"] == before["Proposed"] + 1
    # Computed again, but only for the operation that changed (jco.deadlines.store): fewer queries
    # than the first view, more than a view from the cache.
    assert warm < recomputed < cold, (warm, recomputed, cold)


def test_a_change_made_by_the_app_itself_shows_at_once(app, client, auth, demo):
    """Through the pages: withdrawing an operation moves it in the pipeline on the next view."""
    auth.login("secretariat@example.org")
    before = pipeline(get(app, client, "/dashboard")[0])
    with app.app_context():
        session = get_session()
        kestrel = session.scalar(select(Jco).where(Jco.name == "DEMO Kestrel"))
        jco_id = kestrel.id
    response = client.post(f"/jcos/{jco_id}/transitions/withdraw", data={"withdraw-reason": "Cancelled"})
    assert response.status_code in (302, 303), response.status_code
    with app.app_context():
        assert get_session().get(Jco, jco_id).state == "withdrawn"
    after = pipeline(get(app, client, "/dashboard")[0])
    assert after["Withdrawn"] == before["Withdrawn"] + 1


def test_a_figure_cached_for_a_cleared_account_never_reaches_an_uncleared_one(app, client, auth, demo):
    with app.app_context():
        session = get_session()
        athena = session.scalar(select(Jco).where(Jco.name == "Athena", Jco.edition == "IV"))
        addendum = session.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
        latvia = session.scalar(select(Organisation).where(Organisation.code == "LV"))
        cigarettes = Commodity(name="cigarettes (cache test)")
        session.add(cigarettes)
        session.flush()
        session.add(Result(jco_id=athena.id, document_id=addendum.id, organisation_id=latvia.id,
                           commodity_id=cigarettes.id, quantity=3_000_000, unit="pieces", year=2015))
        session.commit()

    auth.login("lv.delegate@example.org")  # cleared for RESTREINT UE: sees the addendum's result
    cleared = client.get("/dashboard/results-by-commodity.csv").get_data(as_text=True)
    assert "cigarettes (cache test)" in cleared
    auth.logout()
    auth.login("de.delegate@example.org")  # not cleared
    uncleared = client.get("/dashboard/results-by-commodity.csv").get_data(as_text=True)
    assert "cigarettes (cache test)" not in uncleared


@pytest.mark.parametrize("app_config", [{"JCO_CACHE_SECONDS": 0}])
def test_the_cache_can_be_switched_off(app, client, auth, demo):
    auth.login("manager@example.org")
    client.get("/account")  # the first page after logging in also writes the server-side session
    _, first = get(app, client, "/dashboard")
    _, second = get(app, client, "/dashboard")
    assert first == second > 5


# ------------------------------------------------------------------------------ the register


def test_register_count_follows_new_operations(app, client, auth, demo):
    auth.login("manager@example.org")
    html, _ = get(app, client, "/jcos")
    total = int(re.search(r"(\d+) operations?", html).group(1))
    with app.app_context():
        session = get_session()
        make_jco(session, "Amberline", lead="PL")
        session.commit()
    html, _ = get(app, client, "/jcos")
    assert f"{total + 1} operations" in html
    assert "Amberline" in html


def test_a_write_the_session_cannot_see_is_shown_after_the_time_to_live(app, client, auth, demo):
    """Hand-written SQL should call jco.core.cache.bump; if it does not, JCO_CACHE_SECONDS bounds the staleness."""
    clock = [0.0]
    app.extensions["jco_cache"] = (TTLCache(maxsize=16, ttl=300, timer=lambda: clock[0]), threading.Lock())
    auth.login("manager@example.org")
    before = pipeline(get(app, client, "/dashboard")[0])
    with app.extensions["jco_engine"].begin() as connection:
        connection.execute(text("UPDATE jco SET state = 'withdrawn' WHERE name = 'DEMO Kestrel'"))
    clock[0] = 299.0
    assert pipeline(get(app, client, "/dashboard")[0]) == before  # not counted: still cached
    clock[0] = 301.0
    assert pipeline(get(app, client, "/dashboard")[0])["Withdrawn"] == before["Withdrawn"] + 1


def test_bump_counts_a_change_made_by_hand(app, client, auth, demo):
    auth.login("manager@example.org")
    before = pipeline(get(app, client, "/dashboard")[0])
    with app.extensions["jco_engine"].begin() as connection:
        connection.execute(text("UPDATE jco SET state = 'withdrawn' WHERE name = 'DEMO Kestrel'"))
        bump(connection)
    assert pipeline(get(app, client, "/dashboard")[0])["Withdrawn"] == before["Withdrawn"] + 1


def test_the_cache_holds_a_bounded_amount(app):
    """Calendar feeds count their bytes; what would not fit is served, not kept."""
    from jco.core import cache

    with app.test_request_context("/"):
        session = get_session()
        huge = b"x" * (cache.MAX_BYTES + 1)
        assert cache.cached(session, ("huge",), lambda: huge) is huge
        calls = []
        assert cache.cached(session, ("huge",), lambda: calls.append(1) or huge) is huge
        assert calls == [1]  # not kept: computed again
        store, _lock = app.extensions["jco_cache"]
        for i in range(cache.MAX_BYTES // cache.ENTRY_BYTES + 10):
            cache.cached(session, ("figure", i), lambda: object())
        assert store.currsize <= cache.MAX_BYTES


def test_bookkeeping_does_not_empty_the_caches(app, client, auth, demo):
    """A log-in, an API token's last use, a calendar poll: none changes what any cache holds."""
    with app.app_context():
        start = current_version(get_session())
    auth.login("manager@example.org")  # records the time of the log-in
    client.get("/calendar.ics")  # writes the events' SEQUENCE counters
    with app.app_context():
        assert current_version(get_session()) == start


def test_a_feed_follows_its_account_s_clearance(app, client, auth, demo):
    """Account rows do not move the data version, so the feed's key holds the clearance."""
    from jco.accounts.models import Account

    auth.login("de.delegate@example.org")
    _, cold = get(app, client, "/calendar.ics")
    _, warm = get(app, client, "/calendar.ics")
    assert warm < cold
    with app.app_context():
        session = get_session()
        account = session.scalar(select(Account).where(Account.email == "de.delegate@example.org"))
        account.clearance = "RESTREINT UE"
        session.commit()
    _, after = get(app, client, "/calendar.ics")
    assert after > warm  # computed again for the new clearance
