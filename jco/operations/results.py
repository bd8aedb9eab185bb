"""Results of a final report: seizures by country, commodity, quantity and unit.

Results arrive typed into a form or as a CSV file exported from a spreadsheet. Either way they are
checked as a whole first: one bad row refuses the lot, with every problem named by its line, so a
report's figures are never half recorded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pycountry
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, func, true
from sqlmodel import Session, select

from jco import permissions
from jco.audit import services as audit
from jco.core import cache, quantities
from jco.documents.files import may_store_files_marked
from jco.documents.models import DocType, Document
from jco.operations import services
from jco.operations.lifecycle import RESULTS_STATES, LifecycleError, State
from jco.operations.models import Commodity, Jco, JcoCommodity, Organisation, OrgKind, Result, ResultSource
from jco.permissions import Refused

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

    def __init__(self, problems: list[tuple[int, str]], *, noun: str = "line") -> None:
        self.problems = problems
        self.noun = noun  # "line" of a file or "row" of a form
        super().__init__("; ".join(self.messages))

    @property
    def messages(self) -> list[str]:
        if self.noun == "row":
            return [_("Row %(number)s: %(problem)s", number=number, problem=message) for number, message in self.problems]
        return [_("Line %(number)s: %(problem)s", number=number, problem=message) for number, message in self.problems]


def normalise_country(text: str) -> str | None:
    """The ISO 3166 alpha-2 code for ``text`` (empty: not by country); ValueError when unknown."""
    code = text.strip().upper()
    if not code:
        return None
    code = EU_COUNTRY_CODES.get(code, code)
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(_("‘%(code)s’ is not a two-letter ISO country code such as DE, LV or PL.", code=text.strip()))
    return code


def parse_quantity(text: str, *, decimal_comma: bool = False) -> float:
    """A quantity of seized goods: read by jco.core.quantities, and more than zero."""
    value = quantities.parse_quantity(text, decimal_comma=decimal_comma)
    if not value.is_finite() or value <= 0:
        raise ValueError(_("The quantity must be more than zero, not %(quantity)s.", quantity=text.strip()))
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
        problems.append(("commodity", _("The commodity is missing.")))
    elif len(commodity) > MAX_COMMODITY:
        problems.append(("commodity", _("The commodity name is longer than %(most)s characters.",
                                        most=format_number(MAX_COMMODITY))))
    amount = None
    try:
        amount = parse_quantity(quantity, decimal_comma=decimal_comma)
    except ValueError as error:
        problems.append(("quantity", str(error)))
    unit = " ".join(unit.split())
    if not unit:
        problems.append(("unit", _("The unit is missing (kg, pieces, litres …).")))
    elif len(unit) > MAX_UNIT:
        problems.append(("unit", _("The unit is longer than %(most)s characters.", most=format_number(MAX_UNIT))))
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
                    raise ResultsError([(line, _("The first line must be the header: %(header)s",
                                                 header="country,commodity,quantity,unit"))])
                continue
            if len(record) != len(HEADER):
                problems.append((line, _("Expected 4 columns (country, commodity, quantity, unit), found %(found)s.",
                                         found=len(record))))
                continue
            row, row_problems = check_row(*record, decimal_comma=delimiter == ";")
            problems.extend((line, message) for _column, message in row_problems)
            if row is not None:
                rows.append(row)
            if len(rows) + len(problems) > MAX_ROWS:
                raise ResultsError([(line, _("The file has more than %(most)s rows; split it.",
                                             most=format_number(MAX_ROWS)))])
    except csv.Error as error:
        raise ResultsError([(reader.line_num, _("The file is not valid CSV (%(error)s).", error=str(error)))]) from None
    if not header_seen:
        raise ResultsError([(1, _("The file is empty: it needs the header %(header)s and rows.",
                                  header="country,commodity,quantity,unit"))])
    if problems:
        raise ResultsError(problems)
    if not rows:
        raise ResultsError([(2, _("The file has a header but no result rows."))])
    return rows


def accepts_results(jco: Jco) -> bool:
    # Results are a final report's seizures: a related operation (another framework) has none
    # here, so the dashboard's results charts need no framework filter on the results table.
    return jco.is_ccwp and State(jco.state) in RESULTS_STATES


# --- the rules: who, when, which document, how many rows, and what ``replace`` may delete -------------
# The results page and POST /api/v1/jcos/<id>/results both end in add_results below, so they refuse
# the same requests with the same words. ``actor`` None is the server itself (import, demo, CLI).

def check_may_add_results(actor, jco: Jco) -> None:
    """Raise Refused unless ``actor`` may record results of ``jco`` now."""
    if not jco.is_ccwp:
        raise Refused(_("%(jco)s is a %(framework)s: results are recorded for CCWP operations, from their final "
                        "report.", jco=jco.title, framework=_(jco.framework_label)), status=422)
    if actor is None or permissions.can_add_results(actor, jco):
        return
    may_record = permissions.is_secretariat(actor) or permissions.leads_jco(actor, jco)
    if may_record and not accepts_results(jco):
        raise Refused(_("Results are recorded once the operation has run (from the debriefing on); %(jco)s is at "
                        "“%(state)s”.", jco=jco.title, state=_(State(jco.state).label)), status=422)
    if may_record:
        raise Refused(_("%(jco)s is closed: only the Secretariat may still correct its results.", jco=jco.title))
    raise Refused(_("Only the lead delegation of %(jco)s or the Secretariat may record its results.", jco=jco.title))


def document_refusal(actor, jco: Jco, document: Document) -> Refused | None:
    """Why results may not cite ``document`` (None: they may). Results are content, not metadata:
    a final report of this operation, that the account is cleared for and this deployment may hold."""
    if document.jco_id != jco.id or document.doc_type != DocType.FINAL_REPORT:
        return Refused(_("%(reference)s is not a final report of %(jco)s.", reference=document.reference, jco=jco.title),
                       status=422, field="document_id")
    if actor is not None and not permissions.can_view_document_details(actor, document):
        return Refused(_("%(reference)s is marked %(marking)s; your account is not cleared for it, so results cannot "
                         "cite it.", reference=document.reference, marking=document.marking), field="document_id")
    if not may_store_files_marked(document.marking):
        return Refused(_("%(reference)s is marked %(marking)s, above what this system may hold: its results cannot "
                         "be recorded here.", reference=document.reference, marking=document.marking),
                       status=422, field="document_id")
    return None


def citable_documents(session: Session, jco: Jco, actor) -> list[Document]:
    """The JCO's final-report documents that ``actor``'s results may cite, in document order."""
    documents = session.scalars(
        select(Document).where(Document.jco_id == jco.id, Document.doc_type == DocType.FINAL_REPORT)
    ).all()
    return sorted((d for d in documents if document_refusal(actor, jco, d) is None), key=lambda d: d.sort_key)


def withheld_rows(session: Session, jco: Jco, actor) -> int:
    """How many of the JCO's result rows come from documents ``actor`` may not read."""
    hidden = permissions.markings_withheld_from(actor) if actor is not None else ()
    if not hidden:
        return 0
    return session.scalar(
        select(func.count()).select_from(Result).join(Document, Document.id == Result.document_id)
        .where(Result.jco_id == jco.id, Document.marking.in_(hidden))
    ) or 0


def check_rows(session: Session, jco: Jco, rows: list[ResultRow], actor, *, document: Document | None,
               replace: bool) -> None:
    """Raise Refused (or ResultsError for the rows themselves) unless these rows may be recorded."""
    check_may_add_results(actor, jco)
    if not accepts_results(jco):
        raise LifecycleError(_("Results are recorded from the debriefing on; the operation is at “%(state)s”.",
                               state=_(State(jco.state).label)))
    if not rows:
        raise ResultsError([(1, _("There are no result rows to add."))], noun="row")
    if len(rows) > MAX_ROWS:
        raise Refused(_("%(count)s rows is more than the %(most)s that one submission may record: split them; "
                        "nothing was added.", count=format_number(len(rows)), most=format_number(MAX_ROWS)),
                      status=422, field="rows")
    if document is not None:
        refusal = document_refusal(actor, jco, document)
        if refusal is not None:
            raise refusal
    if replace and (hidden := withheld_rows(session, jco, actor)):
        # Replacing would delete rows this account cannot see, hence cannot know it is deleting.
        raise Refused(ngettext(
            "%(count)s result row of %(jco)s comes from reports your account is not cleared for, so it cannot "
            "replace the results. Add your rows without replacing, or ask a cleared colleague.",
            "%(count)s result rows of %(jco)s come from reports your account is not cleared for, so it cannot "
            "replace the results. Add your rows without replacing, or ask a cleared colleague.",
            hidden, count=format_number(hidden), jco=jco.title), field="replace")


def add_results(
    session: Session, jco: Jco, rows: list[ResultRow], actor, *, document: Document | None = None,
    replace: bool = False,
) -> list[Result]:
    """Record ``rows`` for ``jco`` (all or none); with ``replace``, its earlier results go first."""
    check_rows(session, jco, rows, actor, document=document, replace=replace)
    codes = {row.country for row in rows if row.country}
    countries = {
        o.code: o for o in session.scalars(
            select(Organisation).where(Organisation.code.in_(codes), Organisation.kind == OrgKind.COUNTRY)
        )
    } if codes else {}
    unknown = [(n, _("No country with the code %(code)s.", code=row.country)) for n, row in enumerate(rows, 1)
               if row.country and row.country not in countries]
    if unknown:
        raise ResultsError(unknown, noun="row")
    by_name = {c.name.lower(): c for c in services.commodities(session, [row.commodity for row in rows])}
    session.flush()  # new commodities need their ids
    removed = 0
    if replace:
        # A final report's rows; those read from public sources stay (the import keeps them).
        mine = (Result.jco_id == jco.id) & (Result.source == ResultSource.REPORT.value)
        removed = session.scalar(select(func.count()).select_from(Result).where(mine)) or 0
        session.execute(delete(Result).where(mine))
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


def known_vocabulary(session: Session, actor) -> tuple[list[str], list[str]]:
    """Commodity names and units to suggest to ``actor``: only those of results it may read, so a
    withheld report's vocabulary never shows (the JCOs' own target goods are metadata, open to all).
    Both scan the results, so they are cached per clearance until the data changes."""
    hidden = permissions.markings_withheld_from(actor)
    return cache.cached(session, ("known_vocabulary", hidden), lambda: _known_vocabulary(session, hidden))


def _known_vocabulary(session: Session, hidden: tuple[str, ...]) -> tuple[list[str], list[str]]:
    visible = true() if not hidden else Result.document_id.is_(None) | Result.document_id.not_in(
        select(Document.id).where(Document.marking.in_(hidden)))
    from_results = session.scalars(
        select(Commodity.name).join(Result, Result.commodity_id == Commodity.id).where(visible).distinct()
    ).all()
    targeted = session.scalars(
        select(Commodity.name).join(JcoCommodity, JcoCommodity.commodity_id == Commodity.id).distinct()
    ).all()
    goods = sorted({*from_results, *targeted}, key=str.lower)[:200]
    used = session.scalars(select(Result.unit).where(visible).distinct().limit(100)).all()
    units = sorted({*used, "kg", "pieces", "litres", "cigarettes", "EUR"}, key=str.lower)
    return goods, units
