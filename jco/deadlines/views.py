"""My deadlines, deadlines set by hand, and the calendar feeds."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from jco import permissions
from jco.core import cache, paging
from jco.core.config import base_url
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.deadlines import calendar, queries, services
from jco.deadlines.forms import ManualDeadlineForm
from jco.deadlines.models import ManualDeadline
from jco.deadlines.rules import Status
from jco.mypage import steps
from jco.web import jco_or_abort, row_or_abort, saving
from jco.web.forms import EmptyForm

bp = Blueprint("deadlines", __name__)


def _settings() -> services.Settings:
    return services.Settings.from_config(current_app.config)


# --- pages ---------------------------------------------------------------------------------------

DEADLINES_PER_PAGE = 50

@bp.get("/deadlines")
def my_deadlines():
    session, now = get_session(), today()
    show_all = request.args.get("show") == "all"
    scope = services.scope_for(current_user, services.collect_cached(session, now, _settings()))
    if scope.view == "all" and not show_all:
        shown = services.unmet_cached(session, now, _settings())  # kept with the deadlines
    else:
        shown = [d for d in scope.deadlines if show_all or (
            d.status_for(scope.organisation_id, now) if scope.organisation_id else d.status(now)) is not Status.MET]
    # Soonest first, a page at a time: on years of data the Secretariat follows thousands.
    number = paging.in_range(request.args.get("page", 1, type=int), len(shown), DEADLINES_PER_PAGE)
    page = paging.Page(shown[(number - 1) * DEADLINES_PER_PAGE:number * DEADLINES_PER_PAGE], len(shown), number,
                       DEADLINES_PER_PAGE)
    return render_template(
        "deadlines/my_deadlines.html", view=scope.view, deadlines=page.items, count=len(shown), today=now,
        groups=services.group_by_meeting(session, page.items) if scope.view == "all" else None, page=page,
        show_all=show_all, organisation_id=scope.organisation_id, action_form=EmptyForm(),
        actions=steps.deadline_actions(session, current_user, page.items, now),
    )


def _load_manual(deadline_id: int) -> ManualDeadline:
    return row_or_abort(ManualDeadline, deadline_id)


@bp.route("/deadlines/new", methods=["GET", "POST"])
def new_deadline():
    if not permissions.is_secretariat(current_user):
        abort(403)
    form = ManualDeadlineForm.for_new().offer(queries.manual_deadline_choices(get_session(), None, today()))
    if request.method == "GET":
        form.jco_id.data = request.args.get("jco", 0, type=int)
        form.meeting_id.data = request.args.get("meeting", 0, type=int)
    if form.validate_on_submit():
        with saving(form, field="title") as saved:
            row = services.create_manual_deadline(get_session(), form.details(), current_user)
        if saved.ok:
            flash(_("The deadline “%(title)s” has been set.", title=row.title), "success")
            return redirect(url_for("deadlines.my_deadlines"))
    return render_template("deadlines/edit.html", form=form, row=None)


@bp.route("/deadlines/<int:deadline_id>/edit", methods=["GET", "POST"])
def edit_deadline(deadline_id: int):
    if not permissions.is_secretariat(current_user):
        abort(403)
    row = _load_manual(deadline_id)
    form = ManualDeadlineForm.for_row(row, request.method)
    form.offer(queries.manual_deadline_choices(get_session(), row, today()))
    if form.validate_on_submit():
        with saving(form, what=_("This deadline"), field="title") as saved:
            services.update_manual_deadline(get_session(), row, form.details(), current_user,
                                            version=form.version.data)
        if saved.ok:
            flash(_("The deadline “%(title)s” has been saved.", title=row.title), "success")
            return redirect(url_for("deadlines.my_deadlines"))
        row = _load_manual(deadline_id)  # the rollback expired it
    return render_template("deadlines/edit.html", form=form, row=row)


def _manual_action(deadline_id: int, action) -> WerkzeugResponse:
    if not permissions.is_secretariat(current_user):
        abort(403)
    row = _load_manual(deadline_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with saving() as saved:
        message = action(get_session(), row)
    if saved.ok:
        flash(message, "success")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/jcos/")
                    else url_for("deadlines.my_deadlines"))


@bp.post("/deadlines/<int:deadline_id>/met")
def record_met(deadline_id: int):
    def act(session, row):
        services.record_met(session, row, current_user, today())
        return _("“%(title)s” is recorded as met today.", title=row.title)
    return _manual_action(deadline_id, act)


@bp.post("/deadlines/<int:deadline_id>/reopen")
def reopen(deadline_id: int):
    def act(session, row):
        services.reopen(session, row, current_user)
        return _("“%(title)s” is open again.", title=row.title)
    return _manual_action(deadline_id, act)


@bp.post("/deadlines/<int:deadline_id>/delete")
def delete(deadline_id: int):
    def act(session, row):
        title = row.title
        services.delete_manual_deadline(session, row, current_user)
        return _("The deadline “%(title)s” has been deleted.", title=title)
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
        scope = services.scope_for(account, [d for d in services.collect_cached(session, now, _settings())
                                             if d.due >= since])
        ctx = calendar.FeedContext(account, base_url(), now, scope.organisation_id)
        body = calendar.build(session, ctx, _("JCO Tracker — deadlines and meetings"), scope.deadlines,
                              calendar.load_meetings(session, since=since))
        session.commit()  # the SEQUENCE counters of events that changed
        return body

    # Calendar applications poll every few minutes: while nothing changed, the same bytes (jco.core.cache).
    # Keyed by what decides the feed's content for this account (account rows do not move the version).
    key = ("calendar", account.id, account.role, account.organisation_id, account.clearance, now)
    # In the account's language, whoever asks: a calendar application sends none (the cache adds it to the key).
    with force_locale(account.language or "en"):
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
    ctx = calendar.FeedContext(current_user, base_url(), now, services.scope_for(current_user, []).organisation_id)
    body = calendar.build(session, ctx, _("JCO %(title)s", title=jco.title), deadlines, calendar.load_meetings(session, jco_id=jco.id))
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
    deadlines = [d for m, group in services.group_by_meeting(session, services.collect_cached(session, now, _settings()))
                 if m is not None and m.id == meeting.id for d in group]
    ctx = calendar.FeedContext(current_user, base_url(), now, services.scope_for(current_user, []).organisation_id)
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
        flash(_("Your calendar subscription address no longer works."), "success")
    return redirect(url_for("accounts.account"))
