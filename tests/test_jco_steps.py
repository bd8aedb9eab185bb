"""Creating and editing a JCO, its participants, its operational phase and its life-cycle buttons."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql

from jco.audit.models import AuditEntry
from jco.documents.models import DocType
from jco.operations import services
from jco.operations.lifecycle import Body, Transition
from jco.operations.models import ActionPlanAction, Commodity, FundedProject, Jco, Organisation, TransportMode
from tests.factories import make_document, make_jco
from tests.step_helpers import jco_id, load_jco, reading, snapshot, text, version_on_page


def _org(app, code):
    with reading(app) as s:
        return s.scalar(select(Organisation.id).where(Organisation.code == code))


def _mode(app, name):
    with reading(app) as s:
        return s.scalar(select(TransportMode.id).where(TransportMode.name == name))


def _new_jco_form(app, **changes):
    with reading(app) as s:
        action = s.scalar(select(ActionPlanAction.id).where(ActionPlanAction.code == "7.3"))
        itom = s.scalar(select(FundedProject.id).where(FundedProject.acronym == "ITOM"))
    data = {
        "name": "Harvest", "edition": "II", "kind": "third_countries",
        "description": "Targets smuggled cigarettes at the eastern border.",
        "lead_id": _org(app, "FI"), "lead_agency": "Finnish Customs",
        "commodities": "cigarettes, Brand-new  goods, cigarettes",
        "transport_modes": [_mode(app, "road"), _mode(app, "rail")], "other_transport_modes": "drone",
        "action_id": action, "project_ids": [itom],
        "planned_start": "2026-03-01", "planned_end": "2026-03-15", "report_adoption": "mac",
    }
    data.update(changes)
    return data


# --- creating ---------------------------------------------------------------------------------

def test_new_operation_link_on_register_only_for_those_who_may(client, auth, demo):
    auth.login("secretariat@example.org")
    assert ">New operation</a>" in text(client.get("/jcos"))
    auth.logout()
    auth.login("manager@example.org")
    assert ">New operation</a>" not in text(client.get("/jcos"))


def test_secretariat_creates_an_operation_with_every_field(client, auth, demo, app):
    auth.login("secretariat@example.org")
    page = text(client.get("/jcos/new"))
    for label in ("Name", "Edition", "Kind", "Description", "Target goods", "Transport modes", "Action-plan action",
                  "Funded projects", "Planned start", "Planned end", "Report adoption", "Lead delegation or body"):
        assert f">{label}</" in page, label
    response = client.post("/jcos/new", data=_new_jco_form(app))
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    jco = load_jco(app, new_id)
    assert (jco.name, jco.edition, jco.kind, jco.state) == ("Harvest", "II", "third_countries", "proposed")
    assert jco.participants == [("FI", "lead", "Finnish Customs")]
    assert jco.commodities == ["Brand-new goods", "cigarettes"]
    assert jco.transport_modes == ["drone", "rail", "road"]
    assert jco.projects == ["ITOM"]
    assert jco.report_prior_body == "mac"
    assert (jco.planned_start, jco.planned_end, jco.year) == (date(2026, 3, 1), date(2026, 3, 15), 2026)
    with reading(app) as s:
        # the vocabularies grew
        assert s.scalar(select(Commodity.id).where(Commodity.name == "Brand-new goods"))
        assert s.scalar(select(TransportMode.id).where(TransportMode.name == "drone"))
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "jco.create", AuditEntry.object_id == new_id))
        assert entry.actor_label == "secretariat@example.org" and entry.after["action"] == "7.3"
    html = text(client.get(f"/jcos/{new_id}"))
    assert "has been created" in html and "JCO Harvest II" in html


def test_a_delegate_proposes_its_own_delegation_as_lead(client, auth, demo, app):
    auth.login("fr.delegate@example.org")
    page = text(client.get("/jcos/new"))
    assert "Lead delegation or body" not in page and "your delegation proposes" in page
    # a lead smuggled into the request is ignored: the lead is the delegate's own delegation
    response = client.post("/jcos/new", data=_new_jco_form(app, lead_id=_org(app, "DE"), lead_agency="",
                                                      report_adoption="working_party"))
    assert response.status_code == 302
    jco = load_jco(app, jco_id(app, "Harvest", "II"))
    assert jco.participants == [("FR", "lead", "")]
    assert jco.report_prior_body is None


def test_invalid_new_operation_keeps_the_input_and_adds_nothing(client, auth, demo, app):
    auth.login("secretariat@example.org")
    before = snapshot(app)
    response = client.post("/jcos/new", data=_new_jco_form(
        app, name="", planned_start="2026-03-15", planned_end="2026-03-01", lead_id=0))
    html = text(response)
    assert response.status_code == 200
    assert "Give the operation a name." in html
    assert "The planned end cannot be before the start (15 March 2026)." in html
    assert "Choose the delegation or body that leads the operation." in html
    assert "Targets smuggled cigarettes at the eastern border." in html  # input kept
    assert 'value="cigarettes, Brand-new  goods, cigarettes"' in html
    assert 'value="drone"' in html
    assert snapshot(app) == before


def test_duplicate_name_and_edition_is_refused(client, auth, demo, app):
    auth.login("secretariat@example.org")
    before = snapshot(app)
    html = text(client.post("/jcos/new", data=_new_jco_form(app, name="Athena", edition="IV")))
    assert "There is already an operation called “Athena IV”." in html
    assert snapshot(app) == before


# --- editing, with optimistic locking ------------------------------------------------------------

def test_lead_edits_the_details(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    auth.login("de.delegate@example.org")
    page = text(client.get(f"/jcos/{postbox}/edit"))
    assert "narcotics, counterfeit goods" in page and "checked" in page
    data = _new_jco_form(app, name="Postbox", edition="", kind="eu_wide", version=version_on_page(page),
                         description="Internet-enabled smuggling.", commodities="narcotics")
    del data["lead_id"], data["lead_agency"]
    response = client.post(f"/jcos/{postbox}/edit", data=data)
    assert response.status_code == 302
    jco = load_jco(app, postbox)
    assert jco.description == "Internet-enabled smuggling." and jco.commodities == ["narcotics"]
    assert jco.participants == [("DE", "lead", "German delegation")]  # untouched
    with reading(app) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "jco.update")).one()
        assert entry.before["commodities"] == ["counterfeit goods", "narcotics"]
        assert entry.after["commodities"] == ["narcotics"]
        assert "name" not in entry.after  # only what changed


def _edit_data(app, page, **changes):
    data = _new_jco_form(app, name="Postbox", edition="", kind="eu_wide", version=version_on_page(page))
    del data["lead_id"], data["lead_agency"]
    data.update(changes)
    return data


def test_edit_on_a_stale_page_is_refused_and_keeps_the_input(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    auth.login("de.delegate@example.org")
    page = text(client.get(f"/jcos/{postbox}/edit"))
    # meanwhile the Secretariat changes the operation
    with reading(app) as s:
        jco = s.get(Jco, postbox)
        services.update_jco(s, jco, services.JcoDetails(name="Postbox", kind="eu_wide", description="Theirs."))
        s.commit()
    before = snapshot(app)
    response = client.post(f"/jcos/{postbox}/edit", data=_edit_data(app, page, description="Mine, typed carefully."))
    html = text(response)
    assert response.status_code == 200
    assert "This operation was changed by someone else after you opened the page." in html
    assert "Mine, typed carefully." in html
    assert snapshot(app) == before
    assert load_jco(app, postbox).description == "Theirs."


def test_a_concurrent_write_between_read_and_save_is_refused(client, auth, demo, app, monkeypatch):
    """The version check in SQL (StaleDataError) catches what the page's version cannot."""
    postbox = jco_id(app, "Postbox")
    auth.login("de.delegate@example.org")
    page = text(client.get(f"/jcos/{postbox}/edit"))
    original = services.update_jco

    def racing_update(session, jco, details, actor=None, *, version=None):
        with app.extensions["jco_engine"].begin() as other:
            other.execute(sql("UPDATE jco SET version = version + 1 WHERE id = :id"), {"id": jco.id})
        return original(session, jco, details, actor, version=version)

    monkeypatch.setattr(services, "update_jco", racing_update)
    response = client.post(f"/jcos/{postbox}/edit", data=_edit_data(app, page, description="Lost race."))
    assert response.status_code == 200
    assert "was changed by someone else after you opened the page" in text(response)
    assert load_jco(app, postbox).description != "Lost race."


def test_closed_operations_cannot_be_edited(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")
    auth.login("secretariat@example.org")
    client.post(f"/jcos/{athena}/transitions/close")
    assert client.get(f"/jcos/{athena}/edit").status_code == 403
    assert client.get(f"/jcos/{athena}/participants").status_code == 403


# --- participants -------------------------------------------------------------------------------

def _participant_rows(rows):
    data = {}
    for i, (org_id, role, agency, remove) in enumerate(rows):
        data[f"rows-{i}-organisation_id"] = org_id
        data[f"rows-{i}-role"] = role
        data[f"rows-{i}-agency"] = agency
        if remove:
            data[f"rows-{i}-remove"] = "y"
    return data


def test_participants_are_added_changed_and_removed_in_one_form(client, auth, demo, app):
    baltica = jco_id(app, "Baltica")
    auth.login("pl.delegate@example.org")
    page = text(client.get(f"/jcos/{baltica}/participants"))
    assert page.count('name="rows-') // 4 == 8 + 3  # eight participants and three empty rows
    assert '<label class="visually-hidden" for="rows-0-organisation_id">Delegation or body, row 1</label>' in page
    data = {"version": version_on_page(page), "submit": "Save participants", **_participant_rows([
        (_org(app, "PL"), "lead", "Polish Customs Administration", False),
        (_org(app, "OLAF"), "co_lead", "", False),
        (_org(app, "FI"), "observer", "Finnish Customs", False),
        (_org(app, "SE"), "participant", "", True),   # removed
        (_org(app, "DE"), "participant", "", False),  # added
        (0, "participant", "", False),                # left empty
    ])}
    response = client.post(f"/jcos/{baltica}/participants", data=data)
    assert response.status_code == 302
    roles = {code: (role, agency) for code, role, agency in load_jco(app, baltica).participants}
    assert roles == {"PL": ("lead", "Polish Customs Administration"), "OLAF": ("co_lead", ""),
                     "FI": ("observer", "Finnish Customs"), "DE": ("participant", "")}
    with reading(app) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "jco.participants")
                          .order_by(AuditEntry.id.desc())).first()
        assert "DE participant" in entry.after["participants"]
        assert "SE participant" in entry.before["participants"]


def test_more_rows_without_javascript_keeps_what_was_typed(client, auth, demo, app):
    baltica = jco_id(app, "Baltica")
    auth.login("pl.delegate@example.org")
    page = text(client.get(f"/jcos/{baltica}/participants"))
    before = snapshot(app)
    data = {"version": version_on_page(page), "add_rows": "Add more rows", **_participant_rows([
        (_org(app, "PL"), "lead", "Typed but not saved", False)])}
    html = text(client.post(f"/jcos/{baltica}/participants", data=data))
    assert 'value="Typed but not saved"' in html
    assert 'name="rows-3-organisation_id"' in html and 'name="rows-4-organisation_id"' not in html
    assert snapshot(app) == before


@pytest.mark.parametrize("rows, message", [
    ([("PL", "lead"), ("FI", "participant"), ("FI", "observer")], "Each delegation or body can take part only once."),
    ([("PL", "participant"), ("FI", "participant")], "Mark at least one delegation or body as the lead."),
    ([], "An operation needs at least its lead."),
])
def test_participants_need_a_lead_and_no_duplicates(client, auth, demo, app, rows, message):
    baltica = jco_id(app, "Baltica")
    auth.login("pl.delegate@example.org")
    page = text(client.get(f"/jcos/{baltica}/participants"))
    before = snapshot(app)
    data = {"version": version_on_page(page), "submit": "Save",
            **_participant_rows([(_org(app, code), role, "kept input", False) for code, role in rows]
                                or [(0, "participant", "", False)])}
    response = client.post(f"/jcos/{baltica}/participants", data=data)
    assert response.status_code == 200 and message in text(response)
    assert snapshot(app) == before


def test_stale_participants_page_is_refused(client, auth, demo, app):
    baltica = jco_id(app, "Baltica")
    auth.login("pl.delegate@example.org")
    page = text(client.get(f"/jcos/{baltica}/participants"))
    client.post(f"/jcos/{baltica}/participants", data={
        "version": version_on_page(page), "submit": "Save",
        **_participant_rows([(_org(app, "PL"), "lead", "", False)])})
    before = snapshot(app)
    response = client.post(f"/jcos/{baltica}/participants", data={
        "version": version_on_page(page), "submit": "Save",
        **_participant_rows([(_org(app, "PL"), "lead", "", False), (_org(app, "EE"), "participant", "Mine", False)])})
    assert "was changed by someone else after you opened the page" in text(response)
    assert 'value="Mine"' in text(response)
    assert snapshot(app) == before


# --- life-cycle buttons ---------------------------------------------------------------------------

def _adopted_jco(app, lead="DE") -> int:
    with reading(app) as s:
        jco = make_jco(s, "Sandglass", lead=lead)
        make_document(s, jco=jco, doc_type=DocType.BUSINESS_CASE)
        services.apply_transition(s, jco, Transition.PRESENT_BUSINESS_CASE)
        services.apply_transition(s, jco, Transition.ADOPT_BUSINESS_CASE, body=Body.CCWP_EXPERTS)
        s.commit()
        return jco.id


def test_only_offered_and_allowed_steps_are_buttons(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")  # written comments
    auth.login("de.delegate@example.org")
    html = text(client.get(f"/jcos/{postbox}"))
    assert "Withdraw the operation" in html
    for label in ("Start the operational phase", "Close", "Adopt the business case", "Present the business case"):
        assert f">{label}</button>" not in html
    auth.logout()
    auth.login("fr.delegate@example.org")  # not the lead
    assert "Withdraw the operation" not in text(client.get(f"/jcos/{postbox}"))


def test_lead_starts_and_ends_the_operational_phase(client, auth, demo, app):
    sandglass = _adopted_jco(app)
    auth.login("de.delegate@example.org")
    assert ">Start the operational phase</button>" in text(client.get(f"/jcos/{sandglass}"))
    response = client.post(f"/jcos/{sandglass}/transitions/start_operation", follow_redirects=True)
    assert "The operation is now at “Operational phase”." in text(response)
    assert ">End the operational phase</button>" in text(response)
    client.post(f"/jcos/{sandglass}/transitions/end_operation")
    assert load_jco(app, sandglass).state == "debriefing"


def test_withdrawing_needs_a_reason(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    auth.login("de.delegate@example.org")
    before = snapshot(app)
    response = client.post(f"/jcos/{postbox}/transitions/withdraw", data={"withdraw-reason": "   "})
    assert response.status_code == 400
    assert "Give the reason for withdrawing the operation." in text(response)
    assert snapshot(app) == before
    response = client.post(f"/jcos/{postbox}/transitions/withdraw",
                           data={"withdraw-reason": "The lead could not secure the resources."}, follow_redirects=True)
    html = text(response)
    assert load_jco(app, postbox).state == "withdrawn"
    assert "The lead could not secure the resources." in html
    assert "Withdraw the operation" not in html  # nothing more can happen to it


def test_closing_only_after_an_adopted_report(client, auth, demo, app):
    kestrel = jco_id(app, "DEMO Kestrel")  # final report presented, not yet adopted
    athena = jco_id(app, "Athena", "IV")  # final report adopted
    auth.login("secretariat@example.org")
    assert ">Close</button>" not in text(client.get(f"/jcos/{kestrel}"))
    before = snapshot(app)
    response = client.post(f"/jcos/{kestrel}/transitions/close", follow_redirects=True)
    assert "“Close” is not possible while the operation is at “Final report presented”." in text(response)
    assert snapshot(app) == before
    assert ">Close</button>" in text(client.get(f"/jcos/{athena}"))
    client.post(f"/jcos/{athena}/transitions/close")
    assert load_jco(app, athena).state == "closed"


def test_the_lead_cannot_close_and_nobody_adopts_by_button(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")
    kestrel = jco_id(app, "DEMO Kestrel")
    before = snapshot(app)
    auth.login("lv.delegate@example.org")
    assert client.post(f"/jcos/{athena}/transitions/close").status_code == 403
    assert client.post(f"/jcos/{kestrel}/transitions/adopt_report").status_code == 403
    assert client.post(f"/jcos/{kestrel}/transitions/no_such_step").status_code == 404
    auth.logout()
    auth.login("secretariat@example.org")
    assert client.post(f"/jcos/{kestrel}/transitions/adopt_report").status_code == 403
    assert snapshot(app) == before


def test_postponing_needs_a_reason_and_resuming_returns_where_it_stood(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")  # written comments
    auth.login("de.delegate@example.org")
    assert "Postpone the operation…" in text(client.get(f"/jcos/{postbox}"))
    before = snapshot(app)
    response = client.post(f"/jcos/{postbox}/transitions/postpone", data={"postpone-reason": " "})
    assert response.status_code == 400 and "Give the reason for postponing the operation." in text(response)
    assert snapshot(app) == before
    response = client.post(f"/jcos/{postbox}/transitions/postpone",
                           data={"postpone-reason": "<b>Funding</b> moved to next year."}, follow_redirects=True)
    html = text(response)
    assert load_jco(app, postbox).state == "postponed"
    assert "&lt;b&gt;Funding&lt;/b&gt; moved to next year." in html and "<b>Funding</b>" not in html
    assert ">Resume</button>" in html and "Postpone the operation…" not in html
    client.post(f"/jcos/{postbox}/transitions/resume")
    jco = load_jco(app, postbox)
    assert jco.state == "comments" and jco.postponed_reason == ""
    with reading(app) as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.jco_id == postbox)
                            .order_by(AuditEntry.id.desc()).limit(2)).all()
        assert actions == ["jco.resume", "jco.postpone"]


def test_cancelling_is_final(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    auth.login("secretariat@example.org")
    response = client.post(f"/jcos/{postbox}/transitions/cancel",
                           data={"cancel-reason": "Superseded by a WCO operation."}, follow_redirects=True)
    html = text(response)
    assert load_jco(app, postbox).state == "cancelled"
    assert "Superseded by a WCO operation." in html
    for label in ("Withdraw the operation", "Postpone the operation", "Cancel the operation", ">Resume</button>"):
        assert label not in html
    before = snapshot(app)
    response = client.post(f"/jcos/{postbox}/transitions/resume")
    assert response.status_code == 403 and snapshot(app) == before


def test_an_operation_that_ran_cannot_be_cancelled_or_postponed(client, auth, demo, app):
    kestrel = jco_id(app, "DEMO Kestrel")  # final report presented
    auth.login("secretariat@example.org")
    html = text(client.get(f"/jcos/{kestrel}"))
    assert "Cancel the operation…" not in html and "Postpone the operation…" not in html
    before = snapshot(app)
    response = client.post(f"/jcos/{kestrel}/transitions/cancel", data={"cancel-reason": "x"}, follow_redirects=True)
    assert "“Cancel the operation” is not possible while the operation is at “Final report presented”." in text(response)
    assert snapshot(app) == before


def test_withdraw_is_neither_offered_nor_accepted_once_the_report_is_adopted(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")  # final report adopted
    auth.login("lv.delegate@example.org")
    assert "Withdraw the operation" not in text(client.get(f"/jcos/{athena}"))
    before = snapshot(app)
    response = client.post(f"/jcos/{athena}/transitions/withdraw", data={"withdraw-reason": "Second thoughts."},
                           follow_redirects=True)
    assert "The final report is adopted: the operation can be closed, no longer withdrawn." in text(response)
    assert snapshot(app) == before and load_jco(app, athena).state == "report_adopted"


@pytest.mark.parametrize("step", ["postpone", "cancel", "withdraw"])
def test_another_delegation_cannot_stop_an_operation(client, auth, demo, app, step):
    postbox = jco_id(app, "Postbox")
    auth.login("fr.delegate@example.org")  # asked for comments, but not the lead
    before = snapshot(app)
    response = client.post(f"/jcos/{postbox}/transitions/{step}", data={f"{step}-reason": "Hostile."})
    assert response.status_code == 403 and snapshot(app) == before


# --- operational phase and debriefing --------------------------------------------------------------

def test_lead_records_the_operation_and_debriefing(client, auth, demo, app):
    baltica = jco_id(app, "Baltica")
    auth.login("pl.delegate@example.org")
    page = text(client.get(f"/jcos/{baltica}/operation"))
    assert 'value="Poland"' in page and 'value="2015-09-17"' in page
    response = client.post(f"/jcos/{baltica}/operation", data={
        "version": version_on_page(page), "actual_start": "2015-06-01", "actual_end": "2015-06-14",
        "debriefing_date": "2015-09-17", "debriefing_place": "Warsaw"})
    assert response.status_code == 302
    jco = load_jco(app, baltica)
    assert (jco.actual_start, jco.actual_end, jco.debriefing_place, jco.year) == (
        date(2015, 6, 1), date(2015, 6, 14), "Warsaw", 2015)
    with reading(app) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "jco.operation")
                          .order_by(AuditEntry.id.desc())).first()
        assert entry.before == {"actual_start": None, "actual_end": None, "debriefing_place": "Poland"}


def test_operation_end_before_start_is_refused(client, auth, demo, app):
    baltica = jco_id(app, "Baltica")
    auth.login("pl.delegate@example.org")
    page = text(client.get(f"/jcos/{baltica}/operation"))
    before = snapshot(app)
    response = client.post(f"/jcos/{baltica}/operation", data={
        "version": version_on_page(page), "actual_start": "2015-06-14", "actual_end": "2015-06-01",
        "debriefing_date": "", "debriefing_place": "Gdańsk"})
    assert response.status_code == 200
    assert "The end cannot be before the start (14 June 2015)." in text(response)
    assert 'value="Gdańsk"' in text(response)
    assert snapshot(app) == before


def test_renaming_onto_another_operation_is_refused(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    auth.login("secretariat@example.org")
    page = text(client.get(f"/jcos/{postbox}/edit"))
    before = snapshot(app)
    response = client.post(f"/jcos/{postbox}/edit", data=_edit_data(app, page, name="Baltica"))
    assert response.status_code == 200
    assert "There is already an operation with this name and edition." in text(response)
    assert snapshot(app) == before
