"""Rounds of written comments: opening one, the round's page, and comments' attached files."""

from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jco import permissions
from jco.comments import compilation, queries, services
from jco.comments.forms import CommentForm, CommentResponseForm, OpenRoundForm, response_forms_for
from jco.comments.models import Comment, CommentRound
from jco.core.dates import long_date
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.documents import files
from jco.documents.models import Document, StoredFile
from jco.documents.views import file_response, too_large
from jco.operations.lifecycle import Transition, available_transitions
from jco.web import jco_or_abort, row_or_abort, saving

bp = Blueprint("comments", __name__)
bp.register_error_handler(413, too_large)



def changed_meanwhile() -> str:
    return _("Someone else changed this at the same moment. Reload the page to see the latest version; your text "
             "is still in the form below.")


@bp.route("/jcos/<int:jco_id>/rounds/new", methods=["GET", "POST"])
def open_round(jco_id: int):
    session = get_session()
    jco = jco_or_abort(jco_id, permissions.can_open_comment_round)
    form = OpenRoundForm(prefix="round").offer(services.documents_for_comment(session, jco), current_user)
    if form.validate_on_submit():
        document = session.get(Document, form.document_id.data)
        with saving(form, what=_("This operation")) as saved:
            round_id = services.open_round(session, jco, document, form.deadline.data, current_user).id
        if saved.ok:
            flash(_("Written comments on %(reference)s are open until %(day)s.", reference=document.reference,
                    day=long_date(form.deadline.data)), "success")
            return redirect(url_for("comments.round_detail", round_id=round_id))
    if not form.document_id.choices:
        form.form_errors.append(_("This operation has no document to comment on yet: upload it first."))
    return render_template("comments/open_round.html", jco=jco, form=form,
                           possible_now=Transition.OPEN_COMMENTS in available_transitions(jco.state))


def _round_or_abort(round_id: int) -> CommentRound:
    round_ = queries.load_round(get_session(), round_id)
    if round_ is None or not permissions.can_view_jco(current_user, round_.jco):
        abort(404)
    return round_


def _own_comment(round_: CommentRound, now: date):
    """The viewer's delegation's comment on the round, why it may not write one (or None), and the form."""
    can_write = permissions.can_write_comment(current_user, round_)
    own_rows = queries.comment_rows(get_session(), round_, current_user.organisation_id) if can_write else []
    own = own_rows[0][0] if own_rows else None
    refusal = services.comment_refusal(current_user, round_, own, now)
    form = CommentForm(data={"body": own.body, "refers_to": own.refers_to, "version": own.version} if own
                       else {"version": 0})
    return own_rows, refusal, form


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def round_detail(round_id: int):
    session = get_session()
    round_, now = _round_or_abort(round_id), today()
    own_rows, refusal, form = _own_comment(round_, now)
    if request.method == "POST":
        if refusal is not None:
            abort(403, description=str(refusal))
        if form.validate_on_submit():
            with saving(form, what=_("Your delegation's comment"), duplicate=changed_meanwhile()) as saved:
                services.submit_comment(
                    session, round_, organisation_id=current_user.organisation_id, author=current_user,
                    body=form.body.data or "", file=form.file.data, version=form.version.data, today=now,
                    refers_to=form.refers_to.data or "")
            if saved.ok:
                flash(_("Your delegation's comment has been saved. It arrived after the deadline and is marked late.")
                      if now > round_.deadline else _("Your delegation's comment has been saved."), "success")
                return redirect(url_for("comments.round_detail", round_id=round_id))
        round_ = _round_or_abort(round_id)  # the rollback expired it
    return _render_round(round_, None if refusal else form, own_rows, now)


def _render_round(round_: CommentRound, form: CommentForm | None, own_rows, now: date,
                  failed: CommentResponseForm | None = None, failed_id: int | None = None):
    session = get_session()
    all_rows = queries.comment_rows(session, round_) if permissions.can_see_all_comments(current_user, round_) else None
    shown = [row[0] for row in (all_rows if all_rows is not None else own_rows)]
    responses, presented = queries.visible_responses(session, round_, shown, current_user)
    may_respond = permissions.can_respond_to_comment(current_user, round_) and all_rows is not None
    return render_template(
        "comments/round.html",
        round=round_, jco=round_.jco, document=round_.document, own=own_rows[0][0] if own_rows else None,
        own_row=own_rows[0] if own_rows else None, form=form, all_rows=all_rows,
        can_write=permissions.can_write_comment(current_user, round_),
        author=permissions.leads_jco(current_user, round_.jco), responses=responses, presented=presented,
        response_forms=response_forms_for([c.id for c in shown], responses, failed, failed_id) if may_respond else {},
        may_export=permissions.can_export_compilation(current_user, round_),
        status=queries.deadline_status(round_.deadline, now), closed=now > round_.deadline,
        choose_again=request.method == "POST" and files.has_upload(request.files.get("file")),
        files_allowed=files.may_store_files_marked(round_.document.marking),
        document_visible=permissions.can_view_document_details(current_user, round_.document),
        roll=services.round_roll(session, round_),
    )


@bp.post("/comments/<int:comment_id>/response")
def respond(comment_id: int):
    session = get_session()
    comment = row_or_abort(Comment, comment_id)
    round_ = _round_or_abort(comment.round_id)
    if not permissions.can_respond_to_comment(current_user, round_):
        abort(403, description=_("Only the lead delegation records how comments were taken into account."))
    form = CommentResponseForm(prefix=f"response-{comment_id}")
    if form.validate_on_submit():
        with saving(form, what=_("The response to this comment")) as saved:
            services.record_response(session, comment, round_, outcome=form.outcome.data, note=form.note.data or "",
                                     actor=current_user, version=form.version.data)
        if saved.ok:
            flash(_("The response has been saved."), "success")
            return redirect(url_for("comments.round_detail", round_id=round_.id, _anchor=f"comment-{comment_id}"))
        round_ = _round_or_abort(round_.id)  # the rollback expired it
    own_rows, refusal, own_form = _own_comment(round_, today())
    return _render_round(round_, None if refusal else own_form, own_rows, today(), failed=form, failed_id=comment_id)


@bp.get("/rounds/<int:round_id>/compilation.docx")
def export_compilation(round_id: int):
    round_ = _round_or_abort(round_id)
    if not permissions.can_export_compilation(current_user, round_):
        abort(403, description=_("Only the lead delegation and the Secretariat, cleared for the document, may "
                                 "export the compilation of comments."))
    body = compilation.compilation_docx(get_session(), round_, current_user, today())
    response = send_file(io.BytesIO(body), mimetype=compilation.MEDIA_TYPE, as_attachment=True,
                         download_name=compilation.compilation_filename(round_))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/comments/<int:comment_id>/file")
def comment_file(comment_id: int):
    session = get_session()
    comment = row_or_abort(Comment, comment_id)
    round_ = queries.load_round(session, comment.round_id)
    if not permissions.can_see_comment(current_user, comment, round_):
        abort(403, description=_("Only the comment's delegation, the lead delegation, the Secretariat and managers "
                                 "may open this file."))
    if not permissions.can_download_comment_file(current_user, comment, round_):
        abort(404, description=_("No file is attached to this comment."))
    return file_response(session.get(StoredFile, comment.file_id))
