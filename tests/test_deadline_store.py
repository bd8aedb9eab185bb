"""What is kept per operation — every deadline, each delegation's unmet deadlines, the status board
(jco.deadlines.store) — always equals a computation from scratch, after random sequences of
writes of every kind the deadlines read; and a write to one operation computes that operation
again, not the others. Both engines."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from jco.comments.models import Comment, CommentRound
from jco.core.db import get_session
from jco.core.timeutil import today as today_
from jco.dashboards import queries
from jco.dashboards.board import cached_status_board, status_board
from jco.dashboards.facts import operation_facts
from jco.dashboards.queries import Scope
from jco.deadlines import services
from jco.deadlines.models import ManualDeadline
from jco.deadlines.stamps import BY_OPERATION, GLOBAL, NOT_READ, THROUGH
from jco.documents.models import DocType, Document
from jco.meetings.models import AgendaItem, AgendaItemDocument, Meeting
from jco.meetings.services import Purpose, add_agenda_item
from jco.models import metadata
from jco.operations.lifecycle import Body, State
from jco.operations.models import Jco, JcoEvent, Organisation, Participant, Role
from jco.operations.queries import RegisterFilters
from tests.deadline_factories import (
    comment,
    jco_after_operation,
    jco_report_presented,
    jco_under_comments,
    open_round,
)
from tests.factories import make_document, make_meeting


def test_every_table_says_how_it_reaches_the_deadlines():
    declared = [{"jco"}, BY_OPERATION, set(THROUGH), GLOBAL, NOT_READ]
    for table in metadata.tables:
        assert sum(table in group for group in declared) == 1, f"declare {table} once in jco.deadlines.stamps"


def _deadline(d) -> tuple:
    return (d.key, d.kind, d.title, d.due, tuple((o.organisation_id, o.name) for o in d.owners),
            tuple(sorted(d.met_by.items(), key=str)), d.jco_id, d.jco_title, d.meeting_id, d.meeting_label,
            tuple((doc.id, doc.reference, doc.revision) for doc in d.documents), d.note)


def _board(stages) -> list:
    return [(s.state, [(r.jco_id, r.title, tuple(r.leads), r.next_due, r.next_due_kind, r.next_meeting)
                       for r in s.rows]) for s in stages]


def _counts(session, today) -> tuple:
    """The dashboard's counts of operations without filters: from what is kept, when it is kept."""
    scope = Scope(RegisterFilters())
    return (queries.pipeline_counts(session, scope), queries.participation_counts(session, scope),
            queries.timeline_rows(session, scope, today=today), queries.timeline_rows(session, scope, today=today, limit=2))


def _views(app, *, kept: bool):
    with app.test_request_context("/dashboard"):
        session = get_session()
        today, settings = today_(), services.Settings.from_config(app.config)
        if kept:
            store = services.deadline_store(session, today, settings)
            assert store is not None and operation_facts(session) is not None
            deadlines, owed = store.all(), store.owed_sum()
            boards = [cached_status_board(session, today, settings, include_closed=c) for c in (False, True)]
            counts = _counts(session, today)
        else:
            deadlines = services.collect(session, today, settings)
            owed = services.owed_counts(deadlines, today)
            boards = [status_board(session, deadlines, today, include_closed=c) for c in (False, True)]
            seconds, app.config["JCO_CACHE_SECONDS"] = app.config.get("JCO_CACHE_SECONDS"), 0  # nothing kept: SQL
            try:
                assert operation_facts(session) is None
                counts = _counts(session, today)
            finally:
                app.config["JCO_CACHE_SECONDS"] = seconds
        return [_deadline(d) for d in deadlines], owed, [_board(b) for b in boards], counts, store if kept else None


@pytest.fixture
def register(app, demo):
    """The demo, plus operations at every stage that owes something."""
    with app.app_context():
        session = get_session()
        today = today_()
        for i in range(3):
            jco_under_comments(session, today, name=f"Comments {i}", deadline_in=i * 5 - 3)
        for i in range(2):
            jco_after_operation(session, name=f"Reporting {i}", ended=today - timedelta(days=40 * (i + 1)))
            jco_report_presented(session, name=f"Presented {i}", on=today - timedelta(days=10 * (i + 1)))
        make_meeting(session, body=Body.MAC, start_date=today + timedelta(days=30))
        make_meeting(session, start_date=today + timedelta(days=20))
        session.commit()
    return app


_references = itertools.count(40000)


def _pick(session, rng, model, *where):
    rows = list(session.scalars(select(model).where(*where).order_by(model.id)))
    return rng.choice(rows) if rows else None


# Actions that change what every operation reads: they may compute everything again.
EVERYTHING_ACTIONS = {"meeting_date", "new_meeting", "rename_organisation", "manual_no_jco", "bulk_round_deadline"}


def _write(session, rng, action: str, today) -> None:  # noqa: C901 - one branch per kind of write
    jco = _pick(session, rng, Jco)
    countries = list(session.scalars(select(Organisation).where(Organisation.kind == "country")
                                     .order_by(Organisation.code)))
    if action == "comment":
        round_ = _pick(session, rng, CommentRound)
        done = set(session.scalars(select(Comment.organisation_id).where(Comment.round_id == round_.id)))
        candidates = [c for c in countries if c.id not in done]
        if candidates:
            comment(session, round_, rng.choice(candidates).code, on=today - timedelta(days=rng.randint(0, 5)))
    elif action == "delete_comment":
        victim = _pick(session, rng, Comment)
        if victim is not None:
            session.delete(victim)
    elif action == "new_round":
        document = _pick(session, rng, Document, Document.jco_id.is_not(None))
        open_round(session, session.get(Jco, document.jco_id), document, today + timedelta(days=rng.randint(-5, 20)))
    elif action == "round_deadline":
        round_ = _pick(session, rng, CommentRound)
        round_.deadline = today + timedelta(days=rng.randint(-10, 20))
    elif action == "document":
        number = next(_references)
        make_document(session, f"{number}/{(rev := rng.randint(1, 3))}/25 REV {rev}" if rng.random() < 0.5 else f"{number}/25",
                      jco=jco, doc_type=rng.choice([DocType.BUSINESS_CASE, DocType.FINAL_REPORT]))
    elif action == "document_edit":
        document = _pick(session, rng, Document)
        document.revision = rng.randint(0, 4)
        document.doc_date = today - timedelta(days=rng.randint(0, 30))
    elif action == "document_move":
        document = _pick(session, rng, Document)
        document.jco_id = jco.id
    elif action == "participant":
        present = set(session.scalars(select(Participant.organisation_id).where(Participant.jco_id == jco.id)))
        missing = [c for c in countries if c.id not in present]
        if missing and rng.random() < 0.5:
            session.add(Participant(jco_id=jco.id, organisation_id=rng.choice(missing).id,
                                    role=rng.choice([Role.PARTICIPANT, Role.CO_LEAD, Role.OBSERVER]).value))
        else:
            victim = _pick(session, rng, Participant, Participant.jco_id == jco.id, Participant.role != Role.LEAD.value)
            if victim is not None:
                if rng.random() < 0.5:
                    session.delete(victim)
                else:
                    victim.role = Role.CO_LEAD.value if victim.role != Role.CO_LEAD.value else Role.PARTICIPANT.value
    elif action == "state":
        jco.state = rng.choice([State.COMMENTS, State.OPERATIONAL, State.DEBRIEFING, State.REPORT_PRESENTED,
                                State.REPORT_PARTLY_ADOPTED, State.CLOSED, State.POSTPONED]).value
        session.add(JcoEvent(jco_id=jco.id, transition="record", from_state="", to_state=jco.state, on=today - timedelta(days=rng.randint(0, 20))))
    elif action == "dates":
        jco.actual_start = rng.choice([None, today - timedelta(days=rng.randint(130, 200))])
        jco.actual_end = today - timedelta(days=rng.randint(0, 120))
        jco.planned_start = rng.choice([None, today + timedelta(days=rng.randint(-300, 300))])
        jco.debriefing_date = rng.choice([None, today - timedelta(days=rng.randint(0, 60))])
    elif action == "framework":
        jco.framework = rng.choice(["EU_JCO", "ASEM_JCO", "WCO_OP", jco.framework])
    elif action == "revision_item":
        meeting = _pick(session, rng, Meeting, Meeting.start_date >= today)
        add_agenda_item(session, meeting, title=f"JCO {jco.title}: revised business case", jco=jco,
                        purpose=Purpose.REVISION)
    elif action == "item_document":
        item = _pick(session, rng, AgendaItem, AgendaItem.jco_id.is_not(None))
        document = _pick(session, rng, Document, Document.doc_type == DocType.BUSINESS_CASE.value)
        linked = session.get(AgendaItemDocument, (item.id, document.id)) if item and document else True
        if linked is None:
            session.add(AgendaItemDocument(agenda_item_id=item.id, document_id=document.id))
    elif action == "remove_item":
        item = _pick(session, rng, AgendaItem, AgendaItem.jco_id.is_not(None))
        if item is not None:
            for link in session.scalars(select(AgendaItemDocument).where(AgendaItemDocument.agenda_item_id == item.id)):
                session.delete(link)
            session.flush()
            session.delete(item)
    elif action == "meeting_date":
        meeting = _pick(session, rng, Meeting)
        meeting.start_date = today + timedelta(days=rng.randint(-5, 40))
        meeting.end_date = meeting.start_date + timedelta(days=1)
    elif action == "new_meeting":
        make_meeting(session, body=rng.choice([Body.MAC, Body.CCWP_EXPERTS]),
                     start_date=today + timedelta(days=rng.randint(1, 60)))
    elif action == "rename_organisation":
        country = rng.choice(countries)
        country.name = country.name + " (renamed)"
    elif action in ("manual", "manual_no_jco"):
        session.add(ManualDeadline(title=f"Hand {rng.random():.6f}", due_date=today + timedelta(days=rng.randint(-5, 9)),
                                   jco_id=jco.id if action == "manual" else None, owed_by_secretariat=True,
                                   owners=[rng.choice(countries)]))
    elif action == "manual_met":
        row = _pick(session, rng, ManualDeadline, ManualDeadline.jco_id.is_not(None))
        if row is not None:
            row.met_on = None if row.met_on else today
    elif action == "bulk_round_deadline":
        session.execute(update(CommentRound).where(CommentRound.jco_id == jco.id)
                        .values(deadline=today + timedelta(days=rng.randint(-3, 3))))
    else:
        raise AssertionError(action)


ACTIONS = ["comment", "delete_comment", "new_round", "round_deadline", "document", "document_edit", "document_move",
           "participant", "state", "dates", "framework", "revision_item", "item_document", "remove_item", "meeting_date",
           "new_meeting", "rename_organisation", "manual", "manual_no_jco", "manual_met", "bulk_round_deadline"]


@pytest.mark.parametrize("seed", [1, 2])
def test_what_is_kept_follows_random_writes(register, seed):
    app = register
    rng = random.Random(seed)
    *first, store = _views(app, kept=True)
    assert first == list(_views(app, kept=False)[:4])
    partial = 0
    for step in range(40):
        action = ACTIONS[step] if step < len(ACTIONS) else rng.choice(ACTIONS)  # every kind at least once
        built = store.built
        with app.app_context():
            session = get_session()
            _write(session, rng, action, today_())
            session.commit()
        *kept, same_store = _views(app, kept=True)
        assert same_store is store
        assert kept == list(_views(app, kept=False)[:4]), f"step {step}: {action}"
        if action not in EVERYTHING_ACTIONS:
            assert store.built == built, f"step {step}: {action} computed every operation again"
            partial += 1
    assert partial >= 20  # the test exercises what is computed per operation, not only full passes


def test_a_write_the_session_cannot_see_computes_everything_again(register):
    from jco.core.cache import mark_changed

    app = register
    *_, store = _views(app, kept=True)
    built = store.built
    with app.app_context():
        session = get_session()
        lighthouse = session.scalar(select(Jco.id).where(Jco.name == "DEMO Lighthouse"))
        session.connection().execute(update(CommentRound.__table__).where(CommentRound.jco_id == lighthouse)
                                     .values(deadline=today_() - timedelta(days=1)))
        mark_changed(session)
        session.commit()
    kept = _views(app, kept=True)
    assert store.built != built
    assert kept[:4] == _views(app, kept=False)[:4]
