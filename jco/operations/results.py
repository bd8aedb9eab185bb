# Minimal stand-in; replaced by the workflow branch at merge
"""Result rows of a final report: seizures by commodity, quantity and country.

Only what the API needs to run its tests; the workflow branch brings the full version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlmodel import Session

from jco.audit import services as audit
from jco.documents.models import Document
from jco.operations.lifecycle import State
from jco.operations.models import Commodity, Jco, Organisation, Result


class ResultsError(ValueError):
    pass


@dataclass(frozen=True)
class ResultRow:
    country: str | None
    commodity: str
    quantity: float
    unit: str


# Results exist once the operation has run; a withdrawn or closed JCO takes no more.
REPORTING_STATES = {
    State.OPERATIONAL, State.DEBRIEFING, State.REPORT_PRESENTED, State.REPORT_PARTLY_ADOPTED, State.REPORT_ADOPTED,
}


def add_results(
    session: Session,
    jco: Jco,
    rows: list[ResultRow],
    actor,
    *,
    document: Document | None = None,
    replace: bool = False,
) -> list[Result]:
    if State(jco.state) not in REPORTING_STATES:
        raise ResultsError(
            f"Results are recorded once the operation has run; {jco.title} is at “{State(jco.state).label}”."
        )
    if not rows:
        raise ResultsError("Give at least one result row.")
    if document is not None and document.jco_id != jco.id:
        raise ResultsError(f"The document {document.reference} belongs to another operation.")
    codes = {row.country.strip().upper() for row in rows if row.country}
    organisations = {
        o.code: o for o in session.scalars(select(Organisation).where(Organisation.code.in_(codes)))
    } if codes else {}
    for number, row in enumerate(rows, start=1):
        if row.country and row.country.strip().upper() not in organisations:
            raise ResultsError(f"Row {number}: there is no country or body with the code {row.country}.")
        if not row.commodity.strip():
            raise ResultsError(f"Row {number}: name the commodity.")
        if not math.isfinite(row.quantity) or row.quantity < 0:
            raise ResultsError(f"Row {number}: the quantity must be zero or more.")
        if not row.unit.strip():
            raise ResultsError(f"Row {number}: give the unit.")
    names = {" ".join(row.commodity.split()).lower() for row in rows}
    commodities = {
        c.name.lower(): c for c in session.scalars(select(Commodity).where(func.lower(Commodity.name).in_(names)))
    }
    if replace:
        session.execute(delete(Result).where(Result.jco_id == jco.id))
    created = []
    for row in rows:
        name = " ".join(row.commodity.split())
        commodity = commodities.get(name.lower())
        if commodity is None:
            commodity = commodities[name.lower()] = Commodity(name=name)
            session.add(commodity)
            session.flush()
        organisation = organisations.get(row.country.strip().upper()) if row.country else None
        result = Result(
            jco_id=jco.id, document_id=document.id if document else None,
            organisation_id=organisation.id if organisation else None, commodity_id=commodity.id,
            quantity=float(row.quantity), unit=row.unit.strip(), year=jco.year,
        )
        session.add(result)
        created.append(result)
    session.flush()
    audit.record(session, actor, "jco.results", jco, jco_id=jco.id,
                 summary=f"{jco.title}: {len(created)} result rows" + (" (replacing earlier rows)" if replace else ""))
    return created
