"""Read-side queries for the register and the JCO page: few, fixed in number, whatever the data."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, case, func, or_
from sqlalchemy.orm import contains_eager, selectinload
from sqlmodel import Session, select

from jco.accounts.models import Account
from jco.core import cache
from jco.core.paging import Page, count_rows, in_range, window
from jco.core.security import bounded_int
from jco.documents.models import Document
from jco.documents.references import group_by_family
from jco.meetings.models import AgendaItem, Meeting
from jco.operations.frameworks import (
    ALL_CHOICE,
    CCWP_CHOICE,
    CCWP_FRAMEWORKS,
    FILTER_CHOICES,
    RELATED_CHOICE,
    framework_label,
    is_ccwp,
)
from jco.operations.lifecycle import OPEN_STATES, State
from jco.operations.models import (
    ActionPlanAction,
    Commodity,
    FundedProject,
    Jco,
    JcoCommodity,
    JcoEvent,
    JcoKind,
    Organisation,
    OrgKind,
    Participant,
    Result,
    ResultSource,
    Role,
    TransportMode,
    local_org_name,
    operation_title,
)
from jco.search import queries as search_queries
from jco.search.models import Kind

# States sort in the order an operation goes through them, not by their codes' spelling.
_STATE_STEP = case({state.value: step for step, state in enumerate(State)}, value=Jco.state, else_=len(State))

SORTS = {
    "name": (Jco.name.asc(), Jco.edition.asc()),
    "-name": (Jco.name.desc(), Jco.edition.desc()),
    "year": (Jco.year.asc().nulls_last(), Jco.name.asc()),
    "-year": (Jco.year.desc().nulls_last(), Jco.name.asc()),
    "kind": (Jco.kind.asc(), Jco.name.asc()),
    "-kind": (Jco.kind.desc(), Jco.name.asc()),
    "state": (_STATE_STEP.asc(), Jco.name.asc()),
    "-state": (_STATE_STEP.desc(), Jco.name.asc()),
    "updated": (Jco.updated_at.desc(), Jco.id.desc()),
}
DEFAULT_SORT = "-year"


def in_ccwp() -> ColumnElement[bool]:
    """The operations that follow the CCWP life cycle and count in its pipeline, deadlines and
    dashboards. The one definition: every query about the life cycle adds this clause."""
    return Jco.framework.in_(CCWP_FRAMEWORKS)


@dataclass
class RegisterFilters:
    state: str = ""
    lead: str = ""  # organisation code
    year: int | None = None
    goods: int | None = None  # commodity id
    kind: str = ""
    q: str = ""
    open_only: bool = False
    sort: str = DEFAULT_SORT
    page: int = 1
    # "ccwp" (the default), "related", "all" or one framework's code.
    framework: str = CCWP_CHOICE

    @classmethod
    def from_args(cls, args) -> RegisterFilters:
        def as_int(name):
            # Out-of-range numbers are ignored like any other bad value, never sent to the database.
            return bounded_int(args.get(name, ""), minimum=1) or None

        state = args.get("state", "")
        framework = args.get("framework", "")
        return cls(
            state=state if state in {s.value for s in State} else "",
            lead=(args.get("lead") or "").strip().upper()[:16],
            year=as_int("year"),
            goods=as_int("goods"),
            kind=(args.get("kind") or "").strip()[:20],
            q=(args.get("q") or "").strip()[:100],
            open_only=args.get("open") in ("1", "on", "true", "y"),
            sort=args.get("sort") if args.get("sort") in SORTS else DEFAULT_SORT,
            page=max(as_int("page") or 1, 1),
            framework=framework if framework in FILTER_CHOICES else CCWP_CHOICE,
        )

    def as_args(self, **changes) -> dict:
        values = {"state": self.state, "lead": self.lead, "year": self.year, "goods": self.goods,
                  "kind": self.kind, "q": self.q, "open": 1 if self.open_only else None, "sort": self.sort,
                  "page": self.page, "framework": self.framework}
        values.update(changes)
        if values["framework"] == CCWP_CHOICE:
            values["framework"] = None
        return {k: v for k, v in values.items()
                if v not in (None, "", 1) or (k == "page" and v != 1) or (k == "open" and v == 1)}

    def sort_of(self, column: str) -> str | None:
        """How the register is sorted by this column now: "ascending", "descending" or None."""
        if self.sort == column:
            return "ascending"
        if self.sort == f"-{column}":
            return "descending"
        return None

    def sort_args(self, column: str) -> dict:
        """The address of the register sorted by this column: ascending first, then the reverse."""
        return self.as_args(sort=f"-{column}" if self.sort == column else column, page=1)

    @property
    def key(self) -> tuple:
        """Every filter, for cache keys."""
        return (self.state, self.lead, self.year, self.goods, self.kind, self.q, self.open_only, self.framework)

    def listing(self, per_page: int) -> tuple:
        """One page of the register as asked — filters, sort, page and page size — for the keys of what
        is kept of it (its rows, its rendered table)."""
        return (*self.key, self.sort, self.page, per_page)


def filtered(filters: RegisterFilters) -> Select:
    """The register's WHERE clause, shared by the register, the dashboard, exports and the API."""
    query = select(Jco)
    if filters.framework == CCWP_CHOICE:
        query = query.where(in_ccwp())
    elif filters.framework == RELATED_CHOICE:
        query = query.where(~in_ccwp())
    elif filters.framework != ALL_CHOICE:
        query = query.where(Jco.framework == filters.framework)
    if filters.state:
        # A state is a step of the CCWP life cycle: related operations have none.
        query = query.where(Jco.state == filters.state, in_ccwp())
    if filters.year:
        query = query.where(Jco.year == filters.year)
    if filters.kind:
        query = query.where(Jco.kind == filters.kind)
    if filters.open_only:
        query = query.where(Jco.state.in_([s.value for s in OPEN_STATES]))
    if filters.q:
        # The same words, edition numbering and index as the search page (jco.search).
        query = query.where(Jco.id.in_(search_queries.matching_ids(Kind.JCO, filters.q)))
    if filters.lead:
        lead_ids = (
            select(Participant.jco_id)
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .where(Participant.role == Role.LEAD, Organisation.code == filters.lead)
        )
        query = query.where(Jco.id.in_(lead_ids))
    if filters.goods:
        query = query.where(Jco.id.in_(select(JcoCommodity.jco_id).where(JcoCommodity.commodity_id == filters.goods)))
    return query


@dataclass(frozen=True)
class RegisterOrganisation:
    code: str
    name: str
    kind: str = OrgKind.COUNTRY

    @property
    def local_name(self) -> str:
        """As :attr:`Organisation.local_name`: worked out per reader, the rows being shared (cached)."""
        return local_org_name(self.code, self.kind, self.name)


@dataclass(frozen=True)
class RegisterParticipant:
    role: str
    agency: str
    organisation: RegisterOrganisation


@dataclass(frozen=True)
class RegisterCommodity:
    name: str


@dataclass
class RegisterRow:
    """What a register row shows, with the attribute names of a Jco so templates read either.

    The register reads plain rows rather than ORM objects: building objects for every participant
    and commodity of fifty operations cost several times what the queries themselves cost.
    """

    id: int
    name: str
    edition: str
    year: int | None
    kind: str
    state: str
    framework: str = CCWP_FRAMEWORKS[0]
    leads: list[RegisterParticipant] = field(default_factory=list)
    co_leads: list[RegisterParticipant] = field(default_factory=list)
    commodities: list[RegisterCommodity] = field(default_factory=list)

    @property
    def title(self) -> str:
        return operation_title(self.name, self.edition)

    # Joined here rather than with Jinja filters: fifty rows of map/join cost more than the queries.
    @property
    def lead_names(self) -> str:
        return ", ".join(p.organisation.local_name for p in self.leads)

    @property
    def co_lead_names(self) -> str:
        return ", ".join(p.organisation.local_name for p in self.co_leads)

    @property
    def goods(self) -> str:
        return ", ".join(c.name for c in self.commodities)

    @property
    def kind_label(self) -> str:
        """English; translated where it is shown (``|t``)."""
        return _KIND_LABELS.get(self.kind, self.kind)

    @property
    def is_ccwp(self) -> bool:
        return is_ccwp(self.framework)

    @property
    def framework_label(self) -> str:
        return framework_label(self.framework)


_KIND_LABELS = {kind.value: kind.label for kind in JcoKind}


def register_page(session: Session, filters: RegisterFilters, per_page: int, version: int | None = None) -> Page:
    """One page of the register as RegisterRow items, in four queries whatever the page holds, and
    none while the data has not changed (jco.core.cache): every reader sees the same rows."""
    key = ("register_page", *filters.listing(per_page))
    return cache.cached(session, key, lambda: _register_page(session, filters, per_page), version=version)


def _register_page(session: Session, filters: RegisterFilters, per_page: int) -> Page:
    query = filtered(filters)
    total = count_rows(session, query)
    page = in_range(filters.page, total, per_page)
    rows = [
        RegisterRow(id=r.id, name=r.name, edition=r.edition, year=r.year, kind=r.kind, state=r.state,
                    framework=r.framework)
        for r in session.execute(window(
            query.with_only_columns(Jco.id, Jco.name, Jco.edition, Jco.year, Jco.kind, Jco.state, Jco.framework)
            .order_by(*SORTS[filters.sort]), page, per_page))
    ]
    by_id = {row.id: row for row in rows}
    if by_id:
        for jco_id, role, agency, code, name, kind in session.execute(
            select(Participant.jco_id, Participant.role, Participant.agency, Organisation.code, Organisation.name,
                   Organisation.kind)
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .where(Participant.jco_id.in_(by_id), Participant.role.in_((Role.LEAD, Role.CO_LEAD)))
            .order_by(Participant.jco_id, Participant.id)
        ):
            row = by_id[jco_id]
            (row.leads if role == Role.LEAD else row.co_leads).append(
                RegisterParticipant(role, agency, RegisterOrganisation(code, name, kind)))
        for jco_id, name in session.execute(
            select(JcoCommodity.jco_id, Commodity.name)
            .join(Commodity, Commodity.id == JcoCommodity.commodity_id)
            .where(JcoCommodity.jco_id.in_(by_id))
            .order_by(JcoCommodity.jco_id, Commodity.name)
        ):
            by_id[jco_id].commodities.append(RegisterCommodity(name))
    return Page(items=rows, total=total, page=page, per_page=per_page)


def filter_options(session: Session, version: int | None = None) -> dict:
    """The choices of the register's and the dashboard's filters (cached until the data changes)."""
    return cache.cached(session, ("filter_options",), lambda: _filter_options(session), version=version)


def _filter_options(session: Session) -> dict:
    leads = session.execute(
        select(Organisation.code, Organisation.name, Organisation.kind)
        .where(Organisation.id.in_(select(Participant.organisation_id).where(Participant.role == Role.LEAD)))
        .order_by(Organisation.name)
    ).all()
    years = session.scalars(select(Jco.year).distinct().where(Jco.year.is_not(None)).order_by(Jco.year.desc())).all()
    goods = session.execute(
        select(Commodity.id, Commodity.name)
        .where(Commodity.id.in_(select(JcoCommodity.commodity_id)))
        .order_by(Commodity.name)
    ).all()
    return {"leads": [(code, name) for code, name, _ in leads], "years": years, "goods": goods,
            "lead_organisations": [RegisterOrganisation(code, name, kind) for code, name, kind in leads]}


def lead_choices(options: dict) -> list[tuple[str, str]]:
    """The register's Lead filter: (code, name in the reader's language), by that name."""
    return sorted(((o.code, o.local_name) for o in options["lead_organisations"]), key=lambda c: c[1].casefold())


def load_jco(session: Session, jco_id: int) -> Jco | None:
    return session.scalar(
        select(Jco)
        .where(Jco.id == jco_id)
        .options(
            selectinload(Jco.participants).selectinload(Participant.organisation),
            selectinload(Jco.commodities),
            selectinload(Jco.transport_modes),
            selectinload(Jco.projects),
            selectinload(Jco.action),
        )
    )


def document_families(documents: list[Document]) -> list[list[Document]]:
    """Documents grouped by family (base, REVs, ADDs, CORs), each family in document order."""
    return list(group_by_family(documents).values())


def jco_documents(session: Session, jco_id: int) -> list[Document]:
    return list(
        session.scalars(
            select(Document).where(Document.jco_id == jco_id).options(selectinload(Document.subject_codes))
        )
    )


def jco_agenda_items(session: Session, jco_id: int) -> list[AgendaItem]:
    return list(
        session.scalars(
            select(AgendaItem)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.jco_id == jco_id)
            .options(contains_eager(AgendaItem.meeting), selectinload(AgendaItem.documents))
            .order_by(Meeting.start_date, AgendaItem.position)
        )
    )


def jco_history(session: Session, jco_id: int) -> list[tuple[JcoEvent, str | None, Meeting | None, Document | None]]:
    rows = session.execute(
        select(JcoEvent, Account.email, Meeting, Document)
        .outerjoin(Account, Account.id == JcoEvent.actor_id)
        .outerjoin(Meeting, Meeting.id == JcoEvent.meeting_id)
        .outerjoin(Document, Document.id == JcoEvent.document_id)
        .where(JcoEvent.jco_id == jco_id)
        .order_by(func.coalesce(JcoEvent.on, JcoEvent.at), JcoEvent.id)
    ).all()
    return [tuple(r) for r in rows]


ROLE_ORDER = {Role.LEAD: 0, Role.CO_LEAD: 1, Role.PARTICIPANT: 2, Role.OBSERVER: 3}


def participants_in_order(jco: Jco) -> list[Participant]:
    """Leads first, then co-leads, participants and observers; bodies after countries within a role."""
    return sorted(
        jco.participants,
        key=lambda p: (ROLE_ORDER.get(p.role, 9), p.organisation.kind != "country", p.organisation.name),
    )


@dataclass
class ResultsSummary:
    by_commodity_country: list  # (commodity, country code or None, country name or None, unit, total, rows)
    by_commodity: list  # (commodity, unit, total, countries)
    withheld: int  # rows from documents above the reader's clearance

    @staticmethod
    def country_name(code: str, name: str) -> str:
        """A row's country in the reader's language (the summary itself is shared: cached)."""
        return local_org_name(code, OrgKind.COUNTRY, name)


def jco_results_summary(session: Session, jco_id: int, cleared_markings: list[str]) -> ResultsSummary:
    """Results summed in SQL, leaving out rows taken from documents the reader may not see."""
    visible = or_(Result.document_id.is_(None), Document.marking.in_(cleared_markings))

    def base(*columns):
        return (
            select(*columns)
            .select_from(Result)
            .join(Commodity, Commodity.id == Result.commodity_id)
            .outerjoin(Organisation, Organisation.id == Result.organisation_id)
            .outerjoin(Document, Document.id == Result.document_id)
            # Rows from public sources are the page's "From public sources" text, not a report's results.
            .where(Result.jco_id == jco_id, Result.source == ResultSource.REPORT.value)
        )

    detail = session.execute(
        base(Commodity.name, Organisation.code, Organisation.name, Result.unit, func.sum(Result.quantity),
             func.count(Result.id))
        .where(visible)
        .group_by(Commodity.name, Organisation.code, Organisation.name, Result.unit)
        .order_by(Commodity.name, Result.unit, Organisation.name.nulls_last())
    ).all()
    totals = session.execute(
        base(Commodity.name, Result.unit, func.sum(Result.quantity), func.count(func.distinct(Result.organisation_id)))
        .where(visible)
        .group_by(Commodity.name, Result.unit)
        .order_by(Commodity.name, Result.unit)
    ).all()
    withheld = session.scalar(base(func.count(Result.id)).where(~visible)) or 0
    return ResultsSummary([tuple(r) for r in detail], [tuple(r) for r in totals], withheld)


# --- what the editing forms offer ---------------------------------------------------------------

@dataclass
class JcoFormChoices:
    transport_modes: list[TransportMode]
    actions: list[ActionPlanAction]
    projects: list[FundedProject]
    organisations: list[Organisation] | None  # None: the page does not choose the lead


def organisations_by_name(session: Session, *, countries_only: bool = False) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name)
    if countries_only:
        query = query.where(Organisation.kind == OrgKind.COUNTRY)
    return list(session.scalars(query))


def jco_form_choices(session: Session, *, choose_lead: bool) -> JcoFormChoices:
    return JcoFormChoices(
        transport_modes=list(session.scalars(select(TransportMode).order_by(TransportMode.id))),
        actions=list(session.scalars(select(ActionPlanAction).order_by(ActionPlanAction.code))),
        projects=list(session.scalars(select(FundedProject).order_by(FundedProject.acronym))),
        organisations=organisations_by_name(session) if choose_lead else None,
    )


def has_results(session: Session, jco_id: int) -> bool:
    return session.scalar(select(Result.id).where(Result.jco_id == jco_id, Result.source == ResultSource.REPORT.value)
                          .limit(1)) is not None
