"""Registering Council documents. The only code that creates or changes a Document."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from jco.audit import services as audit
from jco.documents import files
from jco.documents.models import DocType, Document, Marking, SubjectCode
from jco.documents.references import DocumentReference, InvalidReference, parse_subject_code


class DocumentError(ValueError):
    """A document that cannot be registered as given; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


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
        raise DocumentError(str(error), "reference") from None


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
            raise DocumentError(str(error), "subject_codes") from None
        if (series, number) not in seen:
            seen.add((series, number))
            codes.append(SubjectCode(series=series, number=number, year=year))
    return codes


def register_document(session: Session, details: DocumentDetails, actor=None) -> Document:
    ref = parse_reference(details.reference)
    if session.scalar(select(Document.id).where(Document.reference == str(ref))):
        raise DocumentError(f"The document {ref} is already registered.", "reference")
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
        raise DocumentError("Give the document a title.", "title")
    session.add(document)
    session.flush()
    audit.record(
        session, actor, "document.register", document, jco_id=document.jco_id,
        # The audit log shows the reference and marking, never a classified title.
        summary=f"Registered {document.reference}" + (f" ({marking.value})" if marking.value else ""),
        after={"reference": document.reference, "doc_type": document.doc_type, "marking": marking.value},
    )
    return document


# --- documents added through the forms: family rules and files -------------------------------

def _part_label(ref: DocumentReference) -> str:
    return str(replace(ref, revision=None))


def check_family(session: Session, ref: DocumentReference, jco_id: int | None, doc_type: str) -> None:
    """A revision, addendum or corrigendum must continue a family that is already registered
    for the same operation, in order, and keep the family's type.

    ``12712/1/15 REV 1`` needs ``12712/15``; ``REV 2`` needs ``REV 1``; ``ADD 2`` needs ``ADD 1``;
    ``ADD 1 REV 1`` needs ``ADD 1``. The register stays a faithful file: no gaps, no strays.
    """
    if ref == ref.base:
        return
    base = ref.base
    family = session.scalars(
        select(Document).where(Document.prefix == ref.prefix, Document.number == ref.number,
                               Document.year == ref.year)
    ).all()
    if not family:
        raise DocumentError(
            f"{ref} is part of the document {base}, which is not registered. Register {base} first.", "reference"
        )
    if any(d.jco_id != jco_id for d in family):
        where = "for this operation" if jco_id is not None else "as a document outside operations"
        raise DocumentError(f"{base} is not registered {where}, so {ref} cannot be added here.", "reference")
    if ref.revision is not None:
        same_part = [d.revision or 0 for d in family
                     if (d.addendum, d.corrigendum) == (ref.addendum, ref.corrigendum)]
        part = _part_label(ref)
        if not same_part:
            raise DocumentError(f"{ref} is a revision of {part}, which is not registered. Register {part} first.",
                                "reference")
        expected = replace(ref, revision=max(same_part) + 1)
        if ref != expected:
            raise DocumentError(f"The next revision of {part} is {expected}, not {ref}.", "reference")
    else:
        if not any(d.addendum is None and d.corrigendum is None for d in family):
            raise DocumentError(f"Register the document {base} itself before {ref}.", "reference")
        if ref.addendum and ref.addendum > 1 and not any(d.addendum == ref.addendum - 1 for d in family):
            raise DocumentError(f"Addenda are numbered in order: register {base} ADD {ref.addendum - 1} first.",
                                "reference")
        if ref.corrigendum and ref.corrigendum > 1 and not any(d.corrigendum == ref.corrigendum - 1 for d in family):
            raise DocumentError(
                f"Corrigenda are numbered in order: register {base} COR {ref.corrigendum - 1} first.", "reference"
            )
    family_types = {d.doc_type for d in family}
    if doc_type not in family_types:
        label = DocType(sorted(family_types)[0]).label.lower()
        raise DocumentError(f"{base} is a {label}; its revisions and parts are too. Choose “{label.capitalize()}”.",
                            "doc_type")


def attach_file(session: Session, document: Document, upload: files.Upload | None, actor=None) -> bool:
    """Store ``upload`` as the document's file; returns False when the marking forbids storing it.

    Above the deployment's accredited level the file is never read, only the fact recorded that it
    was withheld; the reference and metadata stay. Raises files.FileRejected for a bad file.
    """
    if document.file_id is not None:
        raise DocumentError(
            f"{document.reference} already has its file. A changed text is a new revision: register it as such.",
            "file",
        )
    if not files.may_store_files_marked(document.marking):
        document.file_withheld = True
        session.add(document)
        audit.record(session, actor, "document.file_withheld", document, jco_id=document.jco_id,
                     summary=f"File of {document.reference} not stored: marked {document.marking}")
        session.flush()
        return False
    if upload is None or not files.has_upload(upload):
        raise DocumentError("Choose the document's file (PDF, DOCX or ODT).", "file")
    stored = files.store_upload(session, upload)
    document.file_id = stored.id
    document.file_withheld = False
    session.add(document)
    audit.record(session, actor, "document.file", document, jco_id=document.jco_id,
                 summary=f"Stored the file of {document.reference}",
                 after={"filename": stored.filename, "size": stored.size, "sha256": stored.sha256,
                        "media_type": stored.media_type})
    session.flush()
    return True


def add_document(
    session: Session, details: DocumentDetails, actor=None, *, upload: files.Upload | None = None
) -> Document:
    """Register a document typed into a form, with its file when one was chosen.

    Checks what register_document (also used by importers of older, incomplete records) does not:
    the family rules. Check ``document.file_withheld`` afterwards to tell the user.
    """
    ref = parse_reference(details.reference)
    if session.scalar(select(Document.id).where(Document.reference == str(ref))):
        raise DocumentError(f"The document {ref} is already registered.", "reference")
    check_family(session, ref, details.jco_id, details.doc_type)
    document = register_document(session, details, actor)
    # Above the accredited level the file is withheld whether or not one was chosen, so the page
    # says why there is no file instead of "not uploaded yet".
    if (upload is not None and files.has_upload(upload)) or not files.may_store_files_marked(document.marking):
        attach_file(session, document, upload, actor)
    return document
