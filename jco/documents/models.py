"""Council documents, their subject codes, and the files we are allowed to hold."""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Column, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, Relationship, SQLModel

from jco.core.text import N_
from jco.core.timeutil import utcnow
from jco.documents.references import DocumentReference, family_key_of, sort_key_of

if TYPE_CHECKING:
    from jco.operations.models import Jco


class Marking(StrEnum):
    """Distribution marking and EU classification levels, lowest first."""

    NONE = ""
    LIMITE = "LIMITE"
    RESTREINT_UE = "RESTREINT UE"
    CONFIDENTIEL_UE = "CONFIDENTIEL UE"
    SECRET_UE = "SECRET UE"

    @property
    def rank(self) -> int:
        return list(Marking).index(self)

    @property
    def label(self) -> str:
        return self.value or N_("No marking (public)")

    @property
    def is_classified(self) -> bool:
        return self.rank >= Marking.RESTREINT_UE.rank


class DocType(StrEnum):
    BUSINESS_CASE = "business_case"
    FINAL_REPORT = "final_report"
    NOTE = "note"
    AGENDA = "agenda"
    WORKING_DOCUMENT = "working_document"
    COVER_NOTE = "cover_note"
    I_ITEM_NOTE = "i_item_note"
    OTHER = "other"

    @property
    def label(self) -> str:
        return DOC_TYPE_LABELS[self]


DOC_TYPE_LABELS = {
    DocType.BUSINESS_CASE: N_("Business case"),
    DocType.FINAL_REPORT: N_("Final report"),
    DocType.NOTE: N_("Note"),
    DocType.AGENDA: N_("Meeting notice (agenda)"),
    DocType.WORKING_DOCUMENT: N_("Working document"),
    DocType.COVER_NOTE: N_("Cover note"),
    DocType.I_ITEM_NOTE: N_("I item note"),
    DocType.OTHER: N_("Other"),
}


class StoredFile(SQLModel, table=True):
    """A file's bytes, kept in the database.

    Keeping them in the same transaction as the row that points at them means a crash never
    exposes a half-written file and a failed request leaves no orphan; every app process on every
    host sees the same files without shared storage.
    """

    __tablename__ = "stored_file"
    id: Optional[int] = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    size: int
    media_type: str = Field(max_length=120)
    filename: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # The words of a PDF or DOCX file, read once at upload for the search index (jco.search).
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))


_document_version = Column("version", Integer, nullable=False, default=1)


class Document(SQLModel, table=True):
    __table_args__ = (Index("ix_document_family", "prefix", "number", "year"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    # Canonical text of the reference (jco.documents.references formats it); the fields below
    # are the same reference taken apart, for queries and for the SQL document order.
    reference: str = Field(max_length=60, unique=True)
    prefix: str = Field(default="", max_length=10)
    number: int
    year: int
    revision: Optional[int] = None
    addendum: Optional[int] = None
    corrigendum: Optional[int] = None
    # REV r COR c (the corrigendum of revision r) rather than COR c REV r (a revised corrigendum).
    corrects_revision: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    extract: Optional[int] = None
    declassification: Optional[int] = None
    title: str = Field(max_length=300)
    doc_type: str = Field(default=DocType.NOTE, max_length=30)
    doc_date: Optional[date] = None
    place: str = Field(default="Brussels", max_length=100)
    original_language: str = Field(default="en", max_length=8)
    marking: str = Field(default=Marking.NONE, max_length=20)
    made_public_on: Optional[date] = None
    partially_public: bool = False
    from_text: str = Field(default="", max_length=200)
    to_text: str = Field(default="", max_length=200)
    previous_reference: str = Field(default="", max_length=60)
    jco_id: Optional[int] = Field(default=None, foreign_key="jco.id", index=True)
    file_id: Optional[int] = Field(default=None, foreign_key="stored_file.id")
    # Set when the file was not stored because its marking is above what this system may hold.
    file_withheld: bool = False
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(sa_column=_document_version)

    __mapper_args__ = {"version_id_col": _document_version}

    jco: Optional["Jco"] = Relationship(back_populates="documents")
    subject_codes: list["SubjectCode"] = Relationship(
        back_populates="document",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "SubjectCode.id"},
    )
    file: Optional["StoredFile"] = Relationship(sa_relationship_kwargs={"lazy": "raise_on_sql"})

    @property
    def marking_enum(self) -> Marking:
        return Marking(self.marking)

    @property
    def doc_type_enum(self) -> DocType:
        return DocType(self.doc_type)

    @property
    def family_key(self) -> tuple[str, int, int]:
        return family_key_of(self)

    @property
    def sort_key(self) -> tuple:
        return sort_key_of(self)

    @property
    def parsed_reference(self) -> DocumentReference:
        return DocumentReference(
            prefix=self.prefix, number=self.number, year=self.year, revision=self.revision,
            addendum=self.addendum, corrigendum=self.corrigendum, corrects_revision=bool(self.corrects_revision),
            extract=self.extract, declassification=self.declassification,
        )

    @property
    def register_form(self) -> str:
        """The reference as the Council's public register writes it (``ST 6512 2015 REV 1``)."""
        return self.parsed_reference.register_form


class SubjectCode(SQLModel, table=True):
    """A subject (file) code such as ENFOCUSTOM 108: its running number restarts each year."""

    __tablename__ = "subject_code"
    __table_args__ = (
        UniqueConstraint("document_id", "series", "number", "year", name="uq_subject_code"),
        Index("ix_subject_code_lookup", "series", "year", "number"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True, ondelete="CASCADE")
    series: str = Field(max_length=30)
    number: int
    year: int

    document: Optional["Document"] = Relationship(back_populates="subject_codes")

    def __str__(self) -> str:
        return f"{self.series} {self.number}"


class SubjectFile(SQLModel, table=True):
    """The one document family a subject code (series, number, year) belongs to.

    A code is carried by every version of its document, so ``subject_code`` holds it many times;
    this table holds it once, and its primary key is what stops two unrelated documents from
    claiming ENFOCUSTOM 108 of 2015, even when both are registered at the same moment.
    """

    __tablename__ = "subject_file"
    series: str = Field(max_length=30, primary_key=True)
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    family_prefix: str = Field(max_length=10)
    family_number: int
    family_year: int

    @property
    def family_key(self) -> tuple[str, int, int]:
        return (self.family_prefix, self.family_number, self.family_year)
