"""Deadlines derived from the life cycle and set by hand; the My deadlines page; the JCO page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from deadline_factories import (
    comment,
    jco_after_operation,
    jco_report_presented,
    jco_under_comments,
    revision_for_meeting,
)
from factories import count_statements, make_account, make_document, make_meeting, org
from sqlalchemy import select

from jco.audit.models import AuditEntry
from jco.comments.models import CommentRound
from jco.deadlines import services
from jco.deadlines.models import ManualDeadline
from jco.deadlines.rules import SECRETARIAT, Kind, Status
from jco.deadlines.views import DEADLINES_PER_PAGE
from jco.documents.models import DocType
from jco.meetings.models import Meeting, Outcome
from jco.meetings.services import Purpose, add_agenda_item, record_outcome
from jco.operations import services as ops
from jco.operations.lifecycle import Body, Transition
from jco.operations.models import Jco

TODAY = date(2025, 11, 4)


@pytest.fixture
def app_config():
    return {"JCO_TODAY": TODAY.isoformat()}


def collect(db, **kwargs):
    settings = services.Settings(**kwargs) if kwargs else services.Settings()
    return {d.key: d for d in services.collect(db, TODAY, settings)}


def names(deadline):
    return [o.name for o in deadline.owners]


# --- derived deadlines ---------------------------------------------------------------------------

def test_comment_round_is_owed_by_every_member_state_but_the_authors_and_met_by_commenting(db):
    jco, bc, round_ = jco_under_comments(db, TODAY)
    comment(db, round_, "FR", TODAY - timedelta(days=1))
    deadline = collect(db)[f"round:{round_.id}"]
    # every member state of that day is asked, whether it takes part or not; the lead (DE) wrote
    # it and the co-lead (OLAF) is no member state; the observer (LV) and Austria are asked too
    assert len(deadline.owners) == 26 and "Germany" not in names(deadline)
    assert {"France", "Poland", "Latvia", "Austria"} <= set(names(deadline))
    assert "United Kingdom" not in names(deadline)  # not a member state in 2025
    assert deadline.kind is Kind.COMMENTS and deadline.due == TODAY + timedelta(days=6)
    assert deadline.title == f"Written comments on {bc.reference} (JCO Alpha)"
    france, poland = org(db, "FR").id, org(db, "PL").id
    assert deadline.status_for(france, TODAY) is Status.MET
    assert deadline.words_for(france, TODAY) == "Met on 3 November 2025"
    assert deadline.status_for(poland, TODAY) is Status.OPEN
    assert deadline.status_for(poland, TODAY + timedelta(days=7)) is Status.OVERDUE
    assert deadline.owners_label().endswith("(1 of 26 have commented)")


def test_comment_round_of_2015_asks_the_28_member_states_of_then_less_the_lead(db):
    jco, _, round_ = jco_under_comments(db, TODAY, participants={})
    round_.deadline = date(2015, 11, 3)
    db.flush()
    owners = names(collect(db)[f"round:{round_.id}"])
    assert len(owners) == 27 and "United Kingdom" in owners and "Germany" not in owners


def test_comment_round_on_a_final_report_is_owed_like_one_on_a_business_case(db):
    jco, report = jco_report_presented(db, on=TODAY - timedelta(days=3), prior_body=None)
    ops.apply_transition(db, jco, Transition.OPEN_COMMENTS, document=report)
    from deadline_factories import open_round
    round_ = open_round(db, jco, report, TODAY + timedelta(days=10))
    deadline = collect(db)[f"round:{round_.id}"]
    assert len(deadline.owners) == 26 and "Latvia" not in names(deadline)  # LV leads it
    assert deadline.title == f"Written comments on {report.reference} (JCO Charlie)"


def test_revision_is_due_days_before_the_meeting_and_met_by_a_newer_revision(db):
    jco, bc, _ = jco_under_comments(db, TODAY, reference="12712/25")
    meeting, item = revision_for_meeting(db, jco, TODAY + timedelta(days=28))
    deadline = collect(db, revision_due_days=10)[f"revision:{item.id}"]
    assert names(deadline) == ["Germany"]
    assert deadline.due == TODAY + timedelta(days=18)
    assert deadline.meeting_id == meeting.id
    assert deadline.status(TODAY) is Status.OPEN
    assert collect(db, revision_due_days=30)[f"revision:{item.id}"].status(TODAY) is Status.OVERDUE
    # an addendum is not a revision of the business case; REV 1 is
    make_document(db, "12712/25 ADD 1", jco=jco, doc_type=DocType.BUSINESS_CASE)
    assert collect(db)[f"revision:{item.id}"].status(TODAY) is Status.OPEN
    make_document(db, "12712/1/25 REV 1", jco=jco, doc_type=DocType.BUSINESS_CASE)
    assert collect(db)[f"revision:{item.id}"].status(TODAY) is Status.MET


def test_revision_deadline_follows_config(app, db):
    assert app.config["JCO_REVISION_DUE_DAYS"] == 10
    app.config["JCO_REVISION_DUE_DAYS"] = 3
    jco, _, _ = jco_under_comments(db, TODAY)
    _, item = revision_for_meeting(db, jco, TODAY + timedelta(days=28))
    deadline = {d.key: d for d in services.collect(db, TODAY, services.Settings.from_config(app.config))}
    assert deadline[f"revision:{item.id}"].due == TODAY + timedelta(days=25)


def test_revision_for_a_past_meeting_is_no_longer_owed(db):
    jco, _, _ = jco_under_comments(db, TODAY)
    _, item = revision_for_meeting(db, jco, TODAY - timedelta(days=1))
    assert f"revision:{item.id}" not in collect(db)


def test_final_report_due_after_the_later_of_operation_end_and_debriefing(db):
    jco = jco_after_operation(db, ended=TODAY - timedelta(days=100), debriefing=TODAY - timedelta(days=95))
    deadline = collect(db, report_due_days=90)[f"report:{jco.id}"]
    assert names(deadline) == ["Poland"]
    assert deadline.due == TODAY - timedelta(days=5)
    assert deadline.words(TODAY) == "Overdue by 5 days"
    make_document(db, jco=jco, doc_type=DocType.FINAL_REPORT, doc_date=TODAY - timedelta(days=2))
    assert collect(db, report_due_days=90)[f"report:{jco.id}"].words(TODAY) == "Met on 2 November 2025"


def test_report_adoption_owed_by_the_secretariat_at_the_next_meeting_of_the_adopting_body(db):
    presented = TODAY - timedelta(days=10)
    jco, report = jco_report_presented(db, on=presented, prior_body=Body.MAC)
    experts = make_meeting(db, body=Body.CCWP_EXPERTS, start_date=TODAY + timedelta(days=20))
    # no MAC meeting yet: the default applies
    deadline = collect(db, adoption_due_days=60)[f"adoption:{jco.id}"]
    assert deadline.owners == [SECRETARIAT]
    assert deadline.due == presented + timedelta(days=60) and deadline.meeting_id is None
    assert "No meeting of the Mutual Assistance Committee" in deadline.note
    mac = make_meeting(db, body=Body.MAC, start_date=TODAY + timedelta(days=40))
    deadline = collect(db)[f"adoption:{jco.id}"]
    assert (deadline.due, deadline.meeting_id) == (mac.start_date, mac.id)
    assert "by the Mutual Assistance Committee" in deadline.title
    # the MAC adopts it: now the working party's adoption is due at its next meeting
    item = add_agenda_item(db, mac, title="Final report", jco=jco, purpose=Purpose.FINAL_REPORT, documents=[report])
    record_outcome(db, item, Outcome.ADOPTED, today=mac.start_date)  # recorded on the day of the meeting
    deadline = collect(db)[f"adoption:{jco.id}"]
    assert deadline.meeting_id != experts.id  # the experts met before the MAC adopted it
    later = make_meeting(db, body=Body.CCWP_EXPERTS, start_date=TODAY + timedelta(days=70))
    deadline = collect(db)[f"adoption:{jco.id}"]
    assert (deadline.due, deadline.meeting_id) == (later.start_date, later.id)
    item = add_agenda_item(db, later, title="Final report", jco=jco, purpose=Purpose.FINAL_REPORT, documents=[report])
    record_outcome(db, item, Outcome.ADOPTED, today=later.start_date)
    assert f"adoption:{jco.id}" not in collect(db)


def test_withdrawn_operation_owes_nothing(db):
    jco, _, round_ = jco_under_comments(db, TODAY)
    ops.apply_transition(db, jco, Transition.WITHDRAW, note="Cancelled by the lead.")
    assert f"round:{round_.id}" not in collect(db)


def test_postponed_operation_owes_nothing_until_it_resumes(db):
    jco, _, round_ = jco_under_comments(db, TODAY)
    ops.apply_transition(db, jco, Transition.POSTPONE, note="Waiting for funding.")
    assert f"round:{round_.id}" not in collect(db)
    ops.apply_transition(db, jco, Transition.RESUME)
    assert jco.state == "comments" and f"round:{round_.id}" in collect(db)


def test_cancelled_operation_owes_nothing(db):
    jco, _, round_ = jco_under_comments(db, TODAY)
    ops.apply_transition(db, jco, Transition.CANCEL, note="Called off.")
    assert f"round:{round_.id}" not in collect(db)


def test_deadlines_of_one_operation_only(db):
    alpha, _, alpha_round = jco_under_comments(db, TODAY, name="Alpha")
    _, _, bravo_round = jco_under_comments(db, TODAY, name="Bravo")
    keys = [d.key for d in services.collect(db, TODAY, services.Settings(), jco_id=alpha.id)]
    assert keys == [f"round:{alpha_round.id}"]


# --- the My deadlines page -----------------------------------------------------------------------

@pytest.fixture
def world(db, built_once):
    """Deadlines of several kinds, and accounts of the delegations that owe them."""
    ids = built_once("deadlines world", lambda: _build_world(db), db)
    return {"alpha": db.get(Jco, ids["alpha"]), "bravo": db.get(Jco, ids["bravo"]),
            "round": db.get(CommentRound, ids["round"]), "meeting": db.get(Meeting, ids["meeting"])}


def _build_world(db) -> dict[str, int]:
    alpha, _, round_ = jco_under_comments(db, TODAY, deadline_in=6)
    bravo = jco_after_operation(db, ended=TODAY - timedelta(days=100), debriefing=TODAY - timedelta(days=93))
    meeting = make_meeting(db, start_date=TODAY + timedelta(days=21))
    for email, code, role in (("fr@example.org", "FR", "delegate"), ("pl@example.org", "PL", "delegate"),
                              ("de@example.org", "DE", "delegate"), ("gsc@example.org", "GSC", "secretariat"),
                              ("boss@example.org", "COM", "manager")):
        make_account(db, email, org_code=code, role=role)
    db.commit()
    return {"alpha": alpha.id, "bravo": bravo.id, "round": round_.id, "meeting": meeting.id}


def _rows(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r'<tr class="deadline.*?</tr>', html, re.S)]


def test_delegate_sees_what_the_delegation_owes_soonest_first(client, auth, world):
    auth.login("pl@example.org")
    html = client.get("/deadlines").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 2
    assert "Final report of JCO Bravo" in rows[0] and "Overdue by 3 days" in rows[0]
    assert "Written comments" in rows[1] and "Due in 6 days" in rows[1]
    assert 'class="deadline-status status-overdue">Overdue by 3 days<' in html
    assert "What Poland owes" in html


def test_a_delegation_sees_only_its_own_and_met_ones_on_request(client, auth, world, db):
    comment(db, world["round"], "FR", TODAY)
    db.commit()
    auth.login("fr@example.org")
    assert _rows(client.get("/deadlines").get_data(as_text=True)) == []
    rows = _rows(client.get("/deadlines?show=all").get_data(as_text=True))
    assert len(rows) == 1 and "Met on 4 November 2025" in rows[0]
    auth.logout()
    auth.login("de@example.org")  # the lead owes no comments on its own business case
    assert "Your delegation owes nothing" in client.get("/deadlines").get_data(as_text=True)


@pytest.mark.parametrize("email", ["gsc@example.org", "boss@example.org"])
def test_secretariat_and_managers_see_everything_grouped_by_meeting(client, auth, world, email):
    auth.login(email)
    html = client.get("/deadlines").get_data(as_text=True)
    assert len(_rows(html)) == 2
    assert f"Before <a href=\"/meetings/{world['meeting'].id}\">CCWP Experts, 25 November 2025</a>" in html
    assert ("Add a deadline" in html) is (email == "gsc@example.org")


@pytest.mark.parametrize("email", ["pl@example.org", "gsc@example.org"])
def test_long_lists_come_a_page_at_a_time_soonest_first(client, auth, world, db, email):
    auth.login(email)
    own = len(_rows(client.get("/deadlines").get_data(as_text=True)))  # the world's, on one page
    poland = org(db, "PL")
    for n in range(DEADLINES_PER_PAGE + 5):
        db.add(ManualDeadline(title=f"Send list {n:03d}", due_date=TODAY + timedelta(days=n % 40), owners=[poland]))
    db.commit()
    first = client.get("/deadlines").get_data(as_text=True)
    assert len(_rows(first)) == DEADLINES_PER_PAGE
    assert 'rel="next" href="/deadlines?page=2"' in first and 'rel="prev"' not in first
    second = client.get("/deadlines?page=2").get_data(as_text=True)
    rows = _rows(second)
    assert len(rows) == own + 5 and 'rel="prev" href="/deadlines?page=1"' in second
    seen = {re.search(r"Send list \d+", row).group(0) for row in _rows(first) + rows if "Send list" in row}
    assert len(seen) == DEADLINES_PER_PAGE + 5  # each once, none lost between pages
    assert client.get("/deadlines?page=99").status_code == 200  # out of range: the last page
    assert "page=2" in client.get("/deadlines?show=all").get_data(as_text=True)


def test_nav_link_and_login(client, auth, world):
    assert client.get("/deadlines").status_code == 302
    auth.login("fr@example.org")
    html = client.get("/jcos").get_data(as_text=True)
    assert '<a href="/deadlines">My deadlines</a>' in html


def test_jco_page_lists_its_own_deadlines(client, auth, world):
    auth.login("pl@example.org")
    html = client.get(f"/jcos/{world['alpha'].id}").get_data(as_text=True)
    section = html[html.index('id="deadlines-h"'):html.index('id="participants-h"')]
    assert "Written comments on" in section and "France, " in section and "(0 of 26 have commented)" in section
    assert "Final report of JCO Bravo" not in section
    assert "Your delegation:" in section and "Due in 6 days" in section
    assert html.index('id="about-h"') < html.index('id="deadlines-h"') < html.index('id="participants-h"')


def count_queries(app):
    return count_statements(app.extensions["jco_engine"])


@pytest.mark.parametrize("email", ["gsc@example.org", "pl@example.org"])
def test_queries_are_fixed_in_number(app, client, auth, world, db, email):
    def add_one_of_each(n):
        jco, _, round_ = jco_under_comments(db, TODAY, name=f"More {n}", lead="SE")
        comment(db, round_, "FR")
        revision_for_meeting(db, jco, TODAY + timedelta(days=30 + n))
        jco_after_operation(db, name=f"Done {n}", ended=TODAY - timedelta(days=50))
        jco_report_presented(db, name=f"Reported {n}", on=TODAY - timedelta(days=5))
        services.create_manual_deadline(db, services.ManualDetails(
            title=f"Hand {n}", due_date=TODAY, owner_ids=[org(db, "PL").id, org(db, "FR").id]))
        db.commit()
        return jco

    first = add_one_of_each(0)
    auth.login(email)
    client.get("/deadlines")
    # Both counts are of a process that has kept nothing (jco.deadlines.store): every deadline computed.
    app.extensions.pop("jco_stores", None)
    with count_queries(app) as few:
        assert client.get("/deadlines?show=all").status_code == 200
    for n in range(1, 5):  # more operations, rounds, comments, revisions, reports, meetings and manual deadlines
        jco = add_one_of_each(n)
    app.extensions.pop("jco_stores", None)
    with count_queries(app) as many:
        html = client.get("/deadlines?show=all").get_data(as_text=True)
    assert len(_rows(html)) > 10
    assert len(many) == len(few), "\n".join(many)
    with count_queries(app) as page:
        client.get(f"/jcos/{first.id}")
    with count_queries(app) as other_page:
        client.get(f"/jcos/{jco.id}")
    assert len(page) == len(other_page)


# --- deadlines set by hand -----------------------------------------------------------------------

def _form(db, **overrides):
    data = {"title": "Send the national contact points", "due_date": (TODAY + timedelta(days=3)).isoformat(),
            "owners": [org(db, "FR").id], "owed_by_secretariat": "y", "jco_id": "0", "meeting_id": "0", "note": ""}
    data.update(overrides)
    return data


def test_secretariat_sets_a_deadline_by_hand_and_records_it_met(client, auth, world, db):
    auth.login("gsc@example.org")
    assert client.get("/deadlines/new").status_code == 200
    response = client.post("/deadlines/new", data=_form(db, jco_id=str(world["alpha"].id)))
    assert response.status_code == 302
    row = db.scalar(select(ManualDeadline))
    assert [o.code for o in row.owners] == ["FR"] and row.owed_by_secretariat and row.jco_id == world["alpha"].id
    key = f"manual:{row.id}"
    assert "Due in 3 days" in client.get("/deadlines").get_data(as_text=True)
    auth.logout()
    auth.login("fr@example.org")
    html = client.get("/deadlines").get_data(as_text=True)
    assert "Send the national contact points" in html and "Record as met" not in html
    auth.logout()
    auth.login("pl@example.org")
    assert "Send the national contact points" not in client.get("/deadlines").get_data(as_text=True)
    auth.logout()
    auth.login("gsc@example.org")
    assert client.post(f"/deadlines/{row.id}/met").status_code == 302
    db.expire_all()
    assert db.get(ManualDeadline, row.id).met_on == TODAY
    html = client.get("/deadlines?show=all").get_data(as_text=True)
    assert "Met on 4 November 2025" in html
    assert "Send the national contact points" not in client.get("/deadlines").get_data(as_text=True)
    client.post(f"/deadlines/{row.id}/met")  # a second time: said clearly, nothing changes
    assert "already recorded as met" in client.get("/deadlines").get_data(as_text=True)
    client.post(f"/deadlines/{row.id}/reopen")
    db.expire_all()
    assert db.get(ManualDeadline, row.id).met_on is None
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "manual_deadline")
                          .order_by(AuditEntry.id)).all()
    assert actions == ["deadline.create", "deadline.met", "deadline.reopen"]
    assert key.startswith("manual:")


def test_deadline_form_keeps_input_and_explains_errors(client, auth, world, db):
    auth.login("gsc@example.org")
    html = client.post("/deadlines/new", data=_form(db, owners=[], owed_by_secretariat="", due_date="3/11/2025",
                                                    title="Keep me")).get_data(as_text=True)
    assert "Say who owes it" in html and "Give the due date as YYYY-MM-DD." in html
    assert 'value="Keep me"' in html
    assert db.scalar(select(ManualDeadline)) is None


def test_editing_a_deadline_checks_the_version(client, auth, world, db):
    row = services.create_manual_deadline(db, services.ManualDetails(
        title="Old", due_date=TODAY, owner_ids=[org(db, "PL").id]))
    db.commit()
    auth.login("gsc@example.org")
    html = client.get(f"/deadlines/{row.id}/edit").get_data(as_text=True)
    assert 'value="Old"' in html
    seen = str(row.version)
    ok = client.post(f"/deadlines/{row.id}/edit", data=_form(db, title="New", version=seen))
    assert ok.status_code == 302
    stale = client.post(f"/deadlines/{row.id}/edit", data=_form(db, title="Newer", version=seen))
    assert "changed by someone else" in stale.get_data(as_text=True)
    db.expire_all()
    assert db.get(ManualDeadline, row.id).title == "New"
    assert client.post(f"/deadlines/{row.id}/delete").status_code == 302
    db.expire_all()
    assert db.get(ManualDeadline, row.id) is None


@pytest.mark.parametrize("email", ["fr@example.org", "boss@example.org"])
@pytest.mark.parametrize(("method", "path"), [
    ("get", "/deadlines/new"), ("post", "/deadlines/new"), ("get", "/deadlines/{id}/edit"),
    ("post", "/deadlines/{id}/met"), ("post", "/deadlines/{id}/reopen"), ("post", "/deadlines/{id}/delete"),
])
def test_only_the_secretariat_manages_deadlines(client, auth, world, db, email, method, path):
    row = services.create_manual_deadline(db, services.ManualDetails(
        title="Hands off", due_date=TODAY, owner_ids=[org(db, "FR").id]))
    db.commit()
    auth.login(email)
    response = getattr(client, method)(path.format(id=row.id), data=_form(db))
    assert response.status_code == 403


def test_deadline_actions_need_csrf(app, client, auth, world, db):
    row = services.create_manual_deadline(db, services.ManualDetails(
        title="Guarded", due_date=TODAY, owner_ids=[org(db, "FR").id]))
    db.commit()
    auth.login("gsc@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/deadlines/{row.id}/met").status_code == 400
    db.expire_all()
    assert db.get(ManualDeadline, row.id).met_on is None


# --- the demo ------------------------------------------------------------------------------------

def test_demo_deadlines(client, auth, demo, app):
    app.config["JCO_TODAY"] = "2015-11-04"
    auth.login("de.delegate@example.org")
    rows = _rows(client.get("/deadlines").get_data(as_text=True))
    assert any("Revised business case of JCO Postbox for CCWP Experts, 2 December 2015" in r
               and "Due in 18 days" in r for r in rows)
    auth.logout()
    auth.login("pl.delegate@example.org")
    rows = _rows(client.get("/deadlines").get_data(as_text=True))
    assert any("Final report of JCO Baltica" in r and "16 December 2015" in r for r in rows)


def test_related_operations_owe_no_ccwp_deadline(db):
    """A WCO or Frontex operation does not go through the working party: no round, report or adoption."""
    jco, _, round_ = jco_under_comments(db, TODAY)
    bravo = jco_after_operation(db, ended=TODAY - timedelta(days=30))
    assert {f"round:{round_.id}"} <= set(collect(db)) and any(str(bravo.id) in k for k in collect(db))
    for related in (jco, bravo):
        related.framework = "WCO_OP"
    db.flush()
    assert collect(db) == {}


# --- read as what they are: grouped under their meeting, each with the form that meets it ----------

def _groups(html: str) -> dict[str, list[str]]:
    """Heading of each group on My deadlines → the rows under it."""
    found = {}
    for heading, body in re.findall(r"<h2 id=\"group-[^\"]+\">(.*?)</h2>(.*?)</section>", html, re.S):
        found[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", heading)).strip()] = _rows(body)
    return found


def test_a_deadline_long_past_is_tied_to_no_meeting_years_later(client, auth, world, db):
    """World's report deadline (3 days ago) leads up to the meeting in 21 days; a round that closed in
    2015 with no meeting of its own belongs to no meeting of 2025."""
    old, _, old_round = jco_under_comments(db, TODAY, name="Postbox", lead="SE")
    old_round.deadline = date(2015, 11, 3)
    db.commit()
    auth.login("gsc@example.org")
    groups = _groups(client.get("/deadlines").get_data(as_text=True))
    assert list(groups) == ["Before CCWP Experts, 25 November 2025", "Not tied to a meeting"]
    assert any("Final report of JCO Bravo" in row for row in groups["Before CCWP Experts, 25 November 2025"])
    [old_row] = groups["Not tied to a meeting"]
    assert "JCO Postbox" in old_row and "Missed (due 3 November 2015)" in old_row


def test_the_meeting_calendar_carries_only_the_deadlines_leading_up_to_it(client, auth, world, db):
    _, _, old_round = jco_under_comments(db, TODAY, name="Postbox", lead="SE")
    old_round.deadline = date(2015, 11, 3)
    db.commit()
    auth.login("gsc@example.org")
    feed = client.get(f"/meetings/{world['meeting'].id}/calendar.ics").get_data(as_text=True)
    assert "Final report of JCO Bravo" in feed and "Postbox" not in feed


def _action_links(html: str) -> dict[str, list[str]]:
    """Each deadline row's id → the links of its actions cell."""
    return {row_id: re.findall(r'<a class="button small" href="([^"]+)"', actions)
            for row_id, actions in re.findall(r'<tr class="deadline[^"]*" id="deadline-([^"]+)">.*?<div class="actions">(.*?)</div>',
                                             html, re.S)}


def test_each_deadline_row_links_to_the_form_that_meets_it(client, auth, world, db):
    bravo, round_ = world["bravo"], world["round"]
    auth.login("pl@example.org")  # Poland leads Bravo (its final report) and owes comments on Alpha
    html = client.get("/deadlines").get_data(as_text=True)
    links = _action_links(html)
    assert links[f"report-{bravo.id}"] == [f"/jcos/{bravo.id}/documents/new?type=final_report"]
    assert links[f"round-{round_.id}"] == [f"/rounds/{round_.id}"]
    # the link opens the upload form with the kind chosen
    form = client.get(f"/jcos/{bravo.id}/documents/new?type=final_report").get_data(as_text=True)
    assert re.search(r'<option selected value="final_report">|<option value="final_report" selected>', form)
    # on the operation's page too
    page = client.get(f"/jcos/{bravo.id}").get_data(as_text=True)
    assert _action_links(page)[f"report-{bravo.id}"] == [f"/jcos/{bravo.id}/documents/new?type=final_report"]


def test_no_button_for_what_the_reader_may_not_do_or_has_done(client, auth, world, db):
    bravo, round_ = world["bravo"], world["round"]
    comment(db, round_, "FR", TODAY)
    db.commit()
    auth.login("fr@example.org")  # France commented; it leads nothing
    html = client.get(f"/jcos/{world['alpha'].id}").get_data(as_text=True)
    assert f"/rounds/{round_.id}" not in str(_action_links(html))
    auth.logout()
    auth.login("gsc@example.org")  # the Secretariat writes no comments, but may upload the report
    html = client.get("/deadlines").get_data(as_text=True)
    links = _action_links(html)
    assert links[f"round-{round_.id}"] == []
    assert links[f"report-{bravo.id}"] == [f"/jcos/{bravo.id}/documents/new?type=final_report"]
