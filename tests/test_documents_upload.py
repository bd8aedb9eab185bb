"""Registering documents and uploading their files through the forms; downloading them back."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from sqlalchemy import func, select

from jco.audit.models import AuditEntry
from jco.core.db import get_session
from jco.documents import services as doc_services
from jco.documents.models import Document, StoredFile, SubjectCode
from jco.operations.models import Jco
from tests import filedata
from tests.factories import make_account, make_document, make_jco

PDF_MEDIA_TYPE = "application/pdf"


@pytest.fixture
def postbox(db):
    """A JCO led by Germany with its business case 12712/15, and accounts around it."""
    jco = make_jco(db, "Postbox", lead="DE", participants={"FR": "participant"})
    make_document(db, "12712/15", jco=jco, marking="LIMITE", title="Business case for JCO Postbox")
    make_account(db, "de@example.org", org_code="DE")
    make_account(db, "fr@example.org", org_code="FR")
    make_account(db, "gsc@example.org", role="secretariat", org_code="GSC", clearance="RESTREINT UE")
    make_account(db, "manager@example.org", role="manager", org_code="COM")
    make_account(db, "admin@example.org", role="admin", org_code="GSC")
    db.commit()
    return jco


def _form(reference="12712/1/15 REV 1", *, title="Revised business case for JCO Postbox", doc_type="business_case",
          marking="LIMITE", file=(filedata.PDF, "business case.pdf"), **extra):
    data = {"reference": reference, "title": title, "doc_type": doc_type, "marking": marking, "doc_date": "",
            "subject_codes": "", "previous_reference": "", **extra}
    if file is not None:
        content, name = file
        data["file"] = (io.BytesIO(content), name)
    return data


def _post(client, jco, **kwargs):
    return client.post(f"/jcos/{jco.id}/documents/new", data=_form(**kwargs), content_type="multipart/form-data")


def _counts(app) -> dict:
    with app.app_context():
        session = get_session()
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Document, StoredFile, SubjectCode, AuditEntry, Jco)}


def _document(db, reference) -> Document | None:
    db.expire_all()
    return db.scalar(select(Document).where(Document.reference == reference))


# --- uploading ---------------------------------------------------------------------------------

def test_lead_uploads_a_revision_with_its_file(client, auth, db, postbox):
    auth.login("de@example.org")
    response = _post(client, postbox, subject_codes="jai 779, ENFOCUSTOM 108", doc_date="2015-11-20",
                     previous_reference="12712/15")
    assert response.status_code == 302
    document = _document(db, "12712/1/15 REV 1")
    assert response.headers["Location"].endswith(f"/documents/{document.id}")
    assert document.jco_id == postbox.id and document.marking == "LIMITE" and not document.file_withheld
    assert [str(c) for c in document.subject_codes] == ["JAI 779", "ENFOCUSTOM 108"]
    assert document.previous_reference == "12712/15"
    stored = db.get(StoredFile, document.file_id)
    assert stored.sha256 == hashlib.sha256(filedata.PDF).hexdigest()
    assert stored.size == len(filedata.PDF) and stored.media_type == PDF_MEDIA_TYPE
    assert stored.filename == "business_case.pdf"
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_id == document.id,
                                                         AuditEntry.object_type == "document")).all()
    assert set(actions) == {"document.register", "document.file"}
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "12712/1/15 REV 1 is registered with its file." in page
    assert f'href="/documents/{document.id}/file"' in page and stored.sha256 in page


@pytest.mark.parametrize(("content", "name", "media_type", "stored_name"), [
    (filedata.PDF, "renamed.docx", PDF_MEDIA_TYPE, "renamed.pdf"),
    (filedata.docx(), "business-case.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "business-case.docx"),
    (filedata.odt(), "no-extension", "application/vnd.oasis.opendocument.text", "no-extension.odt"),
    (filedata.PDF, "../../etc/passwd.pdf", PDF_MEDIA_TYPE, "etc_passwd.pdf"),
])
def test_type_comes_from_content_and_name_is_made_safe(client, auth, db, postbox, content, name, media_type,
                                                       stored_name):
    auth.login("de@example.org")
    assert _post(client, postbox, file=(content, name)).status_code == 302
    stored = db.get(StoredFile, _document(db, "12712/1/15 REV 1").file_id)
    assert (stored.media_type, stored.filename) == (media_type, stored_name)


@pytest.mark.parametrize(("content", "name", "message"), [
    (filedata.EXE, "report.pdf", "This file is not a PDF, DOCX or ODT document (it looks like a Windows program (EXE))."),
    (filedata.HTML, "report.pdf", "This file is not a PDF, DOCX or ODT document (it looks like a web page (HTML))."),
    (b"", "empty.pdf", "The file is empty."),
])
def test_bad_files_are_refused_keeping_the_rest_of_the_form(client, auth, app, postbox, content, name, message):
    auth.login("de@example.org")
    before = _counts(app)
    response = _post(client, postbox, file=(content, name), title="My careful title", subject_codes="JAI 779")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'value="My careful title"' in html and 'value="JAI 779"' in html and 'value="12712/1/15 REV 1"' in html
    assert "choose the file again" in html
    assert _counts(app) == before


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 4000}])
def test_request_over_the_size_limit_is_refused_whole(client, auth, app, postbox):
    auth.login("de@example.org")
    before = _counts(app)
    response = _post(client, postbox, file=(filedata.PDF + b"%" * 5000, "big.pdf"))
    assert response.status_code == 413
    assert "The file is larger than 3 KB." in response.get_data(as_text=True)
    assert _counts(app) == before


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 3 * 1024 * 1024}])
def test_file_over_the_limit_gets_a_clear_message(app, db, postbox):
    from jco.documents.files import FileRejected, store_bytes

    with pytest.raises(FileRejected, match=r"^The file is larger than 3 MB\.$"):
        store_bytes(db, filedata.PDF + b"0" * (3 * 1024 * 1024), "big.pdf")
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_a_failing_request_leaves_no_stored_file(client, auth, app, postbox, monkeypatch):
    """The file is flushed, then something later in the request fails: nothing must remain."""
    real_record = doc_services.audit.record

    def failing_record(session, actor, action, *args, **kwargs):
        if action == "document.file":
            raise RuntimeError("simulated crash after the file was written")
        return real_record(session, actor, action, *args, **kwargs)

    monkeypatch.setattr(doc_services.audit, "record", failing_record)
    auth.login("de@example.org")
    before = _counts(app)
    with pytest.raises(RuntimeError, match="simulated crash"):
        _post(client, postbox)
    assert _counts(app) == before


def test_delegate_must_attach_the_file_the_secretariat_need_not(client, auth, app, db, postbox):
    auth.login("de@example.org")
    before = _counts(app)
    html = _post(client, postbox, file=None).get_data(as_text=True)
    assert "Choose the document&#39;s file (PDF, DOCX or ODT)." in html
    assert _counts(app) == before
    auth.logout()
    auth.login("gsc@example.org")
    assert _post(client, postbox, file=None).status_code == 302
    document = _document(db, "12712/1/15 REV 1")
    assert document.file_id is None and not document.file_withheld
    assert "No file has been uploaded." in client.get(f"/documents/{document.id}").get_data(as_text=True)


def test_file_can_be_added_later_once(client, auth, db, postbox):
    auth.login("gsc@example.org")
    _post(client, postbox, file=None)
    document = _document(db, "12712/1/15 REV 1")
    auth.logout()
    auth.login("de@example.org")
    assert "Add the file" in client.get(f"/documents/{document.id}").get_data(as_text=True)
    response = client.post(f"/documents/{document.id}/file", data={"file": (io.BytesIO(filedata.docx()), "rev1.docx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    document = _document(db, "12712/1/15 REV 1")
    assert db.get(StoredFile, document.file_id).filename == "rev1.docx"
    # A stored file is never replaced.
    response = client.post(f"/documents/{document.id}/file", data={"file": (io.BytesIO(filedata.PDF), "x.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 1


# --- markings ------------------------------------------------------------------------------------

def test_file_above_the_accredited_marking_is_never_stored(client, auth, app, db, postbox):
    auth.login("gsc@example.org")
    response = _post(client, postbox, marking="RESTREINT UE", title="Classified annex title")
    assert response.status_code == 302
    document = _document(db, "12712/1/15 REV 1")
    assert document.file_withheld and document.file_id is None
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This system may only hold files marked up to LIMITE, so the file was not stored" in html
    assert "not accredited to hold files marked RESTREINT UE" in html
    assert 'class="marking-banner marking-restreint-ue"' in html
    assert client.get(f"/documents/{document.id}/file").status_code == 404


def test_delegate_need_not_choose_a_file_that_would_be_withheld(client, auth, db, postbox):
    auth.login("de@example.org")
    assert _post(client, postbox, marking="CONFIDENTIEL UE", file=None).status_code == 302
    assert _document(db, "12712/1/15 REV 1").file_withheld


@pytest.mark.parametrize("app_config", [{"JCO_MAX_STORED_MARKING": "RESTREINT UE"}])
def test_accredited_deployment_stores_restreint_files_for_cleared_accounts_only(client, auth, db, postbox):
    auth.login("gsc@example.org")
    _post(client, postbox, marking="RESTREINT UE", title="Secret-sounding title of the annex")
    document = _document(db, "12712/1/15 REV 1")
    assert document.file_id is not None and not document.file_withheld
    assert client.get(f"/documents/{document.id}/file").status_code == 200
    auth.logout()
    auth.login("de@example.org")  # the lead, but not cleared
    response = client.get(f"/documents/{document.id}/file")
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "Secret-sounding" not in body and "RESTREINT UE" in body
    assert "Secret-sounding" not in client.get(f"/jcos/{postbox.id}").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"JCO_MAX_STORED_MARKING": ""}])
def test_public_only_deployment_withholds_limite_files(client, auth, db, postbox):
    auth.login("de@example.org")
    _post(client, postbox, marking="LIMITE")
    assert _document(db, "12712/1/15 REV 1").file_withheld
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0


# --- downloads -----------------------------------------------------------------------------------

def test_download_headers(client, auth, db, postbox):
    auth.login("de@example.org")
    _post(client, postbox, file=(filedata.PDF, "../../etc/passwd.pdf"))
    document = _document(db, "12712/1/15 REV 1")
    auth.logout()
    auth.login("fr@example.org")  # any account may read LIMITE
    response = client.get(f"/documents/{document.id}/file")
    assert response.status_code == 200
    assert response.data == filedata.PDF
    assert response.headers["Content-Type"] == PDF_MEDIA_TYPE
    assert response.headers["Content-Disposition"] == "attachment; filename=etc_passwd.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert int(response.headers["Content-Length"]) == len(filedata.PDF)


def test_download_of_document_without_file_is_404(client, auth, db, postbox):
    auth.login("fr@example.org")
    document = _document(db, "12712/15")
    assert client.get(f"/documents/{document.id}/file").status_code == 404
    assert client.get("/documents/99999/file").status_code == 404


def test_download_needs_login(client, db, postbox):
    document = _document(db, "12712/15")
    response = client.get(f"/documents/{document.id}/file")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- who may add documents -------------------------------------------------------------------------

@pytest.mark.parametrize(("email", "status"), [
    ("de@example.org", 302),  # lead
    ("gsc@example.org", 302),  # Secretariat
    ("admin@example.org", 302),
    ("fr@example.org", 403),  # takes part, does not lead
    ("manager@example.org", 403),  # reads, never writes
])
def test_who_may_upload_to_a_jco(client, auth, app, postbox, email, status):
    auth.login(email)
    assert client.get(f"/jcos/{postbox.id}/documents/new").status_code == (200 if status == 302 else 403)
    before = _counts(app)
    assert _post(client, postbox).status_code == status
    if status == 403:
        assert _counts(app) == before
    else:
        assert _counts(app)["Document"] == before["Document"] + 1


def test_upload_link_on_the_jco_page_only_for_those_allowed(client, auth, postbox):
    auth.login("de@example.org")
    assert f'href="/jcos/{postbox.id}/documents/new"' in client.get(f"/jcos/{postbox.id}").get_data(as_text=True)
    auth.logout()
    auth.login("fr@example.org")
    assert f'href="/jcos/{postbox.id}/documents/new"' not in client.get(f"/jcos/{postbox.id}").get_data(as_text=True)


def test_no_uploads_to_a_closed_operation(client, auth, app, db, postbox):
    postbox.state = "withdrawn"
    db.add(postbox)
    db.commit()
    auth.login("de@example.org")
    assert _post(client, postbox).status_code == 403


@pytest.mark.parametrize(("email", "status"), [
    ("gsc@example.org", 302), ("de@example.org", 403), ("manager@example.org", 403),
])
def test_documents_outside_operations_are_for_the_secretariat(client, auth, app, db, postbox, email, status):
    auth.login(email)
    before = _counts(app)
    response = client.post("/documents/new", content_type="multipart/form-data", data=_form(
        "CM 4063/15", title="Notice of meeting", doc_type="agenda", marking="", file=None))
    assert response.status_code == status
    if status == 302:
        document = _document(db, "CM 4063/15")
        assert document.jco_id is None and document.doc_type == "agenda" and document.marking == ""
    else:
        assert _counts(app) == before


# --- references and families ---------------------------------------------------------------------

@pytest.mark.parametrize(("reference", "doc_type", "field", "message"), [
    ("12712", "business_case", "reference", "the year is missing"),
    ("12712/1/15", "business_case", "reference", "needs REV 1 at the end too: 12712/1/15 REV 1"),
    ("12712/15", "business_case", "reference", "The document 12712/15 is already registered."),
    # The same document in the register's spelling, or pasted with its marking, is the same document.
    ("ST 12712 2015 INIT", "business_case", "reference", "The document 12712/15 is already registered."),
    ("doc. 12712/15 LIMITE", "business_case", "reference", "The document 12712/15 is already registered."),
    ("12712/15 (en)", "business_case", "reference", "leave out ‘(en)’"),
    ("<script>alert(1)</script> 12712/15", "business_case", "reference", "expected a document number like"),
    ("12712/1/15 REV 1", "final_report", "doc_type", "12712/15 is a business case; its revisions and parts are too."),
    ("12712/15 ADD 3", "final_report", "doc_type", "12712/15 is a business case; its revisions and parts are too."),
])
def test_reference_rules_show_on_the_right_field(client, auth, app, postbox, reference, doc_type, field, message):
    auth.login("de@example.org")
    before = _counts(app)
    html = _post(client, postbox, reference=reference, doc_type=doc_type).get_data(as_text=True)
    assert f'id="{field}-error"' in html
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
    assert _counts(app) == before


def test_revisions_continue_in_order(client, auth, db, postbox):
    auth.login("de@example.org")
    for reference in ("12712/1/15 REV 1", "12712/2/15 REV 2", "12712/15 ADD 1", "12712/1/15 ADD 1 REV 1",
                      "12712/15 ADD 2"):
        assert _post(client, postbox, reference=reference).status_code == 302, reference
    assert _document(db, "12712/2/15 REV 2") is not None


def test_a_family_links_up_whatever_arrives_first(client, auth, db, postbox):
    """A delegate holding only what a note cites registers 6512/1/15 REV 1 + ADD 1 REV 1 without
    6512/15; when 6512/15 and its addendum arrive later they join the same family."""
    auth.login("de@example.org")
    for reference in ("ST 6512 2015 ADD 1 REV 1", "6512/1/15 REV 1", "6512/15", "6512/15 ADD 1", "6512/15 ADD 1 COR 1"):
        assert _post(client, postbox, reference=reference, doc_type="final_report").status_code == 302, reference
    revision = _document(db, "6512/1/15 ADD 1 REV 1")
    assert revision is not None and revision.jco_id == postbox.id
    html = client.get(f"/documents/{revision.id}").get_data(as_text=True)
    family = re.findall(r"<li>(?:<strong[^>]*>|<a [^>]*>)([^<]+)<", html.split('id="family-h"', 1)[1])
    assert family == ["6512/15", "6512/1/15 REV 1", "6512/15 ADD 1", "6512/1/15 ADD 1 REV 1", "6512/15 ADD 1 COR 1"]
    # A later version must still join the family's operation and type.
    html = _post(client, postbox, reference="6512/2/15 REV 2", doc_type="business_case").get_data(as_text=True)
    assert "6512/15 is a final report; its revisions and parts are too." in html
    assert _document(db, "6512/2/15 REV 2") is None


def test_the_document_page_shows_the_register_form_beside_the_classic_one(client, auth, db, postbox):
    auth.login("de@example.org")
    assert _post(client, postbox, reference="12712/1/15 rev.1").status_code == 302
    document = _document(db, "12712/1/15 REV 1")
    html = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "<h1>12712/1/15 REV 1" in html
    assert "In the Council's public register: <strong>ST 12712 2015 REV 1</strong>" in html


def test_a_later_version_of_another_operations_document_is_refused_even_without_its_base(client, auth, db, postbox):
    other = make_jco(db, "Other", lead="DE")
    make_document(db, "5000/1/15 REV 1", jco=other)
    db.commit()
    auth.login("de@example.org")
    html = _post(client, postbox, reference="5000/15").get_data(as_text=True)
    assert "5000/15 is not registered for this operation, so 5000/15 cannot be added here." in html
    assert _document(db, "5000/15") is None


# --- subject codes: one family each, the year of the document's number ---------------------------

def test_subject_code_year_is_that_of_the_documents_number(client, auth, db, postbox):
    auth.login("de@example.org")
    # Dated January 2016, numbered in 2015: the codes are those of 2015.
    assert _post(client, postbox, subject_codes="ENFOCUSTOM 108", doc_date="2016-01-12").status_code == 302
    document = _document(db, "12712/1/15 REV 1")
    assert [(c.series, c.number, c.year) for c in document.subject_codes] == [("ENFOCUSTOM", 108, 2015)]


def test_subject_code_belongs_to_one_family(client, auth, app, db, postbox):
    auth.login("de@example.org")
    assert _post(client, postbox, subject_codes="ENFOCUSTOM 108").status_code == 302
    # The family's other versions may carry it too.
    assert _post(client, postbox, reference="12712/2/15 REV 2", subject_codes="ENFOCUSTOM 108").status_code == 302
    before = _counts(app)
    html = _post(client, postbox, reference="13305/15", doc_type="business_case",
                 subject_codes="JAI 1, enfocustom 108").get_data(as_text=True)
    assert 'id="subject_codes-error"' in html
    assert "ENFOCUSTOM 108 of 2015 is already the subject code of 12712/15" in html
    assert _counts(app) == before and _document(db, "13305/15") is None
    # JAI 1 was not claimed by the refused document: another one may take it.
    assert _post(client, postbox, reference="13305/15", subject_codes="JAI 1").status_code == 302
    # The same printed code in another year is another file.
    assert _post(client, postbox, reference="100/16", subject_codes="ENFOCUSTOM 108").status_code == 302


def test_subject_code_rule_holds_for_every_registration_path(db):
    """Importers and the demo register through register_document, which applies the same rule."""
    make_document(db, "6512/15", subject_codes=["ENFOCUSTOM 108"])
    make_document(db, "6512/1/15 REV 1", subject_codes=["ENFOCUSTOM 108"])
    with pytest.raises(doc_services.DocumentError, match="already the subject code of 6512/15"):
        make_document(db, "7000/15", subject_codes=["ENFOCUSTOM 108"])
    db.rollback()


def test_the_database_refuses_a_second_family_for_a_code(db):
    from sqlalchemy.exc import IntegrityError

    from jco.documents.models import SubjectFile
    make_document(db, "6512/15", subject_codes=["ENFOCUSTOM 108"])
    db.flush()
    db.add(SubjectFile(series="ENFOCUSTOM", number=108, year=2015, family_prefix="", family_number=7000,
                       family_year=2015))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_family_of_another_operation_is_refused(client, auth, app, db, postbox):
    other = make_jco(db, "Other", lead="DE")
    make_document(db, "5000/15", jco=other)
    db.commit()
    auth.login("de@example.org")
    html = _post(client, postbox, reference="5000/1/15 REV 1").get_data(as_text=True)
    assert "5000/15 is not registered for this operation, so 5000/1/15 REV 1 cannot be added here." in html


def test_invalid_subject_code_and_date_keep_the_input(client, auth, app, postbox):
    auth.login("de@example.org")
    html = _post(client, postbox, subject_codes="JAI 779, 779", doc_date="4 November").get_data(as_text=True)
    assert "a subject code starts with its series letters" in html
    assert "Enter the date as a calendar date" in html
    assert 'value="JAI 779, 779"' in html and 'value="4 November"' in html


def test_wrong_file_and_wrong_reference_are_reported_together(client, auth, app, postbox):
    auth.login("de@example.org")
    before = _counts(app)
    html = _post(client, postbox, reference="12712/15", file=(filedata.EXE, "x.pdf")).get_data(as_text=True)
    assert 'id="reference-error"' in html and 'id="file-error"' in html
    assert _counts(app) == before


def test_demo_documents_have_placeholders_and_the_classified_addendum_none(demo, db):
    documents = {d.reference: d for d in db.scalars(select(Document))}
    addendum = documents["6512/1/15 ADD 1 REV 1"]
    assert addendum.file_withheld and addendum.file_id is None
    business_case = documents["12712/15"]
    stored = db.get(StoredFile, business_case.file_id)
    assert stored.media_type == PDF_MEDIA_TYPE and b"DEMO PLACEHOLDER" in stored.content
    assert all(d.file_id for ref, d in documents.items() if ref != addendum.reference)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_upload_without_csrf_token_is_refused(client, app, db, postbox):
    def token(path):
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True))[1]

    client.post("/login", data={"email": "de@example.org", "password": "jco-demo", "csrf_token": token("/login")})
    form_token = token(f"/jcos/{postbox.id}/documents/new")  # logged in: the form is served
    before = _counts(app)
    assert _post(client, postbox).status_code == 400
    assert _counts(app) == before
    response = client.post(f"/jcos/{postbox.id}/documents/new", data={**_form(), "csrf_token": form_token},
                           content_type="multipart/form-data")
    assert response.status_code == 302


# --- the likely kind first (issue 14) --------------------------------------------------------------

def _chosen_type(html: str) -> str:
    select_ = html[html.index('name="doc_type"'):]
    return re.search(r'<option selected value="([a-z_]+)"', select_[:select_.index("</select>")]).group(1)


def test_the_upload_form_offers_the_kind_asked_for_or_the_likely_one(client, auth, db, postbox):
    auth.login("de@example.org")
    assert _chosen_type(client.get(f"/jcos/{postbox.id}/documents/new").get_data(as_text=True)) == "business_case"
    asked = client.get(f"/jcos/{postbox.id}/documents/new?type=final_report").get_data(as_text=True)
    assert _chosen_type(asked) == "final_report"
    # a kind that is not one of an operation's documents is ignored, not an error
    odd = client.get(f"/jcos/{postbox.id}/documents/new?type=agenda")
    assert odd.status_code == 200 and _chosen_type(odd.get_data(as_text=True)) == "business_case"
    postbox.state = "debriefing"  # after the operational phase, the lead's next document is its report
    db.commit()
    assert _chosen_type(client.get(f"/jcos/{postbox.id}/documents/new").get_data(as_text=True)) == "final_report"
