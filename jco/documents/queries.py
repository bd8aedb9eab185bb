"""Document queries shared by pages, exports and the API: the one document order, a document with
what its page shows, its family, its file's metadata."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, true
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco.documents.models import Document, StoredFile
from jco.documents.references import sort_terms


class _SqlKeys:
    """The reference module's key algebra as SQL expressions over the document table's columns."""

    def field(self, name: str) -> Any:
        return getattr(Document, name)

    def number_or_zero(self, name: str) -> Any:
        return func.coalesce(getattr(Document, name), 0)

    def is_set(self, name: str) -> ColumnElement[bool]:
        return getattr(Document, name).is_not(None)

    def is_true(self, name: str) -> ColumnElement[bool]:
        return getattr(Document, name) == true()

    def choose(self, condition: ColumnElement[bool], then: Any, otherwise: Any) -> Any:
        return case((condition, then), else_=otherwise)

    def constant(self, value: int) -> Any:
        # Inlined rather than bound: PostgreSQL cannot type a CASE whose branches are all parameters.
        return literal_column(str(int(value)))

    def descending(self, term: Any) -> Any:
        return term.desc()


def document_order(*, newest_families_first: bool = False) -> tuple[Any, ...]:
    """ORDER BY clauses that sort documents exactly as jco.documents.references does in Python.

    ``newest_families_first`` lists the latest families first, each family still in order.
    Append ``Document.id`` where a query needs a total order over duplicates.
    """
    return sort_terms(_SqlKeys(), newest_families_first=newest_families_first)



def load_document(session: Session, document_id: int) -> Document | None:
    return session.scalar(
        select(Document).where(Document.id == document_id).options(
            selectinload(Document.subject_codes), selectinload(Document.jco)
        )
    )


def family_of(session: Session, document: Document) -> list[Document]:
    """Every document with the same number (base, REVs, ADDs, CORs), in no particular order."""
    return list(session.scalars(
        select(Document).where(
            Document.prefix == document.prefix, Document.number == document.number, Document.year == document.year
        )
    ))


def file_info(session: Session, document: Document):
    """(filename, size, media type, sha256) of the document's file, without loading its bytes."""
    if document.file_id is None:
        return None
    return session.execute(
        select(StoredFile.filename, StoredFile.size, StoredFile.media_type, StoredFile.sha256).where(
            StoredFile.id == document.file_id
        )
    ).one()
