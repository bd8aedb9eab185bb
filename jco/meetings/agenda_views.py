"""The Secretariat's agenda page (proposals, order, edits) and the agenda and summary exports."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from jco import permissions
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.deadlines.forms import MultiCheckboxField
from jco.meetings import agenda, exports
from jco.meetings.models import AgendaItem, Meeting
from jco.meetings.services import Purpose

bp = Blueprint("agendas", __name__)


class ConfirmProposalsForm(FlaskForm):
    proposals = MultiCheckboxField("Items due at this meeting", choices=[], validate_choice=False)
    submit = SubmitField("Put the chosen items on the agenda")


class MoveItemForm(FlaskForm):
    direction = HiddenField()


class AgendaItemForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(message="Give the item a title."),
                                             Length(max=300, message="Keep the title under 300 characters.")])
    purpose = SelectField("What it is for", choices=list(Purpose.LABELS.items()))
    submit = SubmitField("Save item")


def _meeting(meeting_id: int) -> Meeting:
    meeting = exports.load_meeting(get_session(), meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["GET", "POST"])
def plan(meeting_id: int):
    if not permissions.can_plan_agenda(current_user):
        abort(403)
    meeting = _meeting(meeting_id)
    session = get_session()
    now = today()
    proposals = agenda.propose(session, meeting, now)
    form = ConfirmProposalsForm()
    form.proposals.choices = [(p.token, p.title) for p in proposals]
    if form.validate_on_submit():
        if not form.proposals.data:
            form.proposals.errors = ["Choose at least one item to put on the agenda."]
        else:
            try:
                added = agenda.confirm(session, meeting, form.proposals.data, now, current_user)
            except agenda.AgendaError as error:
                session.rollback()
                flash(str(error), "error")
            else:
                session.commit()
                flash(f"{len(added)} item{'s' if len(added) != 1 else ''} put on the agenda.", "success")
            return redirect(url_for("agendas.plan", meeting_id=meeting.id))
    return render_template("meetings/agenda_plan.html", meeting=meeting, proposals=proposals, form=form, today=now)


@bp.post("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/move")
def move(meeting_id: int, item_id: int):
    if not permissions.can_plan_agenda(current_user):
        abort(403)
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    form = MoveItemForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    try:
        agenda.move_item(session, meeting, item, form.direction.data, current_user)
    except agenda.AgendaError as error:
        session.rollback()
        flash(str(error), "error")
    else:
        session.commit()
    return redirect(url_for("agendas.plan", meeting_id=meeting.id) + f"#plan-item-{item.id}")


@bp.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(meeting_id: int, item_id: int):
    if not permissions.can_plan_agenda(current_user):
        abort(403)
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    form = AgendaItemForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        session = get_session()
        try:
            agenda.update_item(session, item, title=form.title.data, purpose=form.purpose.data, actor=current_user)
        except agenda.AgendaError as error:
            session.rollback()
            form.title.errors = list(form.title.errors) + [str(error)]
        else:
            session.commit()
            flash("The agenda item has been saved.", "success")
            return redirect(url_for("agendas.plan", meeting_id=meeting.id) + f"#plan-item-{item.id}")
    return render_template("meetings/agenda_item_edit.html", meeting=meeting, item=item, form=form)


# --- exports -------------------------------------------------------------------------------------

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _filename(meeting: Meeting, what: str, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", meeting.display_title.lower()).strip("-")
    return f"{what}-{slug}-{meeting.start_date.isoformat()}.{fmt}"


def _send(note: exports.Note, meeting: Meeting, what: str, fmt: str) -> Response:
    body = exports.to_docx(note) if fmt == "docx" else exports.to_pdf(note)
    response = Response(body, mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(meeting, what, fmt)}"'
    return response


@bp.get("/meetings/<int:meeting_id>/agenda.<any(docx, pdf):fmt>")
def export_agenda(meeting_id: int, fmt: str):
    if not permissions.can_export_agenda(current_user):
        abort(403)
    meeting = _meeting(meeting_id)
    note = exports.agenda_note(get_session(), meeting, current_user, today())
    return _send(note, meeting, "agenda", fmt)


@bp.get("/meetings/<int:meeting_id>/summary.<any(docx, pdf):fmt>")
def export_summary(meeting_id: int, fmt: str):
    if not permissions.can_draft_summary(current_user):
        abort(403)
    meeting = _meeting(meeting_id)
    if meeting.start_date > today():
        abort(404, "There is no summary of discussions before the meeting has taken place.")
    note = exports.summary_note(get_session(), meeting, current_user, today())
    return _send(note, meeting, "summary", fmt)
