"""What the chart pages cost a browser: vendor routes, compression, caching, page weight, CSP."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser

import plotly.offline
import pytest
from sqlalchemy import select

from jco.operations.models import Jco
from jco.web.charts_assets import TOPOJSON_DIR, TOPOJSON_URL, plotly_css, plotly_js_path
from jco.web.vendor import brotli, plotly_injected_style_ids

VERSION = plotly.offline.get_plotlyjs_version()
PLOTLY_JS = f"/static-vendor/plotly-{VERSION}.min.js"
PLOTLY_CSS = f"/static-vendor/plotly-{VERSION}.css"
MAP_FILE = f"{TOPOJSON_URL}world_50m.json"
WEEK = 7 * 24 * 3600
GZIP = {"Accept-Encoding": "gzip"}


class Resources(HTMLParser):
    """Every URL a page makes the browser fetch or link to, and any inline script or style."""

    def __init__(self):
        super().__init__()
        self.fetched: list[str] = []  # script src, stylesheet href
        self.when_visible: list[str] = []  # scripts charts.js fetches once a chart nears the viewport
        self.links: list[str] = []  # every src/href
        self.inline_scripts = 0
        self.style_attributes = 0
        self._in_script_without_src = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href", "action"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if "style" in attrs:
            self.style_attributes += 1
        if tag == "script":
            if attrs.get("data-plotly-src"):
                self.when_visible.append(attrs["data-plotly-src"])
            if attrs.get("src"):
                self.fetched.append(attrs["src"])
            elif attrs.get("type") != "application/json":
                self.inline_scripts += 1
        if tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
            self.fetched.append(attrs["href"])
        if tag == "style":
            self.inline_scripts += 1


def resources(html: str) -> Resources:
    parser = Resources()
    parser.feed(html)
    return parser


def max_age(response) -> int:
    cache = response.cache_control
    if cache.no_cache or cache.no_store:
        return 0
    return cache.max_age or 0


# ------------------------------------------------------------------------------- vendor routes


def test_vendor_routes_serve_the_installed_plotly_version(client, auth, demo):
    auth.login("manager@example.org")
    html = client.get("/dashboard").get_data(as_text=True)
    assert f'src="{PLOTLY_JS}"' in html and f'href="{PLOTLY_CSS}"' in html
    response = client.get(PLOTLY_JS)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.data == plotly_js_path().read_bytes()
    assert f"plotly.js v{VERSION}".encode() in response.data[:200]
    css = client.get(PLOTLY_CSS)
    assert css.mimetype == "text/css" and css.get_data(as_text=True) == plotly_css()


@pytest.mark.parametrize("path", [PLOTLY_JS, PLOTLY_CSS])
def test_vendor_files_are_public_immutable_and_compressed(client, path):
    identity = client.get(path)  # no login: library code, needed wherever charts are
    assert identity.status_code == 200 and "Content-Encoding" not in identity.headers
    encodings = [("gzip", gzip.decompress)] + ([("br", brotli.decompress)] if brotli else [])
    for encoding, decompress in encodings:
        response = client.get(path, headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decompress(response.data) == identity.data
        assert len(response.data) < len(identity.data) / 2
        cache = response.cache_control
        assert cache.public and cache.max_age == 31536000 and cache.immutable and not cache.no_cache
        again = client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and not again.data
    # "br, gzip" in the browser's usual order: brotli wins, being smaller.
    if brotli:
        assert client.get(path, headers={"Accept-Encoding": "gzip, deflate, br, zstd"}).headers["Content-Encoding"] == "br"


@pytest.mark.parametrize("path", ["/static-vendor/plotly-1.0.0.min.js", "/static-vendor/plotly-1.0.0.css"])
def test_other_versions_are_not_served(client, path):
    assert client.get(path).status_code == 404


def test_plotly_would_inject_no_style_the_page_has_not_provided(client, auth, demo):
    ids = plotly_injected_style_ids()
    assert ids  # plotly.js 4 injects maplibre's CSS unless an element with its id exists
    auth.login("manager@example.org")
    html = client.get("/dashboard").get_data(as_text=True)
    for id_ in ids:
        assert f'<template id="{id_}"></template>' in html


# -------------------------------------------------------------------------------- static files


def test_compressible_types_cover_scripts_styles_and_json(app):
    types = set(app.config["COMPRESS_MIMETYPES"])
    assert {"application/javascript", "text/javascript", "text/css", "application/json"} <= types


def test_map_file_is_compressed_cached_and_revalidated_by_etag(client):
    response = client.get(MAP_FILE, headers=GZIP)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == (TOPOJSON_DIR / "world_50m.json").read_bytes()
    assert max_age(response) >= WEEK and response.cache_control.public
    assert not response.cache_control.immutable  # a fixed name: it may change with plotly's next map
    again = client.get(MAP_FILE, headers={**GZIP, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    plain = client.get(MAP_FILE)
    assert "Content-Encoding" not in plain.headers and plain.headers["ETag"] != response.headers["ETag"]


def test_fingerprinted_static_files_are_immutable_and_compressed(client, auth, demo):
    auth.login("manager@example.org")
    html = client.get("/dashboard").get_data(as_text=True)
    local = [u for u in resources(html).fetched if u.startswith("/static/")]
    assert any("charts.js?v=" in u for u in local) and any("app.css?v=" in u for u in local)
    for url in local:
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200, url
        assert response.headers["Content-Encoding"] == "gzip", url
        cache = response.cache_control
        assert cache.immutable and cache.max_age == 31536000 and not cache.no_cache, url


# -------------------------------------------------------------------------------- page weight


def chart_pages(db) -> list[str]:
    baltica = db.scalar(select(Jco.id).where(Jco.name == "Baltica"))
    return ["/dashboard", f"/jcos/{baltica}"]


def _first_visit(client, path: str, *, charts: bool = True) -> tuple[dict[str, int], dict[str, object]]:
    """Compressed bytes of the page and of everything it makes the browser fetch (gzip only);
    with ``charts``, once every chart has been scrolled to and drawn."""
    page = client.get(path, headers=GZIP)
    assert page.status_code == 200 and page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.data).decode()
    found = resources(html)
    urls = found.fetched
    if charts and "plotly-figure" in html:
        urls += found.when_visible
        urls.append(MAP_FILE)  # fetched by plotly.js itself
    sizes, responses = {path: len(page.data)}, {path: page}
    for url in urls:
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200, url
        sizes[url], responses[url] = len(response.data), response
    return sizes, responses


def test_first_visit_costs_plotly_plus_at_most_150_kb(client, auth, demo, db):
    auth.login("manager@example.org")
    for path in chart_pages(db):
        sizes, _ = _first_visit(client, path)
        assert PLOTLY_JS in sizes and MAP_FILE in sizes
        rest = sum(size for url, size in sizes.items() if url != PLOTLY_JS)
        assert rest <= 150 * 1024, (path, sizes)
        assert sizes[PLOTLY_JS] < 1_600_000  # compressed, not the 4.8 MB file


def test_jco_page_shows_its_text_and_tables_before_plotly_and_the_map(client, auth, demo, db):
    """The JCO page is the page people open most: its text and tables must not wait for the 4.8 MB
    of plotly.js, which charts.js fetches only when the map comes near the viewport."""
    auth.login("manager@example.org")
    baltica = db.scalar(select(Jco.id).where(Jco.name == "Baltica"))
    html = client.get(f"/jcos/{baltica}").get_data(as_text=True)
    found = resources(html)
    assert PLOTLY_JS not in found.fetched and found.when_visible == [PLOTLY_JS]
    assert 'class="plotly-figure" data-target="participant-map"' in html
    assert html.index('id="participants-table"') > 0  # the map's text alternative stays in the page
    sizes, responses = _first_visit(client, f"/jcos/{baltica}", charts=False)
    assert PLOTLY_JS not in sizes and MAP_FILE not in sizes
    assert sum(sizes.values()) <= 150 * 1024, sizes
    # Uncompressed too (what the browser parses before it draws anything): well under the limit.
    unpacked = sum(len(gzip.decompress(r.data)) if r.headers.get("Content-Encoding") == "gzip" else len(r.data)
                   for r in responses.values())
    assert unpacked <= 150 * 1024, unpacked


def test_second_visit_costs_at_most_30_kb(client, auth, demo, db):
    auth.login("manager@example.org")
    for path in chart_pages(db):
        sizes, responses = _first_visit(client, path)
        # The browser reuses, without asking, whatever came with a long max-age; only the rest
        # (the page itself) travels again.
        again = {url: size for url, size in sizes.items() if max_age(responses[url]) < WEEK}
        assert list(again) == [path], again
        assert sum(again.values()) <= 30 * 1024, again


# ------------------------------------------------------------------------------ CSP and hosts


def test_chart_pages_use_no_other_host_and_no_inline_script_or_style(client, auth, demo, db):
    auth.login("manager@example.org")
    for path in chart_pages(db):
        html = client.get(path).get_data(as_text=True)
        found = resources(html)
        assert found.links, path
        assert not [u for u in found.links if re.match(r"(?i)^(https?:)?//", u)], path
        assert "http://" not in " ".join(found.fetched) and "https://" not in " ".join(found.fetched)
        assert found.inline_scripts == 0 and found.style_attributes == 0, path
        # The charts need plotly.js's stylesheet linked before plotly.js runs.
        assert html.index('id="plotly.js-style-global" class="no-inline-styles"') < html.index(PLOTLY_JS)
        assert re.search(r'<script src="/static/js/charts\.js\?v=[0-9a-f]+"[^>]* defer></script>', html)
