"""What every page shares: login requirement, template helpers, error pages, health check."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

from flask import Flask, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError

from jco import permissions
from jco.core import dates
from jco.core.db import get_session
from jco.core.extensions import login_manager
from jco.core.text import N_
from jco.documents.models import Marking
from jco.operations.lifecycle import STATE_LABELS, STATE_SHORT, State
from jco.operations.models import Jco
from jco.operations.queries import load_jco
from jco.operations.services import StaleEdit
from jco.web.fragments import kept_fragment

T = TypeVar("T")
PUBLIC_ENDPOINTS = {"static", "accounts.login", "healthz", "favicon"}


def row_or_abort(model: type[T], row_id: int) -> T:
    """The row ``row_id`` of ``model``, or a 404 (what may be seen of it is the caller's question)."""
    row = get_session().get(model, row_id)
    if row is None:
        abort(404)
    return row


def jco_or_abort(jco_id: int, may: Callable[..., bool] | None = None) -> Jco:
    """The operation a page or a step is about, with its participants and lists loaded: 404 when it
    does not exist or the account may not see it; 403 when ``may(account, jco)`` says no."""
    jco = load_jco(get_session(), jco_id)
    if jco is None or not permissions.can_view_jco(current_user, jco):
        abort(404)
    if may is not None and not may(current_user, jco):
        abort(403)
    return jco


class TranslatedLabels(Mapping):
    """A dict of labels marked N_ (lifecycle's STATE_LABELS…) that gives each in the reader's language
    on lookup: templates keep writing ``STATE_SHORT[State(s)]``, and the codes stay the keys."""

    def __init__(self, labels: Mapping) -> None:
        self._labels = labels

    def __getitem__(self, key) -> str:
        return _(self._labels[key])

    def __iter__(self) -> Iterator:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)


class saving:  # noqa: N801 - read as a phrase: ``with saving(form) as saved:``
    """Run one service call, commit, and turn a refusal into words on the page.

    Inside the block the view calls the service; on leaving it the session commits. A refusal (a
    rule's Refused, a ValueError or LifecycleError from the service, a stale version, a row changed
    or taken meanwhile) rolls everything back and is shown: on ``form`` (on the field the error
    names, else ``field``, else the whole form), or flashed when there is no form. ``saved.ok`` says
    whether the change went through, so the view redirects or shows the form again.
    """

    def __init__(self, form=None, *, what: str | None = None, duplicate: str | None = None,
                 field: str | None = None) -> None:
        self.form, self.what, self.duplicate, self.field = form, what, duplicate, field
        self.ok = False

    def __enter__(self) -> saving:
        return self

    def __exit__(self, exc_type, error, _tb) -> bool:
        if error is not None:
            return self._explain(error)
        try:
            get_session().commit()
        except (IntegrityError, StaleDataError) as late:
            if not self._explain(late):
                raise
        else:
            self.ok = True
        return False

    def _explain(self, error: BaseException) -> bool:
        """Roll back and show ``error`` when it is a refusal this helper knows; False otherwise."""
        if isinstance(error, IntegrityError) and self.duplicate is None:
            return False  # not a collision this page knows how to explain: a real fault
        if not isinstance(error, (ValueError, StaleEdit, StaleDataError, IntegrityError)):
            return False
        get_session().rollback()
        if isinstance(error, StaleDataError):
            messages = [str(StaleEdit(self.what or _("This record")))]
        elif isinstance(error, IntegrityError):
            assert self.duplicate is not None  # returned above when there is none
            messages = [self.duplicate]
        else:
            messages = list(getattr(error, "messages", None) or [str(error)])
        self._show(messages, None if isinstance(error, StaleEdit) else getattr(error, "field", None) or self.field)
        return True

    def _show(self, messages: list[str], field: str | None) -> None:
        if self.form is None:
            for message in messages:
                flash(message, "error")
            return
        target = self.form[field] if field and field in self.form else None
        errors = target.errors if target is not None else self.form.form_errors
        if isinstance(errors, tuple):  # WTForms leaves a tuple on fields that were never validated
            errors = target.errors = list(errors)
        errors.extend(messages)


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = N_("Please log in to see this page.")
    login_manager.localize_callback = _
    login_manager.login_message_category = "info"

    @app.before_request
    def _require_login():
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS or getattr(app.view_functions.get(endpoint), "public", False):
            return None
        if request.blueprint == "api" or request.path.startswith("/api/"):
            return None  # the API authenticates with tokens and answers in JSON, also for unknown paths
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    app.jinja_env.globals.update(
        perm=permissions,
        State=State,
        STATE_LABELS=TranslatedLabels(STATE_LABELS),
        STATE_SHORT=TranslatedLabels(STATE_SHORT),
        Marking=Marking,
        highest_marking=highest_marking,
        kept_fragment=kept_fragment,
    )
    for name in ("long_date", "long_datetime", "short_datetime", "day_range", "time_of_day"):
        app.jinja_env.filters[name] = getattr(dates, name)

    @app.context_processor
    def _helpers():
        return {"nav_items": _nav_items(app)}

    @app.get("/favicon.ico", endpoint="favicon")
    def favicon():
        # Clients that ignore <link rel="icon"> still ask for /favicon.ico: answer, never 404.
        return redirect(url_for("static", filename="favicon.svg"), 301)

    @app.get("/healthz")
    def healthz():
        try:
            get_session().execute(text("SELECT 1"))
        except (OperationalError, PoolTimeoutError):
            _drop_session()
            return jsonify(status="unavailable", database="down"), 503, {"Retry-After": "5"}
        return jsonify(status="ok", database="ok")

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeoutError)
    def _database_down(error):
        current_app.logger.warning("Database unavailable: %s", error)
        _drop_session()
        # The page itself must not touch the database again (the navigation asks who is logged
        # in): it is rendered for an anonymous visitor, so it cannot fail a second time.
        g._login_user = login_manager.anonymous_user()
        response = _error_page(503, _("The database is not answering right now. Please try again in a moment."))
        response[0].headers["Retry-After"] = "5"
        return response

    @app.errorhandler(DataError)
    def _bad_value(error):
        # A value the database cannot hold (out of range, wrong encoding) reached a query: the
        # request was at fault. The route that let it through deserves fixing, hence the warning.
        current_app.logger.warning("Value refused by the database on %s: %s", request.path, error.orig)
        get_session().rollback()
        return _error_page(400, _("A value in the request is not valid here."))

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return _error_page(
            400,
            _("This form had expired or did not come from this site, so nothing was changed. "
              "Go back, reload the page and submit the form again."),
        )

    @app.errorhandler(StaleDataError)
    def _stale(_error):
        get_session().rollback()
        return _error_page(
            409, _("Someone else changed this record at the same moment. Reload the page and try again.")
        )

    for code, message in (
        (400, N_("The request could not be understood.")),
        (403, N_("Your account is not allowed to do this.")),
        (404, N_("There is nothing at this address.")),
        (405, N_("This address does not accept that kind of request.")),
        (413, N_("The file is larger than this system accepts.")),
        (429, N_("Too many attempts. Wait a minute and try again.")),
        (500, N_("Something went wrong on our side. Nothing you submitted was changed.")),
    ):
        app.register_error_handler(code, _handler(code, message))


def _handler(code: int, message: str):
    def handle(error):
        description = getattr(error, "description", None)
        if code in (400, 403, 404, 409, 413) and description and not description.startswith(
            ("The server", "The requested URL", "You don't", "The browser", "The method", "The data value")
        ):
            text_ = description
        else:
            text_ = _(message)
        return _error_page(code, text_)

    return handle


def _error_page(code: int, message: str):
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return jsonify(error={"status": code, "message": message}), code
    return current_app.make_response(render_template("error.html", code=code, message=message)), code


def _drop_session() -> None:
    """Forget the request's session after a database failure; closing a dead connection may fail too."""
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()
        except Exception:  # noqa: BLE001 - the connection is already broken; the pool discards it
            current_app.logger.debug("closing a broken session failed", exc_info=True)


def highest_marking(markings) -> str:
    """The highest of the given markings ('' when none), for the banner on a page."""
    return Marking.highest(markings).value


def _nav_items(app: Flask) -> list[tuple[str, str]]:
    """Navigation links, in order; areas added by later blueprints appear when they exist. The labels
    are English, marked N_: base.html translates them."""
    wanted = [
        ("mypage.my_page", N_("My page")),
        ("operations.register", N_("Register")),
        ("meetings.list_meetings", N_("Meetings")),
        ("dashboards.dashboard", N_("Dashboard")),
        ("deadlines.my_deadlines", N_("My deadlines")),
    ]
    return [(endpoint, label) for endpoint, label in wanted if endpoint in app.view_functions]
