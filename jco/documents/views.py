"""A document's page and its file; registering documents and uploading their files."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jco import permissions
from jco.core.db import get_session
from jco.documents import files, queries
from jco.documents import services as doc_services
from jco.documents.forms import AttachFileForm, DocumentForm, likely_doc_type, split_codes
from jco.documents.models import Document, StoredFile
from jco.operations.queries import document_families, jco_documents
from jco.web import jco_or_abort, row_or_abort, saving

bp = Blueprint("documents", __name__)


@bp.errorhandler(413)
def too_large(_error):
    # The body is refused before any view runs, so the form cannot be shown again with its input.
    limit = files.size_label(files.max_upload_bytes())
    return render_template(
        "error.html", code=413,
        message=_("The file is larger than %(limit)s. Go back, choose a smaller file (or a compressed PDF), "
                  "and send the form again.", limit=limit),
    ), 413


def _document_or_abort(document_id: int) -> Document:
    document = queries.load_document(get_session(), document_id)
    if document is None:
        abort(404)
    return document


@bp.get("/documents/<int:document_id>")
def detail(document_id: int):
    session = get_session()
    document = _document_or_abort(document_id)
    visible = permissions.can_view_document_details(current_user, document)
    family = queries.family_of(session, document)
    file_info = queries.file_info(session, document) if visible else None
    return render_template(
        "documents/detail.html",
        document=document,
        family=document_families(family)[0] if family else [],
        file_info=file_info, file_size=files.kilobytes(file_info.size) if file_info else "",
        details_visible=visible,
        attach_form=AttachFileForm() if permissions.can_attach_file(current_user, document) else None,
    )


def _withheld_message(document: Document) -> str:
    top = files.max_stored_marking()
    if top.value:
        return _("%(reference)s is marked %(marking)s. This system may only hold files marked up to %(top)s, so the "
                 "file was not stored: the reference and details are kept. Share the file through your accredited "
                 "channel.", reference=document.reference, marking=document.marking, top=top.value)
    return _("%(reference)s is marked %(marking)s. This system may only hold files without a marking, so the file "
             "was not stored: the reference and details are kept. Share the file through your accredited channel.",
             reference=document.reference, marking=document.marking)


def _file_problem(upload) -> str | None:
    try:
        files.check_content(files.read_upload(upload))
    except files.FileRejected as error:
        return str(error)
    finally:
        upload.stream.seek(0)
    return None


def _register(form: DocumentForm, jco_id: int | None) -> Document | None:
    """One unit of work: the document, its subject codes, its file and the audit entries, or nothing."""
    session = get_session()
    upload = form.file.data if files.has_upload(form.file.data) else None
    if (upload is None and files.may_store_files_marked(form.marking.data)
            and not permissions.is_secretariat(current_user)):
        form.file.errors.append(_("Choose the document's file (PDF, DOCX or ODT)."))
        return None
    details = doc_services.DocumentDetails(
        reference=form.reference.data, title=form.title.data, doc_type=form.doc_type.data,
        doc_date=form.doc_date.data, marking=form.marking.data, subject_codes=split_codes(form.subject_codes.data),
        previous_reference=form.previous_reference.data or "", jco_id=jco_id,
    )
    # The file is checked first so that a wrong file and a wrong reference are reported together.
    file_error = _file_problem(upload) if upload and files.may_store_files_marked(form.marking.data) else None
    try:
        document = doc_services.add_document(session, details, current_user,
                                             upload=None if file_error else upload)
    except doc_services.DocumentError as error:
        target = getattr(form, error.field, None) if error.field else None
        (target.errors if target is not None else form.form_errors).append(str(error))
        document = None
    except files.FileRejected as error:
        file_error = str(error)
        document = None
    if file_error:
        form.file.errors.append(file_error)
    if document is None or file_error:
        session.rollback()
        return None
    session.commit()
    if document.file_withheld:
        flash(_withheld_message(document), "info")
    else:
        flash(_("%(reference)s is registered with its file.", reference=document.reference) if document.file_id
              else _("%(reference)s is registered.", reference=document.reference), "success")
    return document


def _document_form_page(form: DocumentForm, jco=None, families=()):
    chose_file = request.method == "POST" and files.has_upload(request.files.get("file"))
    return render_template(
        "documents/new.html", form=form, jco=jco, families=list(families),
        choose_again=chose_file,
        max_marking=files.max_stored_marking(),
        file_optional=permissions.is_secretariat(current_user),
    )


@bp.route("/jcos/<int:jco_id>/documents/new", methods=["GET", "POST"])
def new_jco_document(jco_id: int):
    session = get_session()
    jco = jco_or_abort(jco_id, permissions.can_add_document)
    form = DocumentForm(jco_document=True, likely_type=likely_doc_type(jco.state, request.args.get("type")))
    if form.validate_on_submit():
        document = _register(form, jco.id)
        if document is not None:
            return redirect(url_for("documents.detail", document_id=document.id))
    families = document_families(jco_documents(session, jco.id))
    return _document_form_page(form, jco=jco, families=families)


@bp.route("/documents/new", methods=["GET", "POST"])
def new_document():
    if not permissions.can_add_document(current_user, None):
        abort(403)
    form = DocumentForm(jco_document=False)
    if form.validate_on_submit():
        document = _register(form, None)
        if document is not None:
            return redirect(url_for("documents.detail", document_id=document.id))
    return _document_form_page(form)


@bp.post("/documents/<int:document_id>/file")
def attach_file(document_id: int):
    session = get_session()
    document = _document_or_abort(document_id)
    if not permissions.can_attach_file(current_user, document):
        abort(403)
    form = AttachFileForm()
    if not form.validate_on_submit() or not files.has_upload(form.file.data):
        flash(_("Choose the document's file (PDF, DOCX or ODT)."), "error")
        return redirect(url_for("documents.detail", document_id=document.id))
    with saving() as saved:
        stored = doc_services.attach_file(session, document, form.file.data, current_user)
    if saved.ok:
        flash(_("The file of %(reference)s is stored.", reference=document.reference) if stored
              else _withheld_message(document),
              "success" if stored else "info")
    return redirect(url_for("documents.detail", document_id=document_id))


def file_response(stored: StoredFile):
    """The stored bytes as a download that no browser renders in place or keeps in a cache."""
    response = send_file(
        io.BytesIO(stored.content), mimetype=stored.media_type, as_attachment=True,
        download_name=stored.filename, etag=stored.sha256, conditional=False, max_age=None,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # If a browser ever did render it, it would do so without scripts or same-origin rights.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Length"] = str(stored.size)
    return response


@bp.get("/documents/<int:document_id>/file")
def download(document_id: int):
    session = get_session()
    document = row_or_abort(Document, document_id)
    if not permissions.can_view_document_details(current_user, document):
        # Name the marking, never the title.
        abort(403, description=_("This document is marked %(marking)s and your account is not cleared "
                                 "for that level.", marking=document.marking))
    if not permissions.can_download_document(current_user, document):
        abort(404, description=_("No file is held for this document."))
    stored = session.get(StoredFile, document.file_id)
    return file_response(stored)
