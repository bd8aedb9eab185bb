"""Organisations, the controlled vocabularies and the JCO with its participants and history."""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Optional

from babel import Locale
from sqlalchemy import Column, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, Relationship, SQLModel

from jco.core.dates import current_locale
from jco.core.text import N_, _
from jco.core.timeutil import utcnow
from jco.operations.frameworks import DEFAULT_FRAMEWORK, framework_label, is_ccwp
from jco.operations.lifecycle import State

if TYPE_CHECKING:
    from jco.documents.models import Document


class OrgKind(StrEnum):
    COUNTRY = "country"
    BODY = "body"


def operation_title(name: str, edition: str) -> str:
    """An operation as people name it: "Athena IV", or the name alone when it has no edition."""
    return f"{name} {edition}".strip()


def was_member_on(joined: date | None, left: date | None, day: date) -> bool:
    """Whether a country that joined the EU on ``joined`` (None: never) and left on ``left`` (None:
    still a member) was a member state on ``day``."""
    return joined is not None and joined <= day and (left is None or day <= left)


class Organisation(SQLModel, table=True):
    """A delegation's country (ISO 3166 alpha-2 code) or a body such as OLAF or Europol."""

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True, index=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=10, default=OrgKind.COUNTRY)
    iso3: Optional[str] = Field(default=None, max_length=3)
    eu_member_from: Optional[date] = None
    eu_member_until: Optional[date] = None

    def is_member_state_on(self, day: date) -> bool:
        return self.kind == OrgKind.COUNTRY and was_member_on(self.eu_member_from, self.eu_member_until, day)

    @property
    def is_body(self) -> bool:
        return self.kind == OrgKind.BODY

    @property
    def local_name(self) -> str:
        """The name in the reader's language: a country's from Babel's CLDR data (``Allemagne``), a
        body's as registered (OLAF, Europol). English keeps the registered names."""
        return local_org_name(self.code, self.kind, self.name)


def local_org_name(code: str, kind: str, name: str) -> str:
    """:attr:`Organisation.local_name` for a row a query selected (code, kind, registered name): a
    country by CLDR, a body by the catalog when its name is in it (the General Secretariat of the
    Council), else as registered (OLAF, Europol)."""
    language = current_locale()
    if language == "en":
        return name
    if kind == OrgKind.COUNTRY:
        return Locale.parse(language).territories.get(code, name)
    return _(name)


class Commodity(SQLModel, table=True):
    """Target goods: a vocabulary that grows as operations name new ones."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)


class TransportMode(SQLModel, table=True):
    __tablename__ = "transport_mode"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)


class ActionPlanAction(SQLModel, table=True):
    """An action of the CCWP action plan, e.g. 7.3 “Customs against Internet Crime (C@IC)”."""

    __tablename__ = "action_plan_action"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    title: str = Field(max_length=200)


class FundedProject(SQLModel, table=True):
    """A funded project tied to operations, e.g. ITOM funded by DG HOME."""

    __tablename__ = "funded_project"
    id: Optional[int] = Field(default=None, primary_key=True)
    acronym: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    funded_by: str = Field(default="", max_length=120)


class JcoCommodity(SQLModel, table=True):
    __tablename__ = "jco_commodity"
    jco_id: int = Field(foreign_key="jco.id", primary_key=True, ondelete="CASCADE")
    commodity_id: int = Field(foreign_key="commodity.id", primary_key=True, index=True)


class JcoTransportMode(SQLModel, table=True):
    __tablename__ = "jco_transport_mode"
    jco_id: int = Field(foreign_key="jco.id", primary_key=True, ondelete="CASCADE")
    transport_mode_id: int = Field(foreign_key="transport_mode.id", primary_key=True)


class JcoProject(SQLModel, table=True):
    __tablename__ = "jco_project"
    jco_id: int = Field(foreign_key="jco.id", primary_key=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="funded_project.id", primary_key=True)


class JcoKind(StrEnum):
    REGIONAL = "regional"
    EU_WIDE = "eu_wide"
    THIRD_COUNTRIES = "third_countries"
    # What the sources do not say is recorded as not stated rather than guessed.
    NOT_STATED = "not_stated"

    @property
    def label(self) -> str:
        """English; translated where it is shown (``|t``, ``gettext``)."""
        return {"regional": N_("Regional"), "eu_wide": N_("EU-wide"), "third_countries": N_("With third countries"),
                "not_stated": N_("Not stated")}[self]


class Role(StrEnum):
    LEAD = "lead"
    CO_LEAD = "co_lead"
    PARTICIPANT = "participant"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        """English; translated where it is shown (``|t``, ``gettext``)."""
        return {"lead": N_("Lead"), "co_lead": N_("Co-lead"), "participant": N_("Participant"),
                "observer": N_("Observer")}[self]


_jco_version = Column("version", Integer, nullable=False, default=1)


class Jco(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("name", "edition", name="uq_jco_name_edition"),
        Index("ix_jco_state_start", "state", "planned_start"),
        # PostgreSQL reads the register's default order (year, newest first, then name) from an
        # index rather than sorting every operation per page. (SQLite has no NULLS LAST in
        # indexes; its in-process sort of a few thousand rows costs less than a round trip.)
        Index("ix_jco_year_desc_name", text("year DESC NULLS LAST"), "name").ddl_if(dialect="postgresql"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    edition: str = Field(default="", max_length=20)
    kind: str = Field(default=JcoKind.REGIONAL, max_length=20)
    # The type= code of jco/operations/frameworks.py: only CCWP ones follow the life cycle. Not
    # indexed: a handful of values, nearly all CCWP, so the register reads its order index instead.
    framework: str = Field(default=DEFAULT_FRAMEWORK, max_length=40,
                           sa_column_kwargs={"server_default": DEFAULT_FRAMEWORK})
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    state: str = Field(default=State.PROPOSED, max_length=30)
    action_id: Optional[int] = Field(default=None, foreign_key="action_plan_action.id", index=True)
    # Another body planned to adopt the final report besides the working party (e.g. "mac"), in
    # either order (see jco.operations.lifecycle).
    report_prior_body: Optional[str] = Field(default=None, max_length=30)
    planned_start: Optional[date] = None
    planned_end: Optional[date] = None
    actual_start: Optional[date] = Field(default=None, index=True)
    actual_end: Optional[date] = None
    debriefing_date: Optional[date] = None
    debriefing_place: str = Field(default="", max_length=120)
    # Operational year for filters and charts: actual start, else planned start (kept by services).
    year: Optional[int] = Field(default=None, index=True)
    withdrawn_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    postponed_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    cancelled_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    # The body whose adoption a partly adopted final report awaits, chosen when the first body adopted it.
    report_next_body: Optional[str] = Field(default=None, max_length=30)
    # What public sources say about the operation, as the importer (jco.imports) last read them. The
    # tracker does not edit these: a newer import replaces them, so they stay traceable to a source.
    public_results: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    sources: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    source_notes: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    # Agencies a source names that are not organisations here ("Guardia di Finanza"), ";"-separated.
    other_agencies: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Optimistic locking: SQLAlchemy adds "AND version = ?" to every UPDATE, so an edit made on a
    # stale page (or by a concurrent writer) fails instead of overwriting a newer change.
    version: int = Field(sa_column=_jco_version)

    __mapper_args__ = {"version_id_col": _jco_version}

    participants: list["Participant"] = Relationship(
        back_populates="jco", sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Participant.id"}
    )
    commodities: list["Commodity"] = Relationship(link_model=JcoCommodity)
    transport_modes: list["TransportMode"] = Relationship(link_model=JcoTransportMode)
    projects: list["FundedProject"] = Relationship(link_model=JcoProject)
    action: Optional["ActionPlanAction"] = Relationship()
    documents: list["Document"] = Relationship(back_populates="jco")

    @property
    def title(self) -> str:
        return operation_title(self.name, self.edition)

    @property
    def is_ccwp(self) -> bool:
        """Whether the operation goes through the working party (else: a related operation)."""
        return is_ccwp(self.framework)

    @property
    def framework_label(self) -> str:
        return framework_label(self.framework)

    @property
    def state_enum(self) -> State:
        return State(self.state)

    @property
    def leads(self) -> list["Participant"]:
        return [p for p in self.participants if p.role == Role.LEAD]

    @property
    def co_leads(self) -> list["Participant"]:
        return [p for p in self.participants if p.role == Role.CO_LEAD]


class Participant(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("jco_id", "organisation_id", name="uq_participant_jco_org"),
        # "Which organisations lead operations" (the register's lead filter) reads this index only.
        Index("ix_participant_role_org", "role", "organisation_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    jco_id: int = Field(foreign_key="jco.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role: str = Field(default=Role.PARTICIPANT, max_length=20)
    # The national administration or unit, as sources name it ("Polish Customs Administration").
    agency: str = Field(default="", max_length=200)

    jco: Optional["Jco"] = Relationship(back_populates="participants")
    organisation: Optional["Organisation"] = Relationship()


class JcoEvent(SQLModel, table=True):
    """One step of a JCO's life cycle: the history shown as its timeline."""

    __tablename__ = "jco_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    jco_id: int = Field(foreign_key="jco.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow)
    # The day the step happened in the world (a meeting's date), which may precede ``at``.
    on: Optional[date] = None
    actor_id: Optional[int] = Field(default=None, foreign_key="account.id")
    transition: str = Field(max_length=40)
    from_state: str = Field(max_length=30)
    to_state: str = Field(max_length=30)
    body: Optional[str] = Field(default=None, max_length=30)
    meeting_id: Optional[int] = Field(default=None, foreign_key="meeting.id")
    document_id: Optional[int] = Field(default=None, foreign_key="document.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class ResultSource(StrEnum):
    """Where a result row comes from: a final report recorded here, or the public record of an
    operation (its ``results_summary`` read by the import), shown as "from public sources"."""

    REPORT = "report"
    PUBLIC = "public"


class Result(SQLModel, table=True):
    """One row of a final report's results: a seizure of a commodity in a country."""

    # The dashboard aggregates results (possibly millions of rows) by year, commodity and unit,
    # and by country, leaving out rows from documents above the viewer's clearance: these
    # indexes cover those queries, so the database never sorts or reads the table itself.
    __table_args__ = (
        Index("ix_result_year_commodity_unit", "year", "commodity_id", "unit", "document_id", "quantity"),
        Index("ix_result_organisation_document", "organisation_id", "document_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    jco_id: int = Field(foreign_key="jco.id", index=True, ondelete="CASCADE")
    document_id: Optional[int] = Field(default=None, foreign_key="document.id")
    organisation_id: Optional[int] = Field(default=None, foreign_key="organisation.id", index=True)
    commodity_id: int = Field(foreign_key="commodity.id")
    quantity: float
    unit: str = Field(max_length=30)
    # Copied from the JCO so that results aggregate by year without a join on large tables.
    year: Optional[int] = None
    source: str = Field(default=ResultSource.REPORT.value, max_length=10,
                        sa_column_kwargs={"server_default": ResultSource.REPORT.value})
