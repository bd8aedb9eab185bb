"""Test data factories: ``make_<thing>(session, **overrides)`` with sensible defaults."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event, select

from jco.accounts.models import Account
from jco.accounts.services import create_account
from jco.documents.models import DocType, Document, Marking
from jco.documents.services import DocumentDetails, register_document
from jco.meetings.models import Meeting
from jco.meetings.services import create_meeting
from jco.operations import services as ops
from jco.operations.lifecycle import Body
from jco.operations.models import Jco, Organisation, Role

_counter = itertools.count(1)


@contextmanager
def count_statements(engine) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs (query counts per page are fair to assert)."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def org(session, code: str) -> Organisation:
    return session.scalar(select(Organisation).where(Organisation.code == code))


def make_account(session, email: str | None = None, *, role: str = "delegate", org_code: str | None = "DE",
                 clearance: str = "", password: str = "jco-demo") -> Account:
    n = next(_counter)
    organisation = org(session, org_code) if org_code else None
    return create_account(session, email=email or f"user{n}@example.org", password=password, role=role,
                          organisation_id=organisation.id if organisation else None, clearance=clearance)


def make_jco(session, name: str | None = None, *, lead: str = "DE", participants: dict[str, str] | None = None,
             **details) -> Jco:
    n = next(_counter)
    jco = ops.create_jco(session, ops.JcoDetails(name=name or f"Test operation {n}", **details))
    rows = [ops.ParticipantRow(organisation_id=org(session, lead).id, role=Role.LEAD)]
    for code, role in (participants or {}).items():
        rows.append(ops.ParticipantRow(organisation_id=org(session, code).id, role=role))
    ops.set_participants(session, jco, rows)
    return jco


def make_document(session, reference: str | None = None, *, jco: Jco | None = None,
                  doc_type: str = DocType.BUSINESS_CASE, marking: str = Marking.NONE, title: str | None = None,
                  **details) -> Document:
    n = next(_counter)
    reference = reference or f"{10000 + n}/25"
    return register_document(session, DocumentDetails(
        reference=reference, title=title or f"Document {reference}", doc_type=doc_type, marking=marking,
        jco_id=jco.id if jco else None, **details))


def make_meeting(session, *, body: str = Body.CCWP_EXPERTS, start_date: date = date(2025, 10, 20), **details) -> Meeting:
    return create_meeting(session, body=body, start_date=start_date, **details)


def make_result(session, jco: Jco, commodity: str, quantity: float, unit: str, *, country: str | None = None,
                document: Document | None = None):
    """A result row written as the database may hold it already (imported, or recorded before the
    deployment's marking limit was lowered), without the results service's checks."""
    from jco.operations.models import Result
    from jco.operations.services import commodities

    goods = commodities(session, [commodity])[0]
    session.flush()
    row = Result(jco_id=jco.id, document_id=document.id if document else None, commodity_id=goods.id,
                 organisation_id=org(session, country).id if country else None, quantity=quantity, unit=unit,
                 year=jco.year)
    session.add(row)
    session.flush()
    return row
