# Minimal stand-in; the data branch's version is kept at merge
"""Tables as downloads: CSV (UTF-8 with BOM, so Excel reads accents) or XLSX."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from flask import Response
from openpyxl import Workbook

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value):
    # A text cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table_response(rows: Iterable[Sequence], columns: Sequence[str], filename: str, fmt: str) -> Response:
    """A download of ``rows`` under the header ``columns``, as ``<filename>.<fmt>`` (csv or xlsx)."""
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"unknown table format {fmt!r}")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows([_cell(v) for v in row] for row in rows)
        body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    else:
        workbook = Workbook(write_only=True)
        stem = filename.removesuffix(".xlsx")
        sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "", stem)[:31] or "table")
        sheet.append(list(columns))
        for row in rows:
            sheet.append([_cell(v) for v in row])
        out = io.BytesIO()
        workbook.save(out)
        body = out.getvalue()
    name = filename if filename.endswith(f".{fmt}") else f"{filename}.{fmt}"
    response = Response(body, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    if fmt == "csv":
        response.headers["Content-Type"] = MEDIA_TYPES["csv"]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
