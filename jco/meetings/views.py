"""Meetings and their agendas; for the Secretariat, scheduling, agenda building and outcomes.

An outcome is recorded through the meetings service, which moves the JCO through its life cycle:
no view here ever changes a JCO's state itself.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jco import permissions
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.meetings import queries, services
from jco.meetings.forms import NO_JCO, AgendaItemForm, MeetingForm, MoveForm, OutcomeForm
from jco.meetings.models import AgendaItem, Meeting, Outcome
from jco.operations.lifecycle import State
from jco.operations.models import Jco
from jco.web import saving
from jco.web.forms import EmptyForm

bp = Blueprint("meetings", __name__)


@bp.app_template_filter("outcome_words")
def outcome_words(code: str | None) -> str:
    """An item's recorded outcome in the reader's language ("" when none is recorded)."""
    return _(Outcome(code).label) if code else ""


@bp.app_template_filter("purpose_words")
def purpose_words(code: str) -> str:
    """What an item is for, in the reader's language."""
    label = services.Purpose.LABELS.get(code)
    return _(label) if label else code


@bp.get("/meetings")
def list_meetings():
    rows = queries.meetings_with_item_counts(get_session())
    now = today()
    upcoming = [(m, n) for m, n in rows if m.end_date >= now]
    past = [(m, n) for m, n in rows if m.end_date < now]
    return render_template("meetings/list.html", upcoming=list(reversed(upcoming)), past=past)


def meeting_or_abort(meeting_id: int) -> Meeting:
    """The meeting with its agenda loaded, or 404. Shared with the agenda-planning pages."""
    meeting = queries.load_meeting(get_session(), meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def item_or_abort(meeting: Meeting, item_id: int) -> AgendaItem:
    """An item of this meeting's agenda, or 404 (an item of another meeting is not found here)."""
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


def _render_detail(meeting: Meeting, *, item_form: AgendaItemForm | None = None,
                   outcome_forms: dict[int, OutcomeForm] | None = None, status: int = 200):
    manage = permissions.is_secretariat(current_user)
    if manage and item_form is None:
        item_form = AgendaItemForm(formdata=None)
    if item_form is not None:
        item_form.offer(queries.jcos_for_items(get_session()))
    forms = {}
    if permissions.is_secretariat(current_user):
        for item in meeting.items:
            forms[item.id] = (outcome_forms or {}).get(item.id) or OutcomeForm(
                prefix=f"item{item.id}", formdata=None, outcome=item.outcome or "", note=item.note,
            )
    return render_template(
        "meetings/detail.html", meeting=meeting, item_form=item_form, outcome_forms=forms, purposes=services.Purpose.LABELS,
        manage_agenda=manage, today=today(),
    ), status


@bp.get("/meetings/<int:meeting_id>")
def detail(meeting_id: int):
    return _render_detail(meeting_or_abort(meeting_id))


# --- scheduling -----------------------------------------------------------------------------------

@bp.route("/meetings/new", methods=["GET", "POST"])
def create():
    if not permissions.is_secretariat(current_user):
        abort(403)
    form = MeetingForm.for_new()
    if form.validate_on_submit():
        with saving(form) as saved:
            meeting = services.create_meeting(get_session(), actor=current_user, **form.fields())
        if saved.ok:
            flash(_("%(meeting)s on %(days)s has been scheduled. Now build its agenda.",
                    meeting=meeting.display_title, days=meeting.days_label), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    if not permissions.is_secretariat(current_user):
        abort(403)
    session = get_session()
    meeting = session.get(Meeting, meeting_id) or abort(404)
    form = MeetingForm(formdata=None, obj=meeting) if request.method == "GET" else MeetingForm()
    if form.validate_on_submit():
        with saving(form, what=_("This meeting")) as saved:
            services.update_meeting(session, meeting, current_user, version=form.version.data, **form.fields())
        if saved.ok:
            flash(_("The meeting has been saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=meeting)


# --- the agenda -------------------------------------------------------------------------------------

@bp.post("/meetings/<int:meeting_id>/items")
def add_item(meeting_id: int):
    if not permissions.is_secretariat(current_user):
        abort(403)
    session = get_session()
    meeting = meeting_or_abort(meeting_id)
    form = AgendaItemForm().offer(queries.jcos_for_items(session))
    if not form.validate_on_submit():
        return _render_detail(meeting, item_form=form, status=400)
    jco = session.get(Jco, form.jco_id.data) if form.jco_id.data != NO_JCO else None
    with saving(form) as saved:
        services.add_agenda_item(session, meeting, title=form.title.data, jco=jco, purpose=form.purpose.data,
                                 references=form.references, actor=current_user)
    if not saved.ok:
        return _render_detail(meeting_or_abort(meeting_id), item_form=form, status=400)
    flash(_("“%(title)s” has been put on the agenda.", title=form.title.data.strip()), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/move")
def move_item(meeting_id: int, item_id: int):
    """The one way to reorder an agenda, from the meeting's page and from the planning page."""
    if not permissions.is_secretariat(current_user):
        abort(403)
    item = item_or_abort(meeting_or_abort(meeting_id), item_id)
    form = MoveForm()
    if form.validate_on_submit():
        with saving():
            services.move_agenda_item(get_session(), item, form.direction.data, current_user)
    else:
        flash(_("Say whether the item moves up or down."), "error")
    if form.back.data == "plan":
        return redirect(url_for("agendas.plan", meeting_id=meeting_id, _anchor=f"plan-item-{item_id}"))
    return redirect(url_for("meetings.detail", meeting_id=meeting_id, _anchor=f"item-{item_id}"))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/remove")
def remove_item(meeting_id: int, item_id: int):
    if not permissions.is_secretariat(current_user):
        abort(403)
    item = item_or_abort(meeting_or_abort(meeting_id), item_id)
    if EmptyForm().validate_on_submit():
        title = item.title
        with saving() as saved:
            services.remove_agenda_item(get_session(), item, current_user)
        if saved.ok:
            flash(_("“%(title)s” has been taken off the agenda.", title=title), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/outcome")
def record_outcome(meeting_id: int, item_id: int):
    if not permissions.is_secretariat(current_user):
        abort(403)
    meeting = meeting_or_abort(meeting_id)
    item = item_or_abort(meeting, item_id)
    form = OutcomeForm(prefix=f"item{item.id}")
    if not form.validate_on_submit():
        return _render_detail(meeting, outcome_forms={item.id: form}, status=400)  # type: ignore[dict-item]  # a loaded row
    jco, state_before = item.jco, item.jco.state if item.jco else None
    with saving(form, what=_("This operation"), field="outcome") as saved:
        services.record_outcome(get_session(), item, form.outcome.data, current_user, note=form.note.data or "",
                                then_by=form.then_by.data or None)
    if not saved.ok:
        return _render_detail(meeting_or_abort(meeting_id), outcome_forms={item_id: form}, status=409)
    outcome = _(Outcome(item.outcome).label).lower()
    if jco is not None and jco.state != state_before:
        flash(_("Outcome of “%(title)s”: %(outcome)s. JCO %(jco)s is now at “%(state)s”.", title=item.title,
                outcome=outcome, jco=jco.title, state=_(State(jco.state).label)), "success")
    else:
        flash(_("Outcome of “%(title)s”: %(outcome)s.", title=item.title, outcome=outcome), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting_id, _anchor=f"item-{item_id}"))
