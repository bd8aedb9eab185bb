"""Rounds of written comments: opening one, the round's page, and comments' attached files."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from jco import permissions
from jco.comments import queries, services
from jco.comments.forms import CommentForm, OpenRoundForm
from jco.comments.models import Comment, CommentRound
from jco.core.dates import long_date
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.documents import files
from jco.documents.models import Document, StoredFile
from jco.documents.views import file_response, too_large
from jco.operations.lifecycle import Transition, available_transitions
from jco.web import jco_or_abort, saving

bp = Blueprint("comments", __name__)
bp.register_error_handler(413, too_large)

CHANGED_MEANWHILE = ("Someone else changed this at the same moment. Reload the page to see the latest version; "
                     "your text is still in the form below.")


@bp.route("/jcos/<int:jco_id>/rounds/new", methods=["GET", "POST"])
def open_round(jco_id: int):
    session = get_session()
    jco = jco_or_abort(jco_id, permissions.can_open_comment_round)
    form = OpenRoundForm(prefix="round").offer(services.documents_for_comment(session, jco), current_user)
    if form.validate_on_submit():
        document = session.get(Document, form.document_id.data)
        with saving(form, what="This operation") as saved:
            round_id = services.open_round(session, jco, document, form.deadline.data, current_user).id
        if saved.ok:
            flash(f"Written comments on {document.reference} are open until "
                  f"{long_date(form.deadline.data)}.", "success")
            return redirect(url_for("comments.round_detail", round_id=round_id))
    if not form.document_id.choices:
        form.form_errors.append("This operation has no document to comment on yet: upload it first.")
    return render_template("comments/open_round.html", jco=jco, form=form,
                           possible_now=Transition.OPEN_COMMENTS in available_transitions(jco.state))


def _round_or_abort(round_id: int) -> CommentRound:
    round_ = queries.load_round(get_session(), round_id)
    if round_ is None or not permissions.can_view_jco(current_user, round_.jco):
        abort(404)
    return round_


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def round_detail(round_id: int):
    session = get_session()
    round_, now = _round_or_abort(round_id), today()
    can_write = permissions.can_write_comment(current_user, round_)
    own_rows = queries.comment_rows(session, round_, current_user.organisation_id) if can_write else []
    own = own_rows[0][0] if own_rows else None
    refusal = services.comment_refusal(current_user, round_, own, now)
    form = CommentForm(data={"body": own.body, "version": own.version} if own else {"version": 0})
    if request.method == "POST":
        if refusal is not None:
            abort(403, description=str(refusal))
        if form.validate_on_submit():
            with saving(form, what="Your delegation's comment", duplicate=CHANGED_MEANWHILE) as saved:
                services.submit_comment(
                    session, round_, organisation_id=current_user.organisation_id, author=current_user,
                    body=form.body.data or "", file=form.file.data, version=form.version.data, today=now)
            if saved.ok:
                late = " It arrived after the deadline and is marked late." if now > round_.deadline else ""
                flash("Your delegation's comment has been saved." + late, "success")
                return redirect(url_for("comments.round_detail", round_id=round_id))
        round_ = _round_or_abort(round_id)  # the rollback expired it
    return _render_round(round_, None if refusal else form, own_rows, can_write, now)


def _render_round(round_: CommentRound, form: CommentForm | None, own_rows, can_write: bool, now: date):
    session = get_session()
    all_rows = queries.comment_rows(session, round_) if permissions.can_see_all_comments(current_user, round_) else None
    return render_template(
        "comments/round.html",
        round=round_, jco=round_.jco, document=round_.document, own=own_rows[0][0] if own_rows else None,
        own_row=own_rows[0] if own_rows else None, form=form, can_write=can_write, all_rows=all_rows,
        status=queries.deadline_status(round_.deadline, now), closed=now > round_.deadline,
        choose_again=request.method == "POST" and files.has_upload(request.files.get("file")),
        files_allowed=files.may_store_files_marked(round_.document.marking),
        document_visible=permissions.can_view_document_details(current_user, round_.document),
        roll=services.round_roll(session, round_),
    )


@bp.get("/comments/<int:comment_id>/file")
def comment_file(comment_id: int):
    session = get_session()
    comment = session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    round_ = queries.load_round(session, comment.round_id)
    if not permissions.can_see_comment(current_user, comment, round_):
        abort(403, description="Only the comment's delegation, the lead delegation, the Secretariat and managers "
                               "may open this file.")
    if not permissions.can_download_comment_file(current_user, comment, round_):
        abort(404, description="No file is attached to this comment.")
    return file_response(session.get(StoredFile, comment.file_id))
