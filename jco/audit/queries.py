"""What the change-log pages read: one page of entries, the kinds of object logged, the documents named."""

from __future__ import annotations

from sqlmodel import Session, select

from jco.audit.models import AuditEntry
from jco.core.paging import Page, count_rows, in_range, window
from jco.documents.models import Document


def object_types(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)))


def entries_page(session: Session, page: int, per_page: int, *, jco_id: int | None = None,
                 object_type: str = "") -> tuple[list[AuditEntry], Page]:
    """Newest first; ``page`` is clamped to the pages there are."""
    query = select(AuditEntry)
    if jco_id is not None:
        query = query.where(AuditEntry.jco_id == jco_id)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    total = count_rows(session, query)
    page = in_range(page, total, per_page)
    entries = session.scalars(window(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), page, per_page)).all()
    return list(entries), Page(items=[], total=total, page=page, per_page=per_page)


def documents_named(session: Session, entries: list[AuditEntry]) -> list[Document]:
    """The documents the entries are about, to decide whose titles a reader may see."""
    ids = {e.object_id for e in entries if e.object_type == "document" and e.object_id}
    return list(session.scalars(select(Document).where(Document.id.in_(ids)))) if ids else []
