"""What the document pages read: a document with what its page shows, its family, its file's metadata."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from jco.documents.models import Document, StoredFile


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
