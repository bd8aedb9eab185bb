"""Every table, imported in one place so that metadata (and Alembic) sees the whole schema."""

from sqlmodel import SQLModel

from jco.accounts.models import Account, AccountRole, ApiToken
from jco.audit.models import AuditEntry
from jco.comments.models import Comment, CommentResponse, CommentRound
from jco.core.cache import DataVersion
from jco.dashboards.totals import ResultTotal
from jco.deadlines.models import CalendarSequence, ManualDeadline, ManualDeadlineOwner, ReminderSent
from jco.deadlines.stamps import DeadlineStamp
from jco.documents.models import DocType, Document, Marking, StoredFile, SubjectCode, SubjectFile
from jco.imports.models import ImportStash
from jco.meetings.models import AgendaItem, AgendaItemDocument, AgendaRequest, Meeting, Outcome
from jco.mypage.models import DigestSent, DigestSetting, PageVisit, Watch
from jco.operations.models import (
    ActionPlanAction,
    Commodity,
    FundedProject,
    Jco,
    JcoCommodity,
    JcoEvent,
    JcoKind,
    JcoProject,
    JcoTransportMode,
    Organisation,
    OrgKind,
    Participant,
    Result,
    ResultSource,
    Role,
    TransportMode,
)
from jco.search.models import SearchEntry

metadata = SQLModel.metadata

__all__ = [
    "Account", "AccountRole", "ActionPlanAction", "AgendaItem", "AgendaItemDocument", "AgendaRequest", "ApiToken",
    "AuditEntry", "CalendarSequence", "Comment", "CommentResponse", "CommentRound", "Commodity", "DataVersion",
    "DeadlineStamp",
    "DigestSent", "DigestSetting", "DocType", "Document", "FundedProject",
    "ImportStash", "Jco", "JcoCommodity", "JcoEvent", "JcoKind", "JcoProject", "JcoTransportMode", "ManualDeadline",
    "ManualDeadlineOwner", "Marking", "Meeting",
    "Organisation", "OrgKind", "Outcome", "PageVisit", "Participant", "ReminderSent", "Result", "ResultSource", "ResultTotal", "Role", "SearchEntry",
    "StoredFile", "SubjectCode", "SubjectFile", "TransportMode", "Watch", "metadata",
]
