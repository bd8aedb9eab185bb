"""Downloads: the register as CSV or Excel, and ``table_response`` for any other table (a chart's data).

The register export has the columns the importer reads (``jco.imports.parsing.COLUMNS``) plus the
operation's kind and state, so a downloaded register can be edited and imported again, or moved
to another deployment. It shows what the register page shows and nothing more: document
references and markings, never a document's title.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import raiseload
from sqlmodel import Session, select

from jco import permissions
from jco.core.db import get_session
from jco.core.i18n import current_language
from jco.core.timeutil import today
from jco.documents.models import Document, Marking
from jco.documents.queries import document_order
from jco.imports.parsing import BODY_LABELS, COLUMNS, EXPORT_COLUMNS
from jco.imports.vocabulary import KIND_LABELS, STATE_LABELS_BY_LANGUAGE
from jco.operations.lifecycle import State
from jco.operations.models import (
    Commodity,
    Jco,
    JcoCommodity,
    JcoKind,
    JcoTransportMode,
    Organisation,
    Participant,
    Role,
    TransportMode,
)
from jco.operations.queries import SORTS, RegisterFilters, filtered

bp = Blueprint("exports", __name__)

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"
REGISTER_COLUMNS = (*COLUMNS, *EXPORT_COLUMNS)
_CSV_CHUNK_ROWS = 200


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made inert with an apostrophe.

    Every ``;``-separated item is checked, not only the cell's start: Excel in many EU locales
    splits a CSV at ``;``, so each item of a list cell (``BE;=HYPERLINK(…)``) may open a cell of
    its own. The apostrophe goes right before the trigger, after any spaces; the importer removes
    it again (``jco.imports.parsing.clean``), so an exported register reads back unchanged.
    """
    if not isinstance(value, str):
        return value
    items = value.split(LIST_SEPARATOR)
    for i, item in enumerate(items):
        body = item.lstrip(" ")
        if body.startswith(FORMULA_TRIGGERS):
            items[i] = item[: len(item) - len(body)] + "'" + body
    return LIST_SEPARATOR.join(items)


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(neutralise(value) if isinstance(value, str) else value)


def _values(row, columns: Sequence[str]) -> Sequence:
    if isinstance(row, Mapping):
        return [row.get(c) for c in columns]
    return row


def _csv_stream(rows: Iterable, columns: Sequence[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # The byte-order mark makes Excel read the file as UTF-8 (names like “Zollkriminalamt” survive).
    buffer.write("\ufeff")
    writer.writerow([_csv_text(c) for c in columns])
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(v) for v in _values(row, columns)])
        if n % _CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


WIDTH_SAMPLE_ROWS = 200
MAX_COLUMN_WIDTH = 60


def _shown(value) -> str:
    return "" if value is None else value.isoformat() if isinstance(value, date | datetime) else str(value)


def _xlsx_bytes(rows: Iterable, columns: Sequence[str], sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)  # rows go straight to the file: memory stays flat
    sheet = workbook.create_sheet(title=sheet_title[:31] or "Sheet1")
    bold = Font(bold=True)

    def cell(value, header=False):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        c = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # text is text: "=…" stays a string, never a formula
        if header:
            c.font = bold
        return c

    # Columns sized to their content, read from the first rows (a write-only sheet takes widths before
    # its first row); the rest of the rows still stream straight to the file.
    rows = iter(rows)
    first = [list(_values(row, columns)) for row in itertools.islice(rows, WIDTH_SAMPLE_ROWS)]
    for index, name in enumerate(columns):
        longest = max([len(str(name))] + [len(_shown(r[index])) for r in first])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(longest, 6) + 2, MAX_COLUMN_WIDTH)
    sheet.append([cell(c, header=True) for c in columns])
    for values in first:
        sheet.append([cell(v) for v in values])
    for row in rows:
        sheet.append([cell(v) for v in _values(row, columns)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_bytes(rows: Iterable, columns: Sequence[str], fmt: str, sheet_title: str = "register") -> bytes:
    """The same file as :func:`table_response` gives, as bytes (``flask --app jco export``)."""
    if fmt == "csv":
        return "".join(_csv_stream(rows, columns)).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx_bytes(rows, columns, sheet_title)
    raise ValueError(f"{fmt!r} is not csv or xlsx")


def table_response(rows: Iterable, columns: Sequence[str], filename: str, fmt: str) -> Response:
    """A table as a file download, for the register and for every chart's data.

    - ``rows``: an iterable of rows, each a sequence in the order of ``columns`` or a mapping keyed by
      the column names. It is consumed once, lazily: a CSV download is streamed while the rows are
      produced, so a generator over a query result never sits in memory as a whole.
    - ``columns``: the header labels, in order.
    - ``filename``: the download's name without extension, e.g. ``"jcos-by-state"``; ``.csv`` or
      ``.xlsx`` is added from ``fmt``.
    - ``fmt``: ``"csv"`` (UTF-8 with a byte-order mark, so Excel reads accents right) or ``"xlsx"``;
      anything else is a 404, so views can pass the URL's extension straight through.

    Values: ``None`` is an empty cell; dates are ISO 8601 text in CSV and real dates in XLSX;
    numbers stay numbers in XLSX. Text that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
    carriage return) gets a leading apostrophe in CSV and is stored as a text cell in XLSX, so no
    spreadsheet ever runs it as a formula (CSV injection).
    """
    if fmt not in MEDIA_TYPES:
        abort(404)
    safe_name = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename) or "export"
    headers = {"Content-Disposition": f'attachment; filename="{safe_name}.{fmt}"'}
    if fmt == "csv":
        return Response(stream_with_context(_csv_stream(rows, columns)), content_type=MEDIA_TYPES["csv"],
                        headers=headers)
    return Response(_xlsx_bytes(rows, columns, safe_name), mimetype=MEDIA_TYPES["xlsx"], headers=headers)


# --- the register -------------------------------------------------------------------------------

def _organisation_label(code: str, kind: str, name: str) -> str:
    # A body the import added (EUBAM, a UN programme…) is written by name: the import finds it so.
    return BODY_LABELS.get(code, name) if kind == "body" else code


def _with_agency(label: str, agency: str) -> str:
    # ";" separates list items in the import format, so it cannot appear inside one.
    agency = agency.replace(";", ",").strip()
    return f"{label} - {agency}" if agency else label


def register_rows(session: Session, filters: RegisterFilters, language: str = "en") -> Iterator[dict]:
    """The register's rows as the importer reads them, in a fixed number of queries.

    The kind and state are written in ``language`` ("en" or "fr"), as the pages show them; the
    import reads either (jco.imports.vocabulary). Every other cell is data or a code, as stored.

    A generator: nothing is read until the first row is asked for, so a streamed download runs
    its queries while it streams, in one transaction. The related facts (participants, goods,
    modes, documents) are read first, one query each for all the filtered operations; the
    operations themselves are then fetched in batches.
    """
    ids = filtered(filters).with_only_columns(Jco.id).order_by(None)
    people: dict[int, list] = defaultdict(list)
    for jco_id, role, agency, code, kind, name in session.execute(
        select(Participant.jco_id, Participant.role, Participant.agency, Organisation.code, Organisation.kind,
               Organisation.name)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .where(Participant.jco_id.in_(ids))
        .order_by(Participant.jco_id, Participant.id)
    ):
        people[jco_id].append((role, agency or "", _organisation_label(code, kind, name), kind))
    goods: dict[int, list[str]] = defaultdict(list)
    for jco_id, name in session.execute(
        select(JcoCommodity.jco_id, Commodity.name).join(Commodity, Commodity.id == JcoCommodity.commodity_id)
        .where(JcoCommodity.jco_id.in_(ids)).order_by(JcoCommodity.jco_id, Commodity.name)
    ):
        goods[jco_id].append(name)
    modes: dict[int, list[str]] = defaultdict(list)
    for jco_id, name in session.execute(
        select(JcoTransportMode.jco_id, TransportMode.name).join(TransportMode, TransportMode.id == JcoTransportMode.transport_mode_id)
        .where(JcoTransportMode.jco_id.in_(ids)).order_by(JcoTransportMode.jco_id, TransportMode.name)
    ):
        modes[jco_id].append(name)
    documents: dict[int, list] = defaultdict(list)
    # In document order from the database, so each operation's list needs no sorting here.
    for row in session.execute(
        select(Document.jco_id, Document.reference, Document.marking)
        .where(Document.jco_id.in_(ids)).order_by(*document_order(), Document.id)
    ):
        documents[row.jco_id].append((row.reference, Marking(row.marking or "")))

    kinds = KIND_LABELS.get(language, KIND_LABELS["en"])
    states = STATE_LABELS_BY_LANGUAGE.get(language, STATE_LABELS_BY_LANGUAGE["en"])
    query = (filtered(filters).order_by(*SORTS[filters.sort]).options(raiseload("*"))
             .execution_options(yield_per=500))
    for jco in session.scalars(query):
        members = people.get(jco.id, [])
        cited = documents.get(jco.id, [])
        yield {
            "name": jco.name,
            "edition": jco.edition,
            "year_start": jco.year,
            "year_end": (jco.actual_end or jco.planned_end).year if (jco.actual_end or jco.planned_end) else None,
            "lead": ";".join(_with_agency(c, a) for r, a, c, k in members if r == Role.LEAD),
            "co_leads": ";".join(_with_agency(c, a) for r, a, c, k in members if r == Role.CO_LEAD),
            "participants": ";".join(c if r in (Role.LEAD, Role.CO_LEAD) else _with_agency(c, a)
                                     for r, a, c, k in members if k == "country"),
            "agencies": ";".join(
                [c if r in (Role.LEAD, Role.CO_LEAD) or not a else f"{c} ({a.replace(';', ',')})"
                 for r, a, c, k in members if k == "body"]
                + [a.strip() for a in jco.other_agencies.split(";") if a.strip()]
            ),
            "target_goods": ";".join(goods.get(jco.id, [])),
            "transport_modes": ";".join(modes.get(jco.id, [])),
            "results_summary": jco.public_results,
            "council_docs": ";".join(reference for reference, _ in cited),
            "classification": Marking.highest(m for _, m in cited).value,
            "source_urls": ";".join(line.strip() for line in jco.sources.splitlines() if line.strip()),
            "notes": jco.source_notes,
            # The labels people read on the pages; the import reads them back (and codes too).
            "kind": kinds[JcoKind(jco.kind)],
            # A related operation has no life-cycle state (its column holds only the default).
            "state": states[State(jco.state)] if jco.is_ccwp else "",
            "framework": jco.framework,
        }


@bp.get("/jcos/export.<fmt>")
def register_export(fmt: str):
    if fmt not in MEDIA_TYPES:
        abort(404)
    if not permissions.can_view(current_user):
        abort(403)
    filters = RegisterFilters.from_args(request.args)
    language = current_language()

    def rows():
        # The session is taken when the rows are read: a streamed CSV is read after this view has
        # returned and its request's session has been closed, in a context of its own.
        yield from register_rows(get_session(), filters, language)

    return table_response(rows(), REGISTER_COLUMNS, f"jco-register-{today().isoformat()}", fmt)
