"""Meetings and their agendas; for the Secretariat, scheduling, agenda building and outcomes.

An outcome is recorded through the meetings service, which moves the JCO through its life cycle:
no view here ever changes a JCO's state itself.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from jco import permissions
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.documents.models import Document
from jco.meetings import services
from jco.meetings.forms import NO_JCO, AgendaItemForm, MeetingForm, MoveForm, OutcomeForm
from jco.meetings.models import AgendaItem, Meeting, Outcome
from jco.operations.forms import options
from jco.operations.lifecycle import STATE_SHORT, LifecycleError, State
from jco.operations.models import Jco
from jco.operations.services import StaleEdit
from jco.web.forms import EmptyForm

bp = Blueprint("meetings", __name__)


@bp.get("/meetings")
def list_meetings():
    session = get_session()
    rows = session.execute(
        select(Meeting, func.count(AgendaItem.id))
        .outerjoin(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .group_by(Meeting.id)
        .order_by(Meeting.start_date.desc())
    ).all()
    now = today()
    upcoming = [(m, n) for m, n in rows if m.end_date >= now]
    past = [(m, n) for m, n in rows if m.end_date < now]
    return render_template("meetings/list.html", upcoming=list(reversed(upcoming)), past=past)


def _load_meeting(meeting_id: int) -> Meeting:
    meeting = get_session().scalar(
        select(Meeting).where(Meeting.id == meeting_id).options(
            selectinload(Meeting.items).selectinload(AgendaItem.documents),
            selectinload(Meeting.items).selectinload(AgendaItem.jco),
        )
    )
    if meeting is None:
        abort(404)
    return meeting


def _jco_choices(session):
    rows = session.execute(select(Jco.id, Jco.name, Jco.edition, Jco.state).order_by(Jco.name, Jco.edition)).all()
    return options([(NO_JCO, "— none —")] + [
        (jco_id, f"{f'{name} {edition}'.strip()} ({STATE_SHORT[State(state)].lower()})")
        for jco_id, name, edition, state in rows
    ])


def _render_detail(meeting: Meeting, *, item_form: AgendaItemForm | None = None,
                   outcome_forms: dict[int, OutcomeForm] | None = None, status: int = 200):
    session = get_session()
    manage = permissions.can_manage_agenda(current_user)
    if manage and item_form is None:
        item_form = AgendaItemForm(formdata=None)
    if item_form is not None:
        item_form.jco_id.choices = _jco_choices(session)
    forms = {}
    if permissions.can_record_outcome(current_user):
        for item in meeting.items:
            forms[item.id] = (outcome_forms or {}).get(item.id) or OutcomeForm(
                prefix=f"item{item.id}", formdata=None, outcome=item.outcome or "", note=item.note,
            )
    return render_template(
        "meetings/detail.html", meeting=meeting, item_form=item_form, outcome_forms=forms, purposes=services.Purpose.LABELS,
        manage_agenda=manage,
    ), status


@bp.get("/meetings/<int:meeting_id>")
def detail(meeting_id: int):
    return _render_detail(_load_meeting(meeting_id))


# --- scheduling -----------------------------------------------------------------------------------

def _meeting_fields(form: MeetingForm) -> dict:
    return {
        "body": form.body.data,
        "title": (form.title.data or "").strip(),
        "start_date": form.start_date.data,
        "end_date": form.end_date.data or form.start_date.data,
        "start_time": form.start_time.data,
        "end_time": form.end_time.data,
        "place": (form.place.data or "").strip(),
        "notice_reference": form.notice_reference.data or "",
        "agenda_marking": form.export_marking("agenda_marking"),
        "summary_marking": form.export_marking("summary_marking"),
    }


@bp.route("/meetings/new", methods=["GET", "POST"])
def create():
    if not permissions.can_manage_meetings(current_user):
        abort(403)
    form = MeetingForm()
    if form.validate_on_submit():
        session = get_session()
        fields = _meeting_fields(form)
        try:
            meeting = services.create_meeting(session, actor=current_user, **fields)
            session.commit()
        except ValueError as error:
            session.rollback()
            form.form_errors.append(str(error))
        else:
            flash(f"{meeting.display_title} on {meeting.days_label} has been scheduled. Now build its agenda.",
                  "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    if not permissions.can_edit_meeting(current_user):
        abort(403)
    session = get_session()
    meeting = session.get(Meeting, meeting_id) or abort(404)
    form = MeetingForm(formdata=None, obj=meeting) if request.method == "GET" else MeetingForm()
    if form.validate_on_submit():
        try:
            services.update_meeting(session, meeting, current_user, version=form.version.data, **_meeting_fields(form))
            session.commit()
        except (StaleEdit, StaleDataError) as error:
            session.rollback()
            form.form_errors.append(str(error) if isinstance(error, StaleEdit) else str(StaleEdit("This meeting")))
        except ValueError as error:
            session.rollback()
            form.form_errors.append(str(error))
        else:
            flash("The meeting has been saved.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=meeting)


# --- the agenda -------------------------------------------------------------------------------------

def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.post("/meetings/<int:meeting_id>/items")
def add_item(meeting_id: int):
    if not permissions.can_manage_agenda(current_user):
        abort(403)
    session = get_session()
    meeting = _load_meeting(meeting_id)
    form = AgendaItemForm()
    form.jco_id.choices = _jco_choices(session)
    if not form.validate_on_submit():
        return _render_detail(meeting, item_form=form, status=400)
    wanted = form.references
    documents = {d.reference: d for d in session.scalars(select(Document).where(Document.reference.in_(wanted)))} \
        if wanted else {}
    missing = [ref for ref in wanted if ref not in documents]
    if missing:
        form.documents.errors = [
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not registered. "
            "Register the document first, or correct the reference."
        ]
        return _render_detail(meeting, item_form=form, status=400)
    jco = session.get(Jco, form.jco_id.data) if form.jco_id.data != NO_JCO else None
    foreign = [ref for ref in wanted if jco and documents[ref].jco_id not in (None, jco.id)]
    if foreign:
        form.documents.errors = [f"{', '.join(foreign)} belong{'s' if len(foreign) == 1 else ''} to another operation."]
        return _render_detail(meeting, item_form=form, status=400)
    services.add_agenda_item(session, meeting, title=form.title.data, jco=jco, purpose=form.purpose.data,
                             documents=[documents[ref] for ref in wanted], actor=current_user)
    session.commit()
    flash(f"“{form.title.data.strip()}” has been put on the agenda.", "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/move")
def move_item(meeting_id: int, item_id: int):
    if not permissions.can_manage_agenda(current_user):
        abort(403)
    session = get_session()
    meeting = _load_meeting(meeting_id)
    item = _item(meeting, item_id)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            services.move_agenda_item(session, item, form.direction.data, current_user)
            session.commit()
        except ValueError as error:
            session.rollback()
            flash(str(error), "error")
    else:
        flash("Say whether the item moves up or down.", "error")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/remove")
def remove_item(meeting_id: int, item_id: int):
    if not permissions.can_manage_agenda(current_user):
        abort(403)
    session = get_session()
    meeting = _load_meeting(meeting_id)
    item = _item(meeting, item_id)
    if EmptyForm().validate_on_submit():
        title = item.title
        try:
            services.remove_agenda_item(session, item, current_user)
            session.commit()
        except ValueError as error:
            session.rollback()
            flash(str(error), "error")
        else:
            flash(f"“{title}” has been taken off the agenda.", "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/outcome")
def record_outcome(meeting_id: int, item_id: int):
    if not permissions.can_record_outcome(current_user):
        abort(403)
    session = get_session()
    meeting = _load_meeting(meeting_id)
    item = _item(meeting, item_id)
    form = OutcomeForm(prefix=f"item{item.id}")
    if not form.validate_on_submit():
        return _render_detail(meeting, outcome_forms={item.id: form}, status=400)
    jco = item.jco
    state_before = jco.state if jco else None
    try:
        services.record_outcome(session, item, form.outcome.data, current_user, note=form.note.data or "",
                                then_by=form.then_by.data or None)
        session.commit()
    except (LifecycleError, StaleDataError) as error:
        session.rollback()
        form.outcome.errors = [str(error) if isinstance(error, LifecycleError) else
                               "Someone else changed this operation at the same moment. Try again."]
        return _render_detail(_load_meeting(meeting_id), outcome_forms={item_id: form}, status=409)
    message = f"Outcome of “{item.title}”: {Outcome(item.outcome).label.lower()}."
    if jco is not None and jco.state != state_before:
        message += f" JCO {jco.title} is now at “{State(jco.state).label}”."
    flash(message, "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id, _anchor=f"item-{item.id}"))
