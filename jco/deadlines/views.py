"""My deadlines, deadlines set by hand, and the calendar feeds."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from jco import permissions
from jco.core import cache
from jco.core.config import base_url
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.deadlines import calendar, services
from jco.deadlines.forms import ManualDeadlineForm
from jco.deadlines.models import ManualDeadline
from jco.deadlines.rules import Status
from jco.meetings.models import Meeting
from jco.operations.lifecycle import OPEN_STATES
from jco.operations.models import Jco, Organisation, OrgKind, Participant
from jco.operations.services import StaleEdit
from jco.web import jco_or_abort
from jco.web.forms import EmptyForm

bp = Blueprint("deadlines", __name__)


def _settings() -> services.Settings:
    return services.Settings.from_config(current_app.config)


def _organisation_id(user) -> int | None:
    """The delegation whose share of a deadline this account sees (None: the whole deadline)."""
    if permissions.is_delegate(user):
        return user.organisation_id
    return None


@bp.app_template_global()
def jco_deadlines(jco: Jco):
    """The deadlines of one operation, for its page (a fixed number of queries)."""
    return services.collect(get_session(), today(), _settings(), jco_id=jco.id)


@bp.app_template_global()
def today_date():
    return today()


# --- pages ---------------------------------------------------------------------------------------

@bp.get("/deadlines")
def my_deadlines():
    session = get_session()
    now = today()
    show_all = request.args.get("show") == "all"
    deadlines = services.collect(session, now, _settings())
    organisation_id = _organisation_id(current_user)
    if permissions.can_view_all_deadlines(current_user):
        shown = [d for d in deadlines if show_all or d.status(now) is not Status.MET]
        return render_template(
            "deadlines/my_deadlines.html", view="all", groups=services.group_by_meeting(session, shown),
            count=len(shown), today=now, show_all=show_all, organisation_id=None, action_form=EmptyForm(),
        )
    if organisation_id is not None:
        own = [d for d in services.owed_by(deadlines, organisation_id)
               if show_all or d.status_for(organisation_id, now) is not Status.MET]
        return render_template(
            "deadlines/my_deadlines.html", view="delegation", deadlines=own, count=len(own), today=now,
            show_all=show_all, organisation_id=organisation_id, action_form=EmptyForm(),
        )
    return render_template("deadlines/my_deadlines.html", view="none", today=now, show_all=show_all, count=0,
                           organisation_id=None, action_form=EmptyForm())


def _load_manual(deadline_id: int) -> ManualDeadline:
    row = get_session().get(ManualDeadline, deadline_id)
    if row is None:
        abort(404)
    return row


def _choices(form: ManualDeadlineForm, row: ManualDeadline | None) -> None:
    """Member States, bodies and every organisation that takes part in an operation; open
    operations; meetings from a month ago on — plus whatever the deadline already points at."""
    session = get_session()
    now = today()
    current_owner_ids = {o.id for o in row.owners} if row else set()
    taking_part = set(session.scalars(select(Participant.organisation_id).distinct()))
    candidates = session.scalars(
        select(Organisation).where(or_(
            Organisation.kind == OrgKind.BODY,
            Organisation.eu_member_from.is_not(None),
            Organisation.id.in_(taking_part | current_owner_ids or {-1}),
        ), Organisation.code != "GSC").order_by(Organisation.kind.desc(), Organisation.name)
    ).all()
    form.owners.choices = [
        (o.id, f"{o.name} ({o.code})") for o in candidates
        if o.is_body or o.is_member_state_on(now) or o.id in taking_part or o.id in current_owner_ids
    ]
    jcos = session.scalars(
        select(Jco).where(or_(Jco.state.in_([s.value for s in OPEN_STATES]), Jco.id == (row.jco_id if row else -1)))
        .order_by(Jco.name, Jco.edition)
    ).all()
    form.jco_id.choices = [(0, "— none —")] + [(j.id, f"JCO {j.title}") for j in jcos]
    meetings = session.scalars(
        select(Meeting).where(or_(Meeting.start_date >= now - timedelta(days=31),
                                  Meeting.id == (row.meeting_id if row else -1)))
        .order_by(Meeting.start_date)
    ).all()
    form.meeting_id.choices = [(0, "— none —")] + [(m.id, f"{m.display_title}, {m.days_label}") for m in meetings]


def _details(form: ManualDeadlineForm) -> services.ManualDetails:
    return services.ManualDetails(
        title=form.title.data or "", due_date=form.due_date.data, owner_ids=list(form.owners.data or []),
        owed_by_secretariat=bool(form.owed_by_secretariat.data), jco_id=form.jco_id.data or None,
        meeting_id=form.meeting_id.data or None, note=form.note.data or "",
    )


@bp.route("/deadlines/new", methods=["GET", "POST"])
def new_deadline():
    if not permissions.can_manage_deadlines(current_user):
        abort(403)
    form = ManualDeadlineForm()
    if request.method == "GET":
        form.jco_id.data = request.args.get("jco", 0, type=int)
        form.meeting_id.data = request.args.get("meeting", 0, type=int)
    _choices(form, None)
    if form.validate_on_submit():
        session = get_session()
        try:
            row = services.create_manual_deadline(session, _details(form), current_user)
        except services.DeadlineError as error:
            session.rollback()
            form.title.errors = list(form.title.errors) + [str(error)]
        else:
            session.commit()
            flash(f"The deadline “{row.title}” has been set.", "success")
            return redirect(url_for("deadlines.my_deadlines"))
    return render_template("deadlines/edit.html", form=form, row=None)


@bp.route("/deadlines/<int:deadline_id>/edit", methods=["GET", "POST"])
def edit_deadline(deadline_id: int):
    if not permissions.can_manage_deadlines(current_user):
        abort(403)
    row = _load_manual(deadline_id)
    form = ManualDeadlineForm(obj=row if request.method == "GET" else None)
    if request.method == "GET":
        form.owners.data = [o.id for o in row.owners]
        form.jco_id.data = row.jco_id or 0
        form.meeting_id.data = row.meeting_id or 0
        form.version.data = row.version
    _choices(form, row)
    if form.validate_on_submit():
        session = get_session()
        try:
            services.update_manual_deadline(session, row, _details(form), current_user, version=form.version.data)
        except (services.DeadlineError, StaleEdit) as error:
            session.rollback()
            row = _load_manual(deadline_id)
            form.title.errors = list(form.title.errors) + [str(error)]
        else:
            session.commit()
            flash(f"The deadline “{row.title}” has been saved.", "success")
            return redirect(url_for("deadlines.my_deadlines"))
    return render_template("deadlines/edit.html", form=form, row=row)


def _manual_action(deadline_id: int, action) -> Response:
    if not permissions.can_manage_deadlines(current_user):
        abort(403)
    row = _load_manual(deadline_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    try:
        message = action(session, row)
    except services.DeadlineError as error:
        session.rollback()
        flash(str(error), "error")
    else:
        session.commit()
        flash(message, "success")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/jcos/")
                    else url_for("deadlines.my_deadlines"))


@bp.post("/deadlines/<int:deadline_id>/met")
def record_met(deadline_id: int):
    def act(session, row):
        services.record_met(session, row, current_user, today())
        return f"“{row.title}” is recorded as met today."
    return _manual_action(deadline_id, act)


@bp.post("/deadlines/<int:deadline_id>/reopen")
def reopen(deadline_id: int):
    def act(session, row):
        services.reopen(session, row, current_user)
        return f"“{row.title}” is open again."
    return _manual_action(deadline_id, act)


@bp.post("/deadlines/<int:deadline_id>/delete")
def delete(deadline_id: int):
    def act(session, row):
        title = row.title
        services.delete_manual_deadline(session, row, current_user)
        return f"The deadline “{title}” has been deleted."
    return _manual_action(deadline_id, act)


# --- calendar feeds ------------------------------------------------------------------------------

def _ics(body: bytes, filename: str, *, attachment: bool) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _account_feed(account, *, attachment: bool) -> Response:
    session = get_session()
    now = today()

    def build() -> bytes:
        # A subscribed calendar looks ahead: what lies further back than the window stays on the pages.
        since = now - timedelta(days=current_app.config["JCO_CALENDAR_PAST_DAYS"])
        deadlines = [d for d in services.collect(session, now, _settings()) if d.due >= since]
        organisation_id = _organisation_id(account)
        if permissions.can_view_all_deadlines(account):
            organisation_id = None  # every deadline, each shown as a whole
        elif organisation_id is not None:
            deadlines = services.owed_by(deadlines, organisation_id)
        else:
            deadlines = []
        ctx = calendar.FeedContext(account, base_url(), now, organisation_id)
        body = calendar.build(session, ctx, "JCO Tracker — deadlines and meetings", deadlines,
                              calendar.load_meetings(session, since=since))
        session.commit()  # the SEQUENCE counters of events that changed
        return body

    # Calendar applications poll every few minutes: while nothing changed, the same bytes (jco.core.cache).
    # Keyed by what decides the feed's content for this account (account rows do not move the version).
    key = ("calendar", account.id, account.role, account.organisation_id, account.clearance, now)
    body = cache.cached(session, key, build)
    return _ics(body, "jco-deadlines.ics", attachment=attachment)


@bp.get("/calendar.ics")
def my_calendar():
    return _account_feed(current_user, attachment=True)


@bp.get("/calendar/<token>.ics")
def subscribed_calendar(token: str):
    """Polled by calendar applications, which carry no session: the secret token is the key."""
    account = calendar.account_for_token(get_session(), token)
    if account is None:
        abort(404)
    return _account_feed(account, attachment=False)


subscribed_calendar.public = True


@bp.get("/jcos/<int:jco_id>/calendar.ics")
def jco_calendar(jco_id: int):
    session = get_session()
    jco = jco_or_abort(jco_id)
    now = today()
    deadlines = services.collect(session, now, _settings(), jco_id=jco.id)
    ctx = calendar.FeedContext(current_user, base_url(), now, _organisation_id(current_user))
    body = calendar.build(session, ctx, f"JCO {jco.title}", deadlines, calendar.load_meetings(session, jco_id=jco.id))
    session.commit()
    return _ics(body, f"jco-{jco.id}.ics", attachment=True)


@bp.get("/meetings/<int:meeting_id>/calendar.ics")
def meeting_calendar(meeting_id: int):
    session = get_session()
    meetings = calendar.load_meetings(session, meeting_id=meeting_id)
    if not meetings:
        abort(404)
    meeting = meetings[0]
    now = today()
    deadlines = [d for m, group in services.group_by_meeting(session, services.collect(session, now, _settings()))
                 if m is not None and m.id == meeting.id for d in group]
    ctx = calendar.FeedContext(current_user, base_url(), now, _organisation_id(current_user))
    body = calendar.build(session, ctx, f"{meeting.display_title}, {meeting.days_label}", deadlines, meetings)
    session.commit()
    return _ics(body, f"meeting-{meeting.id}.ics", attachment=True)


@bp.post("/account/calendar")
def issue_calendar_token():
    """Create or renew the subscription address and show it once, in this response only."""
    if not permissions.can_subscribe_calendar(current_user):
        abort(403)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    renewed = current_user.calendar_token_hash is not None
    token = calendar.issue_token(session, current_user)
    session.commit()
    address = f"{base_url()}{url_for('deadlines.subscribed_calendar', token=token)}"
    return render_template("deadlines/calendar_token.html", address=address, renewed=renewed)


@bp.post("/account/calendar/revoke")
def revoke_calendar_token():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    if calendar.revoke_token(session, current_user):
        session.commit()
        flash("Your calendar subscription address no longer works.", "success")
    return redirect(url_for("accounts.account"))
