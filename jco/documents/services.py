"""Registering Council documents. The only code that creates or changes a Document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session, select

from jco.audit import services as audit
from jco.documents import files
from jco.documents.models import DocType, Document, Marking, SubjectCode, SubjectFile
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


def _subject_codes(session: Session, texts: list[str], ref: DocumentReference) -> list[SubjectCode]:
    """The codes typed for a document numbered ``ref``, each claimed for its family.

    A code's running number restarts each year, and the Council counts that year as the year of
    the document's number (6512/15 carries codes of 2015 even when dated January 2016). A code
    belongs to one family: the document and all its versions may carry it, no other document.
    """
    codes, seen, claims = [], set(), []
    for text in texts:
        if not text.strip():
            continue
        try:
            series, number = parse_subject_code(text)
        except InvalidReference as error:
            raise DocumentError(str(error), "subject_codes") from None
        if (series, number) in seen:
            continue
        seen.add((series, number))
        owner = session.get(SubjectFile, (series, number, ref.year))
        if owner is None:
            claims.append(SubjectFile(series=series, number=number, year=ref.year, family_prefix=ref.prefix,
                                      family_number=ref.number, family_year=ref.year))
        elif owner.family_key != ref.family_key:
            other = DocumentReference(prefix=owner.family_prefix, number=owner.family_number, year=owner.family_year)
            raise DocumentError(
                _("%(code)s of %(year)s is already the subject code of %(other)s; a code belongs to one document "
                  "and its versions. Check the code on %(reference)s, or leave it out.",
                  code=f"{series} {number}", year=ref.year, other=str(other), reference=str(ref)),
                "subject_codes",
            )
        # document_id is filled in when the codes are attached to their document.
        codes.append(SubjectCode(series=series, number=number, year=ref.year))  # type: ignore[call-arg]
    # Claimed only once every code is accepted, so that a refusal leaves nothing behind.
    session.add_all(claims)
    return codes


def register_document(session: Session, details: DocumentDetails, actor=None) -> Document:
    ref = parse_reference(details.reference)
    if session.scalar(select(Document.id).where(Document.reference == str(ref))):
        raise DocumentError(_("The document %(reference)s is already registered.", reference=str(ref)), "reference")
    marking = Marking(details.marking)
    previous = str(parse_reference(details.previous_reference)) if details.previous_reference.strip() else ""
    if not details.title.strip():
        raise DocumentError(_("Give the document a title."), "title")
    document = Document(  # type: ignore[call-arg]  # version: SQLAlchemy's version counter sets it
        reference=str(ref), prefix=ref.prefix, number=ref.number, year=ref.year, revision=ref.revision,
        addendum=ref.addendum, corrigendum=ref.corrigendum, corrects_revision=ref.corrects_revision,
        extract=ref.extract, declassification=ref.declassification, title=details.title.strip(),
        doc_type=DocType(details.doc_type), doc_date=details.doc_date, place=details.place.strip(),
        original_language=details.original_language.strip().lower() or "en", marking=marking,
        made_public_on=details.made_public_on, partially_public=details.partially_public,
        from_text=details.from_text.strip(), to_text=details.to_text.strip(), previous_reference=previous,
        jco_id=details.jco_id, subject_codes=_subject_codes(session, details.subject_codes, ref),
    )
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

def check_family(session: Session, ref: DocumentReference, jco_id: int | None, doc_type: str) -> None:
    """A document joins the family already registered under its number (its other versions,
    addenda and corrigenda, whichever arrived first): it belongs to the same operation and has
    the same type.

    Earlier versions need not be registered first: a delegate often holds only the documents a
    note cites (``6512/1/15 REV 1`` without ``6512/15``), and the family links up as the others
    arrive, since a family is the documents sharing series, number and year.
    """
    base = ref.base
    family = session.scalars(
        select(Document).where(Document.prefix == ref.prefix, Document.number == ref.number,
                               Document.year == ref.year)
    ).all()
    if not family:
        return
    if any(d.jco_id != jco_id for d in family):
        raise DocumentError(
            _("%(base)s is not registered for this operation, so %(reference)s cannot be added here.",
              base=str(base), reference=str(ref)) if jco_id is not None else
            _("%(base)s is not registered as a document outside operations, so %(reference)s cannot be added here.",
              base=str(base), reference=str(ref)), "reference")
    family_types = {d.doc_type for d in family}
    if doc_type not in family_types:
        label = _(DocType(sorted(family_types)[0]).label)
        # The English sentence names the type in lower case ("is a business case"); others name the label.
        raise DocumentError(_("%(base)s is a %(type)s; its revisions and parts are too. Choose “%(label)s”.",
                              base=str(base), type=label.lower(), label=label), "doc_type")


def attach_file(session: Session, document: Document, upload: files.Upload | None, actor=None) -> bool:
    """Store ``upload`` as the document's file; returns False when the marking forbids storing it.

    Above the deployment's accredited level the file is never read, only the fact recorded that it
    was withheld; the reference and metadata stay. Raises files.FileRejected for a bad file.
    """
    if document.file_id is not None:
        raise DocumentError(
            _("%(reference)s already has its file. A changed text is a new revision: register it as such.",
              reference=document.reference),
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
        raise DocumentError(_("Choose the document's file (PDF, DOCX or ODT)."), "file")
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
        raise DocumentError(_("The document %(reference)s is already registered.", reference=str(ref)), "reference")
    check_family(session, ref, details.jco_id, details.doc_type)
    document = register_document(session, details, actor)
    # Above the accredited level the file is withheld whether or not one was chosen, so the page
    # says why there is no file instead of "not uploaded yet".
    if (upload is not None and files.has_upload(upload)) or not files.may_store_files_marked(document.marking):
        attach_file(session, document, upload, actor)
    return document
