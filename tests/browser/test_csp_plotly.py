"""plotly.js, as bundled in the installed plotly package, under the app's strict CSP.

plotly.js puts its stylesheet (mode bar, hover labels, drag layers) into an empty <style> that it
fills through the CSSOM, and injects MapLibre's stylesheet verbatim. jco.core.security allows exactly
those (hashes, never 'unsafe-inline'); this test draws figures in chromium and fails on any
CSP violation or on plotly's own warning that it could not add its styles.
"""

from __future__ import annotations

import pytest
from flask import Response, send_file

from jco.core.security import plotly_bundle_path
from tests.browser.support import STATIC_DIR, demo_sqlite_url, live_app, serve

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plotly under the CSP</title></head>
<body><main><h1>Charts</h1><div id="bars" class="chart"></div><div id="pie" class="chart"></div></main>
<script src="/_test/plotly.min.js"></script><script src="/_test/draw_plotly.js"></script></body></html>"""


def add_chart_page(app) -> None:
    @app.get("/_test/charts")
    def charts():
        return Response(PAGE, mimetype="text/html")

    @app.get("/_test/plotly.min.js")
    def plotly_bundle():
        return send_file(plotly_bundle_path(), mimetype="text/javascript")

    @app.get("/_test/draw_plotly.js")
    def draw_script():
        return send_file(STATIC_DIR / "draw_plotly.js", mimetype="text/javascript")

    for view in (charts, plotly_bundle, draw_script):
        view.public = True


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    from tests.worker_db import keep_sqlite_open

    url = demo_sqlite_url(tmp_path_factory)
    keeper = keep_sqlite_open(url)
    server = serve(live_app(url, configure=add_chart_page))
    yield server
    server.stop()
    keeper.close()


def test_plotly_draws_under_the_csp_without_violations(page, blocked_requests, console_errors):
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if "CSP" in m.text or "StyleRule" in m.text else None)
    response = page.goto("/_test/charts")
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    page.locator("body[data-drawn='yes']").wait_for()
    assert page.locator("#bars svg.main-svg").count() >= 1
    assert page.locator("#pie .slice").count() == 3
    # plotly's global stylesheet exists and holds its rules, so the mode bar is laid out.
    rules = page.evaluate("document.getElementById('plotly.js-style-global').sheet.cssRules.length")
    assert rules > 10
    assert page.evaluate("getComputedStyle(document.querySelector('#bars .modebar')).position") == "absolute"
    page.locator("#bars").hover()
    page.wait_for_timeout(200)
    assert console_errors == []
    assert warnings == []
    assert blocked_requests == []
