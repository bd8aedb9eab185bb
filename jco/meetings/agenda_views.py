"""The Secretariat's agenda page (proposals, order, edits) and the agenda and summary exports.

Moving an item is the meetings blueprint's one route (meetings.move_item), reached from here too.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from jco import permissions
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.documents.models import Document
from jco.meetings import agenda, exports, requests, services
from jco.meetings.forms import AgendaItemEditForm, AgendaRequestForm, ConfirmProposalsForm, DeclineRequestForm
from jco.meetings.models import AgendaRequest, Meeting
from jco.meetings.views import item_or_abort, meeting_or_abort
from jco.web import jco_or_abort, saving
from jco.web.forms import EmptyForm

bp = Blueprint("agendas", __name__)
bp.add_app_template_global(requests.state_words, "request_state_words")


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
            flash(ngettext("%(num)d item put on the agenda.", "%(num)d items put on the agenda.", len(added)),
                  "success")
        return redirect(url_for("agendas.plan", meeting_id=meeting_id))
    return render_template("meetings/agenda_plan.html", meeting=meeting, proposals=proposals, form=form, today=now,
                           requests=requests.open_requests_for_meeting(session, meeting_id))


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
            flash(_("The agenda item has been saved."), "success")
            return redirect(url_for("agendas.plan", meeting_id=meeting_id, _anchor=f"plan-item-{item_id}"))
    return render_template("meetings/agenda_item_edit.html", meeting=meeting, item=item, form=form)


# --- agenda requests ------------------------------------------------------------------------------
# Every rule is jco.meetings.requests'; a refusal is flashed in its words and changes nothing.

def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


@bp.post("/jcos/<int:jco_id>/agenda-requests")
def ask(jco_id: int):
    jco = jco_or_abort(jco_id)
    form = AgendaRequestForm()
    if form.validate_on_submit():
        session = get_session()
        meeting = session.get(Meeting, form.meeting_id.data) if form.meeting_id.data else None
        document = session.get(Document, form.document_id.data) if form.document_id.data else None
        with saving(duplicate=_("A request for this document at this meeting is already waiting for the "
                                "Secretariat's answer.")) as saved:
            requests.ask(session, current_user, jco, meeting=meeting, document=document, note=form.note.data or "",
                         today=today())
        if saved.ok:
            flash(_("Your request has been sent to the Secretariat; you will read its answer here and on My page."),
                  "success")
    else:
        _flash_form_errors(form)
    return redirect(url_for("operations.detail", jco_id=jco.id, _anchor="agenda-requests-h"))


def _request_or_abort(request_id: int, meeting_id: int | None = None) -> AgendaRequest:
    found = requests.load_request(get_session(), request_id)
    if found is None or (meeting_id is not None and found.meeting_id != meeting_id):
        abort(404)
    return found


@bp.post("/agenda-requests/<int:request_id>/withdraw")
def withdraw_request(request_id: int):
    found = _request_or_abort(request_id)
    jco_or_abort(found.jco_id, permissions.can_view_agenda_requests)
    if EmptyForm().validate_on_submit():
        with saving() as saved:
            requests.withdraw(get_session(), found, current_user)
        if saved.ok:
            flash(_("Your request has been withdrawn."), "success")
    return redirect(url_for("operations.detail", jco_id=found.jco_id, _anchor="agenda-requests-h"))


@bp.post("/meetings/<int:meeting_id>/agenda/requests/<int:request_id>/accept")
def accept_request(meeting_id: int, request_id: int):
    if not permissions.can_answer_agenda_requests(current_user):
        abort(403)
    found = _request_or_abort(request_id, meeting_id)
    if EmptyForm().validate_on_submit():
        with saving() as saved:
            item = requests.accept(get_session(), found, current_user, today=today())
        if saved.ok:
            flash(_("Request accepted: “%(title)s” is on the agenda; the lead delegation is told.", title=item.title),
                  "success")
    return redirect(url_for("agendas.plan", meeting_id=meeting_id, _anchor="requests-h"))


@bp.post("/meetings/<int:meeting_id>/agenda/requests/<int:request_id>/decline")
def decline_request(meeting_id: int, request_id: int):
    if not permissions.can_answer_agenda_requests(current_user):
        abort(403)
    found = _request_or_abort(request_id, meeting_id)
    form = DeclineRequestForm()
    if form.validate_on_submit():
        with saving() as saved:
            requests.decline(get_session(), found, current_user, reason=form.reason.data or "")
        if saved.ok:
            flash(_("Request declined; the lead delegation is told the reason."), "success")
    else:
        _flash_form_errors(form)
    return redirect(url_for("agendas.plan", meeting_id=meeting_id, _anchor="requests-h"))


# --- exports -------------------------------------------------------------------------------------

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _filename(meeting: Meeting, what: str, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", meeting.logged_title.lower()).strip("-")
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
        abort(404, _("There is no summary of discussions before the meeting has taken place."))
    note = exports.summary_note(get_session(), meeting, current_user, today())
    return _send(note, meeting, "summary", fmt)
