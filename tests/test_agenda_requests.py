"""Agenda requests: a lead asks for a document of its operation on a coming meeting's agenda; the
Secretariat accepts (the item is added) or declines with a reason; the lead is told on its pages,
on My page and in the digest. Every refusal says why and changes nothing."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from deadline_factories import jco_under_comments
from factories import make_document, make_meeting
from sqlalchemy import func, select

from jco.accounts.models import Account
from jco.audit.models import AuditEntry
from jco.core.timeutil import today
from jco.documents.models import DocType, Document, Marking
from jco.meetings.models import AgendaItem, AgendaRequest, Meeting, RequestState
from jco.mypage import digest
from jco.operations.lifecycle import Body
from jco.operations.models import Jco, Role
from tests.step_helpers import jco_id, reading, text
from tests.test_watching import _age_visit, _changes

LEAD = "fr.delegate@example.org"  # France leads DEMO Lighthouse
PARTICIPANT = "de.delegate@example.org"  # Germany takes part in it
SECRETARIAT = "secretariat@example.org"


def _yy() -> str:
    return f"{today().year % 100:02d}"


@pytest.fixture
def world(demo, app):
    """The demo, and a revised business case of DEMO Lighthouse not yet on any agenda."""
    with reading(app) as s:
        lighthouse = s.get(Jco, jco_id(app, "DEMO Lighthouse"))
        rev = make_document(s, f"9001/1/{_yy()} REV 1", jco=lighthouse, doc_type=DocType.BUSINESS_CASE,
                            marking=Marking.LIMITE, title="Revised business case of DEMO Lighthouse")
        next_meeting = s.scalar(select(Meeting).where(Meeting.start_date > today()).order_by(Meeting.start_date))
        s.commit()
        return {"jco": lighthouse.id, "rev": rev.id, "meeting": next_meeting.id}


def _rows(app) -> tuple:
    with reading(app) as s:
        return (s.scalar(select(func.count()).select_from(AgendaRequest)),
                s.scalar(select(func.count()).select_from(AgendaItem)),
                s.scalar(select(func.count()).select_from(AuditEntry)),
                tuple(s.execute(select(AgendaRequest.id, AgendaRequest.state).order_by(AgendaRequest.id)).all()))


def _ask(client, world, *, document=None, meeting=None, note="Ready for adoption.", jco=None):
    return client.post(f"/jcos/{jco or world['jco']}/agenda-requests", follow_redirects=True, data={
        "meeting_id": meeting or world["meeting"], "document_id": document or world["rev"], "note": note})


def _only_request(app) -> SimpleNamespace:
    """The one request, as plain values (the session closes with its app context)."""
    with reading(app) as s:
        row = s.scalar(select(AgendaRequest))
        return SimpleNamespace(**{c.key: getattr(row, c.key) for c in AgendaRequest.__table__.columns})


def _flashes(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text(response))).split())


def test_the_lead_asks_and_the_secretariat_accepts(client, auth, world, app):
    auth.login(LEAD)
    page = text(client.get(f"/jcos/{world['jco']}"))
    assert 'id="ask-agenda-h"' in page and "Ask for a place on the agenda" in page
    response = _ask(client, world)
    assert "Your request has been sent to the Secretariat" in text(response)
    assert "Waiting for the Secretariat" in text(response)
    request = _only_request(app)
    assert (request.state, request.document_id, request.meeting_id) == ("requested", world["rev"], world["meeting"])
    auth.logout()

    auth.login(SECRETARIAT)
    home = text(client.get("/"))
    assert "Agenda requests waiting" in home
    assert f"/meetings/{world['meeting']}/agenda#request-{request.id}" in home
    plan = text(client.get(f"/meetings/{world['meeting']}/agenda"))
    assert f"9001/1/{_yy()} REV 1" in plan and "Reason for declining" in plan
    response = client.post(f"/meetings/{world['meeting']}/agenda/requests/{request.id}/accept", follow_redirects=True)
    assert "Request accepted" in text(response)
    with reading(app) as s:
        request = s.get(AgendaRequest, request.id)  # type: ignore[assignment]
        assert request.state == RequestState.ACCEPTED and request.answered_at is not None
        item = s.get(AgendaItem, request.agenda_item_id)
        assert item.meeting_id == world["meeting"] and item.jco_id == world["jco"]
        assert [d.id for d in item.documents] == [world["rev"]]
        assert item.purpose == "revision" and item.title.endswith(f"revised business case (9001/1/{_yy()} REV 1)")
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.jco_id == world["jco"])))
        assert {"agenda_request.create", "agenda_request.accept", "agenda.add"} <= actions
        summary = s.scalar(select(AuditEntry.summary).where(AuditEntry.action == "agenda_request.accept"))
        assert summary.startswith(f"Accepted the request for 9001/1/{_yy()} REV 1 at ")
    assert "No lead delegation is waiting" in text(client.get("/"))


def test_a_declined_request_tells_the_lead_why(client, auth, world, app):
    auth.login(LEAD)
    client.get("/")  # a first visit, so that the next one lists changes
    _ask(client, world)
    request = _only_request(app)
    auth.logout()
    auth.login(PARTICIPANT)
    client.get("/")
    auth.logout()

    auth.login(SECRETARIAT)
    before = _rows(app)
    response = client.post(f"/meetings/{world['meeting']}/agenda/requests/{request.id}/decline",
                           data={"reason": "  "}, follow_redirects=True)
    assert "Give the lead delegation the reason for declining." in text(response)
    assert _rows(app) == before
    client.post(f"/meetings/{world['meeting']}/agenda/requests/{request.id}/decline",
                data={"reason": "The agenda is full; ask for the next meeting."})
    with reading(app) as s:
        assert s.get(AgendaRequest, request.id).state == RequestState.DECLINED
        assert s.scalar(select(func.count()).select_from(AgendaItem)) == before[1]
    auth.logout()

    _age_visit(app, LEAD)
    auth.login(LEAD)
    assert "declined the request" in _changes(client) and "The agenda is full" in _changes(client)
    assert "Declined: The agenda is full; ask for the next meeting." in text(client.get(f"/jcos/{world['jco']}"))
    auth.logout()
    # A participant watching the operation reads neither the request nor the answer.
    _age_visit(app, PARTICIPANT)
    auth.login(PARTICIPANT)
    assert "The agenda is full" not in _changes(client)
    assert "Agenda requests" not in text(client.get(f"/jcos/{world['jco']}"))

    with reading(app) as s:
        planned = {p.email: p for p in digest.plan(s, today(), app.config)}
    lead_digest = planned[LEAD].message.get_body(("plain",)).get_content()
    assert "The agenda is full; ask for the next meeting." in lead_digest
    assert all("The agenda is full" not in p.message.get_body(("plain",)).get_content()
               for email, p in planned.items() if email != LEAD)


def _issued_meeting(app) -> int:
    with reading(app) as s:
        meeting = make_meeting(s, body=Body.CCWP_EXPERTS, start_date=today() + timedelta(days=40),
                               notice_reference=f"CM 4100/{_yy()}")
        s.commit()
        return meeting.id


def _classified_document(app, world) -> int:
    with reading(app) as s:
        doc = make_document(s, f"9001/{_yy()} ADD 1", jco=s.get(Document, world["rev"]).jco,
                            doc_type=DocType.BUSINESS_CASE, marking=Marking.RESTREINT_UE, title="Risk profiles")
        s.commit()
        return doc.id


def _past_meeting(app) -> int:
    with reading(app) as s:
        return s.scalar(select(Meeting.id).where(Meeting.start_date == date(2015, 10, 20)))


def _document(app, reference: str) -> int:
    with reading(app) as s:
        return s.scalar(select(Document.id).where(Document.reference == reference))


@pytest.mark.parametrize("case, who, message", [
    ("participant", PARTICIPANT, "Only a delegate of the operation's lead or co-lead delegation may ask"),
    ("manager", "manager@example.org", "Only a delegate of the operation's lead or co-lead delegation may ask"),
    ("past meeting", LEAD, "has already taken place: choose a meeting still to come."),
    ("issued agenda", LEAD, "has been issued (CM 4100/"),
    ("duplicate", LEAD, "is already waiting for the Secretariat's answer."),
    ("another operation", LEAD, "Choose a document of JCO DEMO Lighthouse."),
    ("classified", LEAD, "Your account is not cleared to read 9001/"),
    ("already on the agenda", LEAD, "is already on the agenda of"),
    ("no meeting", LEAD, "Choose a meeting still to come."),
])
def test_refused_requests_say_why_and_change_nothing(client, auth, world, app, case, who, message):
    kwargs: dict = {}
    if case == "past meeting":
        kwargs["meeting"] = _past_meeting(app)
    elif case == "issued agenda":
        kwargs["meeting"] = _issued_meeting(app)
    elif case == "another operation":
        kwargs["document"] = _document(app, f"9002/{_yy()}")  # DEMO Harbour's business case
    elif case == "classified":
        kwargs["document"] = _classified_document(app, world)
    elif case == "already on the agenda":
        kwargs["document"] = _document(app, f"9001/{_yy()}")  # the demo put it on the next agenda
    elif case == "no meeting":
        kwargs["meeting"] = "nonsense"
    auth.login(who)
    if case == "duplicate":
        _ask(client, world)
    before = _rows(app)
    response = _ask(client, world, **kwargs)
    assert message in _flashes(response)
    assert _rows(app) == before


def test_the_lead_may_withdraw_an_open_request_and_then_it_cannot_be_answered(client, auth, world, app):
    auth.login(LEAD)
    _ask(client, world)
    request = _only_request(app)
    auth.logout()
    auth.login(PARTICIPANT)
    before = _rows(app)
    assert client.post(f"/agenda-requests/{request.id}/withdraw").status_code == 403
    assert _rows(app) == before
    auth.logout()
    auth.login(LEAD)
    response = client.post(f"/agenda-requests/{request.id}/withdraw", follow_redirects=True)
    assert "Your request has been withdrawn." in text(response) and "Withdrawn" in text(response)
    auth.logout()
    auth.login(SECRETARIAT)
    before = _rows(app)
    response = client.post(f"/meetings/{world['meeting']}/agenda/requests/{request.id}/accept", follow_redirects=True)
    assert "already been answered or withdrawn" in text(response)
    assert _rows(app) == before


def test_only_the_secretariat_answers(client, auth, world, app):
    auth.login(LEAD)
    _ask(client, world)
    request = _only_request(app)
    before = _rows(app)
    assert client.post(f"/meetings/{world['meeting']}/agenda/requests/{request.id}/accept").status_code == 403
    assert client.post(f"/meetings/{world['meeting']}/agenda/requests/{request.id}/decline",
                       data={"reason": "No"}).status_code == 403
    assert _rows(app) == before


def test_after_uploading_a_revision_the_leads_next_step_is_to_ask(client, auth, demo, app):
    with reading(app) as s:
        jco, _, _ = jco_under_comments(s, today(), name="Gannet", lead="FR", deadline_in=-2,
                                      reference="7001/25", participants={"DE": Role.PARTICIPANT})
        make_document(s, "7001/1/25 REV 1", jco=jco, doc_type=DocType.BUSINESS_CASE)
        s.commit()
        gannet = jco.id
    auth.login(LEAD)
    page = text(client.get(f"/jcos/{gannet}"))
    step = re.search(r'<section class="next-step".*?</section>', page, re.S).group(0)
    assert "decides on the revised business case" in step and "Ask for a place on the agenda" in step
    assert f'href="/jcos/{gannet}#ask-agenda-h"' in step
    _ask(client, {"jco": gannet, "meeting": None, "rev": None}, document=_document(app, "7001/1/25 REV 1"),
         meeting=_next_meeting(app))
    step = html.unescape(re.search(r'<section class="next-step".*?</section>', text(client.get(f"/jcos/{gannet}")),
                                   re.S).group(0))
    assert "The Secretariat answers the lead delegation's request" in step and "#ask-agenda-h" not in step
    auth.logout()
    auth.login(SECRETARIAT)
    step = re.search(r'<section class="next-step".*?</section>', text(client.get(f"/jcos/{gannet}")), re.S).group(0)
    assert f"/meetings/{_next_meeting(app)}/agenda#requests-h" in step


def _next_meeting(app) -> int:
    with reading(app) as s:
        return s.scalar(select(Meeting.id).where(Meeting.start_date > today()).order_by(Meeting.start_date))


def test_the_open_request_index_refuses_a_second_open_row(world, app):
    """The rule is the service's; the database holds it too, against two requests at once."""
    from sqlalchemy.exc import IntegrityError

    with reading(app) as s:
        lead = s.scalar(select(Account).where(Account.email == LEAD))
        for _ in range(2):
            s.add(AgendaRequest(jco_id=world["jco"], document_id=world["rev"], meeting_id=world["meeting"],
                                organisation_id=lead.organisation_id))
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()
        s.add(AgendaRequest(jco_id=world["jco"], document_id=world["rev"], meeting_id=world["meeting"],
                            organisation_id=lead.organisation_id, state=RequestState.DECLINED.value))
        s.add(AgendaRequest(jco_id=world["jco"], document_id=world["rev"], meeting_id=world["meeting"],
                            organisation_id=lead.organisation_id))
        s.flush()  # answered requests do not count
        s.rollback()
