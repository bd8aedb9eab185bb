"""Results of a final report: seizures by country, commodity, quantity and unit.

Results arrive typed into a form or as a CSV file exported from a spreadsheet. Either way they are
checked as a whole first: one bad row refuses the lot, with every problem named by its line, so a
report's figures are never half recorded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pycountry
from sqlalchemy import delete, func, select
from sqlmodel import Session

from jco.audit import services as audit
from jco.documents.models import Document
from jco.operations import services
from jco.operations.lifecycle import RESULTS_STATES, LifecycleError, State
from jco.operations.models import Jco, Organisation, OrgKind, Result

HEADER = ("country", "commodity", "quantity", "unit")
MAX_ROWS = 5000
MAX_COMMODITY = 200
MAX_UNIT = 30
# The Council writes EL for Greece and UK for the United Kingdom; ISO 3166 says GR and GB.
EU_COUNTRY_CODES = {"EL": "GR", "UK": "GB"}


@dataclass
class ResultRow:
    country: str | None
    commodity: str
    quantity: float
    unit: str


class ResultsError(ValueError):
    """Rows that cannot be recorded; ``problems`` holds (line or row number, message) pairs."""

    def __init__(self, problems: list[tuple[int, str]], *, noun: str = "Line") -> None:
        self.problems = problems
        self.noun = noun
        super().__init__("; ".join(self.messages))

    @property
    def messages(self) -> list[str]:
        return [f"{self.noun} {number}: {message}" for number, message in self.problems]


def normalise_country(text: str) -> str | None:
    """The ISO 3166 alpha-2 code for ``text`` (empty: not by country); ValueError when unknown."""
    code = text.strip().upper()
    if not code:
        return None
    code = EU_COUNTRY_CODES.get(code, code)
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"‘{text.strip()}’ is not a two-letter ISO country code such as DE, LV or PL.")
    return code


def parse_quantity(text: str, *, decimal_comma: bool = False) -> float:
    raw = text.strip().replace("\u00a0", "").replace(" ", "")
    if not raw:
        raise ValueError("The quantity is missing.")
    if decimal_comma and raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    if "," in raw:
        raise ValueError(f"‘{text.strip()}’ is not a number: write it without thousands separators, like 1250.5.")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"‘{text.strip()}’ is not a number.") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"The quantity must be more than zero, not {text.strip()}.")
    return float(value)


def check_row(country: str, commodity: str, quantity: str, unit: str, *,
              decimal_comma: bool = False) -> tuple[ResultRow | None, list[tuple[str, str]]]:
    """One row read from text, or its problems as (column, message) pairs.

    Shared by the CSV reader and the form, so that both accept exactly the same rows.
    """
    problems: list[tuple[str, str]] = []
    code = None
    try:
        code = normalise_country(country)
    except ValueError as error:
        problems.append(("country", str(error)))
    commodity = " ".join(commodity.split())
    if not commodity:
        problems.append(("commodity", "The commodity is missing."))
    elif len(commodity) > MAX_COMMODITY:
        problems.append(("commodity", f"The commodity name is longer than {MAX_COMMODITY} characters."))
    amount = None
    try:
        amount = parse_quantity(quantity, decimal_comma=decimal_comma)
    except ValueError as error:
        problems.append(("quantity", str(error)))
    unit = " ".join(unit.split())
    if not unit:
        problems.append(("unit", "The unit is missing (kg, pieces, litres …)."))
    elif len(unit) > MAX_UNIT:
        problems.append(("unit", f"The unit is longer than {MAX_UNIT} characters."))
    if problems:
        return None, problems
    return ResultRow(country=code, commodity=commodity, quantity=amount, unit=unit), []


def parse_results_csv(text: str) -> list[ResultRow]:
    """Rows of a results file with the header ``country,commodity,quantity,unit``.

    Spreadsheets in much of Europe save CSV with semicolons and decimal commas; both are read.
    Blank lines are skipped. Any bad row raises ResultsError listing every problem by line.
    """
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    problems: list[tuple[int, str]] = []
    rows: list[ResultRow] = []
    header_seen = False
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if not header_seen:
                header_seen = True
                if tuple(cell.strip().lower() for cell in record) != HEADER:
                    raise ResultsError([(line, "The first line must be the header: country,commodity,quantity,unit")])
                continue
            if len(record) != len(HEADER):
                problems.append((line, f"Expected 4 columns (country, commodity, quantity, unit), found {len(record)}."))
                continue
            row, row_problems = check_row(*record, decimal_comma=delimiter == ";")
            problems.extend((line, message) for _column, message in row_problems)
            if row is not None:
                rows.append(row)
            if len(rows) + len(problems) > MAX_ROWS:
                raise ResultsError([(line, f"The file has more than {MAX_ROWS} rows; split it.")])
    except csv.Error as error:
        raise ResultsError([(reader.line_num, f"The file is not valid CSV ({error}).")]) from None
    if not header_seen:
        raise ResultsError([(1, "The file is empty: it needs the header country,commodity,quantity,unit and rows.")])
    if problems:
        raise ResultsError(problems)
    if not rows:
        raise ResultsError([(2, "The file has a header but no result rows.")])
    return rows


def accepts_results(jco: Jco) -> bool:
    # Results are a final report's seizures: a related operation (another framework) has none
    # here, so the dashboard's results charts need no framework filter on the results table.
    return jco.is_ccwp and State(jco.state) in RESULTS_STATES


def add_results(
    session: Session, jco: Jco, rows: list[ResultRow], actor, *, document: Document | None = None,
    replace: bool = False,
) -> list[Result]:
    """Record ``rows`` for ``jco`` (all or none); with ``replace``, its earlier results go first."""
    if not jco.is_ccwp:
        raise LifecycleError(f"{jco.title} is a {jco.framework_label}: results are recorded for CCWP operations, "
                             "from their final report.")
    if not accepts_results(jco):
        raise LifecycleError(
            f"Results are recorded from the debriefing on; the operation is at “{State(jco.state).label}”."
        )
    if not rows:
        raise ResultsError([(1, "There are no result rows to add.")], noun="Row")
    if document is not None and document.jco_id != jco.id:
        raise ValueError(f"{document.reference} is not a document of {jco.title}.")
    codes = {row.country for row in rows if row.country}
    countries = {
        o.code: o for o in session.scalars(
            select(Organisation).where(Organisation.code.in_(codes), Organisation.kind == OrgKind.COUNTRY)
        )
    } if codes else {}
    unknown = [(n, f"No country with the code {row.country}.") for n, row in enumerate(rows, 1)
               if row.country and row.country not in countries]
    if unknown:
        raise ResultsError(unknown, noun="Row")
    by_name = {c.name.lower(): c for c in services.commodities(session, [row.commodity for row in rows])}
    session.flush()  # new commodities need their ids
    removed = 0
    if replace:
        removed = session.scalar(select(func.count()).select_from(Result).where(Result.jco_id == jco.id)) or 0
        session.execute(delete(Result).where(Result.jco_id == jco.id))
    results = [
        Result(
            jco_id=jco.id, document_id=document.id if document else None,
            organisation_id=countries[row.country].id if row.country else None,
            commodity_id=by_name[" ".join(row.commodity.split()).lower()].id,
            quantity=row.quantity, unit=row.unit, year=jco.year,
        )
        for row in rows
    ]
    session.add_all(results)
    source = f" from {document.reference}" if document else ""
    # References only: a classified report's title must not reach the log.
    audit.record(
        session, actor, "jco.results", jco, jco_id=jco.id,
        summary=f"{'Replaced the results of' if replace else 'Added results to'} {jco.title}: "
                f"{len(results)} row{'s' if len(results) != 1 else ''}{source}",
        before={"rows": removed} if replace else None,
        after={"rows_added": len(results), "document": document.reference if document else None,
               "replaced": replace},
    )
    session.flush()
    return results
