"""The dashboard, each chart's table as CSV/XLSX, and the participant map of a JCO page."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from cachetools import LRUCache
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import format_decimal, format_number
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlmodel import Session

from jco import permissions
from jco.core import cache
from jco.core.db import get_session
from jco.core.i18n import current_language
from jco.core.text import N_
from jco.core.timeutil import today as today_
from jco.dashboards import figures, queries
from jco.dashboards.board import board_html
from jco.dashboards.queries import Scope
from jco.deadlines.services import Settings
from jco.operations.exports import table_response
from jco.operations.lifecycle import State
from jco.operations.models import JcoKind
from jco.operations.queries import RegisterFilters, filter_options, lead_choices

bp = Blueprint("dashboards", __name__)

WITHHELD_NOTE = N_("Results reported in documents marked above your clearance are not counted.")


def _withheld_note(scope: Scope) -> str:
    return _(WITHHELD_NOTE) if scope.withheld_markings else ""


def _timeline(session: Session, scope: Scope, today: date) -> figures.Chart:
    rows, total = queries.timeline_rows(session, scope, today=today)
    return figures.timeline_chart(rows, total, today, queries.TIMELINE_LIMIT, wide=scope.wide_timeline)


# One entry per chart, in page order; each costs one query, so a page's count is fixed.
CHARTS: dict[str, Callable[[Session, Scope, date], figures.Chart]] = {
    "pipeline": lambda session, scope, today: figures.pipeline_chart(queries.pipeline_counts(session, scope)),
    "timeline": _timeline,
    "participation": lambda session, scope, today: figures.participation_chart(
        queries.participation_counts(session, scope)),
    "deadlines": lambda session, scope, today: figures.deadlines_chart(
        queries.deadline_counts(session, scope.filters, today=today, version=scope.version)),
    "results-by-commodity": lambda session, scope, today: figures.results_commodity_chart(
        queries.results_by_commodity_year(session, scope), _withheld_note(scope)),
    "results-by-country": lambda session, scope, today: figures.results_country_chart(
        queries.results_by_country(session, scope), _withheld_note(scope)),
}


def _chart(session: Session, name: str, scope: Scope, today: date, version: int | None = None) -> figures.Chart:
    """One chart, from the cache while the data has not changed (jco.core.cache). The key holds every
    filter and the markings withheld from this viewer, so no one is served a figure computed
    for a higher clearance."""
    f = scope.filters
    key = ("dashboard", name, *f.key, scope.withheld_markings, scope.wide_timeline and name == "timeline", today)
    return cache.cached(session, key, lambda: CHARTS[name](session, scope, today), version=version)


def chart_sections(charts: list[figures.Chart], filter_args: dict, wide_timeline: bool, board_all: bool) -> list[Markup]:
    """Each chart's section as HTML, kept while what it shows is the same: a write moves the data
    version, and most charts come out of their computation unchanged (a comment changes no
    pipeline), so rendering their tables again — about half of a dashboard view — is skipped."""
    kept, lock = current_app.extensions.setdefault("jco_chart_html", (LRUCache(maxsize=256), threading.Lock()))
    links = (tuple(sorted(filter_args.items())), wide_timeline, board_all, current_language())
    sections = []
    for chart in charts:
        table = chart.table
        digest = hashlib.blake2b(repr((
            chart.slug, chart.title, chart.note, chart.figure_json, chart.beside, chart.beside_heading, chart.region,
            table.caption, table.columns, table.shown, table.note, sorted(table.numeric),
        )).encode(), digest_size=16).digest()
        key = (digest, links)
        with lock:
            html = kept.get(key)
        if html is None:
            html = Markup(render_template("dashboards/_chart_section.html", chart=chart, filter_args=filter_args,
                                          wide_timeline=wide_timeline, board_all=board_all))
            with lock:
                kept[key] = html
        sections.append(html)
    return sections


def _scope() -> Scope:
    return Scope(RegisterFilters.from_args(request.args), permissions.markings_withheld_from(current_user),
                 wide_timeline=request.args.get("timeline") == "all")


@bp.get("/dashboard")
def dashboard():
    if not permissions.can_view_dashboard(current_user):
        abort(403)
    session, today = get_session(), today_()
    version = cache.current_version(session)
    scope = replace(_scope(), version=version)
    charts = [_chart(session, name, scope, today, version) for name in CHARTS]
    board_all = request.args.get("closed") == "1"
    filter_args = scope.filters.as_args(sort=None, page=1)
    return render_template(
        "dashboards/dashboard.html",
        chart_html=chart_sections(charts, filter_args, scope.wide_timeline, board_all),
        board_html=board_html(session, today, Settings.from_config(current_app.config),
                              include_closed=board_all, version=version),
        board_all=board_all,
        charts=charts,
        filters=scope.filters,
        filter_args=filter_args,
        wide_timeline=scope.wide_timeline,
        total=sum(row[1] for row in charts[0].table.rows),
        options=(options := filter_options(session, version)),
        lead_choices=lead_choices(options),
        states=list(State), kinds=list(JcoKind),
    )


@bp.get("/dashboard/<chart>.<any(csv, xlsx):fmt>")
def chart_table(chart: str, fmt: str):
    if not permissions.can_view_dashboard(current_user):
        abort(403)
    if chart not in CHARTS:
        abort(404, _("There is no chart called “%(chart)s” on the dashboard.", chart=chart))
    table = _chart(get_session(), chart, _scope(), today_()).table
    return table_response(table.rows, table.columns, f"jco-dashboard-{chart}", fmt)


@bp.app_template_global("participant_map")
def participant_map(jco, participants) -> figures.ParticipantMap | None:
    """The JCO page's map, from the participants the page has loaded already (no query). The page
    renders it inside a kept fragment, once per data version and language (jco.web.fragments)."""
    return figures.participant_map(
        jco.title, [(p.organisation.name, p.organisation.kind, p.organisation.iso3, p.role) for p in participants])


@bp.app_template_filter("table_cell")
def table_cell(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return format_number(value) if abs(value) >= 10000 else str(value)
    if isinstance(value, float):
        return format_decimal(value, format="#,##0.##")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
