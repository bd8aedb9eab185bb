"""Figures (plain plotly dicts) and their text alternatives, built from the aggregates.

Pure module: no Flask, no database. Every chart comes with a :class:`Table` of the same numbers
(shown under the chart, and downloadable), and a title that says what it shows. Figures are
plain dicts, so no plotly template (10 KB a figure) travels with them; the tests validate them
against plotly's schema.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from typing import Any

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from plotly.colors import sample_colorscale

from jco.core.i18n import current_language
from jco.dashboards.queries import (
    CommodityYearRow,
    CountryResultRow,
    DeadlineRow,
    ParticipationRow,
    TimelineRow,
)
from jco.operations.lifecycle import STATE_SHORT, State
from jco.operations.models import OrgKind, ResultSource, Role, local_org_name
from jco.operations.reference_data import EU_MEMBER_STATES_ISO3
from jco.web.charts_assets import TOPOJSON_DIR, figure_json, geo_layout

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif'

# Okabe & Ito's palette, made to stay distinct with every common colour-vision deficiency.
ORANGE, SKY_BLUE, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, GREY = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
)
ROLE_COLOURS = {Role.LEAD: BLUE, Role.CO_LEAD: ORANGE, Role.PARTICIPANT: GREEN, Role.OBSERVER: PURPLE}
ROLE_ORDER = (Role.LEAD, Role.CO_LEAD, Role.PARTICIPANT, Role.OBSERVER)
# Single-hue ramps (ColorBrewer Blues, Oranges): read by lightness, so safe without colour vision.
BLUES = ["#9ecae1", "#4292c6", "#2171b5", "#08519c", "#08306b"]
ORANGES = ["#fdae6b", "#fd8d3c", "#e6550d", "#a63603", "#7f2704"]

# Countries whose whole territory the "europe" view frames (EU-27 and neighbours). Iceland,
# Russia and Turkey reach beyond it, so a map with any of them uses the "world" view. (San
# Marino and the Vatican are not in the map file: like bodies, they are listed beside the map.)
EUROPE_VIEW = frozenset(EU_MEMBER_STATES_ISO3) | {
    "GBR", "NOR", "CHE", "LIE", "AND", "MCO", "ALB", "BIH", "MNE", "MKD", "SRB", "MDA", "UKR", "BLR",
}  # fmt: skip

TOP_COMMODITIES = 12


def chart_text(value: object) -> str:
    """Text for a figure, shown as text: plotly.js renders a subset of HTML (``<a href>``, ``<b>``,
    ``<br>``…) in labels, legends and hover text, so a name like ``<a href=…>`` would become a
    link. Escaped, plotly shows its entities (``&lt;``) as the characters. Every label, legend
    entry and hover text built from data goes through here; the tables beside the charts are
    escaped by the templates and keep the raw text."""
    return html.escape(str(value), quote=False)


@cache
def map_country_ids() -> frozenset[str]:
    """ISO alpha-3 codes the map file can draw; other countries are listed beside the map."""
    topo = json.loads((TOPOJSON_DIR / "world_50m.json").read_text(encoding="utf-8"))
    geoms = topo["objects"]["countries"]["geometries"]
    # Natural Earth draws a few territories without an ISO code (Kosovo, Somaliland): outline only.
    return frozenset(g["id"] for g in geoms if "id" in g)


def map_region(iso3s) -> str:
    return "europe" if set(iso3s) <= EUROPE_VIEW else "world"


@dataclass
class Table:
    """A chart's numbers as a table: the text alternative, and the CSV/XLSX download."""

    caption: str
    columns: list[str]
    rows: list[list[Any]]
    numeric: frozenset[int] = frozenset()  # column indexes, right-aligned
    # The rows shown on the page when they are fewer than the download's (what the chart draws).
    page_rows: list[list[Any]] | None = None

    @property
    def shown(self) -> list[list[Any]]:
        return self.rows if self.page_rows is None else self.page_rows

    @property
    def note(self) -> str:
        if self.page_rows is None or len(self.page_rows) == len(self.rows):
            return ""
        return _("This table shows the %(shown)s rows drawn in the chart; the downloads below hold all %(all)s.",
                 shown=format_number(len(self.page_rows)), all=format_number(len(self.rows)))


@dataclass
class Chart:
    slug: str
    title: str
    figure: dict | None  # None: nothing to draw for these filters
    table: Table
    note: str = ""
    # Countries and bodies in the table that the map cannot show: (name, detail).
    beside: list[tuple[str, str]] = field(default_factory=list)
    beside_heading: str = ""
    region: str = ""  # maps: "europe" or "world" (the page sizes them differently)

    @property
    def figure_json(self) -> str:
        return figure_json(self.figure) if self.figure else ""


def _layout(height: int, **extra) -> dict:
    # No title inside the figure: the page's heading above each chart names it.
    layout = {
        "font": {"family": FONT, "size": 13, "color": "#1b1f24"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    if current_language() == "fr":
        layout["separators"] = ", "  # 4 100 000 and 2,5, as the reader writes them
    layout.update(extra)
    return layout


def _count_axis(maximum: float, title: str) -> dict:
    # Counts are whole numbers: without a step of 1, small counts get ticks at 0.5.
    axis: dict[str, Any] = {"title": {"text": title}, "rangemode": "tozero", "gridcolor": "#d0d5db",
                            "automargin": True}
    if maximum <= 10:
        axis["dtick"] = 1
    return axis


def _round(value: float) -> float | int:
    """Quantities to at most 2 decimals (as ints when whole): figures stay small and exact enough."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


# --- life cycle ---------------------------------------------------------------------------------

def pipeline_chart(counts: dict[str, int]) -> Chart:
    states = list(State)
    values = [counts.get(s.value, 0) for s in states]
    total = sum(values)
    title = _("Operations at each stage of the life cycle (%(total)s in all)", total=format_number(total))
    labels = [_(STATE_SHORT[s]) for s in states]
    colours = [GREY if s in (State.WITHDRAWN, State.CANCELLED) else GREEN if s is State.CLOSED else BLUE for s in states]
    figure = None
    if total:
        figure = {
            "data": [{
                "type": "bar", "x": labels, "y": values,
                "marker": {"color": colours}, "hovertemplate": "%{x}: %{y}<extra></extra>",
            }],
            "layout": _layout(360, xaxis={"tickangle": -35, "automargin": True},
                              yaxis=_count_axis(max(values), _("Operations"))),
        }
    table = Table(_("Operations by stage of the life cycle, in life-cycle order (%(total)s in all)",
                    total=format_number(total)),
                  [_("Stage"), _("Operations")], [[label, v] for label, v in zip(labels, values, strict=True)],
                  frozenset({1}))
    return Chart("pipeline", title, figure, table)


def open_span(rows: list[TimelineRow], today: date) -> tuple[date, date] | None:
    """The days the open operations' phases cover (and today), a fortnight wider each side;
    None when no open operation is drawn."""
    open_rows = [r for r in rows if State(r.state).is_open]
    if not open_rows:
        return None
    first = min(min(r.start for r in open_rows), today)
    last = max(max(r.end for r in open_rows), today)
    return first - timedelta(days=15), last + timedelta(days=15)


def timeline_chart(rows: list[TimelineRow], total: int, today: date, limit: int, *, wide: bool = True) -> Chart:
    """``wide``: the x axis spans every phase drawn; otherwise it is zoomed on the open operations
    (the others stay in the figure, a pan or a zoom-out away, and in the table)."""
    shown = len(rows)
    if total > shown:
        title = _("Operational phases of the %(shown)s most recent operations (of %(total)s)",
                  shown=format_number(shown), total=format_number(total))
    else:
        title = ngettext("Operational phases (%(count)s operation)", "Operational phases (%(count)s operations)", total,
                         count=format_number(total))
    note = _("Actual dates where recorded, else planned dates. An operation under way is drawn to its "
             "planned end (or today).")
    if total > shown:
        note += " " + _("Only the %(limit)s operations that started most recently are shown; narrow the filters "
                        "to see others.", limit=format_number(limit))
    figure = None
    if rows:
        names = [chart_text(r.title) for r in rows]
        traces = []
        for actual, label, colour in ((True, _("Actual dates"), BLUE), (False, _("Planned dates"), ORANGE)):
            part = [r for r in rows if r.actual == actual]
            if not part:
                continue
            traces.append({
                "type": "bar", "orientation": "h", "name": label, "marker": {"color": colour},
                "y": [chart_text(r.title) for r in part],
                "base": [r.start.isoformat() for r in part],
                # Whole days in milliseconds, end day included (a one-day phase is still visible).
                "x": [((r.end - r.start).days + 1) * 86_400_000 for r in part],
                "customdata": [[r.start.isoformat(), r.end.isoformat()] for r in part],
                "hovertemplate": "%{y}: %{customdata[0]} – %{customdata[1]}<extra>" + chart_text(label) + "</extra>",
            })
        layout = _layout(
            120 + 22 * len(rows),
            barmode="overlay",
            xaxis={"type": "date", "gridcolor": "#d0d5db", "automargin": True},
            yaxis={"type": "category", "categoryorder": "array", "categoryarray": names,
                   "autorange": "reversed", "automargin": True},
            legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
            shapes=[{"type": "line", "xref": "x", "yref": "paper", "x0": today.isoformat(),
                     "x1": today.isoformat(), "y0": 0, "y1": 1, "line": {"color": VERMILLION, "width": 2}}],
            annotations=[{"xref": "x", "yref": "paper", "x": today.isoformat(), "y": 1, "yanchor": "bottom",
                          "text": chart_text(_("today")), "showarrow": False, "font": {"color": VERMILLION}}],
        )
        layout["margin"]["t"] = 40
        span = None if wide else open_span(rows, today)
        if span is not None:
            layout["xaxis"]["range"] = [span[0].isoformat(), span[1].isoformat()]
            note += " " + _("The chart is zoomed on the open operations; closed ones before or after are a "
                            "zoom-out away, and all are in the table.")
        figure = {"data": traces, "layout": layout}
    table = Table(
        title, [_("Operation"), _("Stage"), _("Start"), _("End"), _("Dates")],
        [[r.title, _(STATE_SHORT[State(r.state)]), r.start, r.end,
          _("actual, under way (planned end)") if r.under_way else _("actual") if r.actual else _("planned")]
         for r in rows],
    )
    return Chart("timeline", title, figure, table, note=note)


# --- maps ---------------------------------------------------------------------------------------

def _map_layout(region: str, legend_title: str, height: int = 480) -> dict:
    # The legend goes where the map has sea: the Atlantic west of Ireland, or the south Pacific.
    corner = {"x": 0.01, "y": 0.98, "yanchor": "top"} if region == "europe" else {"x": 0.01, "y": 0.02,
                                                                                    "yanchor": "bottom"}
    layout = _layout(height, geo=geo_layout(region),
                     legend={"title": {"text": legend_title}, "bgcolor": "rgba(255,255,255,0.85)", **corner})
    layout["margin"] = {"l": 0, "r": 0, "t": 0, "b": 0}
    return layout


def _flat_choropleth(name: str, colour: str, iso3s: list[str], names: list[str], extra: str) -> dict:
    """One legend entry: countries all in one colour (a categorical or binned map)."""
    return {
        "type": "choropleth", "locationmode": "ISO-3", "name": chart_text(name), "showlegend": True,
        "showscale": False, "locations": iso3s, "z": [1] * len(iso3s), "text": [chart_text(n) for n in names],
        "colorscale": [[0, colour], [1, colour]], "zmin": 0, "zmax": 1,
        "marker": {"line": {"color": "#ffffff", "width": 0.6}},
        "hovertemplate": "%{text}<extra>" + chart_text(extra) + "</extra>",
    }


def value_classes(values: list[int], most: int = 5) -> list[tuple[int, int]]:
    """Up to ``most`` classes (low, high) of the values present, as even in size as possible.

    Maps show classes with a legend rather than a continuous colour bar: steps of a single-hue
    ramp are told apart without colour vision, and plotly.js's colour bar sets inline styles
    our CSP refuses.
    """
    distinct = sorted(set(values))
    n = min(most, len(distinct))
    size, extra = divmod(len(distinct), n) if n else (0, 0)
    classes, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        classes.append((distinct[start], distinct[end - 1]))
        start = end
    return classes


def _binned_map(rows: list, value: Callable[[Any], int], ramp: list[str], legend_title: str,
                noun: Callable[[int, str], str]) -> dict:
    """``noun(high, "3–5")``: the class's hover text ("3–5 operations")."""
    values = [value(r) for r in rows]
    classes = value_classes(values, len(ramp))
    step = (len(ramp) - 1) / (len(classes) - 1) if len(classes) > 1 else 0
    traces = []
    for i, (low, high) in enumerate(classes):
        mine = [r for r in rows if low <= value(r) <= high]
        label = format_number(low) if low == high else f"{format_number(low)}–{format_number(high)}"
        colour = ramp[round(i * step)] if len(classes) > 1 else ramp[len(ramp) // 2]
        traces.append(_flat_choropleth(label, colour, [r.iso3 for r in mine], [r.name for r in mine],
                                       noun(high, label)))
    region = map_region(r.iso3 for r in rows)
    return {"data": traces, "layout": _map_layout(region, legend_title)}


def participation_chart(rows: list[ParticipationRow]) -> Chart:
    drawable = map_country_ids()
    rows = [replace(r, name=local_org_name(r.code, r.kind, r.name)) for r in rows]
    on_map = [r for r in rows if r.kind == OrgKind.COUNTRY and r.iso3 in drawable]
    beside = [(r.name, ngettext("%(count)s operation", "%(count)s operations", r.operations,
                                count=format_number(r.operations)))
              for r in rows if r not in on_map]
    title = _("Number of operations each country takes part in")
    figure = None
    if on_map:
        figure = _binned_map(on_map, lambda r: r.operations, BLUES, _("Operations"),
                             lambda n, span: ngettext("%(range)s operation", "%(range)s operations", n, range=span))
    table = Table(_("Operations each country or body takes part in, and leads"),
                  [_("Country or body"), _("Code"), _("Operations"), _("Of which as lead")],
                  [[r.name, r.code, r.operations, r.led] for r in rows], frozenset({2, 3}))
    return Chart("participation", title, figure, table, beside=beside,
                 beside_heading=_("Bodies and others taking part (not on the map)"),
                 region=map_region(r.iso3 for r in on_map) if on_map else "")


@dataclass
class ParticipantMap:
    title: str
    figure_json: str
    region: str
    # Bodies (OLAF, Europol, WCO...) and countries the map cannot draw: (name, role label).
    beside: list[tuple[str, str]]


def participant_map(jco_title: str, participants: Sequence[tuple[str, str, str | None, str]]) -> ParticipantMap | None:
    """The map of one JCO: countries coloured by role. ``participants``: (name, kind, iso3, role).

    None when no participant is a country the map can draw (the participants table says it all).
    """
    drawable = map_country_ids()
    countries = [p for p in participants if p[1] == OrgKind.COUNTRY and p[2] in drawable]
    if not countries:
        return None
    beside = [(name, _(Role(role).label)) for name, kind, iso3, role in participants
              if (name, kind, iso3, role) not in countries]
    traces = []
    for role in ROLE_ORDER:
        mine = [p for p in countries if p[3] == role]
        if mine:
            # The countries kept are those with an iso3 code the map draws.
            traces.append(_flat_choropleth(_(role.label), ROLE_COLOURS[role], [p[2] for p in mine],  # type: ignore[misc]
                                           [p[0] for p in mine], _(role.label)))
    title = _("Countries taking part in %(jco)s, coloured by role", jco=jco_title)
    region = map_region(p[2] for p in countries)
    figure = {"data": traces, "layout": _map_layout(region, _("Role"), height=440)}
    return ParticipantMap(title, figure_json(figure), region, beside)


# --- deadlines ----------------------------------------------------------------------------------

def deadlines_chart(rows: list[DeadlineRow]) -> Chart:
    title = _("Deadlines not yet met, per owing delegation")
    note = _("Every deadline a delegation owes on these operations (written comments, revised business "
             "cases, final reports, deadlines set by the Secretariat) that it has not met yet: overdue if "
             "its day has passed, upcoming otherwise. The Secretariat's own deadlines are not counted.")
    figure: dict[str, Any] | None = None
    rows = [replace(r, name=local_org_name(r.code, r.kind, r.name)) for r in rows]
    if rows:
        names = [chart_text(r.name) for r in rows]
        figure = {
            "data": [
                {"type": "bar", "orientation": "h", "name": chart_text(_("Overdue")), "y": names,
                 "x": [r.overdue for r in rows], "marker": {"color": VERMILLION},
                 "hovertemplate": chart_text(_("%(delegation)s: %(count)s overdue")) % {
                     "delegation": "%{y}", "count": "%{x}"} + "<extra></extra>"},
                {"type": "bar", "orientation": "h", "name": chart_text(_("Upcoming")), "y": names,
                 "x": [r.upcoming for r in rows], "marker": {"color": BLUE},
                 "hovertemplate": chart_text(_("%(delegation)s: %(count)s upcoming")) % {
                     "delegation": "%{y}", "count": "%{x}"} + "<extra></extra>"},
            ],
            "layout": _layout(
                110 + 30 * len(rows), barmode="group",
                xaxis=_count_axis(max(max(r.overdue, r.upcoming) for r in rows), _("Deadlines")),
                yaxis={"type": "category", "autorange": "reversed", "automargin": True},
                legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
            ),
        }
        figure["layout"]["margin"]["t"] = 40
    table = Table(_("Deadlines not yet met, per delegation"), [_("Delegation"), _("Overdue"), _("Upcoming")],
                  [[r.name, r.overdue, r.upcoming] for r in rows], frozenset({1, 2}))
    return Chart("deadlines", title, figure, table, note=note)


# --- results ------------------------------------------------------------------------------------

def _public_label(commodity: str) -> str:
    return _("%(commodity)s (from public sources)", commodity=commodity)


def results_commodity_chart(rows: list[CommodityYearRow], withheld_note: str = "") -> Chart:
    title = _("Quantities seized by commodity and year")
    seizures: dict[tuple[str, str], int] = {}
    for r in rows:
        seizures[(r.commodity, r.unit)] = seizures.get((r.commodity, r.unit), 0) + r.seizures
    # Ranked by number of result rows: quantities in different units cannot be compared.
    top = sorted(seizures, key=lambda k: (-seizures[k], k))[:TOP_COMMODITIES]
    note = _("Each commodity is shown in the unit the reports give; one bar per year. Quantities are the sums of "
             "the final reports' result rows; a row is one commodity for one country, not one seizure.")
    public = [r for r in rows if r.source == ResultSource.PUBLIC]
    if public:
        note += " " + _("Results marked “from public sources” were read by the import from the results an "
                        "operation published (%(rows)s rows), not from a final report recorded here.",
                        rows=format_number(sum(r.seizures for r in public)))
    if len(seizures) > len(top):
        note += " " + _("The chart shows the %(shown)s commodities seized most often; the table lists all %(all)s.",
                        shown=format_number(len(top)), all=format_number(len(seizures)))
    if withheld_note:
        note += " " + withheld_note
    figure = None
    if rows:
        labels = {key: chart_text(f"{key[0]} ({key[1]})") for key in top}
        years = sorted({r.year for r in rows if (r.commodity, r.unit) in labels},
                       key=lambda y: (y is None, y or 0))
        colours = dict(zip(years, sample_colorscale("Cividis", [i / max(len(years) - 1, 1) for i in range(len(years))]),
                           strict=True))
        by_key: dict[str, dict[tuple, float]] = {ResultSource.REPORT: {}, ResultSource.PUBLIC: {}}
        for r in rows:
            by_key[r.source][(r.year, r.commodity, r.unit)] = r.quantity
        traces = []
        for source in (ResultSource.REPORT, ResultSource.PUBLIC):
            for year in years:
                present = [k for k in top if (year, *k) in by_key[source]]
                if source == ResultSource.PUBLIC and not present:
                    continue
                name = str(year) if year else _("Year not stated")
                trace = {
                    "type": "bar", "name": chart_text(name), "marker": {"color": colours[year]},
                    "x": [labels[k] for k in present], "y": [_round(by_key[source][(year, *k)]) for k in present],
                    "hovertemplate": "%{x}, " + chart_text(str(year) if year else _("year not stated"))
                    + ": %{y:,}<extra></extra>",
                }
                if source == ResultSource.PUBLIC:
                    trace["name"] = chart_text(_("%(year)s, from public sources", year=name))
                    trace["marker"] = {"color": colours[year], "pattern": {"shape": "/"}}
                    trace["hovertemplate"] = "%{x}, " + chart_text(_("%(year)s, from public sources", year=name)) \
                        + ": %{y:,}<extra></extra>"
                traces.append(trace)
        quantities = [q for keyed in by_key.values() for q in keyed.values() if q > 0]
        log = bool(quantities) and max(quantities) / min(quantities) > 1000
        figure = {
            "data": traces,
            "layout": _layout(
                420, barmode="group",
                xaxis={"type": "category", "categoryorder": "array", "categoryarray": [labels[k] for k in top],
                       "automargin": True, "tickangle": -30},
                yaxis={"title": {"text": _("Quantity (log scale)") if log else _("Quantity")},
                       "type": "log" if log else "linear", "gridcolor": "#d0d5db", "automargin": True},
                legend={"title": {"text": _("Year")}},
            ),
        }
    shown = set(top)

    def cells(r: CommodityYearRow) -> list:
        commodity = _public_label(r.commodity) if r.source == ResultSource.PUBLIC else r.commodity
        return [r.year, commodity, r.unit, r.seizures, _round(r.quantity)]

    table = Table(
        _("Result rows and quantities seized, by year, commodity and unit"),
        [_("Year"), _("Commodity"), _("Unit"), _("Result rows"), _("Quantity")],
        [cells(r) for r in rows],
        frozenset({3, 4}),
        page_rows=[cells(r) for r in rows if (r.commodity, r.unit) in shown],
    )
    return Chart("results-by-commodity", title, figure, table, note=note)


def results_country_chart(rows: list[CountryResultRow], withheld_note: str = "") -> Chart:
    # Reports give totals per country and commodity, not single seizures: the chart counts rows.
    title = _("Result rows reported for each country (one row: one commodity, as a final report lists it)")
    drawable = map_country_ids()
    rows = [replace(r, name=local_org_name(r.code, r.kind or "", r.name)) if r.name and r.code else r
            for r in rows]
    on_map = [r for r in rows if r.kind == OrgKind.COUNTRY and r.iso3 in drawable]
    beside = [(r.name or _("Not attributed to a country"),
               ngettext("%(count)s result row", "%(count)s result rows", r.seizures, count=format_number(r.seizures)))
              for r in rows if r not in on_map]
    figure = None
    if on_map:
        figure = _binned_map(on_map, lambda r: r.seizures, ORANGES, _("Result rows"),
                             lambda n, span: ngettext("%(range)s result row", "%(range)s result rows", n, range=span))
    table = Table(_("Result rows reported, by country or body"), [_("Country or body"), _("Code"), _("Result rows")],
                  [[r.name or _("Not attributed"), r.code or "", r.seizures] for r in rows], frozenset({2}))
    note = withheld_note
    public = sum(r.public for r in rows)
    if public:
        note = " ".join(filter(None, [_(
            "%(rows)s of these rows are from public sources: read by the import from the results an operation "
            "published, not from a final report recorded here.", rows=format_number(public)), withheld_note]))
    return Chart("results-by-country", title, figure, table, note=note, beside=beside,
                 beside_heading=_("Bodies and others (not on the map)"),
                 region=map_region(r.iso3 for r in on_map) if on_map else "")

