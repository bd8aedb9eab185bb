"""Reading an uploaded file (CSV or XLSX) into rows keyed by lower-case column name."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from babel.numbers import format_decimal

from jco.core.dates import current_locale
from jco.core.text import _
from jco.imports.parsing import COLUMNS, KNOWN_COLUMNS, Problem

XLSX_MAGIC = b"PK\x03\x04"
DEFAULT_MAX_ROWS = 5000
DEFAULT_MAX_XLSX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much of a file the import reads: rows after the header, and an XLSX's size unzipped
    (a few hundred kilobytes of zip can unpack to gigabytes)."""

    max_rows: int = DEFAULT_MAX_ROWS
    max_xlsx_bytes: int = DEFAULT_MAX_XLSX_BYTES

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(int(config.get("JCO_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)),
                   int(config.get("JCO_IMPORT_MAX_XLSX_MB", DEFAULT_MAX_XLSX_BYTES // 2**20)) * 2**20)


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; the message says what to do about it."""


@dataclass
class Table:
    """The rows of a file, each with the row number a spreadsheet would show (the header is row 1)."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def format_number(number: int) -> str:
    """``5,000`` for an English reader, ``5 000`` for a French one (the CLI reads English)."""
    return format_decimal(number, locale=current_locale())


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
        raise UnreadableFile(_(
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”, or upload the "
            ".xlsx file itself."
        )) from None


def _capped(rows: Iterable[tuple[int, list]], max_rows: int) -> list[tuple[int, list]]:
    """The non-blank rows, stopping as soon as there are more than the header and ``max_rows``."""
    kept = []
    for number, cells in rows:
        if any(str(c).strip() for c in cells if c is not None):
            kept.append((number, cells))
            if len(kept) > max_rows + 1:
                raise UnreadableFile(_(
                    "The file holds more than %(rows)s rows of operations (the most one import takes, "
                    "JCO_IMPORT_MAX_ROWS). Split it into smaller files and import them one after the other; "
                    "nothing was imported.", rows=format_number(max_rows)
                ))
    return kept


def _csv_rows(content: bytes, limits: Limits) -> list[tuple[int, list[str]]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    # Excel in many EU locales writes ";" between cells; lists inside a cell are then quoted.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _capped(enumerate(reader, start=1), limits.max_rows)
    except csv.Error as error:
        raise UnreadableFile(_("The file is not valid CSV (line %(line)s): %(problem)s.", line=reader.line_num,
                               problem=error)) from None


def _check_unzipped_size(content: bytes, limits: Limits) -> None:
    # Python's zipfile never inflates a member beyond the size its header declares, so the sum of
    # the declared sizes bounds what reading the workbook can unpack.
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile(_("The Excel file cannot be read (%(problem)s). Save it again as .xlsx.",
                               problem=error)) from None
    if unzipped > limits.max_xlsx_bytes:
        raise UnreadableFile(_(
            "The Excel file unpacks to %(size)s MB, more than the %(limit)s MB one import reads "
            "(JCO_IMPORT_MAX_XLSX_MB). Save only the register's sheet, without images or other sheets, or as CSV; "
            "nothing was imported.", size=format_number(round(unzipped / 2**20)),
            limit=format_number(round(limits.max_xlsx_bytes / 2**20))
        ))


def _xlsx_rows(content: bytes, limits: Limits) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    _check_unzipped_size(content, limits)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(_("The Excel file cannot be read (%(problem)s). Save it again as .xlsx.",
                               problem=error)) from None
    try:
        sheet = workbook.worksheets[0]
        rows = _capped(enumerate(sheet.iter_rows(values_only=True), start=1), limits.max_rows)
        return [(number, [_cell(v) for v in values]) for number, values in rows]
    finally:
        workbook.close()


def read_table(content: bytes, filename: str = "", limits: Limits | None = None) -> Table:
    """The rows of a CSV or XLSX file (told apart by content, not by name).

    Raises UnreadableFile, before anything is planned or stored, for a file beyond ``limits``.
    """
    limits = limits or Limits()
    if not content.strip():
        raise UnreadableFile(_("The file is empty."))
    raw = _xlsx_rows(content, limits) if content.startswith(XLSX_MAGIC) else _csv_rows(content, limits)
    if not raw:
        raise UnreadableFile(_("The file holds no rows."))
    header_number, header = raw[0]
    names = [" ".join(str(h).split()).lower().replace(" ", "_") for h in header]
    if "name" not in names:
        raise UnreadableFile(_(
            "Row %(row)s must name the columns, and one of them must be “name”. Expected columns: %(columns)s.",
            row=header_number, columns=", ".join(COLUMNS)
        ))
    table = Table()
    seen = set()
    for name in names:
        if name in seen and name:
            table.problems.append(Problem(name, _("the column appears twice; only the first one is read"), False))
        seen.add(name)
    unknown = [n for n in names if n and n not in KNOWN_COLUMNS]
    if unknown:
        table.problems.append(Problem("", _("columns not used by the import: %(columns)s",
                                              columns=", ".join(unknown)), False))
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        table.problems.append(Problem("", _("columns missing (read as blank): %(columns)s",
                                              columns=", ".join(missing)), False))
    for number, cells in raw[1:]:
        values: dict[str, str] = {}
        for name, value in zip(names, cells, strict=False):
            if name and name not in values:
                values[name] = _cell(value)
        table.rows.append((number, values))
    return table
