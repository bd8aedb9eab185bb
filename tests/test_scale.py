"""Scale: synthetic data is realistic and deterministic, and pages cost the same queries at any size."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select

from jco.comments.models import Comment, CommentRound
from jco.core.cache import bump
from jco.core.db import get_session
from jco.devtools.synthetic import SyntheticRefused, generate
from jco.documents.models import Document
from jco.documents.references import DocumentReference
from jco.meetings.models import AgendaItem, Meeting
from jco.operations.models import Jco, JcoEvent, Participant, Result
from jco.operations.reference_data import ensure_reference_data
from tests.conftest import _empty_all_tables
from tests.factories import count_statements, make_account, make_jco


def fresh(app, db) -> None:
    db.close()
    _empty_all_tables(app.extensions["jco_engine"])
    ensure_reference_data(db)
    db.commit()


def fingerprint(db) -> str:
    """The synthetic data by natural keys (names, references, codes), not by ids."""
    rows = []
    rows += db.execute(select(Jco.name, Jco.state, Jco.kind, Jco.year, Jco.planned_start, Jco.actual_end)
                       .order_by(Jco.name)).all()
    rows += db.execute(select(Document.reference, Document.marking, Document.doc_type).order_by(Document.reference)).all()
    rows += db.execute(select(Jco.name, func.count(Participant.id)).join(Participant).group_by(Jco.name)
                       .order_by(Jco.name)).all()
    rows += db.execute(select(Meeting.start_date, Meeting.body, func.count(AgendaItem.id))
                       .outerjoin(AgendaItem).group_by(Meeting.id).order_by(Meeting.start_date, Meeting.body)).all()
    rows += db.execute(select(Jco.name, func.count(Result.id), func.sum(Result.quantity)).join(Result)
                       .group_by(Jco.name).order_by(Jco.name)).all()
    rows += db.execute(select(func.count(Comment.id), func.count(JcoEvent.id.distinct()))
                       .select_from(JcoEvent).outerjoin(CommentRound, CommentRound.jco_id == JcoEvent.jco_id)
                       .outerjoin(Comment, Comment.round_id == CommentRound.id)).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_synthetic_data_is_realistic(db):
    summary = generate(db, operations=40, seed=5, results_per_operation=3)
    db.commit()
    assert summary.operations == 40
    jcos = db.scalars(select(Jco)).all()
    assert len(jcos) == 40 and all(j.name.startswith("SYN-") for j in jcos)
    assert len({j.state for j in jcos}) >= 4 and len({j.kind for j in jcos}) >= 2
    for jco in jcos:
        assert sum(1 for p in jco.participants if p.role == "lead") == 1
    # every reference is a valid Council reference, stored in canonical form
    for reference in db.scalars(select(Document.reference)):
        assert str(DocumentReference.parse(reference)) == reference
    # results belong to operations with a final report, and their year is the operation's
    orphan = db.scalar(select(func.count()).select_from(Result).join(Jco).where(Result.year != Jco.year))
    assert orphan == 0 and db.scalar(select(func.count()).select_from(Result)) > 0
    # the history of each operation ends in its state
    for jco in jcos:
        last = db.scalar(select(JcoEvent).where(JcoEvent.jco_id == jco.id).order_by(JcoEvent.on.desc(),
                                                                                    JcoEvent.id.desc()).limit(1))
        assert (last.to_state if last else "proposed") == jco.state
    assert db.scalar(select(func.count()).select_from(Comment)) > 0
    # ids continue after the bulk load: the services still work
    make_jco(db, "After the synthetic load")
    db.commit()


def test_same_seed_gives_the_same_data_and_results_total_is_exact(app, db):
    generate(db, operations=30, seed=11, results_total=1000)
    db.commit()
    first = fingerprint(db)
    assert db.scalar(select(func.count()).select_from(Result)) == 1000
    fresh(app, db)
    generate(db, operations=30, seed=11, results_total=1000)
    db.commit()
    assert fingerprint(db) == first
    fresh(app, db)
    generate(db, operations=30, seed=12, results_total=1000)
    db.commit()
    assert fingerprint(db) != first


def test_synthetic_refuses_to_run_twice(db):
    generate(db, operations=2, seed=1)
    db.commit()
    with pytest.raises(SyntheticRefused):
        generate(db, operations=2, seed=1)


def test_cli(runner, db):
    result = runner.invoke(args=["demo", "synthetic", "--operations", "5", "--seed", "2",
                                 "--results-per-operation", "2"])
    assert result.exit_code == 0, result.output
    assert "Generated 5 synthetic operations" in result.output and "result" in result.output
    again = runner.invoke(args=["demo", "synthetic", "--operations", "5"])
    assert again.exit_code != 0 and "already holds synthetic operations" in again.output


def _page_costs(app, client, auth, operations: int) -> dict[str, int]:
    # Set-up in an app context of its own, so that every request below runs as in production:
    # its own context, its own session, the logged-in account loaded from the database.
    with app.app_context():
        session = get_session()
        fresh(app, session)
        generate(session, operations=operations, seed=3, results_per_operation=10)
        make_account(session, "reader@example.org", role="manager", org_code="COM", clearance="RESTREINT UE")
        session.commit()
        # SYN-00001 is the same operation at every size; its first meeting gathers more items as N grows.
        jco_id = session.scalar(select(Jco.id).where(Jco.name.like("SYN-00001 %")))
        meeting_id = session.scalar(select(AgendaItem.meeting_id).where(AgendaItem.jco_id == jco_id)
                                    .order_by(AgendaItem.id).limit(1))
        assert session.scalar(select(func.count()).select_from(AgendaItem)
                              .where(AgendaItem.meeting_id == meeting_id)) >= 1
    auth.login("reader@example.org")
    pages = {
        "register": "/jcos",
        "register, page 2 by name": "/jcos?sort=name&page=2",
        "JCO page": f"/jcos/{jco_id}",
        "meetings": "/meetings",
        "meeting page": f"/meetings/{meeting_id}",
        "register export CSV": "/jcos/export.csv",
        "register export XLSX": "/jcos/export.xlsx",
    }
    costs = {}
    engine = app.extensions["jco_engine"]
    for label, path in pages.items():
        with count_statements(engine) as statements:
            response = client.get(path)
            response.get_data()
        assert response.status_code == 200, path
        costs[label] = len(statements)
    auth.logout()
    return costs


def test_queries_per_page_do_not_grow_with_the_data(app, client, auth):
    small = _page_costs(app, client, auth, 20)
    large = _page_costs(app, client, auth, 200)
    assert small == large
    assert all(n >= 2 for n in small.values())  # the account, then the page's own queries


# The JCO page's queries, counted (README "Performance"). On a miss: the login (web session,
# account), the data version, the operation with its five lists, its documents and their subject
# codes, its agenda items with their documents, its history, its comment rounds, its deadlines
# (at most twelve: fewer when it has no rounds, revisions, reports or deadlines set by hand), its
# result sums (three), the agenda requests waiting (one) and the watch. (A delegate adds its own
# comment responses, two; the lead and the Secretariat the agenda requests they may act on.)
JCO_PAGE_QUERIES_ON_A_MISS = 30
# On a hit only what depends on the reader: the login, the data version and the watch.
JCO_PAGE_QUERIES_ON_A_HIT = 4


def without_tokens(page: str) -> str:
    """A page without its CSRF tokens, which carry the time they were made."""
    return re.sub(r'(name="csrf_token" value|name="csrf-token" content)="[^"]*"', "", page)


def bump_version(app) -> None:
    with app.app_context():
        session = get_session()
        bump(session)
        session.commit()


def test_the_jco_page_costs_a_fixed_small_number_of_queries(app, client, auth):
    with app.app_context():
        session = get_session()
        fresh(app, session)
        generate(session, operations=20, seed=3, results_per_operation=10)
        make_account(session, "reader@example.org", role="manager", org_code="COM", clearance="RESTREINT UE")
        session.commit()
        ids = session.scalars(select(Jco.id).order_by(Jco.id)).all()
    auth.login("reader@example.org")
    engine = app.extensions["jco_engine"]

    def cost(jco_id: int) -> tuple[int, str]:
        with count_statements(engine) as statements:
            response = client.get(f"/jcos/{jco_id}")
            body = response.get_data(as_text=True)
        assert response.status_code == 200
        return len(statements), body

    cost(ids[0])  # the first request after logging in also refreshes the login's session row
    bump_version(app)
    misses = [cost(jco_id)[0] for jco_id in ids]
    assert max(misses) <= JCO_PAGE_QUERIES_ON_A_MISS
    first, page = cost(ids[0])
    assert first == JCO_PAGE_QUERIES_ON_A_HIT
    bump_version(app)
    again, fresh_page = cost(ids[0])
    assert again <= JCO_PAGE_QUERIES_ON_A_MISS and again > JCO_PAGE_QUERIES_ON_A_HIT
    assert without_tokens(fresh_page) == without_tokens(page)  # only the version changed: the same page
