"""Rounds of written comments and the delegations' comments, through the pages and the service."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from jco.audit.models import AuditEntry
from jco.comments import services
from jco.comments.models import Comment, CommentRound
from jco.core.db import get_session
from jco.documents.models import Document, StoredFile
from jco.operations import services as ops
from jco.operations.lifecycle import State, Transition
from jco.operations.models import Jco, JcoEvent, Organisation
from tests import filedata
from tests.factories import make_account, make_document, make_jco

TODAY = date(2025, 10, 20)
PINNED = {"JCO_TODAY": TODAY.isoformat()}


@pytest.fixture
def app_config():
    return PINNED


@pytest.fixture
def people(db, built_once):
    built_once("comments: people", lambda: _people(db), db)


def _people(db) -> None:
    for email, role, org, clearance in [
        ("de@example.org", "delegate", "DE", ""), ("de2@example.org", "delegate", "DE", ""),
        ("fr@example.org", "delegate", "FR", ""), ("fr2@example.org", "delegate", "FR", ""),
        ("pl@example.org", "delegate", "PL", ""), ("gsc@example.org", "secretariat", "GSC", "RESTREINT UE"),
        ("manager@example.org", "manager", "COM", ""),
    ]:
        make_account(db, email, role=role, org_code=org, clearance=clearance)
    db.commit()


def _presented(db, name="Postbox", marking="LIMITE") -> tuple[Jco, Document]:
    jco = make_jco(db, name, lead="DE", participants={"FR": "participant"})
    business_case = make_document(db, f"{12712 + len(name)}/15", jco=jco, marking=marking,
                                  title=f"Business case for {name}")
    ops.apply_transition(db, jco, Transition.PRESENT_BUSINESS_CASE, document=business_case)
    db.commit()
    return jco, business_case


@pytest.fixture
def presented(db, people, built_once):
    jco_id, document_id = built_once("comments: presented", lambda: tuple(o.id for o in _presented(db)), db)
    return db.get(Jco, jco_id), db.get(Document, document_id)


def _open_round(db, jco, document) -> int:
    opened = services.open_round(db, jco, document, TODAY + timedelta(days=10), None)
    db.commit()
    return opened.id


@pytest.fixture
def round_(db, presented, built_once):
    """A round on the business case with its deadline ten days after 'today'."""
    round_id = built_once("comments: round", lambda: _open_round(db, *presented), db)
    return db.get(CommentRound, round_id)


def _org(db, code) -> int:
    return db.scalar(select(Organisation.id).where(Organisation.code == code))


def _counts(app) -> dict:
    with app.app_context():
        session = get_session()
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (CommentRound, Comment, StoredFile, AuditEntry, JcoEvent)}


def _comment(db, round_, code) -> Comment | None:
    db.expire_all()
    return db.scalar(select(Comment).where(Comment.round_id == round_.id, Comment.organisation_id == _org(db, code)))


def _send(client, round_, body="Our comment.", version=0, file=None):
    data = {"body": body, "version": str(version)}
    if file is not None:
        data["file"] = (io.BytesIO(file[0]), file[1])
    return client.post(f"/rounds/{round_.id}", data=data, content_type="multipart/form-data")


# --- opening a round -----------------------------------------------------------------------------

@pytest.mark.parametrize("email", ["de@example.org", "gsc@example.org"])
def test_lead_or_secretariat_opens_a_round(client, auth, db, presented, email):
    jco, document = presented
    auth.login(email)
    html = client.get(f"/jcos/{jco.id}").get_data(as_text=True)
    assert "Open a comment round" in html and f'<option selected value="{document.id}">' in html
    response = client.post(f"/jcos/{jco.id}/rounds/new",
                           data={"round-document_id": document.id, "round-deadline": "2025-11-03"})
    assert response.status_code == 302
    opened = db.scalar(select(CommentRound).where(CommentRound.jco_id == jco.id))
    assert response.headers["Location"].endswith(f"/rounds/{opened.id}")
    assert (opened.document_id, opened.deadline) == (document.id, date(2025, 11, 3))
    db.expire_all()
    assert db.get(Jco, jco.id).state == State.COMMENTS
    event = db.scalar(select(JcoEvent).where(JcoEvent.jco_id == jco.id, JcoEvent.transition == "open_comments"))
    assert event.document_id == document.id
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "comment_round.open")) is not None
    html = client.get(f"/jcos/{jco.id}").get_data(as_text=True)
    assert f'href="/rounds/{opened.id}"' in html and "3 November 2025" in html and "14 days left" in html


@pytest.mark.parametrize("email", ["fr@example.org", "manager@example.org", "pl@example.org"])
def test_others_cannot_open_a_round(client, auth, app, presented, email):
    jco, document = presented
    auth.login(email)
    assert "Open a comment round" not in client.get(f"/jcos/{jco.id}").get_data(as_text=True)
    before = _counts(app)
    response = client.post(f"/jcos/{jco.id}/rounds/new",
                           data={"round-document_id": document.id, "round-deadline": "2025-11-03"})
    assert response.status_code == 403
    assert _counts(app) == before


@pytest.mark.parametrize(("deadline", "message"), [
    ("2025-10-20", "The deadline must be a date after today."),
    ("2025-01-01", "The deadline must be a date after today."),
    ("", "Enter the deadline for comments."),
    ("3/11/2025", "Enter the deadline as a calendar date"),
])
def test_deadline_must_be_in_the_future(client, auth, app, presented, deadline, message):
    jco, document = presented
    auth.login("de@example.org")
    before = _counts(app)
    html = client.post(f"/jcos/{jco.id}/rounds/new",
                       data={"round-document_id": document.id, "round-deadline": deadline}).get_data(as_text=True)
    assert message in html
    assert f'value="{deadline}"' in html
    assert _counts(app) == before


def test_no_second_round_while_comments_are_open(client, auth, app, db, round_):
    jco = db.get(Jco, round_.jco_id)
    auth.login("de@example.org")
    before = _counts(app)
    html = client.post(f"/jcos/{jco.id}/rounds/new",
                       data={"round-document_id": round_.document_id, "round-deadline": "2025-12-01"}
                       ).get_data(as_text=True)
    assert "Written comments are already being collected on" in html and "(deadline 30 October 2025)" in html
    assert _counts(app) == before


def test_round_on_a_revision_after_it_is_presented(db, round_):
    jco = db.get(Jco, round_.jco_id)
    base = db.get(Document, round_.document_id)
    revision = make_document(db, base.reference.replace("/15", "/1/15 REV 1"), jco=jco)
    ops.apply_transition(db, jco, Transition.PRESENT_REVISION, document=revision)
    with pytest.raises(services.CommentError, match="already been a round of comments on"):
        services.open_round(db, jco, base, TODAY + timedelta(days=5), None)
    second = services.open_round(db, jco, revision, TODAY + timedelta(days=5), None)
    assert jco.state == State.COMMENTS and second.document_id == revision.id


def test_life_cycle_refusal_is_shown(client, auth, app, db, people):
    jco = make_jco(db, "Early", lead="DE")
    document = make_document(db, "7000/15", jco=jco)
    db.commit()
    auth.login("de@example.org")
    before = _counts(app)
    html = client.post(f"/jcos/{jco.id}/rounds/new",
                       data={"round-document_id": document.id, "round-deadline": "2025-12-01"}).get_data(as_text=True)
    assert "is not possible while the operation is at" in html
    assert _counts(app) == before


def test_only_the_jcos_business_cases_can_be_chosen(db, presented):
    jco, _ = presented
    report = make_document(db, "8000/15", jco=jco, doc_type="final_report")
    with pytest.raises(services.CommentError, match="business case"):
        services.open_round(db, jco, report, TODAY + timedelta(days=3), None)


# --- one comment per delegation ------------------------------------------------------------------

def test_delegate_sends_then_edits_the_delegations_single_comment(client, auth, db, round_):
    auth.login("fr@example.org")
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "10 days left" in page and "has not sent a comment" in page
    assert _send(client, round_, "First thoughts.\nSecond line.").status_code == 302
    comment = _comment(db, round_, "FR")
    assert comment.body == "First thoughts.\nSecond line." and not comment.late and comment.version == 1
    auth.logout()
    auth.login("fr2@example.org")  # a colleague of the same delegation edits the same comment
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "First thoughts." in page and 'name="version" type="hidden" value="1"' in page
    assert _send(client, round_, "Agreed text.", version=1).status_code == 302
    assert db.scalar(select(func.count()).select_from(Comment)) == 1
    comment = _comment(db, round_, "FR")
    assert comment.body == "Agreed text." and comment.version == 2
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "comment")
                         .order_by(AuditEntry.id)).all()
    assert actions == ["comment.submit", "comment.edit"]


def test_service_keeps_one_comment_per_delegation(db, round_):
    fr = _org(db, "FR")
    first = services.submit_comment(db, round_, organisation_id=fr, author=None, body="One", today=TODAY)
    second = services.submit_comment(db, round_, organisation_id=fr, author=None, body="Two", today=TODAY)
    assert first.id == second.id and second.body == "Two"
    services.submit_comment(db, round_, organisation_id=_org(db, "PL"), author=None, body="Polish", today=TODAY)
    assert db.scalar(select(func.count()).select_from(Comment)) == 2


def test_body_or_file_is_required(client, auth, app, round_):
    auth.login("fr@example.org")
    before = _counts(app)
    html = _send(client, round_, "   ").get_data(as_text=True)
    assert "Write a comment or attach a file." in html
    assert _counts(app) == before


def test_comment_with_file_only(client, auth, db, round_):
    auth.login("fr@example.org")
    assert _send(client, round_, "", file=(filedata.docx(), "remarks.docx")).status_code == 302
    comment = _comment(db, round_, "FR")
    assert comment.body == "" and db.get(StoredFile, comment.file_id).filename == "remarks.docx"
    # Editing the text keeps the file.
    _send(client, round_, "Now with text.", version=1)
    assert _comment(db, round_, "FR").file_id == comment.file_id


def test_bad_attachment_is_refused_keeping_the_text(client, auth, app, round_):
    auth.login("fr@example.org")
    before = _counts(app)
    html = _send(client, round_, "My long reasoning.", file=(filedata.HTML, "remarks.pdf")).get_data(as_text=True)
    assert "it looks like a web page (HTML)" in html
    assert "My long reasoning." in html and "choose the file again" in html
    assert _counts(app) == before


def test_attachments_refused_for_documents_above_the_accredited_marking(db, people):
    jco, document = _presented(db, "Classified", marking="RESTREINT UE")
    opened = services.open_round(db, jco, document, TODAY + timedelta(days=3), None)

    class Upload:
        filename = "remarks.pdf"
        stream = io.BytesIO(filedata.PDF)

    with pytest.raises(services.CommentError, match="may not hold files about a document marked RESTREINT UE"):
        services.submit_comment(db, opened, organisation_id=_org(db, "FR"), author=None, body="x", file=Upload(),
                                today=TODAY)
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0


# --- deadlines -------------------------------------------------------------------------------------

def test_edit_until_the_deadline_day_then_locked(app, client, auth, db, round_):
    auth.login("fr@example.org")
    _send(client, round_, "On time.")
    app.config["JCO_TODAY"] = round_.deadline.isoformat()  # the last day still counts
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "last day" in page
    assert _send(client, round_, "Still on time.", version=1).status_code == 302
    app.config["JCO_TODAY"] = (round_.deadline + timedelta(days=1)).isoformat()
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "closed" in page and "can no longer be changed" in page and 'name="body"' not in page
    before = _counts(app)
    assert _send(client, round_, "Too late to change.", version=2).status_code == 403
    assert _counts(app) == before
    assert _comment(db, round_, "FR").body == "Still on time."


def test_service_refuses_to_edit_after_the_deadline(db, round_):
    fr = _org(db, "FR")
    services.submit_comment(db, round_, organisation_id=fr, author=None, body="On time", today=TODAY)
    with pytest.raises(services.CommentError, match=r"has passed: your delegation's comment can no longer be changed"):
        services.submit_comment(db, round_, organisation_id=fr, author=None, body="Changed",
                                today=round_.deadline + timedelta(days=1))


def test_new_comment_after_the_deadline_is_accepted_and_flagged_late(app, client, auth, db, round_):
    app.config["JCO_TODAY"] = (round_.deadline + timedelta(days=2)).isoformat()
    auth.login("pl@example.org")
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "it will be marked <span class=\"late\">late</span>" in page
    response = _send(client, round_, "Sorry for the delay.")
    assert response.status_code == 302
    assert _comment(db, round_, "PL").late
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "marked late" in page and '<span class="late">Late</span>' in page
    auth.logout()
    auth.login("de@example.org")  # the lead sees it flagged in the table
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert re.search(r'<tr class="late-row">\s*<th scope="row">Poland</th>', page)


# --- optimistic locking ----------------------------------------------------------------------------

def test_stale_edit_is_refused_with_a_message_and_the_text_kept(client, auth, app, db, round_):
    auth.login("fr@example.org")
    _send(client, round_, "Version one.")
    _send(client, round_, "Version two.", version=1)  # a colleague saved meanwhile
    before = _counts(app)
    html = _send(client, round_, "My edit of version one.", version=1).get_data(as_text=True)
    assert "was changed by someone else after you opened the page" in html
    assert "My edit of version one." in html
    assert _counts(app) == before
    assert _comment(db, round_, "FR").body == "Version two."


def test_two_first_comments_of_one_delegation_do_not_overwrite(client, auth, app, db, round_):
    auth.login("fr@example.org")
    _send(client, round_, "Sent first.")  # both colleagues opened the page when there was no comment
    auth.logout()
    auth.login("fr2@example.org")
    html = _send(client, round_, "Sent second.", version=0).get_data(as_text=True)
    assert "was changed by someone else" in html
    assert _comment(db, round_, "FR").body == "Sent first."


def test_service_stale_version_raises(db, round_):
    fr = _org(db, "FR")
    services.submit_comment(db, round_, organisation_id=fr, author=None, body="a", today=TODAY)
    with pytest.raises(ops.StaleEdit):
        services.submit_comment(db, round_, organisation_id=fr, author=None, body="b", version=5, today=TODAY)


# --- who sees what ---------------------------------------------------------------------------------

@pytest.fixture
def commented(db, round_, built_once):
    built_once("comments: commented", lambda: _comment_on(db, round_), db)
    return db.get(CommentRound, round_.id)


def _comment_on(db, round_) -> None:
    services.submit_comment(db, round_, organisation_id=_org(db, "FR"), author=None,
                            body="French remark about risk profiles.", today=TODAY)
    services.submit_comment(db, round_, organisation_id=_org(db, "PL"), author=None,
                            body="Polish remark about ports.", today=TODAY)
    db.commit()


@pytest.mark.parametrize(("email", "sees_french", "sees_polish"), [
    ("de@example.org", True, True),  # lead
    ("gsc@example.org", True, True),
    ("manager@example.org", True, True),
    ("fr@example.org", True, False),  # own delegation only
    ("pl@example.org", False, True),
])
def test_who_sees_which_comments(client, auth, commented, email, sees_french, sees_polish):
    auth.login(email)
    html = client.get(f"/rounds/{commented.id}").get_data(as_text=True)
    assert ("French remark" in html) is sees_french
    assert ("Polish remark" in html) is sees_polish
    assert 'class="marking-banner marking-limite"' in html


def test_manager_cannot_write(client, auth, app, commented):
    auth.login("manager@example.org")
    assert 'name="body"' not in client.get(f"/rounds/{commented.id}").get_data(as_text=True)
    before = _counts(app)
    assert _send(client, commented, "A manager's view.").status_code == 403
    assert _counts(app) == before


def test_comment_attachment_download_permissions(client, auth, db, round_):
    auth.login("fr@example.org")
    _send(client, round_, "See the file.", file=(filedata.PDF, "../fr remarks.pdf"))
    comment = _comment(db, round_, "FR")
    response = client.get(f"/comments/{comment.id}/file")
    assert response.status_code == 200 and response.data == filedata.PDF
    assert response.headers["Content-Disposition"] == "attachment; filename=fr_remarks.pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    for email, status in (("pl@example.org", 403), ("de@example.org", 200), ("manager@example.org", 200)):
        auth.logout()
        auth.login(email)
        assert client.get(f"/comments/{comment.id}/file").status_code == status, email
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert f'href="/comments/{comment.id}/file"' in page


def test_uncleared_accounts_see_no_comments_on_a_classified_document(client, auth, db, people):
    jco, document = _presented(db, "Classified", marking="RESTREINT UE")
    opened = services.open_round(db, jco, document, TODAY + timedelta(days=3), None)
    services.submit_comment(db, opened, organisation_id=_org(db, "FR"), author=None, body="Sensitive remark.",
                            today=TODAY)
    db.commit()
    auth.login("de@example.org")  # the lead, not cleared
    html = client.get(f"/rounds/{opened.id}").get_data(as_text=True)
    assert "Sensitive remark." not in html and "Business case for Classified" not in html
    assert "RESTREINT UE — title withheld" in html and "marking-restreint-ue" in html
    auth.logout()
    auth.login("gsc@example.org")
    assert "Sensitive remark." in client.get(f"/rounds/{opened.id}").get_data(as_text=True)


def test_jco_page_lists_rounds_with_counts(client, auth, db, commented):
    auth.login("pl@example.org")
    html = client.get(f"/jcos/{commented.jco_id}").get_data(as_text=True)
    row = html.split(f'href="/rounds/{commented.id}"', 1)[1].split("</tr>", 1)[0]
    assert "30 October 2025" in row and "10 days left" in row and "<td>2</td>" in row


def test_unknown_round_and_comment_are_404(client, auth, people):
    auth.login("fr@example.org")
    assert client.get("/rounds/9999").status_code == 404
    assert client.get("/comments/9999/file").status_code == 404


def test_demo_has_a_french_comment_on_lighthouse(client, auth, demo, db):
    lighthouse = db.scalar(select(Jco).where(Jco.name == "DEMO Lighthouse"))
    opened = db.scalar(select(CommentRound).where(CommentRound.jco_id == lighthouse.id))
    comment = db.scalar(select(Comment).where(Comment.round_id == opened.id))
    assert comment.organisation_id == _org(db, "FR") and not comment.late
    auth.login("fr.delegate@example.org")
    assert "France supports the business case" in client.get(f"/rounds/{opened.id}").get_data(as_text=True)


# --- who is asked -------------------------------------------------------------------------------

def test_round_page_shows_who_was_asked_who_commented_late_and_who_did_not(app, client, auth, db, round_):
    auth.login("fr@example.org")
    assert _send(client, round_, "France agrees.").status_code == 302
    auth.logout()
    app.config["JCO_TODAY"] = (round_.deadline + timedelta(days=1)).isoformat()
    auth.login("pl@example.org")
    assert _send(client, round_, "Late, sorry.").status_code == 302
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    flat = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    # every member state of 2025 but the lead (Germany), whether or not it takes part
    assert "26 delegations asked (every member state's but the authors'): 1 commented, 1 commented late, " \
           "24 did not comment." in flat
    assert "France Commented " in flat and "Poland Commented late " in flat
    assert "Austria No comment" in flat and "Germany" not in flat.split("Delegations asked")[1].split("</table>")[0]


def test_the_lead_is_not_asked_but_its_comment_is_still_listed(db, round_):
    services.submit_comment(db, round_, organisation_id=_org(db, "DE"), author=None, body="Clarification.",
                            today=TODAY)
    roll = {r.organisation.code: r for r in services.round_roll(db, round_)}
    assert not roll["DE"].asked and roll["DE"].status == "Commented"
    assert len([r for r in roll.values() if r.asked]) == 26


@pytest.fixture
def report_presented(db, people):
    jco = make_jco(db, "Athena", lead="DE", participants={"FR": "participant"})
    make_document(db, "6500/15", jco=jco, marking="LIMITE")
    for step in (Transition.PRESENT_BUSINESS_CASE, Transition.ADOPT_BUSINESS_CASE, Transition.START_OPERATION,
                 Transition.END_OPERATION):
        ops.apply_transition(db, jco, step, body="ccwp_experts")
    report = make_document(db, "6512/15", jco=jco, doc_type="final_report", marking="LIMITE",
                           title="Final report of Athena")
    ops.apply_transition(db, jco, Transition.PRESENT_REPORT, document=report)
    db.commit()
    return jco, report


def test_a_final_report_is_commented_and_revised_like_a_business_case(client, auth, db, report_presented):
    jco, report = report_presented
    auth.login("de@example.org")
    html = client.get(f"/jcos/{jco.id}").get_data(as_text=True)
    assert "Open a comment round" in html and f'<option selected value="{report.id}">' in html
    response = client.post(f"/jcos/{jco.id}/rounds/new",
                           data={"round-document_id": report.id, "round-deadline": "2025-11-03"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Jco, jco.id).state == State.REPORT_COMMENTS
    first = db.scalar(select(CommentRound).where(CommentRound.jco_id == jco.id))
    auth.logout()
    auth.login("fr@example.org")
    assert _send(client, first, "Please add the seizures in Marseille.").status_code == 302
    # the revision, then a second revision without a round in between, then a round on it
    rev1 = make_document(db, "6512/1/15 REV 1", jco=jco, doc_type="final_report", marking="LIMITE")
    ops.apply_transition(db, jco, Transition.PRESENT_REVISION, document=rev1)
    rev2 = make_document(db, "6512/2/15 REV 2", jco=jco, doc_type="final_report", marking="LIMITE")
    ops.apply_transition(db, jco, Transition.PRESENT_REVISION, document=rev2)
    assert jco.state == State.REPORT_REVISION
    second = services.open_round(db, jco, rev2, TODAY + timedelta(days=20), None)
    assert jco.state == State.REPORT_COMMENTS and second.document_id == rev2.id


def test_in_the_report_phase_a_round_cannot_be_opened_on_the_business_case(client, auth, app, db, report_presented):
    jco, report = report_presented
    business_case = db.scalar(select(Document).where(Document.reference == "6500/15"))
    with pytest.raises(services.CommentError, match="final report documents"):
        services.open_round(db, jco, business_case, TODAY + timedelta(days=3), None)
    db.rollback()
    auth.login("de@example.org")
    before = _counts(app)
    response = client.post(f"/jcos/{jco.id}/rounds/new",
                           data={"round-document_id": business_case.id, "round-deadline": "2025-11-03"})
    assert response.status_code == 200 and _counts(app) == before
