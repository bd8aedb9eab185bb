"""Figure builders of the dashboard: pure functions from aggregates to plotly dicts and tables."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
import pytest

from jco.dashboards import figures
from jco.dashboards.queries import (
    CommodityYearRow,
    CountryResultRow,
    DeadlineRow,
    ParticipationRow,
    TimelineRow,
)
from jco.web.charts_assets import TOPOJSON_DIR, geo_layout

TODAY = date(2025, 6, 1)


def valid(fig: dict) -> dict:
    go.Figure(fig)  # raises on any property plotly does not know
    return fig


@pytest.mark.parametrize(
    ("values", "classes"),
    [
        ([1, 1, 1], [(1, 1)]),
        ([3, 1, 2], [(1, 1), (2, 2), (3, 3)]),
        ([1, 2, 3, 4, 5, 6, 8, 12, 30], [(1, 2), (3, 4), (5, 6), (8, 12), (30, 30)]),
        ([], []),
    ],
)
def test_value_classes(values, classes):
    assert figures.value_classes(values) == classes


def test_europe_view_countries_lie_inside_the_europe_frame():
    geo = geo_layout("europe")
    (lon0, lon1), (lat0, lat1) = geo["lonaxis"]["range"], geo["lataxis"]["range"]
    topo = json.loads((TOPOJSON_DIR / "world_50m.json").read_text(encoding="utf-8"))
    centroids = {g["id"]: g["properties"]["ct"] for g in topo["objects"]["countries"]["geometries"] if "id" in g}
    for iso3 in figures.EUROPE_VIEW:
        lon, lat = centroids[iso3]
        assert lon0 <= lon <= lon1 and lat0 <= lat <= lat1, iso3
    assert figures.map_region(["POL", "UKR"]) == "europe"
    assert figures.map_region(["POL", "ISL"]) == "world"


def test_pipeline_lists_every_state_in_life_cycle_order():
    chart = figures.pipeline_chart({"comments": 2, "closed": 1})
    trace = valid(chart.figure)["data"][0]
    assert trace["x"][0] == "Proposed" and trace["x"][-4:] == ["Closed", "Withdrawn", "Postponed", "Cancelled"]
    assert sum(trace["y"]) == 3 and trace["y"][2] == 2
    assert chart.figure["layout"]["yaxis"]["dtick"] == 1  # no half operations on the axis
    assert chart.table.rows[2] == ["Comments", 2]
    assert "title" not in chart.figure["layout"]  # the page's heading names the chart
    assert figures.pipeline_chart({}).figure is None


def test_timeline_bars_include_both_end_days_and_mark_today():
    rows = [
        TimelineRow(1, "One day", "operational", date(2025, 5, 1), date(2025, 5, 1), True, False),
        TimelineRow(2, "Planned", "adopted", date(2025, 7, 1), date(2025, 7, 14), False, False),
    ]
    chart = figures.timeline_chart(rows, total=2, today=TODAY, limit=60)
    traces = {t["name"]: t for t in valid(chart.figure)["data"]}
    assert traces["Actual dates"]["x"] == [86_400_000] and traces["Actual dates"]["base"] == ["2025-05-01"]
    assert traces["Planned dates"]["x"] == [14 * 86_400_000]
    assert chart.figure["layout"]["shapes"][0]["x0"] == "2025-06-01"
    assert chart.title == "Operational phases (2 operations)"
    assert chart.table.rows[1] == ["Planned", "Adopted", date(2025, 7, 1), date(2025, 7, 14), "planned"]


def test_participant_map_colours_countries_by_role_and_lists_bodies_beside():
    pmap = figures.participant_map("Baltica", [
        ("Poland", "country", "POL", "lead"), ("OLAF", "body", None, "co_lead"),
        ("Finland", "country", "FIN", "participant"), ("Europol", "body", None, "participant"),
        ("Tuvalu-like", "country", "ZZZ", "observer"),
    ])
    fig = valid(json.loads(pmap.figure_json))
    assert [(t["name"], t["locations"]) for t in fig["data"]] == [("Lead", ["POL"]), ("Participant", ["FIN"])]
    assert len({t["colorscale"][0][1] for t in fig["data"]}) == 2
    assert pmap.beside == [("OLAF", "Co-lead"), ("Europol", "Participant"), ("Tuvalu-like", "Observer")]
    assert pmap.region == "europe" and "Baltica" in pmap.title
    assert figures.participant_map("Only bodies", [("OLAF", "body", None, "lead")]) is None


def test_role_colours_are_distinct_okabe_ito_colours():
    colours = list(figures.ROLE_COLOURS.values())
    assert len(set(colours)) == 4
    assert set(colours) <= {figures.ORANGE, figures.SKY_BLUE, figures.GREEN, figures.YELLOW, figures.BLUE,
                            figures.VERMILLION, figures.PURPLE}


def test_participation_map_bins_countries_and_keeps_bodies_in_the_table():
    rows = [ParticipationRow("PL", "Poland", "country", "POL", 3, 2), ParticipationRow("US", "United States",
            "country", "USA", 1, 0), ParticipationRow("OLAF", "OLAF", "body", None, 2, 0)]
    chart = figures.participation_chart(rows)
    fig = valid(chart.figure)
    assert {t["name"]: t["locations"] for t in fig["data"]} == {"1": ["USA"], "3": ["POL"]}
    assert chart.region == "world" and fig["layout"]["geo"]["projection"]["type"] == "natural earth"
    assert chart.beside == [("OLAF", "2 operations")]
    assert chart.table.rows == [["Poland", "PL", 3, 2], ["United States", "US", 1, 0], ["OLAF", "OLAF", 2, 0]]


def test_deadlines_chart():
    chart = figures.deadlines_chart([DeadlineRow("DE", "Germany", 2, 1), DeadlineRow("FR", "France", 0, 3)])
    traces = {t["name"]: t for t in valid(chart.figure)["data"]}
    assert traces["Overdue"]["x"] == [2, 0] and traces["Upcoming"]["x"] == [1, 3]
    assert traces["Overdue"]["marker"]["color"] != traces["Upcoming"]["marker"]["color"]
    assert figures.deadlines_chart([]).figure is None


def test_results_chart_keeps_units_apart_and_switches_to_log_scale():
    rows = [CommodityYearRow(2024, "cigarettes", "pieces", 10, 2_000_000.0),
            CommodityYearRow(2025, "cigarettes", "pieces", 4, 500_000.0),
            CommodityYearRow(2025, "cocaine", "kg", 2, 12.345)]
    chart = figures.results_commodity_chart(rows, "withheld.")
    fig = valid(chart.figure)
    traces = {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in fig["data"]}
    assert traces == {"2024": {"cigarettes (pieces)": 2_000_000}, "2025": {"cigarettes (pieces)": 500_000,
                                                                          "cocaine (kg)": 12.35}}
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert chart.note.endswith("withheld.")
    assert chart.table.rows[2] == [2025, "cocaine", "kg", 2, 12.35]


def test_results_chart_shows_the_most_seized_commodities_only():
    rows = [CommodityYearRow(2025, f"goods {i:02d}", "kg", 100 - i, 5.0) for i in range(15)]
    chart = figures.results_commodity_chart(rows)
    assert len(chart.figure["data"][0]["x"]) == figures.TOP_COMMODITIES
    assert "goods 14 (kg)" not in chart.figure["data"][0]["x"]
    assert "the table lists all 15" in chart.note and len(chart.table.rows) == 15
    assert chart.figure["layout"]["yaxis"]["type"] == "linear"


def test_results_country_map():
    rows = [CountryResultRow("PL", "Poland", "country", "POL", 7), CountryResultRow(None, None, None, None, 2),
            CountryResultRow("WCO", "WCO", "body", None, 1)]
    chart = figures.results_country_chart(rows)
    assert [t["locations"] for t in valid(chart.figure)["data"]] == [["POL"]]
    assert chart.beside == [("Not attributed to a country", "2 result rows"), ("WCO", "1 result row")]
    assert chart.table.rows[1] == ["Not attributed", "", 2]


def test_figures_stay_small():
    rows = [ParticipationRow(f"C{i}", f"Country {i}", "country", iso3, i + 1, 0)
            for i, iso3 in enumerate(sorted(figures.EUROPE_VIEW))]
    assert len(figures.participation_chart(rows).figure_json) < 6000


def test_every_label_built_from_data_is_escaped():
    hostile = "<a href='x'>A & B</a>"
    shown = "&lt;a href='x'&gt;A &amp; B&lt;/a&gt;"
    deadlines = valid(figures.deadlines_chart([DeadlineRow("X", hostile, 1, 0)]).figure)
    assert all(trace["y"] == [shown] for trace in deadlines["data"])
    participation = figures.participation_chart([ParticipationRow("FR", hostile, "country", "FRA", 2, 1)])
    assert valid(participation.figure)["data"][0]["text"] == [shown]
    assert participation.table.rows[0][0] == hostile  # the page's table is escaped by Jinja instead
    countries = figures.results_country_chart([CountryResultRow("FR", hostile, "country", "FRA", 3)])
    assert valid(countries.figure)["data"][0]["text"] == [shown]
    commodity = figures.results_commodity_chart([CommodityYearRow(2024, hostile, "kg", 1, 2.0)])
    assert valid(commodity.figure)["data"][0]["x"] == [f"{shown} (kg)"]
    timeline = figures.timeline_chart([TimelineRow(1, hostile, "operational", TODAY, TODAY, True, False)], 1,
                                      TODAY, 60)
    assert valid(timeline.figure)["data"][0]["y"] == [shown]
    assert "<a" not in json.dumps([deadlines, participation.figure, countries.figure, commodity.figure,
                                   timeline.figure])
