"""Rounds of written comments: opening one, the round's page, and comments' attached files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from jco import permissions
from jco.accounts.models import Account
from jco.comments import services
from jco.comments.forms import CommentForm, OpenRoundForm
from jco.comments.models import Comment, CommentRound
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.documents import files
from jco.documents.models import Document, StoredFile
from jco.documents.views import file_response, too_large
from jco.operations.lifecycle import LifecycleError, Transition, available_transitions
from jco.operations.models import Jco, Organisation
from jco.operations.services import StaleEdit
from jco.web import jco_or_abort

bp = Blueprint("comments", __name__)
bp.register_error_handler(413, too_large)

CHANGED_MEANWHILE = ("Someone else changed this at the same moment. Reload the page to see the latest version; "
                     "your text is still in the form below.")


@dataclass
class RoundRow:
    round: CommentRound
    document: Document
    comments: int


def deadline_status(deadline: date, now: date) -> str:
    days = (deadline - now).days
    if days < 0:
        return "closed"
    if days == 0:
        return "last day"
    return "1 day left" if days == 1 else f"{days} days left"


def _round_form(session, jco: Jco, form: OpenRoundForm | None = None) -> OpenRoundForm:
    documents = services.documents_for_comment(session, jco)
    form = form or OpenRoundForm(prefix="round")
    form.documents = documents
    form.document_id.choices = [
        (d.id, f"{d.reference} — {permissions.document_title_for(current_user, d)}") for d in documents
    ]
    if form.document_id.data is None and documents:
        # The latest revision of the business case itself (not an addendum) is the usual choice.
        main = [d for d in documents if d.addendum is None and d.corrigendum is None] or documents
        form.document_id.data = main[-1].id
    return form


@bp.app_template_global()
def comment_rounds_of(jco: Jco) -> list[RoundRow]:
    """The JCO's rounds with their number of comments: one query whatever their number."""
    rows = get_session().execute(
        select(CommentRound, Document, func.count(Comment.id))
        .join(Document, Document.id == CommentRound.document_id)
        .outerjoin(Comment, Comment.round_id == CommentRound.id)
        .where(CommentRound.jco_id == jco.id)
        .group_by(CommentRound.id, Document.id)
        .order_by(CommentRound.deadline, CommentRound.id)
    ).all()
    return [RoundRow(r, d, n) for r, d, n in rows]


@bp.app_template_global()
def open_round_form_for(jco: Jco) -> OpenRoundForm | None:
    """The form for the JCO page, when this account may open a round and the life cycle allows one."""
    if not permissions.can_open_comment_round(current_user, jco):
        return None
    if Transition.OPEN_COMMENTS not in available_transitions(jco.state):
        return None
    form = _round_form(get_session(), jco)
    return form if form.document_id.choices else None


@bp.app_template_global()
def comment_deadline_status(deadline: date) -> str:
    return deadline_status(deadline, today())


def _attach_error(form, error) -> None:
    target = getattr(form, error.field, None) if getattr(error, "field", None) else None
    (target.errors if target is not None else form.form_errors).append(str(error))


@bp.route("/jcos/<int:jco_id>/rounds/new", methods=["GET", "POST"])
def open_round(jco_id: int):
    session = get_session()
    jco = jco_or_abort(jco_id, permissions.can_open_comment_round)
    form = _round_form(session, jco)
    if form.validate_on_submit():
        document = session.get(Document, form.document_id.data)
        try:
            round_ = services.open_round(session, jco, document, form.deadline.data, current_user)
        except (services.CommentError, LifecycleError) as error:
            session.rollback()
            _attach_error(form, error)
        except StaleDataError:
            session.rollback()
            form.form_errors.append(CHANGED_MEANWHILE)
        else:
            round_id = round_.id
            session.commit()
            flash(f"Written comments on {document.reference} are open until "
                  f"{form.deadline.data.day} {form.deadline.data:%B %Y}.", "success")
            return redirect(url_for("comments.round_detail", round_id=round_id))
    if not form.document_id.choices:
        form.form_errors.append("This operation has no document to comment on yet: upload it first.")
    return render_template("comments/open_round.html", jco=jco, form=form,
                           possible_now=Transition.OPEN_COMMENTS in available_transitions(jco.state))


def _load_round(session, round_id: int) -> CommentRound | None:
    return session.scalar(
        select(CommentRound).where(CommentRound.id == round_id).options(
            selectinload(CommentRound.jco).selectinload(Jco.participants),
            selectinload(CommentRound.document),
        )
    )


def _comment_rows(session, round_: CommentRound, organisation_id: int | None = None):
    """(comment, organisation name, author email, file name) — one query, the file's bytes left out."""
    query = (
        select(Comment, Organisation.name, Account.email, StoredFile.filename)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .outerjoin(Account, Account.id == Comment.author_id)
        .outerjoin(StoredFile, StoredFile.id == Comment.file_id)
        .where(Comment.round_id == round_.id)
        .order_by(Comment.late, Organisation.name)
    )
    if organisation_id is not None:
        query = query.where(Comment.organisation_id == organisation_id)
    return session.execute(query).all()


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def round_detail(round_id: int):
    session = get_session()
    round_ = _load_round(session, round_id)
    if round_ is None or not permissions.can_view_jco(current_user, round_.jco):
        abort(404)
    now = today()
    can_write = permissions.can_write_comment(current_user, round_)
    own_rows = _comment_rows(session, round_, current_user.organisation_id) if can_write else []
    own = own_rows[0][0] if own_rows else None
    editable = can_write and (own is None or now <= round_.deadline)
    form = CommentForm(data={"body": own.body, "version": own.version} if own else {"version": 0})
    if request.method == "POST":
        if not editable:
            abort(403, description="Your delegation's comment on this round can no longer be changed."
                   if can_write else "Your account cannot comment on this round.")
        if form.validate_on_submit():
            organisation_id = current_user.organisation_id
            try:
                services.submit_comment(
                    session, round_, organisation_id=organisation_id, author=current_user,
                    body=form.body.data or "", file=form.file.data, version=form.version.data, today=now,
                )
                session.commit()
            except services.CommentError as error:
                session.rollback()
                _attach_error(form, error)
            except StaleEdit as error:
                session.rollback()
                form.form_errors.append(str(error))
            except (IntegrityError, StaleDataError):
                session.rollback()
                form.form_errors.append(CHANGED_MEANWHILE)
            else:
                flash("Your delegation's comment has been saved." + (
                    " It arrived after the deadline and is marked late." if now > round_.deadline else ""),
                    "success")
                return redirect(url_for("comments.round_detail", round_id=round_id))
        round_ = _load_round(session, round_id)  # the rollback expired it
    all_rows = _comment_rows(session, round_) if permissions.can_see_all_comments(current_user, round_) else None
    chose_file = request.method == "POST" and files.has_upload(request.files.get("file"))
    return render_template(
        "comments/round.html",
        round=round_, jco=round_.jco, document=round_.document, own=own, own_row=own_rows[0] if own_rows else None,
        form=form if editable else None, can_write=can_write, all_rows=all_rows,
        status=deadline_status(round_.deadline, now), closed=now > round_.deadline,
        choose_again=chose_file, files_allowed=files.may_store_files_marked(round_.document.marking),
        document_visible=permissions.can_view_document_details(current_user, round_.document),
        roll=services.round_roll(session, round_),
    )


@bp.get("/comments/<int:comment_id>/file")
def comment_file(comment_id: int):
    session = get_session()
    comment = session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    round_ = _load_round(session, comment.round_id)
    if not permissions.can_see_comment(current_user, comment, round_):
        abort(403, description="Only the comment's delegation, the lead delegation, the Secretariat and managers "
                               "may open this file.")
    if not permissions.can_download_comment_file(current_user, comment, round_):
        abort(404, description="No file is attached to this comment.")
    return file_response(session.get(StoredFile, comment.file_id))
