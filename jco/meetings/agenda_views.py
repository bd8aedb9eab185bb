"""The Secretariat's agenda page (proposals, order, edits) and the agenda and summary exports.

Moving an item is the meetings blueprint's one route (meetings.move_item), reached from here too.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from jco import permissions
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.meetings import agenda, exports, services
from jco.meetings.forms import AgendaItemEditForm, ConfirmProposalsForm
from jco.meetings.models import Meeting
from jco.meetings.views import item_or_abort, meeting_or_abort
from jco.web import saving

bp = Blueprint("agendas", __name__)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["GET", "POST"])
def plan(meeting_id: int):
    if not permissions.is_secretariat(current_user):
        abort(403)
    meeting = meeting_or_abort(meeting_id)
    session, now = get_session(), today()
    proposals = agenda.propose(session, meeting, now)
    form = ConfirmProposalsForm()
    form.proposals.choices = [(p.token, p.title) for p in proposals]
    if form.validate_on_submit():
        with saving() as saved:
            added = agenda.confirm(session, meeting, form.proposals.data, now, current_user)
        if saved.ok:
            flash(f"{len(added)} item{'s' if len(added) != 1 else ''} put on the agenda.", "success")
        return redirect(url_for("agendas.plan", meeting_id=meeting_id))
    return render_template("meetings/agenda_plan.html", meeting=meeting, proposals=proposals, form=form, today=now)


@bp.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(meeting_id: int, item_id: int):
    if not permissions.is_secretariat(current_user):
        abort(403)
    meeting = meeting_or_abort(meeting_id)
    item = item_or_abort(meeting, item_id)
    form = AgendaItemEditForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        with saving(form, field="title") as saved:
            services.update_agenda_item(get_session(), item, title=form.title.data, purpose=form.purpose.data,
                                        actor=current_user)
        if saved.ok:
            flash("The agenda item has been saved.", "success")
            return redirect(url_for("agendas.plan", meeting_id=meeting_id, _anchor=f"plan-item-{item_id}"))
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
    meeting = meeting_or_abort(meeting_id)
    note = exports.agenda_note(get_session(), meeting, current_user, today())
    return _send(note, meeting, "agenda", fmt)


@bp.get("/meetings/<int:meeting_id>/summary.<any(docx, pdf):fmt>")
def export_summary(meeting_id: int, fmt: str):
    if not permissions.is_secretariat(current_user):
        abort(403)
    meeting = meeting_or_abort(meeting_id)
    if meeting.start_date > today():
        abort(404, "There is no summary of discussions before the meeting has taken place.")
    note = exports.summary_note(get_session(), meeting, current_user, today())
    return _send(note, meeting, "summary", fmt)
