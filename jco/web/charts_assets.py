"""Offline assets for Plotly charts: the plotly.js bundle and the map outlines.

* plotly.js is served from the installed plotly Python package (never copied
  into the repository): :func:`plotly_js_path` / :func:`plotly_js_version`; the
  app serves it at ``/static-vendor/plotly-<version>.min.js``.
* plotly.js's own stylesheet (:func:`plotly_css`, read from the same bundle):
  plotly.js normally injects it as a ``<style>`` element, which a CSP without
  ``'unsafe-inline'`` blocks (modebar and layered SVGs then fall apart). Serve it
  at ``/static-vendor/plotly-<version>.css`` and link it with the id/class that
  tell plotly.js not to inject anything::

      <link id="plotly.js-style-global" class="no-inline-styles" rel="stylesheet"
            href="/static-vendor/plotly-<version>.css">

* Map outlines live in :data:`TOPOJSON_DIR` (``jco/static/maps/``, served as
  :data:`TOPOJSON_URL`). plotly.js fetches ``<topojsonURL><scope>_<resolution>m.json``
  for every geo subplot; ``static/js/charts.js`` passes the URL as the
  ``topojsonURL`` config. Only ``world_50m.json`` exists, so every map must use
  :func:`geo_layout` (scope "world", resolution 50): the "europe" scope has no
  Cyprus and resolution 110 has no Malta. See ``devtools/MAPS_SOURCE.md``.

Pure module: nothing here depends on Flask.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

TOPOJSON_DIR = Path(__file__).resolve().parent.parent / "static" / "maps"
# URL of TOPOJSON_DIR under Flask's default static route; ends with "/" because
# plotly.js appends "<scope>_<resolution>m.json".
TOPOJSON_URL = "/static/maps/"

_VERSION_RE = re.compile(rb"plotly\.js v(\d+\.\d+\.\d+\S*)")
# build/plotcss.js, minified: `{"X,X div":'direction:ltr;...',Y:"...","Y p":"margin:0;",...}`
_JS_STR = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_CSS_RULE_RE = re.compile(rf"\s*({_JS_STR}|[A-Za-z_$][\w$]*)\s*:\s*({_JS_STR})\s*(,|\}})")

# Settings shared by both regions. Layers: the trimmed world_50m.json only holds
# countries, land and lakes, so coastlines/ocean/rivers/subunits stay off (the
# country outlines already draw the coasts).
_GEO_BASE: dict[str, Any] = {
    "scope": "world",
    "resolution": 50,
    "visible": True,
    "fitbounds": False,
    "showcountries": True,
    "countrycolor": "#ffffff",
    "countrywidth": 0.6,
    "showland": True,
    "landcolor": "#e5e7eb",
    "showlakes": True,
    "lakecolor": "#ffffff",
    "showcoastlines": False,
    "showocean": False,
    "showrivers": False,
    "showsubunits": False,
    "showframe": False,
    "bgcolor": "rgba(0,0,0,0)",
}

_REGIONS: dict[str, dict[str, Any]] = {
    # Lambert azimuthal equal-area centred on 10°E 52°N, as Eurostat's ETRS89-LAEA
    # maps; the box runs from Ireland/Portugal to Cyprus and from Malta/Crete to
    # Lapland. (The Canary Islands, Madeira and the Azores are outside it.)
    "europe": {
        "projection": {"type": "azimuthal equal area", "rotation": {"lon": 10, "lat": 52, "roll": 0}},
        "lonaxis": {"range": [-12, 42]},
        "lataxis": {"range": [33, 71.5]},
    },
    # Third countries: the whole world but Antarctica.
    "world": {
        "projection": {"type": "natural earth", "rotation": {"lon": 10, "lat": 0, "roll": 0}},
        "lonaxis": {"range": [-170, 190]},
        "lataxis": {"range": [-57, 84]},
    },
}


def plotly_js_path() -> Path:
    """The plotly.min.js bundled with the installed plotly Python package."""
    path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js not found at {path}")
    return path


@cache
def plotly_js_version() -> str:
    """Version of that plotly.js, read from the bundle's own header comment."""
    with plotly_js_path().open("rb") as fh:
        match = _VERSION_RE.search(fh.read(512))
    if match is None:
        raise ValueError(f"no plotly.js version header in {plotly_js_path()}")
    return match.group(1).decode("ascii")


def _js_string(literal: str) -> str:
    if literal[0] not in "\"'":  # bare identifier key
        return literal
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


@cache
def plotly_css() -> str:
    """plotly.js's stylesheet (what it would inject at load time), from the installed bundle.

    Same rules as plotly.js's ``dist/plotly.css``; built from ``build/plotcss.js``
    as minified into plotly.min.js (X = ``.js-plotly-plot .plotly``, Y = ``.plotly-notifier``).
    """
    text = plotly_js_path().read_text(encoding="utf-8")
    anchor = text.find('{"X,X div":')
    if anchor < 0:
        raise ValueError(f"plotly.js CSS rules not found in {plotly_js_path()}")
    pos, rules = anchor + 1, []
    while True:
        match = _CSS_RULE_RE.match(text, pos)
        if match is None:
            raise ValueError("unexpected syntax in plotly.js CSS rules")
        selector = _js_string(match.group(1))
        selector = (
            re.sub(r"^,", " ,", selector)
            .replace("X", ".js-plotly-plot .plotly")
            .replace("Y", ".plotly-notifier")
        )
        rules.append(f"{selector}{{{_js_string(match.group(2))}}}")
        pos = match.end()
        if match.group(3) == "}":
            break
    return "\n".join(rules) + "\n"


def topojson_name(geo: dict[str, Any]) -> str:
    """The file plotly.js requests for a ``layout.geo`` (src/lib/topojson_utils.js)."""
    scope = str(geo.get("scope", "world")).replace(" ", "-")
    return f"{scope}_{int(geo.get('resolution', 110))}m.json"


def geo_layout(region: str = "europe") -> dict[str, Any]:
    """The ``layout.geo`` our maps use: ``"europe"`` (EU-27 incl. Cyprus and Malta) or ``"world"``.

    Returns a new dict each time; callers may update it (colours, ``domain``...)
    but must keep ``scope``/``resolution``, which select the map file.
    """
    try:
        specific = _REGIONS[region]
    except KeyError:
        raise ValueError(f"unknown map region {region!r}; expected one of {sorted(_REGIONS)}") from None
    return copy.deepcopy({**_GEO_BASE, **specific})


def figure_json(fig: Any) -> str:
    """A figure's JSON, safe inside ``<script type="application/json">`` (no ``<``, ``>``, ``&``).

    ``fig`` is a plotly Figure or a plain dict. plotly.py 7 encodes numpy arrays
    as ``{"dtype", "bdata"}`` objects, which plotly.js decodes itself.
    """
    if hasattr(fig, "to_json"):
        text = fig.to_json()
    else:
        import plotly.io as pio

        text = pio.to_json(fig, validate=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
