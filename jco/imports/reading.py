"""Reading an uploaded file (CSV or XLSX) into rows keyed by lower-case column name."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from jco.imports.parsing import COLUMNS, KNOWN_COLUMNS, Problem

XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; the message says what to do about it."""


@dataclass
class Table:
    """The rows of a file, each with the row number a spreadsheet would show (the header is row 1)."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”, or upload the "
            ".xlsx file itself."
        ) from None


def _csv_rows(content: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    # Excel in many EU locales writes ";" between cells; lists inside a cell are then quoted.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as error:
        raise UnreadableFile(f"The file is not valid CSV (line {reader.line_num}): {error}.") from None


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(f"The Excel file cannot be read ({error}). Save it again as .xlsx.") from None
    try:
        sheet = workbook.worksheets[0]
        return [(number, [_cell(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def read_table(content: bytes, filename: str = "") -> Table:
    """The rows of a CSV or XLSX file (told apart by content, not by name)."""
    if not content.strip():
        raise UnreadableFile("The file is empty.")
    raw = _xlsx_rows(content) if content.startswith(XLSX_MAGIC) else _csv_rows(content)
    raw = [(number, cells) for number, cells in raw if any(str(c).strip() for c in cells)]
    if not raw:
        raise UnreadableFile("The file holds no rows.")
    header_number, header = raw[0]
    names = [" ".join(str(h).split()).lower().replace(" ", "_") for h in header]
    if "name" not in names:
        raise UnreadableFile(
            f"Row {header_number} must name the columns, and one of them must be “name”. Expected columns: "
            + ", ".join(COLUMNS) + "."
        )
    table = Table()
    seen = set()
    for name in names:
        if name in seen and name:
            table.problems.append(Problem(name, "the column appears twice; only the first one is read", False))
        seen.add(name)
    unknown = [n for n in names if n and n not in KNOWN_COLUMNS]
    if unknown:
        table.problems.append(Problem("", "columns not used by the import: " + ", ".join(unknown), False))
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        table.problems.append(Problem("", "columns missing (read as blank): " + ", ".join(missing), False))
    for number, cells in raw[1:]:
        values: dict[str, str] = {}
        for name, value in zip(names, cells, strict=False):
            if name and name not in values:
                values[name] = _cell(value)
        table.rows.append((number, values))
    return table
