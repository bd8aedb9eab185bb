"""The dashboard and the JCO participant map: numbers, filters, downloads, queries — both engines."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jco.comments.models import Comment, CommentRound
from jco.core.db import get_session
from jco.documents.models import Document
from jco.operations.models import Commodity, Jco, Organisation, Result
from jco.operations.queries import RegisterFilters
from tests.factories import count_statements, make_document, make_jco
from tests.step_helpers import jco_id

FIGURE_RE = re.compile(r'<script type="application/json" class="plotly-figure" data-target="([^"]+)">(.*?)</script>', re.S)


def figures(html: str) -> dict[str, dict]:
    """The page's figures by the id of the element they are drawn into."""
    found = {target: json.loads(text) for target, text in FIGURE_RE.findall(html)}
    for fig in found.values():
        go.Figure(fig)  # plotly.py validates every property name and value
    return found


def by_trace(fig: dict) -> dict[str, dict]:
    return {trace.get("name", ""): trace for trace in fig["data"]}


def choropleth_values(fig: dict) -> dict[str, str]:
    """ISO3 → legend label of every country drawn on a (categorical or binned) map."""
    return {iso3: trace["name"] for trace in fig["data"] for iso3 in trace["locations"]}


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def ids(db) -> dict[str, int]:
    return {j.title: j.id for j in db.scalars(select(Jco))}


def commodity(session, name: str) -> Commodity:
    found = session.scalar(select(Commodity).where(Commodity.name == name))
    if found is None:
        found = Commodity(name=name)
        session.add(found)
        session.flush()
    return found


def org_id(session, code: str) -> int:
    return session.scalar(select(Organisation.id).where(Organisation.code == code))


def add_results(session, jco: Jco, rows, document_id=None) -> None:
    """rows: (country code or None, commodity name, quantity, unit)."""
    for code, goods, quantity, unit in rows:
        session.add(Result(jco_id=jco.id, document_id=document_id, organisation_id=org_id(session, code) if code else None,
                           commodity_id=commodity(session, goods).id, quantity=quantity, unit=unit, year=jco.year))
    session.flush()


# ------------------------------------------------------------------------------ access, nav


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/pipeline.csv", "/dashboard/timeline.xlsx"])
def test_dashboard_needs_login(client, demo, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("email", ["manager@example.org", "fr.delegate@example.org", "secretariat@example.org"])
def test_every_account_sees_the_dashboard_and_its_nav_link(client, auth, demo, email):
    auth.login(email)
    html = page(client, "/dashboard")
    assert '<a href="/dashboard" aria-current="page">Dashboard</a>' in html
    assert "<h1>Dashboard</h1>" in html
    assert '>Dashboard</a>' in page(client, "/jcos")


# ---------------------------------------------------------------------------------- JCO page


def test_baltica_participant_map(client, auth, demo, db):
    auth.login("pl.delegate@example.org")
    html = page(client, f"/jcos/{ids(db)['Baltica']}")
    fig = figures(html)["participant-map"]
    assert choropleth_values(fig) == {"POL": "Lead", "FIN": "Participant", "EST": "Participant",
                                      "LVA": "Participant", "LTU": "Participant", "SWE": "Participant"}
    assert [t["name"] for t in fig["data"]] == ["Lead", "Participant"]  # legend in role order
    assert all(t["showlegend"] and not t["showscale"] for t in fig["data"])
    assert fig["layout"]["geo"]["projection"]["type"] == "azimuthal equal area"  # the Europe view
    # Bodies cannot be drawn: they are listed beside the map, with their roles.
    beside = html[html.index('id="participant-map-beside"'):]
    beside = beside[:beside.index("</div>")]
    assert "European Anti-Fraud Office (OLAF) <span class=\"muted\">— Co-lead" in beside
    assert "Europol <span class=\"muted\">— Participant" in beside
    # Title and text alternative: the participants table, which the figure points at.
    assert "Countries taking part in Baltica, coloured by role" in html
    assert 'aria-describedby="participants-table"' in html and '<table class="table" id="participants-table">' in html
    assert html.index('id="plotly.js-style-global"') < html.index('.min.js"')


def test_map_with_a_country_beyond_europe_uses_the_world_view(client, auth, app, db):
    jco = make_jco(db, "Transpacific", lead="NL", participants={"US": "participant", "CN": "observer",
                                                               "WCO": "observer"})
    db.commit()
    auth.login(make_account_email(db))
    fig = figures(page(client, f"/jcos/{jco.id}"))["participant-map"]
    assert choropleth_values(fig) == {"NLD": "Lead", "USA": "Participant", "CHN": "Observer"}
    assert fig["layout"]["geo"]["projection"]["type"] == "natural earth"


def test_jco_without_any_country_has_no_map_and_loads_no_plotly(client, auth, app, db):
    jco = make_jco(db, "Bodies only", lead="OLAF", participants={"EUROPOL": "participant"})
    db.commit()
    auth.login(make_account_email(db))
    html = page(client, f"/jcos/{jco.id}")
    assert "plotly-figure" not in html and "static-vendor" not in html
    assert "European Anti-Fraud Office (OLAF)" in html  # the table still lists them


def make_account_email(db) -> str:
    from tests.factories import make_account

    account = make_account(db, role="manager", org_code="COM")
    db.commit()
    return account.email


# ------------------------------------------------------------------------------- dashboard


def test_dashboard_figures_hold_the_demo_numbers(client, auth, demo, db):
    auth.login("manager@example.org")
    html = page(client, "/dashboard")
    figs = figures(html)
    assert set(figs) == {"pipeline-chart", "timeline-chart", "participation-chart", "deadlines-chart"}

    pipeline = figs["pipeline-chart"]["data"][0]
    counts = dict(zip(pipeline["x"], pipeline["y"], strict=True))
    assert pipeline["x"][:3] == ["Proposed", "Presented", "Comments"] and pipeline["x"][-1] == "Cancelled"
    assert counts == {"Proposed": 0, "Presented": 0, "Comments": 2, "Revision": 0, "Adopted": 0,
                      "Operational": 1, "Debriefing": 1, "Report presented": 1, "Report comments": 0,
                      "Report revision": 0, "Report partly adopted": 0, "Report adopted": 1, "Closed": 0,
                      "Withdrawn": 0, "Postponed": 0, "Cancelled": 0}
    assert "6 operations match these filters" in html

    # Only the fictional operations have dates; Harbour is under way on actual dates.
    timeline = by_trace(figs["timeline-chart"])
    assert timeline["Actual dates"]["y"] == ["DEMO Kestrel", "DEMO Harbour"]
    assert timeline["Planned dates"]["y"] == ["DEMO Lighthouse"]
    assert timeline["Actual dates"]["x"][0] == 15 * 86_400_000  # 200 to 186 days ago, both days included

    participation = choropleth_values(figs["participation-chart"])
    assert participation["LVA"] == "4"  # Athena IV, Baltica, Lighthouse, Kestrel
    assert participation["DEU"] == participation["POL"] == "3"
    assert "UKR" in participation and "NOR" in participation
    beside = html[html.index('id="participation-beside"'):]
    assert "Europol <span class=\"muted\">— 2 operations" in beside[:beside.index("</div>")]

    deadlines = by_trace(figs["deadlines-chart"])
    overdue = dict(zip(deadlines["Overdue"]["y"], deadlines["Overdue"]["x"], strict=True))
    upcoming = dict(zip(deadlines["Upcoming"]["y"], deadlines["Upcoming"]["x"], strict=True))
    # From the deadlines service: Poland owes Baltica's final report (due 16 December 2015); every
    # member state of 2015 but Germany owes its comments on Postbox (3 November 2015), every member
    # state of today but France (the lead) its comments on DEMO Lighthouse. The Secretariat's
    # adoption of Kestrel's report is not a delegation's deadline.
    assert len(overdue) == len(upcoming) == 28
    assert (overdue["Germany"], overdue["Latvia"], overdue["Poland"], overdue["France"]) == (0, 1, 2, 1)
    assert (upcoming["Germany"], upcoming["Latvia"], upcoming["Poland"], upcoming["France"]) == (1, 1, 1, 0)

    # No results in the demo: said, not drawn; the tables are still there.
    assert html.count("Nothing to draw for these filters.") == 2
    assert 'id="results-by-country-table"' in html


def test_every_chart_has_a_title_and_a_keyboard_reachable_table(client, auth, demo):
    auth.login("manager@example.org")
    html = page(client, "/dashboard")
    for slug in ("pipeline", "timeline", "participation", "deadlines", "results-by-commodity", "results-by-country"):
        section = html[html.index(f'<section class="chart-block" id="{slug}"'):]
        section = section[:section.index("</section>")]
        assert re.search(rf'<h2 id="{slug}-h">[^<]{{10,}}</h2>', section), slug
        assert "<details" in section and "<summary>Table: " in section, slug
        assert f'<table class="table" id="{slug}-table">' in section and "<caption>" in section, slug
        assert '<th scope="col"' in section, slug
        assert f"/dashboard/{slug}.csv" in section and f"/dashboard/{slug}.xlsx" in section, slug
        if "plotly-figure" in section:
            assert f'aria-describedby="{slug}-caption"' in section and f'href="#{slug}-table"' in section


def test_filters_change_the_numbers_and_stay_in_the_links(client, auth, demo, db):
    auth.login("manager@example.org")
    html = page(client, "/dashboard?lead=PL")
    figs = figures(html)
    assert sum(figs["pipeline-chart"]["data"][0]["y"]) == 2  # Baltica, Harbour
    participation = choropleth_values(figs["participation-chart"])
    assert participation["POL"] == "2" and "DEU" not in participation
    assert "/dashboard/pipeline.csv?lead=PL" in html
    assert '<option value="PL" selected>' in html

    figs = figures(page(client, "/dashboard?kind=third_countries"))
    assert sum(figs["pipeline-chart"]["data"][0]["y"]) == 1
    assert choropleth_values(figs["participation-chart"]) == {"LVA": "1", "DEU": "1", "FRA": "1", "NOR": "1",
                                                              "UKR": "1"}
    harbour = db.scalar(select(Jco).where(Jco.name == "DEMO Harbour"))
    figs = figures(page(client, f"/dashboard?year={harbour.year}&state=operational"))
    assert figs["timeline-chart"]["data"][0]["y"] == ["DEMO Harbour"]
    assert "deadlines-chart" not in figs  # no JCO under written comments among these

    html = page(client, "/dashboard?state=withdrawn")
    assert "0 operations match these filters" in html
    assert page(client, "/dashboard?year=abc&state=nonsense&goods=x")  # bad values are ignored, not a 500


def test_timeline_shows_the_60_most_recent_and_says_so(client, auth, app, db):
    start = date(2020, 1, 1)
    for n in range(63):
        make_jco(db, f"Op {n:02d}", planned_start=start + timedelta(days=10 * n),
                 planned_end=start + timedelta(days=10 * n + 4))
    db.commit()
    auth.login(make_account_email(db))
    html = page(client, "/dashboard")
    trace = figures(html)["timeline-chart"]["data"][0]
    assert len(trace["y"]) == 60 and trace["y"][0] == "Op 03" and trace["y"][-1] == "Op 62"
    assert "Operational phases of the 60 most recent operations (of 63)" in html
    assert "Only the 60 operations that started most recently are shown" in html


# ----------------------------------------------------------------------------------- results


@pytest.fixture
def results(demo, db):
    """Seizures for Baltica (2015), Harbour and Kestrel; one row in the RESTREINT UE addendum."""
    t = ids(db)
    baltica, harbour, kestrel = (db.get(Jco, t[n]) for n in ("Baltica", "DEMO Harbour", "DEMO Kestrel"))
    baltica.year = 2015
    add_results(db, baltica, [("PL", "cigarettes", 1_200_000, "pieces"), ("PL", "cigarettes", 800_000, "pieces"),
                              ("LT", "cigarettes", 500_000, "pieces"), ("FI", "tobacco products", 350.5, "kg"),
                              (None, "cigarettes", 1000, "pieces")])
    add_results(db, harbour, [("EE", "cigarettes", 20_000, "pieces"), ("PL", "cash", 50_000, "EUR")])
    add_results(db, kestrel, [("NO", "cash", 125_000, "EUR"), ("WCO", "cash", 1_000, "EUR")])
    addendum = db.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
    athena = db.get(Jco, t["Athena IV"])
    athena.year = 2015
    add_results(db, athena, [("LV", "cigarettes", 3_000_000, "pieces")], document_id=addendum.id)
    db.commit()
    return {"harbour_year": harbour.year, "kestrel_year": kestrel.year}


def table_rows(client, chart: str, query: str = "") -> list[list[str]]:
    response = client.get(f"/dashboard/{chart}.csv{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_results_by_commodity_and_year(client, auth, results):
    auth.login("lv.delegate@example.org")  # cleared for RESTREINT UE
    figs = figures(page(client, "/dashboard"))
    traces = by_trace(figs["results-by-commodity-chart"])
    assert set(traces) == {"2015", str(results["harbour_year"]), str(results["kestrel_year"])}
    y2015 = dict(zip(traces["2015"]["x"], traces["2015"]["y"], strict=True))
    assert y2015 == {"cigarettes (pieces)": 5_501_000, "tobacco products (kg)": 350.5}
    rows = table_rows(client, "results-by-commodity")
    assert rows[0] == ["Year", "Commodity", "Unit", "Result rows", "Quantity"]
    assert ["2015", "cigarettes", "pieces", "5", "5501000"] in rows
    assert ["2015", "tobacco products", "kg", "1", "350.5"] in rows


def test_results_by_country(client, auth, results):
    auth.login("lv.delegate@example.org")
    html = page(client, "/dashboard")
    fig = figures(html)["results-by-country-chart"]
    assert choropleth_values(fig) == {"POL": "3", "LTU": "1", "FIN": "1", "EST": "1", "NOR": "1", "LVA": "1"}
    assert fig["layout"]["geo"]["projection"]["type"] == "azimuthal equal area"
    beside = html[html.index('id="results-by-country-beside"'):]
    beside = beside[:beside.index("</div>")]
    assert "World Customs Organization (WCO)" in beside and "Not attributed to a country" in beside
    rows = table_rows(client, "results-by-country")
    assert ["Poland", "PL", "3"] in rows and ["Not attributed", "", "1"] in rows


def test_results_from_a_classified_report_are_not_counted_for_uncleared_accounts(client, auth, results):
    auth.login("de.delegate@example.org")
    html = page(client, "/dashboard")
    y2015 = dict(zip(*(by_trace(figures(html)["results-by-commodity-chart"])["2015"][k] for k in ("x", "y")),
                     strict=True))
    assert y2015["cigarettes (pieces)"] == 2_501_000
    assert "LVA" not in choropleth_values(figures(html)["results-by-country-chart"])
    assert "marked above your clearance are not counted" in html
    assert ["2015", "cigarettes", "pieces", "4", "2501000"] in table_rows(client, "results-by-commodity")


def test_goods_and_year_filters_narrow_the_results(client, auth, results, db):
    auth.login("lv.delegate@example.org")
    cash = db.scalar(select(Commodity.id).where(Commodity.name == "cash"))
    rows = table_rows(client, "results-by-commodity", f"?goods={cash}")
    assert [r[1] for r in rows[1:]] == ["cash"]  # only Kestrel targets cash; Harbour's cash is not its target
    rows = table_rows(client, "results-by-country", "?year=2015")
    assert {r[1] for r in rows[1:]} == {"PL", "LT", "FI", "LV", ""}


def test_dashboard_shows_no_document_title(client, auth, results, db):
    auth.login("secretariat@example.org")
    html = page(client, "/dashboard")
    for title in db.scalars(select(Document.title)):
        assert title not in html


# -------------------------------------------------------------------------------- downloads


@pytest.mark.parametrize("chart", ["pipeline", "timeline", "participation", "deadlines", "results-by-commodity",
                                   "results-by-country"])
def test_each_chart_table_downloads_as_csv_and_xlsx(client, auth, results, chart):
    auth.login("manager@example.org")
    html = page(client, "/dashboard?lead=PL")
    response = client.get(f"/dashboard/{chart}.csv?lead=PL")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert f'filename="jco-dashboard-{chart}.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    # The download holds the table shown under the chart, for the same filters.
    section = html[html.index(f'id="{chart}-table"'):]
    section = section[:section.index("</table>")]
    empty = "No rows for these filters." in section
    assert section.count("<tr>") - empty == len(rows)
    xlsx = client.get(f"/dashboard/{chart}.xlsx?lead=PL")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(xlsx.data), read_only=True).active
    cells = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == rows[0] and len(cells) == len(rows)


def test_pipeline_csv_numbers(client, auth, demo):
    auth.login("manager@example.org")
    rows = table_rows(client, "pipeline", "?lead=PL")
    assert rows[0] == ["Stage", "Operations"]
    assert dict(rows[1:])["Debriefing"] == "1" and dict(rows[1:])["Operational"] == "1"
    assert sum(int(r[1]) for r in rows[1:]) == 2


def test_unknown_chart_or_format_is_404(client, auth, demo):
    auth.login("manager@example.org")
    assert client.get("/dashboard/nonsense.csv").status_code == 404
    assert client.get("/dashboard/pipeline.pdf").status_code == 404


def test_csv_cells_cannot_smuggle_formulas(client, auth, app, db):
    make_jco(db, "=HYPERLINK(\"http://x\")", planned_start=date(2024, 1, 1), planned_end=date(2024, 1, 2))
    db.commit()
    auth.login(make_account_email(db))
    rows = table_rows(client, "timeline")
    assert rows[1][0].startswith("'=")


# ------------------------------------------------------------------------------ deadlines


def test_deadline_counts_follow_the_deadlines_service(demo, db):
    from jco.dashboards.queries import deadline_counts

    counts = {r.code: (r.overdue, r.upcoming) for r in deadline_counts(db, RegisterFilters())}
    # Baltica's report (PL); Postbox's comments of 2015, owed by the 27 other member states of then
    # (the UK included); Lighthouse's comments, owed by every member state of today but France (its lead)
    assert len(counts) == 28
    assert (counts["PL"], counts["DE"], counts["LV"], counts["FR"], counts["GB"]) == (
        (2, 1), (0, 1), (1, 1), (1, 0), (1, 0))
    lighthouse = db.scalar(select(Jco).where(Jco.name == "DEMO Lighthouse"))
    round_ = db.scalar(select(CommentRound).where(CommentRound.jco_id == lighthouse.id))
    db.add(Comment(round_id=round_.id, organisation_id=org_id(db, "LV"), body="Fine."))
    db.flush()
    counts = {r.code: (r.overdue, r.upcoming) for r in deadline_counts(db, RegisterFilters())}
    assert counts["LV"] == (1, 0)  # commented on Lighthouse: only Postbox's old round pending
    counts = {r.code: (r.overdue, r.upcoming)
              for r in deadline_counts(db, RegisterFilters(), today=round_.deadline + timedelta(days=1))}
    assert counts["PL"] == (3, 0)  # the day after, the comments are overdue too
    # The filters restrict the deadlines to the matching operations.
    assert {r.code: (r.overdue, r.upcoming) for r in deadline_counts(db, RegisterFilters(lead="PL"))} == {
        "PL": (1, 0)}
    lighthouse_owers = {r.code for r in deadline_counts(db, RegisterFilters(lead="FR"))}
    assert len(lighthouse_owers) == 25 and {"DE", "PL"} <= lighthouse_owers and not {"FR", "LV"} & lighthouse_owers


# ---------------------------------------------------------------------------- query counts


def _grow(app, n: int) -> None:
    """n more JCOs with dates, participants, comment rounds and results."""
    with app.app_context():
        session = get_session()
        for i in range(n):
            jco = make_jco(session, f"Growth {n}-{i}", lead="DE" if i % 2 else "FR",
                           participants={"PL": "participant", "US": "observer", "EUROPOL": "participant"},
                           planned_start=date(2022, 1, 1) + timedelta(days=i), planned_end=date(2022, 2, 1),
                           commodities=["cigarettes", f"goods {i}"])
            doc = make_document(session, jco=jco)
            session.add(CommentRound(jco_id=jco.id, document_id=doc.id, deadline=date(2030, 1, 1)))
            add_results(session, jco, [("PL", f"goods {i}", 10 * i + 1, "kg"), ("US", "cigarettes", 5, "pieces")])
        session.commit()


def _count(app, client, path: str) -> int:
    # The first page after logging in also writes the server-side session (the log-in's flash is
    # read): that is the session's cost, not the page's, so the page is asked once before counting.
    client.get("/account")
    # A process that has kept nothing yet (jco.deadlines.store): what is computed per operation is
    # computed for all of them, the page's most expensive first view.
    app.extensions.pop("jco_stores", None)
    with count_statements(app.extensions["jco_engine"]) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard?lead=DE&year=2022", "/dashboard/results-by-country.csv"])
def test_statements_per_page_do_not_grow_with_the_data(app, client, auth, demo, path):
    auth.login("manager@example.org")
    small = _count(app, client, path)
    _grow(app, 25)
    large = _count(app, client, path)
    assert small == large, (small, large)
    # The deadlines chart asks the deadlines service, which costs its own fixed handful of queries;
    # both counts are of a cache miss (the data changed in between: see tests/test_cache.py). The
    # status board asks it again for its next deadlines (a cache entry of its own), plus two queries;
    # one reads the member states, since every member state's delegation owes comments.
    assert small <= 35  # and the data version (jco.core.cache); the filtered page asks one more


def test_after_a_change_only_the_operation_changed_is_computed_again(app, client, auth, demo):
    auth.login("manager@example.org")
    full = _count(app, client, "/dashboard")  # a first view: every operation computed
    kept = next(store for key, store in app.extensions["jco_stores"].items() if key[0][0] == "deadlines")
    before = dict(kept.values)
    lighthouse = jco_id(app, "DEMO Lighthouse")
    assert lighthouse in before
    with app.app_context():
        session = get_session()
        round_ = session.scalar(select(CommentRound).where(CommentRound.jco_id == lighthouse))
        germany = org_id(session, "DE")
        session.add(Comment(round_id=round_.id, organisation_id=germany, body="Agreed."))
        session.commit()
    _grow(app, 1)
    with count_statements(app.extensions["jco_engine"]) as statements:
        html = client.get("/dashboard").get_data(as_text=True)
    assert "Growth 1-0" in html  # the new operation is on the board
    assert len(statements) <= full
    # Lighthouse (a comment) and the new operation were computed again; every other value is the
    # one kept, and Germany no longer owes Lighthouse's comments.
    assert kept.values[lighthouse] is not before[lighthouse]
    assert all(kept.values[i] is value for i, value in before.items() if i != lighthouse)
    assert before[lighthouse].owed[germany] != kept.values[lighthouse].owed.get(germany)


def test_jco_page_map_costs_no_query(app, client, auth, demo):
    auth.login("manager@example.org")
    with app.app_context():
        session = get_session()
        few = make_jco(session, "Few", lead="DE")
        many = make_jco(session, "Many", lead="DE", participants={c: "participant" for c in
                                                                  ("FR", "PL", "LV", "LT", "EE", "FI", "SE", "US")})
        session.commit()
        few_id, many_id = few.id, many.id
    assert _count(app, client, f"/jcos/{few_id}") == _count(app, client, f"/jcos/{many_id}")


# ------------------------------------------------------------------------------ hostile text


HOSTILE = '<a href="https://evil.example">Click</a><img src=x onerror=alert(1)>'


def test_html_in_names_reaches_every_chart_as_text(client, auth, app, db):
    """plotly.js renders <a href>, <b>, <br> in labels and hover text: data must arrive escaped."""
    jco = make_jco(db, HOSTILE, planned_start=date(2024, 1, 1), planned_end=date(2024, 1, 2))
    jco.year = 2024
    add_results(db, jco, [("PL", HOSTILE, 5, "<b>kg</b>")])
    db.commit()
    auth.login(make_account_email(db))
    html = page(client, "/dashboard")
    figs = figures(html)
    escaped = '&lt;a href="https://evil.example"&gt;Click&lt;/a&gt;&lt;img src=x onerror=alert(1)&gt;'
    assert figs["timeline-chart"]["data"][0]["y"] == [escaped]
    assert figs["timeline-chart"]["layout"]["yaxis"]["categoryarray"] == [escaped]
    assert figs["results-by-commodity-chart"]["data"][0]["x"] == [f"{escaped} (&lt;b&gt;kg&lt;/b&gt;)"]
    for fig in figs.values():
        assert "<a " not in json.dumps(fig) and "<b>" not in json.dumps(fig)
    # The tables keep the raw text (Jinja escapes it) and the downloads hold it as it is.
    assert table_rows(client, "timeline")[1][0] == HOSTILE


# ------------------------------------------------------------------------------ frameworks


def test_related_operations_never_count_in_the_dashboard(client, auth, app, db):
    ccwp = make_jco(db, "Ccwp op", lead="PL", participants={"LT": "participant"}, planned_start=date(2024, 3, 1),
                    planned_end=date(2024, 3, 9))
    related = make_jco(db, "Wco op", lead="FR", participants={"CN": "participant"}, planned_start=date(2024, 4, 1),
                       planned_end=date(2024, 4, 9))
    related.framework = "WCO_OP"  # a related operation holds no results (the results service refuses them)
    ccwp.year = related.year = 2024
    add_results(db, ccwp, [("PL", "cigarettes", 10, "pieces")])
    db.commit()
    auth.login(make_account_email(db))
    for query in ("", "?framework=all", "?framework=WCO_OP", "?framework=related", "?year=2024"):
        figs = figures(page(client, f"/dashboard{query}"))
        assert figs["timeline-chart"]["data"][0]["y"] == ["Ccwp op"], query
        assert sum(figs["pipeline-chart"]["data"][0]["y"]) == 1, query
        assert "CHN" not in choropleth_values(figs["participation-chart"]), query
        assert set(choropleth_values(figs["results-by-country-chart"])) == {"POL"}, query
    assert table_rows(client, "pipeline")[1:] and sum(int(r[1]) for r in table_rows(client, "pipeline")[1:]) == 1
