"""Agenda proposals and planning for the Secretariat; agenda and summary exports (DOCX, PDF)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from deadline_factories import jco_report_presented, jco_under_comments
from docx import Document as Docx
from factories import make_account, make_document, make_jco, make_meeting
from pypdf import PdfReader
from sqlalchemy import func, select

from jco.audit.models import AuditEntry
from jco.documents.models import DocType, Document, Marking
from jco.meetings import agenda, exports, services
from jco.meetings.models import AgendaItem, Meeting, Outcome
from jco.meetings.services import Purpose, add_agenda_item, record_outcome
from jco.operations import services as ops
from jco.operations.lifecycle import Body, Transition
from jco.operations.models import Jco

TODAY = date(2025, 11, 4)


@pytest.fixture
def app_config():
    return {"JCO_TODAY": TODAY.isoformat()}


def presented(db, name, *, revised=False):
    jco = make_jco(db, name, lead="DE")
    bc = make_document(db, jco=jco, doc_type=DocType.BUSINESS_CASE)
    ops.apply_transition(db, jco, Transition.PRESENT_BUSINESS_CASE, document=bc)
    if revised:
        ops.apply_transition(db, jco, Transition.PRESENT_REVISION, document=bc)
    return jco, bc


@pytest.fixture
def world(db, built_once):
    ids = built_once("agenda world", lambda: _build_world(db), db)
    return {"meeting": db.get(Meeting, ids["meeting"]), "mac": db.get(Meeting, ids["mac"]),
            "jcos": {name: db.get(Jco, jco_id) for name, jco_id in ids["jcos"].items()}}


def _build_world(db) -> dict:
    meeting = make_meeting(db, body=Body.CCWP_EXPERTS, start_date=TODAY + timedelta(days=28))
    mac = make_meeting(db, body=Body.MAC, start_date=TODAY + timedelta(days=14))
    jcos = {}
    jcos["presented"], _ = presented(db, "Presented")
    jcos["revised"], _ = presented(db, "Revised", revised=True)
    jcos["commented"], _, _ = jco_under_comments(db, TODAY, name="Commented", deadline_in=10)
    jcos["still_commenting"], _, _ = jco_under_comments(db, TODAY, name="Still commenting", deadline_in=40)
    jcos["for_mac"], _ = jco_report_presented(db, name="For MAC", on=TODAY - timedelta(days=3))
    jcos["partly"], report = jco_report_presented(db, name="Partly", on=TODAY - timedelta(days=30))
    item = add_agenda_item(db, make_meeting(db, body=Body.MAC, start_date=TODAY - timedelta(days=20)),
                           title="Final report", jco=jcos["partly"], purpose=Purpose.FINAL_REPORT, documents=[report])
    record_outcome(db, item, Outcome.ADOPTED)
    jcos["on_agenda"], _ = presented(db, "On agenda")
    add_agenda_item(db, meeting, title="Already there", jco=jcos["on_agenda"], purpose=Purpose.BUSINESS_CASE)
    jcos["planned_elsewhere"], _ = presented(db, "Planned elsewhere")
    add_agenda_item(db, make_meeting(db, start_date=TODAY + timedelta(days=60)), title="Later",
                    jco=jcos["planned_elsewhere"], purpose=Purpose.BUSINESS_CASE)
    for email, code, role in (("gsc@example.org", "GSC", "secretariat"), ("de@example.org", "DE", "delegate"),
                              ("boss@example.org", "COM", "manager")):
        make_account(db, email, org_code=code, role=role)
    db.commit()
    return {"meeting": meeting.id, "mac": mac.id, "jcos": {name: jco.id for name, jco in jcos.items()}}


def test_proposals_for_a_working_party_meeting(db, world):
    proposals = agenda.propose(db, world["meeting"], TODAY)
    jcos = world["jcos"]
    assert {p.token: p.purpose for p in proposals} == {
        f"business_case:{jcos['presented'].id}": Purpose.BUSINESS_CASE,
        f"revision:{jcos['revised'].id}": Purpose.REVISION,
        f"revision:{jcos['commented'].id}": Purpose.REVISION,
        f"final_report:{jcos['partly'].id}": Purpose.FINAL_REPORT,
    }
    commented = next(p for p in proposals if p.jco.id == jcos["commented"].id)
    assert "Written comments close on 14 November 2025" in commented.reason
    presented_ = next(p for p in proposals if p.jco.id == jcos["presented"].id)
    assert presented_.documents and presented_.title.startswith("JCO Presented: business case (")


def test_proposals_for_the_prior_body_and_for_past_meetings(db, world):
    proposals = agenda.propose(db, world["mac"], TODAY)
    assert [p.token for p in proposals] == [f"final_report:{world['jcos']['for_mac'].id}"]
    assert agenda.propose(db, world["meeting"], world["meeting"].start_date + timedelta(days=1)) == []


def test_latest_documents_pick_the_newest_revision_and_its_addenda(db):
    jco = make_jco(db, "Docs")
    for ref in ("7000/25", "7000/1/25 REV 1", "7000/25 ADD 1", "7000/1/25 ADD 1 REV 1", "7000/25 ADD 2"):
        make_document(db, ref, jco=jco, doc_type=DocType.FINAL_REPORT)
    documents = db.scalars(select(Document).where(Document.jco_id == jco.id)).all()
    assert [d.reference for d in agenda.latest_documents(documents, DocType.FINAL_REPORT)] == [
        "7000/1/25 REV 1", "7000/1/25 ADD 1 REV 1", "7000/25 ADD 2"]


def test_secretariat_confirms_proposals(client, auth, db, world):
    auth.login("gsc@example.org")
    meeting = world["meeting"]
    html = client.get(f"/meetings/{meeting.id}/agenda").get_data(as_text=True)
    assert "JCO Presented: business case" in html and "JCO Still commenting" not in html
    wanted = [f"business_case:{world['jcos']['presented'].id}", f"final_report:{world['jcos']['partly'].id}"]
    response = client.post(f"/meetings/{meeting.id}/agenda", data={"proposals": wanted})
    assert response.status_code == 302
    db.expire_all()
    items = db.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)).all()
    assert [(i.position, i.jco_id, i.purpose) for i in items] == [
        (1, world["jcos"]["on_agenda"].id, Purpose.BUSINESS_CASE),
        (2, world["jcos"]["presented"].id, Purpose.BUSINESS_CASE),
        (3, world["jcos"]["partly"].id, Purpose.FINAL_REPORT),
    ]
    assert items[2].documents  # the final report travels with the item
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "agenda.add", AuditEntry.object_id == items[1].id))
    html = client.get(f"/meetings/{meeting.id}/agenda").get_data(as_text=True)
    assert 'value="business_case:' not in html.split("The agenda</h2>")[0] or "JCO Presented: business case" not in \
        html.split("The agenda</h2>")[0]
    # nothing chosen, or a proposal that is no longer due: said clearly
    html = client.post(f"/meetings/{meeting.id}/agenda", data={}).get_data(as_text=True)
    assert "Choose at least one item" in html
    client.post(f"/meetings/{meeting.id}/agenda", data={"proposals": wanted[:1]})
    assert "None of the chosen items is still due" in client.get(f"/meetings/{meeting.id}/agenda").get_data(as_text=True)


def test_secretariat_orders_and_edits_items(client, auth, db, world):
    meeting = world["meeting"]
    second = add_agenda_item(db, meeting, title="AOB")
    db.commit()
    auth.login("gsc@example.org")
    client.post(f"/meetings/{meeting.id}/items/{second.id}/move", data={"direction": "up", "back": "plan"})
    db.expire_all()
    titles = [i.title for i in db.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                          .order_by(AgendaItem.position))]
    assert titles == ["AOB", "Already there"]
    client.post(f"/meetings/{meeting.id}/items/{second.id}/move", data={"direction": "up", "back": "plan"})
    assert "already first on the agenda" in client.get(f"/meetings/{meeting.id}/agenda").get_data(as_text=True)
    response = client.post(f"/meetings/{meeting.id}/agenda/items/{second.id}/edit",
                           data={"title": "Any other business", "purpose": "information"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(AgendaItem, second.id).title == "Any other business"
    html = client.post(f"/meetings/{meeting.id}/agenda/items/{second.id}/edit",
                       data={"title": "Adopt AOB", "purpose": "business_case"}).get_data(as_text=True)
    assert "Only an item about an operation can be for adoption" in html and 'value="Adopt AOB"' in html
    assert client.get(f"/meetings/{meeting.id}/agenda/items/99999/edit").status_code == 404


def test_purpose_of_a_decided_item_cannot_change(db, world):
    item = db.scalar(select(AgendaItem).where(AgendaItem.title == "Final report"))
    with pytest.raises(services.AgendaError, match="outcome of this item is recorded"):
        services.update_agenda_item(db, item, title="Final report", purpose=Purpose.INFORMATION)


def test_an_item_cites_no_other_operations_documents_whatever_adds_it(db, world):
    """The rule lives in the service, so the planning page's proposals and the meeting page obey it alike."""
    other, other_case = presented(db, "Other")
    before = db.scalar(select(func.count()).select_from(AgendaItem))
    with pytest.raises(services.AgendaError, match="belongs to another operation"):
        add_agenda_item(db, world["meeting"], title="Mixed", jco=world["jcos"]["presented"], documents=[other_case])
    with pytest.raises(services.AgendaError, match="is not registered"):
        add_agenda_item(db, world["meeting"], title="Unknown", references=["9999/15"])
    db.rollback()
    assert db.scalar(select(func.count()).select_from(AgendaItem)) == before


@pytest.mark.parametrize("email", ["de@example.org", "boss@example.org"])
@pytest.mark.parametrize(("method", "path"), [
    ("get", "/meetings/{m}/agenda"), ("post", "/meetings/{m}/agenda"),
    ("post", "/meetings/{m}/items/{i}/move"), ("get", "/meetings/{m}/agenda/items/{i}/edit"),
    ("post", "/meetings/{m}/agenda/items/{i}/edit"), ("get", "/meetings/{m}/summary.docx"),
    ("get", "/meetings/{m}/summary.pdf"),
])
def test_only_the_secretariat_plans_agendas_and_drafts_summaries(client, auth, db, world, email, method, path):
    item = db.scalar(select(AgendaItem).where(AgendaItem.meeting_id == world["meeting"].id))
    auth.login(email)
    response = getattr(client, method)(path.format(m=world["meeting"].id, i=item.id),
                                       data={"direction": "up", "title": "x", "purpose": "information"})
    assert response.status_code == 403


def test_meeting_page_offers_the_tools(client, auth, db, world):
    auth.login("gsc@example.org")
    html = client.get(f"/meetings/{world['meeting'].id}").get_data(as_text=True)
    assert "Plan the agenda" in html and "Agenda (PDF)" in html and "Summary of discussions" not in html
    auth.logout()
    auth.login("de@example.org")
    html = client.get(f"/meetings/{world['meeting'].id}").get_data(as_text=True)
    assert "Plan the agenda" not in html and "Agenda (DOCX)" in html


def test_no_summary_before_the_meeting(client, auth, world):
    auth.login("gsc@example.org")
    response = client.get(f"/meetings/{world['meeting'].id}/summary.pdf")
    assert response.status_code == 404
    assert "before the meeting has taken place" in response.get_data(as_text=True)


# --- exports of the demo's meeting of 20 October 2015 ----------------------------------------------

def docx_text(data: bytes) -> str:
    document = Docx(io.BytesIO(data))
    header = [p.text for p in document.sections[0].header.paragraphs]
    return "\n".join(header + [p.text for p in document.paragraphs])


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _october(db) -> Meeting:
    return db.scalar(select(Meeting).where(Meeting.notice_reference == "CM 4063/15"))


@pytest.mark.parametrize(("fmt", "reader"), [("docx", docx_text), ("pdf", pdf_text)])
def test_summary_of_discussions_of_the_demo_meeting(client, auth, demo, db, fmt, reader):
    october = _october(db)
    auth.login("secretariat@example.org")
    response = client.get(f"/meetings/{october.id}/summary.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == exports_media(fmt)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="summary-ccwp-experts-2015-10-20.{fmt}"')
    text = " ".join(reader(response.data).split())
    for expected in ("Summary of discussions (Experts)", "Brussels, 4 November 2015", "13305/15", "JAI 779",
                     "ENFOCUSTOM 108", "From: General Secretariat of the Council", "On: 20 October 2015",
                     "To: Customs Cooperation Working Party (Experts)", "CM 4063/15", "JCO Postbox", "12712/15",
                     "6512/1/15 REV 1", "6512/1/15 ADD 1 REV 1"):
        assert expected in text, expected
    athena = text[text.index("4. JCOs and other customs operations: revised final report of Athena IV"):]
    athena = athena[:athena.index("5. ")]
    assert "Operation: JCO Athena IV" in athena and "Outcome: adopted." in athena
    postbox = text[text.index("3. JCOs"):text.index("4. JCOs")]
    assert "Outcome: presented." in postbox
    # 13305/15 is unmarked, so is its export: no classified title in it, even for a cleared reader
    assert "Revised final report of Athena IV — addendum 1" not in text
    assert "6512/1/15 ADD 1 REV 1 RESTREINT UE — [RESTREINT UE — title withheld]" in text
    assert "RESTREINT UE" not in text.split("Council of the European Union")[0]
    assert "LIMITE" not in text.split("Council of the European Union")[0]


def _stamp(text: str) -> str:
    """What an exported note shows above its first line: its marking."""
    return text.split("Council of the European Union")[0].strip()


@pytest.mark.parametrize(("fmt", "reader"), [("docx", docx_text), ("pdf", pdf_text)])
def test_agenda_export_carries_the_same_marking_for_every_reader(client, auth, demo, db, fmt, reader):
    october = _october(db)
    addendum = db.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
    texts = {}
    for email in ("de.delegate@example.org", "lv.delegate@example.org"):
        auth.login(email)
        texts[email] = " ".join(reader(client.get(f"/meetings/{october.id}/agenda.{fmt}").data).split())
        auth.logout()
    for text in texts.values():
        assert "NOTICE OF MEETING AND PROVISIONAL AGENDA" in text and "CM 4063/15" in text
        assert "On: 20 October 2015, 10:00–17:30" in text
        assert "6512/1/15 ADD 1 REV 1 RESTREINT UE" in text
        # CM 4063/15 is registered unmarked: so is the agenda, for the cleared reader too
        assert _stamp(text) == "" and addendum.title not in text and "title withheld" in text


@pytest.mark.parametrize(("fmt", "reader"), [("docx", docx_text), ("pdf", pdf_text)])
def test_agenda_marked_by_the_secretariat_leaves_out_what_a_reader_is_not_cleared_for(
        client, auth, demo, db, fmt, reader):
    october = _october(db)
    october.agenda_marking = Marking.RESTREINT_UE.value
    db.commit()
    addendum = db.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
    auth.login("de.delegate@example.org")
    uncleared = " ".join(reader(client.get(f"/meetings/{october.id}/agenda.{fmt}").data).split())
    auth.logout()
    auth.login("lv.delegate@example.org")
    cleared = " ".join(reader(client.get(f"/meetings/{october.id}/agenda.{fmt}").data).split())
    assert _stamp(uncleared) == _stamp(cleared) == "RESTREINT UE"  # the same stamp, whoever reads it
    assert addendum.title in cleared
    assert addendum.title not in uncleared and "6512/1/15 ADD 1 REV 1 RESTREINT UE — [RESTREINT UE — title withheld]" in uncleared


def test_summary_of_a_classified_note_cites_it_only_to_cleared_readers(db):
    meeting = make_meeting(db, start_date=date(2025, 9, 10))
    note = make_document(db, "11111/25", doc_type=DocType.NOTE, marking=Marking.RESTREINT_UE,
                         title="Summary of discussions (Experts), 10 September 2025", doc_date=date(2025, 9, 24),
                         place="Luxembourg", subject_codes=["JAI 901", "ENFOCUSTOM 77"])
    cleared = make_account(db, role="secretariat", org_code="GSC", clearance=Marking.RESTREINT_UE.value)
    uncleared = make_account(db, role="secretariat", org_code="GSC")
    known = exports.summary_note(db, meeting, cleared, TODAY)
    assert (known.reference, known.subject_codes) == ("11111/25", ["JAI 901", "ENFOCUSTOM 77"])
    assert known.place_and_date == "Luxembourg, 24 September 2025"
    withheld = exports.summary_note(db, meeting, uncleared, TODAY)
    assert withheld.reference == "" and withheld.subject_codes == []
    assert "24 September" not in withheld.place_and_date and "Luxembourg" not in withheld.place_and_date
    assert withheld.marking == known.marking == note.marking  # never a different stamp
    for data in (exports.to_docx(withheld), exports.to_pdf(withheld)):
        text = docx_text(data) if data[:2] == b"PK" else pdf_text(data)
        assert "11111/25" not in text and "JAI 901" not in text and "24 September 2025" not in text


def test_summary_marking_given_by_the_secretariat_wins_over_the_note(db):
    meeting = make_meeting(db, start_date=date(2025, 9, 10))
    make_document(db, "11112/25", doc_type=DocType.NOTE, marking=Marking.NONE,
                  title="Summary of discussions (Experts), 10 September 2025")
    reader = make_account(db, role="secretariat", org_code="GSC")
    assert exports.summary_note(db, meeting, reader, TODAY).marking == ""
    meeting.summary_marking = Marking.LIMITE.value
    assert exports.summary_note(db, meeting, reader, TODAY).marking == "LIMITE"
    # no note registered and no marking given: working-party material, LIMITE
    other = make_meeting(db, start_date=date(2025, 9, 11))
    assert exports.agenda_note(db, other, reader, TODAY).marking == "LIMITE"


def test_secretariat_sets_the_export_markings_on_the_meeting_form(client, auth, db):
    meeting = make_meeting(db, start_date=date(2025, 9, 10))
    make_account(db, "gsc@example.org", role="secretariat", org_code="GSC")
    db.commit()
    auth.login("gsc@example.org")
    page = client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert "Marking of the exported agenda" in page
    response = client.post(f"/meetings/{meeting.id}/edit", data={
        "body": "ccwp_experts", "start_date": "2025-09-10", "place": "Brussels", "version": meeting.version,
        "agenda_marking": "", "summary_marking": "RESTREINT UE"
    })
    assert response.status_code == 302
    db.expire_all()
    meeting = db.get(Meeting, meeting.id)
    assert (meeting.agenda_marking, meeting.summary_marking) == ("", "RESTREINT UE")
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "meeting.update")).all()[-1]
    assert "summary_marking" in str(entry.after)


def exports_media(fmt: str) -> str:
    from jco.meetings.agenda_views import MEDIA_TYPES

    return MEDIA_TYPES[fmt]


def test_pdf_without_a_unicode_font_falls_back_to_latin1(tmp_path):
    note = exports.Note(doc_type="NOTE", place_and_date="Brussels, 4 November 2015", reference="13305/15",
                        subject_codes=["JAI 779"], marking=Marking.LIMITE.value, on="20 October 2015",
                        to="Customs Cooperation Working Party (Experts)", subject="Summary of discussions (Experts)",
                        items=[exports.NoteItem(1, "Łódź “quoted” — item", ["Outcome: adopted."])])
    text = pdf_text(exports.to_pdf(note, font_dir=tmp_path))  # no fonts there
    assert 'Lódz "quoted" - item' in text and "Summary of discussions (Experts)" in text
    assert "Łódź" in pdf_text(exports.to_pdf(note))  # with DejaVu Sans, as written


def test_the_same_note_is_laid_out_once_and_any_change_gives_a_new_pdf(app):
    """Every delegation fetches the same agenda: the same note in the same language is one file,
    kept; a note changed in any way (even in place), or another language, is laid out anew."""
    note = exports.Note(doc_type="NOTE", place_and_date="Brussels, 4 November 2015", reference="13305/15",
                        subject_codes=["JAI 779"], marking=Marking.LIMITE.value, on="20 October 2015",
                        to="Customs Cooperation Working Party (Experts)", subject="Summary of discussions (Experts)",
                        items=[exports.NoteItem(1, "Adoption of the agenda", ["Outcome: adopted."])])
    with app.test_request_context("/?lang=en"):
        first = exports.to_pdf(note)
        assert exports.to_pdf(note) is first
        assert "Council of the European Union" in pdf_text(first)
        note.items[0].lines.append("Outcome: noted by the delegations.")
        assert "noted by the delegations" in pdf_text(exports.to_pdf(note))
    with app.test_request_context("/?lang=fr"):
        assert "Conseil de l'Union européenne" in pdf_text(exports.to_pdf(note))
