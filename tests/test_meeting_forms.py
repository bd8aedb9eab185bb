"""Scheduling meetings, building agendas and recording outcomes that move JCOs through the life cycle."""

from datetime import date, time

import pytest
from sqlalchemy import select

from jco.audit.models import AuditEntry
from jco.documents.models import DocType, Marking
from jco.meetings import agenda
from jco.meetings.models import AgendaItem, Meeting
from jco.meetings.services import Purpose, add_agenda_item, record_outcome
from jco.operations import services
from jco.operations.lifecycle import Body, LifecycleError, Transition
from jco.operations.models import JcoEvent
from tests.factories import make_document, make_jco, make_meeting
from tests.step_helpers import jco_id, load_jco, meeting_id, reading, snapshot, text, version_on_page

MEETING = {"body": "ccwp_experts", "title": "", "start_date": "2025-11-18", "end_date": "", "start_time": "10:00",
           "end_time": "17:30", "place": "Brussels", "notice_reference": "cm 4100/25"}


def _items(app, meeting):
    with reading(app) as s:
        return [(i.position, i.title, i.outcome) for i in s.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting).order_by(AgendaItem.position))]


# --- scheduling -----------------------------------------------------------------------------------

def test_secretariat_schedules_a_meeting(client, auth, demo, app):
    auth.login("secretariat@example.org")
    assert ">New meeting</a>" in text(client.get("/meetings"))
    page = text(client.get("/meetings/new"))
    for label in ("Body", "Title", "First day", "Last day", "Start time", "End time", "Place", "Agenda notice reference"):
        assert f">{label}</label>" in page, label
    response = client.post("/meetings/new", data=MEETING)
    assert response.status_code == 302
    with reading(app) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.notice_reference == "CM 4100/25"))
        assert (meeting.body, meeting.start_date, meeting.end_date, meeting.start_time, meeting.end_time) == (
            "ccwp_experts", date(2025, 11, 18), date(2025, 11, 18), time(10, 0), time(17, 30))
    html = text(client.get(response.headers["Location"]))
    assert "has been scheduled" in html and "Notice CM 4100/25" in html


def test_a_meeting_scheduled_by_a_french_reader_is_logged_in_english(client, auth, demo, app):
    """Audit entries are stored text: they keep English, whatever the language of the page."""
    auth.login("secretariat@example.org")
    client.get("/meetings?lang=fr")
    response = client.post("/meetings/new", data=MEETING)
    assert response.status_code == 302
    with reading(app) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "meeting.create")
                          .order_by(AuditEntry.id.desc())).first()
        assert entry.summary == "Scheduled CCWP Experts on 18 November 2025"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "18 novembre 2025" in html  # while the page reads in French


@pytest.mark.parametrize("changes, message", [
    ({"body": "other"}, "Give the title of a meeting of another body."),
    ({"end_date": "2025-11-17"}, "The last day cannot be before the first day."),
    ({"end_time": "09:00"}, "The meeting must end after it starts."),
    ({"notice_reference": "4100/25"}, "A meeting notice is numbered in the CM series, like CM 4063/15, not 4100/25."),
    ({"notice_reference": "CM 41x/25"}, "‘CM 41x/25’"),
    ({"start_date": ""}, "Give the first day of the meeting."),
])
def test_invalid_meeting_keeps_input_and_adds_nothing(client, auth, demo, app, changes, message):
    auth.login("secretariat@example.org")
    before = snapshot(app)
    response = client.post("/meetings/new", data={**MEETING, "place": "Luxembourg", **changes})
    html = text(response)
    assert response.status_code == 200 and message in html
    assert 'value="Luxembourg"' in html
    assert snapshot(app) == before


def test_edit_a_meeting_and_refuse_a_stale_page(client, auth, demo, app):
    october = meeting_id(app, notice_reference="CM 4063/15")
    auth.login("secretariat@example.org")
    page = text(client.get(f"/meetings/{october}/edit"))
    assert 'value="CM 4063/15"' in page and 'value="2015-10-20"' in page
    data = {**MEETING, "start_date": "2015-10-20", "notice_reference": "CM 4063/15", "place": "Luxembourg",
            "version": version_on_page(page)}
    assert client.post(f"/meetings/{october}/edit", data=data).status_code == 302
    with reading(app) as s:
        assert s.get(Meeting, october).place == "Luxembourg"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "meeting.update")).one()
        assert entry.before["place"] == "Brussels" and entry.after["place"] == "Luxembourg"
    before = snapshot(app)
    response = client.post(f"/meetings/{october}/edit", data={**data, "place": "Strasbourg"})
    assert "This meeting was changed by someone else after you opened the page." in text(response)
    assert 'value="Strasbourg"' in text(response)
    assert snapshot(app) == before


# --- the agenda ------------------------------------------------------------------------------------

def test_agenda_item_with_a_cited_revision_and_addendum(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")
    december = meeting_id(app, start_date=date(2015, 12, 2))
    auth.login("secretariat@example.org")
    response = client.post(f"/meetings/{december}/items", data={
        "title": "Athena IV: revised final report", "jco_id": athena, "purpose": "final_report",
        "documents": "6512/1/15 rev 1 + add 1 rev 1"})
    assert response.status_code == 302
    with reading(app) as s:
        item = s.scalars(select(AgendaItem).where(AgendaItem.meeting_id == december).order_by(AgendaItem.position.desc())).first()
        assert sorted(d.reference for d in item.documents) == ["6512/1/15 ADD 1 REV 1", "6512/1/15 REV 1"]
        assert item.position == 2 and item.jco_id == athena


@pytest.mark.parametrize("data, message", [
    ({"documents": "6512/2/15 REV 2 + ADD 1 REV 1"},  # the addendum (6512/1/15 ADD 1 REV 1) is registered
     "6512/2/15 REV 2 is not registered. Register the document first"),
    ({"documents": "6512/2/15 REV 2; 9999/15"}, "6512/2/15 REV 2, 9999/15 are not registered."),
    ({"documents": "12712/15"}, "12712/15 belongs to another operation."),
    ({"documents": "6512/1/15 REV 1 + 13305/15"}, "‘6512/1/15 REV 1 + 13305/15’"),
    ({"jco": None, "purpose": "business_case"}, "Choose the operation whose document is presented or adopted."),
    ({"title": ""}, "Give the item a title."),
])
def test_agenda_item_refusals_keep_input(client, auth, demo, app, data, message):
    athena = jco_id(app, "Athena", "IV")
    december = meeting_id(app, start_date=date(2015, 12, 2))
    auth.login("secretariat@example.org")
    form = {"title": "Kept title", "jco_id": athena, "purpose": "final_report", "documents": "6512/1/15 REV 1"}
    data = dict(data)  # the parameters are shared by both engines' runs
    if data.pop("jco", "keep") is None:
        form["jco_id"] = 0
    form.update(data)
    before = snapshot(app)
    response = client.post(f"/meetings/{december}/items", data=form)
    html = text(response)
    assert response.status_code == 400 and message in html
    assert f'value="{form["documents"]}"' in html
    assert snapshot(app) == before and len(_items(app, december)) == 1


def test_reorder_and_remove_items(client, auth, demo, app):
    october = meeting_id(app, notice_reference="CM 4063/15")
    with reading(app) as s:
        meeting = make_meeting(s, start_date=date(2025, 12, 1))
        s.commit()
        new = meeting.id
    auth.login("secretariat@example.org")
    for title in ("First", "Second", "Third"):
        client.post(f"/meetings/{new}/items", data={"title": title, "jco_id": 0, "purpose": "information"})
    ids = {title: i for i, title in _item_ids(app, new)}
    client.post(f"/meetings/{new}/items/{ids['Third']}/move", data={"direction": "up"})
    assert [t for _, t, _ in _items(app, new)] == ["First", "Third", "Second"]
    response = client.post(f"/meetings/{new}/items/{ids['First']}/move", data={"direction": "up"}, follow_redirects=True)
    assert "“First” is already first on the agenda." in text(response)
    client.post(f"/meetings/{new}/items/{ids['Third']}/remove")
    assert _items(app, new) == [(1, "First", None), (2, "Second", None)]
    # an item whose outcome is recorded stays, as the record of the decision
    decided = _item_ids(app, october)[0][0]
    before = snapshot(app)
    response = client.post(f"/meetings/{october}/items/{decided}/remove", follow_redirects=True)
    assert "it stays on the agenda as the record of what was decided" in text(response)
    assert snapshot(app) == before
    # an item of another meeting is not found through this one
    assert client.post(f"/meetings/{new}/items/{decided}/remove").status_code == 404


def _item_ids(app, meeting):
    with reading(app) as s:
        return [(i.id, i.title) for i in s.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting).order_by(AgendaItem.position))]


# --- outcomes move the JCO -------------------------------------------------------------------------

def _outcome(client, meeting, item, outcome, note=""):
    return client.post(f"/meetings/{meeting}/items/{item}/outcome",
                       data={f"item{item}-outcome": outcome, f"item{item}-note": note})


def test_adopting_a_business_case_without_a_document_is_refused_and_changes_nothing(client, auth, demo, app):
    with reading(app) as s:
        jco = make_jco(s, "Paperless")
        meeting = make_meeting(s, start_date=date(2025, 12, 1))
        s.commit()
        jco_, meeting_ = jco.id, meeting.id
    auth.login("secretariat@example.org")
    client.post(f"/meetings/{meeting_}/items", data={"title": "Paperless business case", "jco_id": jco_,
                                                      "purpose": "business_case"})
    item = _item_ids(app, meeting_)[0][0]
    before = snapshot(app)
    response = _outcome(client, meeting_, item, "adopted", "Typed note")
    html = text(response)
    assert response.status_code == 409
    assert "There is no business case document yet: register or upload it first." in html
    assert "Nothing was changed." in html and "Typed note" in html
    assert snapshot(app) == before
    assert _items(app, meeting_)[0][2] is None and load_jco(app, jco_).state == "proposed"


def test_business_case_presented_then_adopted_at_the_next_meeting(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")  # written comments on 12712/15
    december = meeting_id(app, start_date=date(2015, 12, 2))
    with reading(app) as s:
        postbox_jco = s.get(services.Jco, postbox)
        make_document(s, "12712/1/15 REV 1", jco=postbox_jco, doc_type=DocType.BUSINESS_CASE, marking=Marking.LIMITE)
        s.commit()
    auth.login("secretariat@example.org")
    item = _item_ids(app, december)[0][0]  # "JCO Postbox: revised business case (if ready)"
    response = _outcome(client, december, item, "adopted", "Adopted with no further discussion.")
    assert response.status_code == 302
    html = text(client.get(response.headers["Location"]))
    assert "JCO Postbox is now at “Business case adopted — planning”." in html
    assert load_jco(app, postbox).state == "adopted"
    # once adoption has moved the operation on, the outcome cannot be changed
    before = snapshot(app)
    response = _outcome(client, december, item, "postponed")
    assert response.status_code == 409 and "it cannot be changed" in text(response)
    assert snapshot(app) == before


def test_athena_style_report_adopted_by_the_mac_then_ccwp_experts_then_closed(client, auth, demo, app):
    """Like Athena IV in 2015: the MAC adopts the final report first, CCWP Experts then, and only then
    can the Secretariat close the operation — all through the meeting pages."""
    auth.login("secretariat@example.org")
    data = {"name": "Athena", "edition": "V", "kind": "eu_wide", "lead_id": _org(app, "LV"),
            "report_adoption": "mac", "commodities": "cigarettes"}
    athena = int(client.post("/jcos/new", data=data).headers["Location"].rsplit("/", 1)[1])
    with reading(app) as s:
        jco = s.get(services.Jco, athena)
        make_document(s, "7100/25", jco=jco, doc_type=DocType.BUSINESS_CASE)
        for step in (Transition.PRESENT_BUSINESS_CASE, Transition.ADOPT_BUSINESS_CASE, Transition.START_OPERATION,
                     Transition.END_OPERATION):
            services.apply_transition(s, jco, step, body=Body.CCWP_EXPERTS)
        make_document(s, "7200/1/25 REV 1", jco=jco, doc_type=DocType.FINAL_REPORT, marking=Marking.LIMITE)
        make_document(s, "7200/1/25 ADD 1 REV 1", jco=jco, doc_type=DocType.FINAL_REPORT,
                      marking=Marking.RESTREINT_UE, title="Seizure details by port")
        s.commit()
    mac = _schedule(client, app, body="mac", start_date="2025-06-03", end_date="2025-06-04", notice_reference="")
    experts = _schedule(client, app, start_date="2025-10-20", notice_reference="CM 4063/25")
    for meeting in (experts, mac):
        client.post(f"/meetings/{meeting}/items", data={
            "title": "Athena V: revised final report", "jco_id": athena, "purpose": "final_report",
            "documents": "7200/1/25 REV 1 + ADD 1 REV 1"})
    experts_item, mac_item = _item_ids(app, experts)[0][0], _item_ids(app, mac)[0][0]

    # the MAC: presented and adopted at the same meeting
    assert _outcome(client, mac, mac_item, "adopted").status_code == 302
    assert load_jco(app, athena).state == "report_partly_adopted"
    assert client.post(f"/jcos/{athena}/transitions/close").status_code == 302
    assert load_jco(app, athena).state == "report_partly_adopted"  # not closable yet

    response = _outcome(client, experts, experts_item, "adopted", "Adopted with no further discussion.")
    assert response.status_code == 302
    assert load_jco(app, athena).state == "report_adopted"
    with reading(app) as s:
        steps = s.execute(select(JcoEvent.transition, JcoEvent.body, JcoEvent.meeting_id)
                          .where(JcoEvent.jco_id == athena).order_by(JcoEvent.id)).all()[-3:]
        assert steps == [("present_report", "mac", mac), ("adopt_report", "mac", mac),
                         ("adopt_report", "ccwp_experts", experts)]
        # the addendum's title never reaches the log
        summaries = " ".join(s.scalars(select(AuditEntry.summary)))
        assert "Seizure details by port" not in summaries

    assert ">Close</button>" in text(client.get(f"/jcos/{athena}"))
    client.post(f"/jcos/{athena}/transitions/close")
    assert load_jco(app, athena).state == "closed"


def _org(app, code):
    from jco.operations.models import Organisation

    with reading(app) as s:
        return s.scalar(select(Organisation.id).where(Organisation.code == code))


def _schedule(client, app, **changes):
    response = client.post("/meetings/new", data={**MEETING, **changes})
    assert response.status_code == 302, text(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_delegates_see_the_agenda_but_not_the_secretariat_tools(client, auth, demo, app):
    october = meeting_id(app, notice_reference="CM 4063/15")
    auth.login("fr.delegate@example.org")
    html = text(client.get(f"/meetings/{october}"))
    assert "Adoption of the agenda" in html
    for tool in ("Record the outcome", "Move down", "Add an agenda item", "Edit the meeting"):
        assert tool not in html
    auth.logout()
    auth.login("secretariat@example.org")
    html = text(client.get(f"/meetings/{october}"))
    for tool in ("Change the outcome", "Move down", "Add an agenda item", "Edit the meeting"):
        assert tool in html


def test_an_outcome_must_be_chosen(client, auth, demo, app):
    december = meeting_id(app, start_date=date(2015, 12, 2))
    item = _item_ids(app, december)[0][0]
    auth.login("secretariat@example.org")
    assert 'selected value="">— choose —</option>' in text(client.get(f"/meetings/{december}"))
    before = snapshot(app)
    response = _outcome(client, december, item, "", "A note worth keeping")
    assert response.status_code == 400 and "Choose the outcome." in text(response)
    assert "A note worth keeping" in text(response)
    assert snapshot(app) == before


def test_a_business_case_presented_and_adopted_at_one_meeting_takes_both_steps(client, auth, demo, app):
    with reading(app) as s:
        jco = make_jco(s, "Quickstep")
        make_document(s, "7300/25", jco=jco, doc_type=DocType.BUSINESS_CASE)
        meeting = make_meeting(s, start_date=date(2025, 12, 1))
        s.commit()
        quickstep, meeting_ = jco.id, meeting.id
    auth.login("secretariat@example.org")
    client.post(f"/meetings/{meeting_}/items", data={"title": "Quickstep business case", "jco_id": quickstep,
                                                      "purpose": "business_case", "documents": "7300/25"})
    assert _outcome(client, meeting_, _item_ids(app, meeting_)[0][0], "adopted").status_code == 302
    with reading(app) as s:
        steps = s.execute(select(JcoEvent.transition, JcoEvent.on).where(JcoEvent.jco_id == quickstep)
                          .order_by(JcoEvent.id)).all()
    assert steps == [("present_business_case", date(2025, 12, 1)), ("adopt_business_case", date(2025, 12, 1))]
    assert load_jco(app, quickstep).state == "adopted"


# --- outcomes: only at meetings held; postponed and not adopted; two bodies in either order ---------

def _report_world(app, name, *, meeting_days=(date(2025, 6, 3), date(2025, 10, 20)), prior=None):
    """An operation whose final report 7400/25 is presented, and two meetings: MAC, then CCWP Experts."""
    with reading(app) as s:
        jco = make_jco(s, name, lead="LV", report_prior_body=prior)
        make_document(s, jco=jco, doc_type=DocType.BUSINESS_CASE)
        for step in (Transition.PRESENT_BUSINESS_CASE, Transition.ADOPT_BUSINESS_CASE, Transition.START_OPERATION,
                     Transition.END_OPERATION):
            services.apply_transition(s, jco, step, body=Body.CCWP_EXPERTS)
        report = make_document(s, jco=jco, doc_type=DocType.FINAL_REPORT)
        services.apply_transition(s, jco, Transition.PRESENT_REPORT, document=report)
        mac = make_meeting(s, body=Body.MAC, start_date=meeting_days[0])
        experts = make_meeting(s, start_date=meeting_days[1])
        items = {}
        for meeting in (mac, experts):
            items[meeting.body] = add_agenda_item(s, meeting, title=f"{name}: final report", jco=jco,
                                                  purpose=Purpose.FINAL_REPORT, documents=[report]).id
        s.commit()
        return jco.id, mac.id, experts.id, items


def test_no_outcome_before_the_meeting_has_started(client, auth, demo, app):
    """On 30 November 2026 an item of a meeting of 20 January 2027 cannot be recorded "Adopted"."""
    today = date.today()
    future = date(today.year + 1, 1, 20)
    jco, mac, experts, items = _report_world(app, "Forthcoming", meeting_days=(date(2025, 6, 3), future))
    auth.login("secretariat@example.org")
    before = snapshot(app)
    response = _outcome(client, experts, items["ccwp_experts"], "adopted", "Typed note")
    html = text(response)
    assert response.status_code == 409
    assert "The meeting has not taken place yet: an outcome can be recorded from 20 January" in html
    assert "Nothing was changed." in html and "Typed note" in html
    assert snapshot(app) == before and load_jco(app, jco).state == "report_presented"
    with reading(app) as s:
        assert s.get(AgendaItem, items["ccwp_experts"]).outcome is None


def test_outcome_on_the_day_the_meeting_starts_is_accepted(db):
    jco = make_jco(db, "Sameday")
    make_document(db, jco=jco, doc_type=DocType.BUSINESS_CASE)
    meeting = make_meeting(db, start_date=date(2025, 12, 1))
    item = add_agenda_item(db, meeting, title="Sameday", jco=jco, purpose=Purpose.BUSINESS_CASE)
    with pytest.raises(LifecycleError, match="has not taken place yet"):
        record_outcome(db, item, "presented", today=date(2025, 11, 30))
    assert item.outcome is None and jco.state == "proposed"
    record_outcome(db, item, "presented", today=date(2025, 12, 1))
    assert jco.state == "presented"


def test_postponed_item_leaves_the_operation_where_it_stood_and_is_proposed_again(client, auth, demo, app):
    jco, mac, experts, items = _report_world(app, "Putoff")
    auth.login("secretariat@example.org")
    assert _outcome(client, mac, items["mac"], "postponed", "No quorum.").status_code == 302
    assert load_jco(app, jco).state == "report_presented"
    with reading(app) as s:
        later = make_meeting(s, start_date=date(2099, 1, 15))
        s.commit()
        proposals = agenda.propose(s, later, date(2025, 11, 4))
        assert any(p.jco.id == jco for p in proposals)


def test_not_adopted_report_returns_to_its_author_and_first_adoptions_no_longer_count(client, auth, demo, app):
    jco, mac, experts, items = _report_world(app, "Rejected")
    auth.login("secretariat@example.org")
    assert _outcome(client, mac, items["mac"], "adopted").status_code == 302
    assert load_jco(app, jco).state == "report_partly_adopted"
    assert _outcome(client, experts, items["ccwp_experts"], "not_adopted", "Figures incomplete.").status_code == 302
    assert load_jco(app, jco).state == "debriefing"
    # a not-adopted outcome moved the operation: it cannot be turned into another afterwards
    before = snapshot(app)
    response = _outcome(client, experts, items["ccwp_experts"], "adopted")
    assert response.status_code == 409 and "cannot be changed" in text(response)
    assert snapshot(app) == before
    with reading(app) as s:
        facts = services.gather_facts(s, s.get(services.Jco, jco))
        assert facts.report_adopted_by == frozenset()  # the MAC must adopt the new version again


def test_not_adopted_business_case_goes_back_to_preparation(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    december = meeting_id(app, start_date=date(2015, 12, 2))
    auth.login("secretariat@example.org")
    item = _item_ids(app, december)[0][0]
    assert _outcome(client, december, item, "not_adopted").status_code == 302
    assert load_jco(app, postbox).state == "proposed"


def test_working_party_first_then_the_mac_chosen_when_the_first_adopts(client, auth, demo, app):
    jco, mac, experts, items = _report_world(app, "Reverse", meeting_days=(date(2025, 10, 21), date(2025, 10, 20)))
    auth.login("secretariat@example.org")
    page = text(client.get(f"/meetings/{experts}"))
    assert "Then to be adopted by" in page
    response = client.post(f"/meetings/{experts}/items/{items['ccwp_experts']}/outcome", data={
        f"item{items['ccwp_experts']}-outcome": "adopted", f"item{items['ccwp_experts']}-then_by": "mac"})
    assert response.status_code == 302
    jco_now = load_jco(app, jco)
    assert (jco_now.state, jco_now.report_next_body) == ("report_partly_adopted", "mac")
    assert "Final report awaits adoption by" in text(client.get(f"/jcos/{jco}"))
    assert _outcome(client, mac, items["mac"], "adopted").status_code == 302
    assert load_jco(app, jco).state == "report_adopted"
    with reading(app) as s:
        bodies = s.scalars(select(JcoEvent.body).where(JcoEvent.jco_id == jco, JcoEvent.transition == "adopt_report")
                           .order_by(JcoEvent.id)).all()
        assert bodies == ["ccwp_experts", "mac"]


def test_without_a_second_body_the_working_party_adoption_completes_it(client, auth, demo, app):
    jco, mac, experts, items = _report_world(app, "Single")
    auth.login("secretariat@example.org")
    assert _outcome(client, experts, items["ccwp_experts"], "adopted").status_code == 302
    assert load_jco(app, jco).state == "report_adopted"


def test_only_the_secretariat_records_outcomes(client, auth, demo, app):
    jco, mac, experts, items = _report_world(app, "Guarded")
    before = snapshot(app)
    auth.login("lv.delegate@example.org")  # the lead
    assert _outcome(client, mac, items["mac"], "adopted").status_code == 403
    assert snapshot(app) == before
