"""The lead's side of a comment round: comments received first, the Compilation of comments (DOCX),
and the lead's response to each comment, which the commenting delegation sees once the revision
is presented."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from docx import Document as Docx
from sqlalchemy import func, select

from jco.audit.models import AuditEntry
from jco.comments import compilation, services
from jco.comments.models import CommentResponse, CommentRound
from jco.operations import services as ops
from jco.operations.lifecycle import Transition
from tests.factories import make_document
from tests.test_comments import PINNED, TODAY, _comment, _org, _presented, _send, people  # noqa: F401


@pytest.fixture
def app_config():
    return PINNED


def _open_round(db) -> int:
    jco, document = _presented(db)  # 12719/15 LIMITE, led by Germany
    opened = services.open_round(db, jco, document, TODAY + timedelta(days=10), None)
    db.commit()
    return opened.id


@pytest.fixture
def round_(db, people, built_once):  # noqa: F811
    return db.get(CommentRound, built_once("compilation: round", lambda: _open_round(db), db))


@pytest.fixture
def commented(db, round_, built_once):
    built_once("compilation: commented", lambda: _comment_on(db, round_), db)
    return db.get(CommentRound, round_.id)


def _comment_on(db, round_) -> None:
    # Austria comes first by name but after Belgium in the Council's protocol order.
    for code, refers_to, body in [("PL", "paragraph 10", "Polish remark about ports."),
                                  ("AT", "section 2", "Austrian remark."),
                                  ("FR", "paragraph 2", "French remark about risk profiles."),
                                  ("BE", "", "Belgium supports the operation.")]:
        services.submit_comment(db, round_, organisation_id=_org(db, code), author=None, body=body,
                                refers_to=refers_to, today=TODAY)
    db.commit()


def _respond(client, comment, outcome="taken", note="Added to section 4.", version=0):
    prefix = f"response-{comment.id}"
    return client.post(f"/comments/{comment.id}/response",
                       data={f"{prefix}-outcome": outcome, f"{prefix}-note": note, f"{prefix}-version": str(version)})


def _responses(db) -> int:
    return db.scalar(select(func.count()).select_from(CommentResponse))


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- the round page, as the lead sees it ------------------------------------------------------------

def test_the_lead_reads_the_comments_first_and_is_not_asked_for_its_own(client, auth, commented):
    auth.login("de@example.org")
    page = client.get(f"/rounds/{commented.id}").get_data(as_text=True)
    assert page.index("Comments received") < page.index("Delegations asked")
    assert "Your delegation has not sent a comment" not in page and 'name="body"' not in page
    assert "Compilation of comments (DOCX)" in page
    assert f'href="/rounds/{commented.id}/compilation.docx"' in page


def test_a_delegate_says_what_its_comment_refers_to(client, auth, db, round_):
    auth.login("fr@example.org")
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert 'name="refers_to"' in page and "Compilation of comments (DOCX)" not in page
    response = client.post(f"/rounds/{round_.id}", data={"body": "On the risk profiles.", "version": "0",
                                                         "refers_to": "  paragraph   3 "})
    assert response.status_code == 302
    assert _comment(db, round_, "FR").refers_to == "paragraph 3"
    assert "Refers to: paragraph 3" in client.get(f"/rounds/{round_.id}").get_data(as_text=True)


def test_a_too_long_reference_is_refused_and_nothing_saved(client, auth, db, round_):
    auth.login("fr@example.org")
    html = client.post(f"/rounds/{round_.id}", data={"body": "Text.", "version": "0",
                                                     "refers_to": "p" * 101}).get_data(as_text=True)
    assert "at most 100 characters" in html
    assert _comment(db, round_, "FR") is None


# --- the compilation ---------------------------------------------------------------------------------

def test_compilation_docx_per_delegation_in_protocol_order_with_responses(client, auth, db, commented):
    auth.login("de@example.org")
    assert _respond(client, _comment(db, commented, "FR"), "partly", "Risk profiles are now in section 4.") \
        .status_code == 302
    response = client.get(f"/rounds/{commented.id}/compilation.docx")
    assert response.status_code == 200
    assert response.mimetype == compilation.MEDIA_TYPE
    assert 'filename="Compilation of comments - Postbox - 12719-15.docx"' in response.headers["Content-Disposition"]
    doc = Docx(io.BytesIO(response.data))
    texts = [p.text for p in doc.paragraphs]
    whole = "\n".join(texts)
    assert "COMPILATION OF COMMENTS" in texts
    assert "JCO Postbox — Compilation of comments on 12719/15" in whole
    assert "12719/15 LIMITE — Business case for Postbox" in whole
    assert "Requested on" in whole and "due by 30 October 2025" in whole
    assert doc.sections[0].header.paragraphs[0].text == "LIMITE"  # the document's marking, stamped
    headings = [t for t in texts if re.fullmatch(r"\d+\. \w+", t)]
    assert headings == ["1. Belgium", "2. France", "3. Austria", "4. Poland"]
    assert whole.index("Refers to: paragraph 2") < whole.index("French remark") < whole.index(
        "Response of the lead delegation: Partly taken on board. Risk profiles are now in section 4.")
    assert "Response of the lead delegation" not in whole.split("3. Austria")[1]  # none recorded for the others


def test_a_delegations_comments_follow_the_text_then_time():
    def entry(refers_to: str, minute: int, code: str = "FR"):
        organisation = SimpleNamespace(id={"FR": 1, "BE": 2}[code], code=code, name=code)
        comment = SimpleNamespace(refers_to=refers_to, submitted_at=datetime(2025, 10, 20, 9, minute), id=minute)
        return compilation.CompiledComment(comment, organisation, None, None)  # type: ignore[arg-type]

    ordered = compilation.in_text_order([
        entry("paragraph 10", 1), entry("paragraph 2", 2), entry("", 3), entry("Paragraph 2", 0),
        entry("section 2.10", 4), entry("section 2.9", 5), entry("annex", 6, "BE"),
    ])
    assert [(e.organisation.code, e.comment.refers_to, e.comment.id) for e in ordered] == [
        ("BE", "annex", 6), ("FR", "", 3), ("FR", "Paragraph 2", 0), ("FR", "paragraph 2", 2),
        ("FR", "paragraph 10", 1), ("FR", "section 2.9", 5), ("FR", "section 2.10", 4),
    ]


def test_a_classified_document_stamps_its_marking_on_the_compilation(client, auth, db, people):  # noqa: F811
    jco, document = _presented(db, "Athena", marking="RESTREINT UE")
    opened = services.open_round(db, jco, document, TODAY + timedelta(days=3), None)
    services.submit_comment(db, opened, organisation_id=_org(db, "FR"), author=None, body="Sensitive remark.",
                            today=TODAY)
    db.commit()
    auth.login("de@example.org")  # the lead, not cleared for RESTREINT UE: nothing to export for it
    assert client.get(f"/rounds/{opened.id}/compilation.docx").status_code == 403
    auth.logout()
    auth.login("gsc@example.org")
    doc = Docx(io.BytesIO(client.get(f"/rounds/{opened.id}/compilation.docx").data))
    assert doc.sections[0].header.paragraphs[0].text == "RESTREINT UE"
    assert "Sensitive remark." in "\n".join(p.text for p in doc.paragraphs)


@pytest.mark.parametrize(("email", "status"), [
    ("de@example.org", 200), ("gsc@example.org", 200),
    ("fr@example.org", 403), ("pl@example.org", 403), ("manager@example.org", 403),
])
def test_only_the_lead_and_the_secretariat_export_the_compilation(client, auth, commented, email, status):
    auth.login(email)
    assert client.get(f"/rounds/{commented.id}/compilation.docx").status_code == status
    page = client.get(f"/rounds/{commented.id}").get_data(as_text=True)
    assert ("Compilation of comments (DOCX)" in page) is (status == 200)


# --- the lead's responses ----------------------------------------------------------------------------

def test_the_commenter_sees_the_response_only_once_the_revision_is_presented(client, auth, db, commented):
    french = _comment(db, commented, "FR")
    auth.login("de@example.org")
    assert _respond(client, french, "taken", "Added to section 4.").status_code == 302
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "comment.response")) is not None
    page = _text(client.get(f"/rounds/{commented.id}").get_data(as_text=True))
    assert "Taken on board — Added to section 4." in page
    for email, sees in (("gsc@example.org", True), ("fr@example.org", False), ("manager@example.org", False)):
        auth.logout()
        auth.login(email)
        assert ("Added to section 4." in client.get(f"/rounds/{commented.id}").get_data(as_text=True)) is sees, email
        assert "Added to section 4." not in client.get(f"/jcos/{commented.jco_id}").get_data(as_text=True) or sees

    jco = commented.jco
    revision = make_document(db, "12719/1/15 REV 1", jco=jco, marking="LIMITE", title="Business case for Postbox")
    ops.apply_transition(db, jco, Transition.PRESENT_REVISION, document=revision)
    db.commit()
    auth.logout()
    auth.login("fr@example.org")
    page = _text(client.get(f"/rounds/{commented.id}").get_data(as_text=True))
    assert "The lead delegation’s response: Taken on board — Added to section 4." in page
    jco_page = _text(client.get(f"/jcos/{jco.id}").get_data(as_text=True))
    assert "responses to your delegation’s comments 12719/15 : Taken on board — Added to section 4." in jco_page
    auth.logout()
    auth.login("pl@example.org")  # another delegation never sees France's response
    assert "Added to section 4." not in client.get(f"/rounds/{commented.id}").get_data(as_text=True)
    assert "Added to section 4." not in client.get(f"/jcos/{jco.id}").get_data(as_text=True)


def test_presenting_another_document_does_not_reveal_responses(client, auth, db, commented):
    auth.login("de@example.org")
    _respond(client, _comment(db, commented, "FR"))
    addendum = make_document(db, "12719/15 ADD 1", jco=commented.jco, marking="LIMITE")
    ops.apply_transition(db, commented.jco, Transition.PRESENT_REVISION, document=addendum)
    db.commit()
    auth.logout()
    auth.login("fr@example.org")
    assert "Added to section 4." not in client.get(f"/rounds/{commented.id}").get_data(as_text=True)


def test_the_lead_changes_its_response_and_a_stale_page_is_refused(client, auth, db, commented):
    french = _comment(db, commented, "FR")
    auth.login("de@example.org")
    _respond(client, french, "not", "Out of scope.")
    assert _respond(client, french, "partly", "Partly, after all.", version=1).status_code == 302
    html = _respond(client, french, "taken", "From an old page.", version=1).get_data(as_text=True)
    assert "someone else" in html
    db.expire_all()
    stored = db.scalar(select(CommentResponse))
    assert (stored.outcome, stored.note, _responses(db)) == ("partly", "Partly, after all.", 1)


@pytest.mark.parametrize("outcome", ["adopted", "", "taken' OR 1=1"])
def test_a_forged_outcome_is_refused_and_nothing_changes(client, auth, db, commented, outcome):
    auth.login("de@example.org")
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    response = _respond(client, _comment(db, commented, "FR"), outcome)
    assert response.status_code == 200 and "There is a problem" in response.get_data(as_text=True)
    assert _responses(db) == 0
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_the_service_refuses_a_forged_outcome(db, commented):
    from jco.accounts.models import Account

    lead = db.scalar(select(Account).where(Account.email == "de@example.org"))
    with pytest.raises(services.CommentError, match="taken on board, partly or not"):
        services.record_response(db, _comment(db, commented, "FR"), commented, outcome="adopted", note="",
                                 actor=lead)
    assert _responses(db) == 0


@pytest.mark.parametrize("email", ["fr@example.org", "pl@example.org", "gsc@example.org", "manager@example.org"])
def test_only_the_lead_records_responses(client, auth, db, commented, email):
    auth.login(email)
    french = _comment(db, commented, "FR")
    assert f'action="/comments/{french.id}/response"' not in client.get(f"/rounds/{commented.id}").get_data(as_text=True)
    assert _respond(client, french).status_code == 403
    assert _responses(db) == 0


def test_unknown_comment_response_is_404(client, auth, people):  # noqa: F811
    auth.login("de@example.org")
    assert client.post("/comments/9999/response", data={}).status_code == 404


def test_the_compilation_asked_for_in_french_is_written_in_french(client, auth, db, commented):
    """?lang=fr makes the whole note in French — frame, labels, dates, countries; the comments and
    references stay as written — and leaves the reader's pages in their language."""
    auth.login("de@example.org")
    assert _respond(client, _comment(db, commented, "FR"), "partly", "Risk profiles are now in section 4.") \
        .status_code == 302
    response = client.get(f"/rounds/{commented.id}/compilation.docx?lang=fr")
    assert response.status_code == 200
    assert "Compilation des observations - Postbox - 12719-15.docx" in response.headers["Content-Disposition"]
    doc = Docx(io.BytesIO(response.data))
    texts = [p.text for p in doc.paragraphs]
    whole = "\n".join(texts)
    for expected in ("Conseil de l'Union européenne", "COMPILATION DES OBSERVATIONS", "Bruxelles",
                     "Origine:\tSecrétariat général du Conseil", "Destinataire:\tDélégations",
                     "ODC Postbox — Compilation des observations sur le document 12719/15",
                     "Délégation chef de file:\tAllemagne", "30 octobre 2025",
                     "Se rapporte à : paragraph 2", "French remark about risk profiles.",
                     "Réponse de la délégation chef de file : Prise en compte en partie. "
                     "Risk profiles are now in section 4."):
        assert expected in whole, expected
    headings = [t for t in texts if re.fullmatch(r"\d+\. \w+", t)]
    assert headings == ["1. Belgique", "2. France", "3. Autriche", "4. Pologne"]  # protocol order, French names
    for english in ("Council of the European Union", "COMPILATION OF COMMENTS", "Brussels", "From:", "Subject:",
                    "Lead delegation", "Refers to", "Response of the lead delegation", "October", "1. Belgium"):
        assert english not in whole, english
    assert doc.core_properties.language == "fr"
    assert doc.sections[0].header.paragraphs[0].text == "LIMITE"  # markings never change
    page = client.get(f"/rounds/{commented.id}").get_data(as_text=True)
    assert "Compilation of comments (DOCX)" in page  # an export in French leaves the pages in English


def test_the_audit_log_tells_the_response_in_words_in_either_language(client, auth, db, commented):
    auth.login("de@example.org")
    assert _respond(client, _comment(db, commented, "AT"), "partly").status_code == 302
    auth.logout()
    auth.login("gsc@example.org")
    english = _text(client.get("/audit?kind=comment.response").get_data(as_text=True))
    assert "Response to comments recorded" in english
    assert "recorded the response “Partly taken on board” to the comments of Austria on 12719/15" in english
    french = _text(client.get("/audit?kind=comment.response&lang=fr").get_data(as_text=True))
    assert ("a consigné la réponse « Prise en compte en partie » aux observations de la délégation Autriche "
            "sur 12719/15") in french
    assert "Résultat : Prise en compte en partie" in french  # the change, by its label, not its code
