"""Offline chart assets: plotly.js from the plotly package, our trimmed map file, charts.js."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.offline
import pytest

from jco.operations.reference_data import EU_MEMBER_STATES_ISO3
from jco.web.charts_assets import (
    TOPOJSON_DIR,
    TOPOJSON_URL,
    figure_json,
    geo_layout,
    plotly_css,
    plotly_js_path,
    plotly_js_version,
    topojson_name,
)

REGIONS = ("europe", "world")
CHARTS_JS = Path(__file__).resolve().parents[2] / "jco" / "static" / "js" / "charts.js"
# Every layer plotly.js may read from a topojson (src/plots/geo/constants.js).
PLOTLY_LAYERS = ("ocean", "land", "lakes", "subunits", "countries", "coastlines", "rivers")
ISO3 = re.compile(r"[A-Z]{3}")


def load_topojson(name: str) -> dict:
    return json.loads((TOPOJSON_DIR / name).read_text(encoding="utf-8"))


def required_files() -> set[str]:
    return {topojson_name(geo_layout(region)) for region in REGIONS}


# ---------------------------------------------------------------- topojson decoding helpers


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring_points(arcs, ring) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in ring:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def polygons(geom: dict) -> list:
    if geom["type"] == "Polygon":
        return [geom["arcs"]]
    return geom["arcs"] if geom["type"] == "MultiPolygon" else []


def inside(point, ring) -> bool:
    x, y = point
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            hit = not hit
    return hit


def country_at(topo: dict, arcs, point) -> list[str]:
    found = []
    for geom in topo["objects"]["countries"]["geometries"]:
        for poly in polygons(geom):
            rings = [ring_points(arcs, r) for r in poly]
            if inside(point, rings[0]) and not any(inside(point, hole) for hole in rings[1:]):
                found.append(geom.get("id"))
                break
    return found


# ------------------------------------------------------------------------------- plotly.js


def test_plotly_js_is_the_installed_bundle():
    path = plotly_js_path()
    assert path.is_file()
    assert path.name == "plotly.min.js"
    assert path.parent == Path(plotly.__file__).parent / "package_data"
    assert path.stat().st_size > 1_000_000


def test_plotly_js_version_matches_what_plotly_py_expects():
    version = plotly_js_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", version)
    assert version == plotly.offline.get_plotlyjs_version()
    assert f"plotly.js v{version}".encode() in plotly_js_path().read_bytes()[:200]


def test_plotly_css_is_extracted_from_the_bundle():
    css = plotly_css()
    assert ".js-plotly-plot .plotly .main-svg{position:absolute;" in css
    assert ".js-plotly-plot .plotly .modebar{" in css
    assert ".plotly-notifier{" in css
    assert "X " not in css and "Y " not in css  # placeholders substituted
    assert len(css.splitlines()) >= 60
    assert "http://" not in css and "https://" not in css


# ----------------------------------------------------------------------------------- layout


@pytest.mark.parametrize("region", REGIONS)
def test_geo_layout_is_valid_plotly_and_uses_the_world_50m_file(region):
    geo = geo_layout(region)
    assert geo["scope"] == "world" and geo["resolution"] == 50
    assert topojson_name(geo) == "world_50m.json"
    go.Figure(layout={"geo": geo})  # plotly.py validates every property
    assert geo_layout(region) is not geo_layout(region)


def test_geo_layout_rejects_unknown_region():
    with pytest.raises(ValueError):
        geo_layout("asia")


def test_europe_view_frames_every_member_state_incl_cyprus_and_malta():
    geo = geo_layout("europe")
    (lon0, lon1), (lat0, lat1) = geo["lonaxis"]["range"], geo["lataxis"]["range"]
    topo = load_topojson(topojson_name(geo))
    centroids = {
        g["id"]: g["properties"]["ct"] for g in topo["objects"]["countries"]["geometries"] if "id" in g
    }
    for iso in EU_MEMBER_STATES_ISO3:
        lon, lat = centroids[iso]
        assert lon0 <= lon <= lon1 and lat0 <= lat <= lat1, iso


def test_topojson_url_is_a_same_origin_directory():
    assert TOPOJSON_URL.startswith("/") and TOPOJSON_URL.endswith("/")
    assert not TOPOJSON_URL.startswith("//")
    assert TOPOJSON_DIR.name == "maps" and TOPOJSON_DIR.parent.name == "static"


# ------------------------------------------------------------------------------- map files


def test_every_map_file_plotly_will_request_exists():
    for name in required_files():
        assert (TOPOJSON_DIR / name).is_file(), name


@pytest.mark.parametrize("name", sorted(required_files()))
def test_map_file_is_valid_topojson_with_every_layer(name):
    topo = load_topojson(name)
    assert topo["type"] == "Topology"
    assert set(topo["transform"]) == {"scale", "translate"}
    n_arcs = len(topo["arcs"])
    for layer in PLOTLY_LAYERS:  # missing layers make plotly.js throw when shown
        obj = topo["objects"][layer]
        assert obj["type"] == "GeometryCollection", layer
        for geom in obj["geometries"]:
            flat = json.dumps(geom.get("arcs", []))
            for index in map(int, re.findall(r"-?\d+", flat)):
                assert -n_arcs <= index < n_arcs, (layer, index)
    for arc in topo["arcs"]:
        assert len(arc) >= 2 and all(len(p) == 2 and all(isinstance(v, int) for v in p) for p in arc)


@pytest.mark.parametrize("region", REGIONS)
def test_layers_shown_by_geo_layout_have_data(region):
    geo = geo_layout(region)
    topo = load_topojson(topojson_name(geo))
    for layer in PLOTLY_LAYERS:
        if geo.get(f"show{layer}"):
            assert topo["objects"][layer]["geometries"], layer


def test_countries_layer_has_every_member_state_once_with_iso3_ids():
    topo = load_topojson("world_50m.json")
    geoms = topo["objects"]["countries"]["geometries"]
    ids = [g["id"] for g in geoms if "id" in g]
    assert all(isinstance(i, str) and ISO3.fullmatch(i) for i in ids)
    # Natural Earth's territories without an ISO code (Kosovo, Somaliland, Siachen...) keep an
    # outline; northern Cyprus is not one of them any more (it is part of CYP).
    assert len(geoms) - len(ids) <= 6
    assert len(ids) == len(set(ids))  # plotly.js colours only the first feature of an id
    assert len(EU_MEMBER_STATES_ISO3) == 27
    by_id = {g["id"]: g for g in geoms if "id" in g}
    for iso in (*EU_MEMBER_STATES_ISO3, "CHN", "USA"):
        assert iso in by_id, iso
        assert polygons(by_id[iso]), iso
        lon, lat = by_id[iso]["properties"]["ct"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90


@pytest.mark.parametrize(
    ("place", "point", "iso"),
    [
        ("Valletta", (14.51, 35.90), "MLT"),
        ("Luxembourg", (6.13, 49.61), "LUX"),
        ("Nicosia", (33.36, 35.17), "CYP"),
        ("Kyrenia (north of Cyprus)", (33.32, 35.33), "CYP"),
        ("Las Palmas (Canary Islands)", (-15.5, 28.0), "ESP"),
        ("Ponta Delgada (Azores)", (-25.6, 37.78), "PRT"),
        ("Simferopol (Crimea)", (34.1, 44.95), "UKR"),
    ],
)
def test_places_fall_in_the_right_country(place, point, iso):
    topo = load_topojson("world_50m.json")
    assert country_at(topo, decode_arcs(topo), point) == [iso], place


def test_map_download_stays_small():
    for name in required_files():
        raw = (TOPOJSON_DIR / name).read_bytes()
        assert len(gzip.compress(raw, 9)) < 150_000, name


def test_no_unused_map_files_are_shipped():
    shipped = {p.name for p in TOPOJSON_DIR.glob("*.json")}
    assert shipped == required_files()


# -------------------------------------------------------------------------------- charts.js


def test_charts_js_makes_no_external_request():
    text = CHARTS_JS.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text, re.IGNORECASE)
    assert "cdn." not in text.lower()


def test_charts_js_implements_the_contract():
    text = CHARTS_JS.read_text(encoding="utf-8")
    for needle in (
        'script[type="application/json"].plotly-figure',
        "data-target",
        "data-topojson-url",
        'meta[name="jco-topojson-url"]',
        "topojsonURL",
        "responsive: true",
        "displaylogo: false",
        "modeBarButtonsToRemove",
        '"sendChartToCloud"',
        "showSendToCloud: false",
        "Plotly.newPlot",
    ):
        assert needle in text, needle
    assert "eval(" not in text and "new Function" not in text and "innerHTML" not in text


def test_figure_json_is_safe_inside_a_script_element():
    fig = go.Figure(go.Choropleth(locations=["CYP"], z=[1], text=["</script><b>&"]))
    text = figure_json(fig)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["data"][0]["text"] == ["</script><b>&"]
    assert json.loads(figure_json(fig.to_dict()))["data"][0]["locations"] == ["CYP"]
