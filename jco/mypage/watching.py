"""Watching operations, and what changed on the watched ones.

An account watches an operation when it chose to, or when its delegation takes part in it (lead,
co-lead, participant or observer) and it has not chosen to stop. The changes listed are read from
the records themselves — life-cycle steps, documents registered, rounds of written comments
opened, outcomes recorded, deadlines set or moved by hand — and each is worded through jco.permissions, so nothing withheld from the reader appears.
The Secretariat's answers to agenda requests go to the delegation that asked, whether or not it
still watches the operation (they name the document by reference, never by title).

The changes are worded as they are read, in the reader's language (the digest reads them under
``force_locale`` of its account).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from jco import permissions
from jco.audit import services as audit
from jco.audit.models import AuditEntry
from jco.comments.models import CommentRound
from jco.core.text import _
from jco.core.timeutil import utcnow
from jco.deadlines.models import ManualDeadline
from jco.deadlines.rules import long_date
from jco.documents.models import Document
from jco.meetings import requests as agenda_requests
from jco.meetings.models import AgendaItem, AgendaRequest, Meeting, Outcome, RequestState
from jco.mypage.models import PageVisit, Watch
from jco.operations.lifecycle import STATE_SHORT, State
from jco.operations.models import Jco, JcoEvent, Participant

# Requests closer together than this belong to one visit: reloading My page keeps its changes.
VISIT_GAP_SECONDS = 30 * 60
MAX_CHANGES = 50


class WatchError(ValueError):
    """A watch that cannot be changed as asked; the message is meant for the user."""


def is_watching(session: Session, account, jco: Jco) -> bool:
    row = session.scalar(select(Watch).where(Watch.account_id == account.id, Watch.jco_id == jco.id))
    if row is not None:
        return row.watching
    return permissions.takes_part(account, jco)


def set_watching(session: Session, account, jco: Jco, watching: bool) -> Watch:
    """Start or stop watching; one audit entry. Asking for what already holds is refused."""
    if not permissions.can_watch(account, jco):
        raise WatchError(_("Your account cannot watch operations."))
    if is_watching(session, account, jco) == watching:
        raise WatchError(_("You are already watching JCO %(jco)s.", jco=jco.title) if watching
                         else _("You are not watching JCO %(jco)s.", jco=jco.title))
    row = session.scalar(select(Watch).where(Watch.account_id == account.id, Watch.jco_id == jco.id))
    if row is None:
        row = Watch(account_id=account.id, jco_id=jco.id)
    row.watching = watching
    row.changed_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(session, account, "watch.start" if watching else "watch.stop", row, jco_id=jco.id,
                 summary=f"{'Started' if watching else 'Stopped'} watching JCO {jco.title}",
                 after={"watching": watching})
    session.flush()
    return row


def watched_ids(session: Session, account) -> set[int]:
    """The operations the account watches: two queries."""
    choices = dict(session.execute(select(Watch.jco_id, Watch.watching).where(Watch.account_id == account.id)).all())
    ids = {jco_id for jco_id, watching in choices.items() if watching}
    if permissions.is_delegate(account):
        ids |= {jco_id for jco_id in session.scalars(
            select(Participant.jco_id).where(Participant.organisation_id == account.organisation_id))
            if choices.get(jco_id, True)}
    return ids


def visit(session: Session, account, now: datetime | None = None) -> datetime | None:
    """Record a look at My page; the moment from which changes are shown (None: the first visit)."""
    now = now or utcnow()
    row = session.get(PageVisit, account.id)
    if row is None:
        row = PageVisit(account_id=account.id, last_seen_at=now, changes_since=None)
    elif (now - row.last_seen_at).total_seconds() > VISIT_GAP_SECONDS:
        row.changes_since = row.last_seen_at
    row.last_seen_at = now
    session.add(row)
    session.flush()
    return row.changes_since


@dataclass(frozen=True)
class Change:
    at: datetime
    jco_id: int
    jco_title: str
    what: str
    document_id: int | None = None
    round_id: int | None = None
    meeting_id: int | None = None


def changes(session: Session, account, jco_ids: set[int], since: datetime, limit: int = MAX_CHANGES) -> list[Change]:
    """What happened to these operations after ``since``, newest first (at most ``limit``): six queries,
    each bounded by the limit."""
    found = answered_requests(session, account, since, limit)
    if not jco_ids:
        return found
    for event, jco, meeting, document in session.execute(
        select(JcoEvent, Jco, Meeting, Document).join(Jco, Jco.id == JcoEvent.jco_id)
        .outerjoin(Meeting, Meeting.id == JcoEvent.meeting_id)
        .outerjoin(Document, Document.id == JcoEvent.document_id)
        .where(JcoEvent.jco_id.in_(jco_ids), JcoEvent.at > since).order_by(JcoEvent.at.desc()).limit(limit)
    ):
        found.append(Change(event.at, jco.id, jco.title, _moved(event.to_state, meeting, document),
                            meeting_id=meeting.id if meeting else None))
    for document, jco in session.execute(
        select(Document, Jco).join(Jco, Jco.id == Document.jco_id)
        .where(Document.jco_id.in_(jco_ids), Document.created_at > since)
        .order_by(Document.created_at.desc()).limit(limit)
    ):
        title = permissions.document_title_for(account, document)
        found.append(Change(document.created_at, jco.id, jco.title,
                            _("New document %(reference)s: %(title)s.", reference=document.reference, title=title),
                            document_id=document.id))
    for round_, jco, document in session.execute(
        select(CommentRound, Jco, Document).join(Jco, Jco.id == CommentRound.jco_id)
        .join(Document, Document.id == CommentRound.document_id)
        .where(CommentRound.jco_id.in_(jco_ids), CommentRound.opened_at > since)
        .order_by(CommentRound.opened_at.desc()).limit(limit)
    ):
        found.append(Change(round_.opened_at, jco.id, jco.title,
                            _("Written comments on %(reference)s opened, until %(day)s.",
                              reference=document.reference, day=long_date(round_.deadline)),
                            round_id=round_.id))
    for entry, item, meeting, jco in session.execute(
        select(AuditEntry, AgendaItem, Meeting, Jco).join(AgendaItem, AgendaItem.id == AuditEntry.object_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id).join(Jco, Jco.id == AgendaItem.jco_id)
        .where(AuditEntry.action == "agenda.outcome", AuditEntry.object_type == "agenda_item",
               AuditEntry.jco_id.in_(jco_ids), AuditEntry.at > since)
        .order_by(AuditEntry.at.desc()).limit(limit)
    ):
        outcome = _outcome((entry.after or {}).get("outcome"))
        found.append(Change(entry.at, jco.id, jco.title,
                            _("Outcome at %(meeting)s, %(days)s: “%(item)s” — %(outcome)s.",
                              meeting=_(meeting.display_title), days=meeting.days_label, item=item.title,
                              outcome=outcome),
                            meeting_id=meeting.id))
    for entry, deadline, jco in session.execute(
        select(AuditEntry, ManualDeadline, Jco).join(ManualDeadline, ManualDeadline.id == AuditEntry.object_id)
        .join(Jco, Jco.id == ManualDeadline.jco_id)
        .where(AuditEntry.action.in_(["deadline.create", "deadline.update"]), AuditEntry.object_type == "manual_deadline",
               AuditEntry.jco_id.in_(jco_ids), AuditEntry.at > since)
        .order_by(AuditEntry.at.desc()).limit(limit)
    ):
        found.append(Change(entry.at, jco.id, jco.title,
                            _("Deadline “%(title)s” set for %(day)s.", title=deadline.title,
                              day=long_date(deadline.due_date))))
    found.sort(key=lambda c: (c.at, c.what), reverse=True)
    return found[:limit]


def answered_requests(session: Session, account, since: datetime, limit: int = MAX_CHANGES) -> list[Change]:
    """The Secretariat's answers, after ``since``, to the agenda requests of the account's delegation."""
    if not permissions.is_delegate(account):
        return []
    return [
        Change(request.answered_at, jco.id, jco.title,
               agenda_requests.answered_words(request, document.reference, meeting), meeting_id=meeting.id)
        for request, jco, meeting, document in session.execute(
            select(AgendaRequest, Jco, Meeting, Document).join(Jco, Jco.id == AgendaRequest.jco_id)
            .join(Meeting, Meeting.id == AgendaRequest.meeting_id).join(Document, Document.id == AgendaRequest.document_id)
            .where(AgendaRequest.organisation_id == account.organisation_id,
                   AgendaRequest.state.in_([RequestState.ACCEPTED.value, RequestState.DECLINED.value]),
                   col(AgendaRequest.answered_at) > since)
            .order_by(col(AgendaRequest.answered_at).desc()).limit(limit)
        )
    ]


def _moved(to_state: str, meeting: Meeting | None, document: Document | None) -> str:
    """A life-cycle step, in one whole sentence for each of the four cases."""
    state = _short(to_state)
    if meeting is not None:
        where = {"meeting": _(meeting.display_title), "days": meeting.days_label}
        if document is not None:
            return _("Moved to “%(state)s” at %(meeting)s, %(days)s (%(reference)s).", state=state,
                     reference=document.reference, **where)
        return _("Moved to “%(state)s” at %(meeting)s, %(days)s.", state=state, **where)
    if document is not None:
        return _("Moved to “%(state)s” (%(reference)s).", state=state, reference=document.reference)
    return _("Moved to “%(state)s”.", state=state)


def _outcome(value: str | None) -> str:
    """The outcome's label in the reader's language, within a sentence (lower case)."""
    try:
        return _(Outcome(value).label).lower()
    except ValueError:
        return _("recorded")


def _short(state: str) -> str:
    """The state's short label in the reader's language (the code itself for an unknown one)."""
    try:
        return _(STATE_SHORT[State(state)])
    except (ValueError, KeyError):
        return state
