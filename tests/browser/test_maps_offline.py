"""The maps draw with no network beyond the app itself: plotly.js, its stylesheet and the country
shapes are all served by the app, so a blocked internet changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jco.core.db import get_session
from tests.browser.support import DEMO_ACCOUNTS, guard_requests, record_console_errors

pytestmark = pytest.mark.browser

COUNTRY_SHAPES = "path.choroplethlocation"


def csp_violations(console_errors: list[str]) -> list[str]:
    return [e for e in console_errors if "Content Security Policy" in e or "Refused to" in e]


def countries_taking_part(app) -> int:
    from jco.operations.models import Organisation, OrgKind, Participant

    with app.app_context():
        return get_session().scalar(
            select(func.count(func.distinct(Participant.organisation_id)))
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .where(Organisation.kind == OrgKind.COUNTRY)
        )


def test_participant_map_draws_offline(page, live_server, login_as, blocked_requests, console_errors):
    login_as(page, DEMO_ACCOUNTS["pl_delegate"])
    page.goto("/jcos")
    page.get_by_role("link", name="Baltica").first.click()
    page.locator("#participant-map").scroll_into_view_if_needed()  # plotly.js comes when the map is near
    chart = page.locator("#participant-map[data-plotly-state='drawn']")
    chart.wait_for()
    # Poland leads; Finland, Estonia, Latvia, Lithuania and Sweden take part. OLAF and Europol
    # are bodies: listed beside the map, not on it.
    assert chart.locator(COUNTRY_SHAPES).count() == 6
    assert "Europol" in page.locator("#participant-map-beside").inner_text()
    page.wait_for_load_state("networkidle")
    assert blocked_requests == []
    assert csp_violations(console_errors) == []
    assert console_errors == []


def test_jco_page_fetches_plotly_only_when_the_map_comes_into_view(browser, live_server, login_as,
                                                                   blocked_requests, console_errors):
    """The text and tables of a JCO page come first; plotly.js and the map file only once the
    reader scrolls to the map. What the browser fetched before that is at most 150 KB."""
    context = browser.new_context(base_url=live_server.url, service_workers="block", locale="en-GB",
                                  viewport={"width": 1280, "height": 400})
    guard_requests(context, live_server.host, blocked_requests.append, fresh_cache=True)  # a first visit
    page = context.new_page()
    page.set_default_timeout(15_000)
    record_console_errors(page, console_errors)
    try:
        login_as(page, DEMO_ACCOUNTS["pl_delegate"])
        fetched: list[tuple[str, int]] = []
        page.on("requestfinished", lambda request: fetched.append((request.url, request.sizes()["responseBodySize"])))
        # What was asked for, as it is asked: "requestfinished" may reach us after the map is drawn.
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto(f"/jcos/{live_server.ids['baltica']}")
        page.wait_for_load_state("networkidle")
        # The map's text alternative is there at once, plotly or not.
        assert "Poland" in page.locator("#participants-table").inner_text()
        before_map = list(fetched)
        assert not [url for url, _ in before_map if "plotly-" in url and url.endswith(".js") or "/maps/" in url]
        assert page.evaluate("() => window.Plotly === undefined")
        assert sum(size for _, size in before_map) <= 150 * 1024, before_map

        page.locator("#participant-map").scroll_into_view_if_needed()
        page.locator("#participant-map[data-plotly-state='drawn']").wait_for()
        assert any("/static-vendor/plotly-" in url for url in asked) and any("/maps/" in url for url in asked)
        page.wait_for_load_state("networkidle")
        assert blocked_requests == []
        assert console_errors == []
    finally:
        context.close()


def test_dashboard_draws_every_chart_offline(page, live_server, login_as, blocked_requests, console_errors):
    login_as(page, DEMO_ACCOUNTS["manager"])
    page.goto("/dashboard")
    charts = page.locator("[data-plotly-state]")
    page.wait_for_function(
        "() => { const c = document.querySelectorAll('.chart'); return c.length > 0 && "
        "[...c].every(e => e.getAttribute('data-plotly-state')); }")
    states = charts.evaluate_all("els => els.map(e => [e.id, e.getAttribute('data-plotly-state')])")
    assert len(states) >= 2 and all(state == "drawn" for _, state in states), states
    drawn_countries = page.locator(f"[data-plotly-state='drawn'] {COUNTRY_SHAPES}").count()
    assert drawn_countries == countries_taking_part(live_server.app)
    page.wait_for_load_state("networkidle")
    assert blocked_requests == []
    assert csp_violations(console_errors) == []
    assert console_errors == []


def test_no_country_is_drawn_inside_out(page, live_server, login_as):
    """A ring that trimming turned the wrong way round is read by d3-geo, on the sphere, as
    everything *but* the country: the map is then painted in that country's colour. Each
    country of the map file is drawn alone; none may cover half of the world."""
    import json

    from jco.web.charts_assets import TOPOJSON_DIR

    ids = [g["id"] for g in json.loads((TOPOJSON_DIR / "world_50m.json").read_text())["objects"]["countries"]
           ["geometries"] if "id" in g]
    login_as(page, DEMO_ACCOUNTS["manager"])
    page.goto("/dashboard")
    page.wait_for_function("() => window.Plotly !== undefined")
    shares = page.evaluate(
        """async ids => {
            const div = document.createElement('div');
            div.style.width = '900px'; div.style.height = '450px';
            document.body.appendChild(div);
            const out = {};
            for (const id of ids) {
                await Plotly.react(div, [{type: 'choropleth', locations: [id], z: [1], showscale: false}],
                    {geo: {scope: 'world', resolution: 50, fitbounds: false, projection: {type: 'natural earth'}},
                     margin: {l: 0, r: 0, t: 0, b: 0}}, {topojsonURL: '/static/maps/'});
                const shape = div.querySelector('path.choroplethlocation');
                const box = shape ? shape.getBBox() : {width: 0, height: 0};
                out[id] = box.width * box.height / (900 * 450);
            }
            return out;
        }""",
        ids,
    )
    assert len(shares) == len(ids) > 200
    inside_out = {iso: round(share, 2) for iso, share in shares.items() if share > 0.5}
    assert inside_out == {}
    assert 0.1 < shares["RUS"] < 0.5 and shares["CYP"] > 0 and shares["MLT"] > 0
