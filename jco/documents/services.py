"""Registering Council documents. The only code that creates or changes a Document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from jco.audit import services as audit
from jco.documents.models import DocType, Document, Marking, SubjectCode
from jco.documents.references import DocumentReference, InvalidReference, parse_subject_code


class DocumentError(ValueError):
    pass


@dataclass
class DocumentDetails:
    reference: str
    title: str
    doc_type: str = DocType.NOTE
    doc_date: date | None = None
    place: str = "Brussels"
    original_language: str = "en"
    marking: str = Marking.NONE
    made_public_on: date | None = None
    partially_public: bool = False
    from_text: str = ""
    to_text: str = ""
    previous_reference: str = ""
    subject_codes: list[str] = field(default_factory=list)
    jco_id: int | None = None


def parse_reference(text: str) -> DocumentReference:
    try:
        return DocumentReference.parse(text)
    except InvalidReference as error:
        raise DocumentError(str(error)) from None


def find_by_reference(session: Session, text: str) -> Document | None:
    ref = parse_reference(text)
    return session.scalar(select(Document).where(Document.reference == str(ref)))


def _subject_codes(texts: list[str], year: int) -> list[SubjectCode]:
    codes, seen = [], set()
    for text in texts:
        if not text.strip():
            continue
        try:
            series, number = parse_subject_code(text)
        except InvalidReference as error:
            raise DocumentError(str(error)) from None
        if (series, number) not in seen:
            seen.add((series, number))
            codes.append(SubjectCode(series=series, number=number, year=year))
    return codes


def register_document(session: Session, details: DocumentDetails, actor=None) -> Document:
    ref = parse_reference(details.reference)
    if session.scalar(select(Document.id).where(Document.reference == str(ref))):
        raise DocumentError(f"The document {ref} is already registered.")
    marking = Marking(details.marking)
    previous = str(parse_reference(details.previous_reference)) if details.previous_reference.strip() else ""
    year = details.doc_date.year if details.doc_date else ref.year
    document = Document(
        reference=str(ref), prefix=ref.prefix, number=ref.number, year=ref.year, revision=ref.revision,
        addendum=ref.addendum, corrigendum=ref.corrigendum, title=details.title.strip(),
        doc_type=DocType(details.doc_type), doc_date=details.doc_date, place=details.place.strip(),
        original_language=details.original_language.strip().lower() or "en", marking=marking,
        made_public_on=details.made_public_on, partially_public=details.partially_public,
        from_text=details.from_text.strip(), to_text=details.to_text.strip(), previous_reference=previous,
        jco_id=details.jco_id, subject_codes=_subject_codes(details.subject_codes, year),
    )
    if not document.title:
        raise DocumentError("Give the document a title.")
    session.add(document)
    session.flush()
    audit.record(
        session, actor, "document.register", document, jco_id=document.jco_id,
        # The audit log shows the reference and marking, never a classified title.
        summary=f"Registered {document.reference}" + (f" ({marking.value})" if marking.value else ""),
        after={"reference": document.reference, "doc_type": document.doc_type, "marking": marking.value},
    )
    return document
