"""Calendar feeds (RFC 5545): deadlines as all-day events, meetings as timed events in their zone.

Each event keeps its UID for life (the deadline's stable key and the host); its SEQUENCE grows
whenever what the event shows changes. Derived deadlines have no row that carries a version, so
the feed keeps a fingerprint of each event in ``calendar_sequence`` and counts the changes there.
A feed therefore writes when (and only when) something changed since the last poll; concurrent
polls raise a changed event's SEQUENCE once, because the UPDATE is conditional on the old
fingerprint.

What a feed shows depends on the account: document titles go through
``permissions.document_title_for``, so a classified title never reaches an uncleared account.
Its words are in the reader's language (the views choose it: the account's for its feed); the
fingerprints leave those words out, so a feed read in French and in English keeps one SEQUENCE.
"""

from __future__ import annotations

import functools
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cachetools import LRUCache
from flask import current_app, has_app_context
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone
from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco import permissions
from jco.accounts.models import Account
from jco.accounts.services import token_digest
from jco.audit import services as audit
from jco.core.dates import long_date
from jco.core.i18n import current_language
from jco.core.timeutil import utcnow
from jco.deadlines.models import CalendarSequence
from jco.deadlines.rules import Deadline, Kind, Status, fingerprint
from jco.documents.models import Document
from jco.meetings.models import AgendaItem, Meeting
from jco.operations.models import Jco

PRODID = "-//JCO Tracker//Deadlines and meetings//EN"
DEFAULT_TZ = "Europe/Brussels"


# --- subscription tokens -------------------------------------------------------------------------

def issue_token(session: Session, account: Account, actor=None) -> str:
    """A new secret subscription token for ``account``; any previous one stops working.

    Only its SHA-256 is stored: the token itself is shown once and cannot be recovered.
    """
    token = secrets.token_urlsafe(32)
    renewed = account.calendar_token_hash is not None
    account.calendar_token_hash = token_digest(token)
    session.add(account)
    audit.record(session, actor or account, "account.calendar_token", account,
                 summary=("Renewed" if renewed else "Created") + " the calendar subscription address")
    session.flush()
    return token


def revoke_token(session: Session, account: Account, actor=None) -> bool:
    if account.calendar_token_hash is None:
        return False
    account.calendar_token_hash = None
    session.add(account)
    audit.record(session, actor or account, "account.calendar_revoke", account,
                 summary="Revoked the calendar subscription address")
    session.flush()
    return True


def account_for_token(session: Session, token: str) -> Account | None:
    if not token or len(token) > 200:
        return None
    account = session.scalar(select(Account).where(Account.calendar_token_hash == token_digest(token)))
    if account is None or not account.active:
        return None
    return account


# --- sequences -----------------------------------------------------------------------------------

def sequences(session: Session, fingerprints: dict[str, str]) -> dict[str, CalendarSequence]:
    """The SEQUENCE state of each event key, raised for those whose fingerprint changed."""
    if not fingerprints:
        return {}
    keys = list(fingerprints)

    def load() -> dict[str, CalendarSequence]:
        rows = session.scalars(
            select(CalendarSequence).where(CalendarSequence.key.in_(keys)).execution_options(populate_existing=True)
        )
        return {r.key: r for r in rows}

    rows = load()
    now = utcnow()
    new = [{"key": k, "fingerprint": fp, "sequence": 0, "changed_at": now}
           for k, fp in fingerprints.items() if k not in rows]
    changed = [{"k": k, "old": rows[k].fingerprint, "fp": fp, "now": now}
               for k, fp in fingerprints.items() if k in rows and rows[k].fingerprint != fp]
    if not new and not changed:
        return rows
    table = CalendarSequence.__table__
    connection = session.connection()
    if new:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        # Two first polls at once may both insert: the second one's rows are simply dropped.
        connection.execute(dialect.insert(table).values(new).on_conflict_do_nothing(index_elements=["key"]))
    if changed:
        connection.execute(
            table.update()
            .where(table.c.key == bindparam("k"), table.c.fingerprint == bindparam("old"))
            .values(sequence=table.c.sequence + 1, fingerprint=bindparam("fp"), changed_at=bindparam("now")),
            changed,
        )
    return load()


# --- building the feed ---------------------------------------------------------------------------

@dataclass
class FeedContext:
    viewer: Account | None
    base_url: str
    today: date
    # The delegation whose status the summaries show ("— met"); None shows the deadline as a whole.
    organisation_id: int | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "jco-tracker"

    def uid(self, key: str) -> str:
        return f"{key.replace(':', '-')}@{self.host}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def deadline_url(deadline: Deadline) -> str:
    if deadline.jco_id:
        return f"/jcos/{deadline.jco_id}"
    if deadline.meeting_id:
        return f"/meetings/{deadline.meeting_id}"
    return "/deadlines"


def load_meetings(session: Session, *, meeting_id: int | None = None, jco_id: int | None = None,
                  since: date | None = None) -> list[Meeting]:
    """Meetings with their agenda: one, those of one JCO, or every one ending on or after ``since``."""
    # Only what the events show of the documents and operations (feeds reach back weeks, with
    # hundreds of items): whole rows cost more to load than the rest of the feed.
    query = select(Meeting).options(
        selectinload(Meeting.items).selectinload(AgendaItem.documents).load_only(
            Document.id, Document.reference, Document.title, Document.marking),
        selectinload(Meeting.items).selectinload(AgendaItem.jco).load_only(Jco.id, Jco.name, Jco.edition),
    ).order_by(Meeting.start_date, Meeting.id)
    if meeting_id is not None:
        query = query.where(Meeting.id == meeting_id)
    if jco_id is not None:
        query = query.where(Meeting.id.in_(select(AgendaItem.meeting_id).where(AgendaItem.jco_id == jco_id)))
    if since is not None:
        query = query.where(Meeting.end_date >= since)
    return list(session.scalars(query))


def _meeting_fingerprint(meeting: Meeting) -> str:
    return fingerprint({
        "body": meeting.body, "title": meeting.title, "start": meeting.start_date, "end": meeting.end_date,
        "start_time": meeting.start_time, "end_time": meeting.end_time, "tz": meeting.timezone,
        "place": meeting.place, "notice": meeting.notice_reference,
        "items": [(i.position, i.title, i.jco.title if i.jco else "", i.outcome,
                   [(d.reference, d.title, d.marking) for d in i.documents]) for i in meeting.items],
    })


def _document_line(ctx: FeedContext, document) -> str:
    marking = f" ({document.marking})" if document.marking else ""
    return f"{document.reference}{marking} — {permissions.document_title_for(ctx.viewer, document)}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def _alarm(description: str, before: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", -before)
    return alarm


def _stamp(event: Event, state: CalendarSequence) -> None:
    changed = state.changed_at if state.changed_at.tzinfo else state.changed_at.replace(tzinfo=ZoneInfo("UTC"))
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("sequence", state.sequence)


def deadline_event(ctx: FeedContext, deadline: Deadline, state: CalendarSequence) -> Event:
    if ctx.organisation_id is not None and deadline.owes(ctx.organisation_id):
        status = deadline.status_for(ctx.organisation_id, ctx.today)
    else:
        status = deadline.status(ctx.today)
    event = Event()
    event.add("uid", ctx.uid(deadline.key))
    _stamp(event, state)
    event.add("summary", _("%(title)s — met", title=deadline.title) if status is Status.MET else deadline.title)
    event.add("dtstart", deadline.due)
    event.add("dtend", deadline.due + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    lines = [_("%(kind)s, due %(day)s.", kind=_(deadline.kind.label), day=long_date(deadline.due)),
             _("Owed by: %(owners)s.", owners=deadline.owners_label())]
    if deadline.jco_title:
        lines.append(_("Operation: JCO %(title)s.", title=deadline.jco_title))
    if deadline.meeting_label:
        lines.append(_("Meeting: %(meeting)s.", meeting=deadline.meeting_label))
    lines += [_("Document: %(document)s", document=_document_line(ctx, d)) for d in deadline.documents]
    if deadline.note:
        lines.append(deadline.note)
    url = ctx.url(deadline_url(deadline))
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("categories", [_("Deadline")])
    event.add_component(_alarm(_("Due tomorrow: %(title)s", title=deadline.title), timedelta(days=1)))
    return event


def meeting_event(ctx: FeedContext, meeting: Meeting, state: CalendarSequence) -> Event:
    event = Event()
    event.add("uid", ctx.uid(f"meeting:{meeting.id}"))
    _stamp(event, state)
    summary = meeting.display_title + (f" ({meeting.notice_reference})" if meeting.notice_reference else "")
    event.add("summary", summary)
    if meeting.start_time is not None:
        zone = _zone(meeting.timezone)
        start = datetime.combine(meeting.start_date, meeting.start_time, tzinfo=zone)
        end_time = meeting.end_time or time(18, 0)
        end = datetime.combine(meeting.end_date, end_time, tzinfo=zone)
        if end <= start:
            end = start + timedelta(hours=1)
        event.add("dtstart", start)
        event.add("dtend", end)
    else:
        event.add("dtstart", meeting.start_date)
        event.add("dtend", meeting.end_date + timedelta(days=1))
    event.add("location", meeting.place)
    lines = []
    for item in meeting.items:
        line = f"{item.position}. {item.title}"
        if item.jco:
            line = _("%(item)s — JCO %(title)s", item=line, title=item.jco.title)
        lines.append(line)
        lines += [f"   {_document_line(ctx, d)}" for d in item.documents]
    url = ctx.url(f"/meetings/{meeting.id}")
    lines.append(url)
    event.add("description", "\n".join(lines) if meeting.items else _("Agenda not yet set.") + f"\n{url}")
    event.add("url", url)
    event.add("categories", [_("Meeting")])
    event.add_component(_alarm(_("Tomorrow: %(meeting)s, %(place)s", meeting=meeting.display_title, place=meeting.place),
                               timedelta(days=1)))
    return event


def _fingerprint(deadline: Deadline) -> str:
    """The deadline's fingerprint without the words of the reader's language: a derived deadline's
    title and note are sentences made from what the fingerprint holds anyway (its kind and source,
    operation, meeting, documents and day), plus the operation's title, kept here."""
    if deadline.kind is Kind.MANUAL:
        return deadline.fingerprint()
    return deadline.fingerprint({"title": deadline.jco_title, "note": ""})


# Each deadline's event as bytes, and its fingerprint, kept in the process while the deadline is the
# same object (jco.deadlines.store keeps it until its operation changes): after a change, a feed of
# thousands of deadlines serialises the few that changed and joins the rest.
_KEPT_EVENTS = 50_000


def _kept(name: str) -> tuple[LRUCache, threading.Lock] | None:
    if not has_app_context():
        return None
    return current_app.extensions.setdefault(f"jco_calendar_{name}", (LRUCache(maxsize=_KEPT_EVENTS), threading.Lock()))


def _deadline_fingerprint(deadline: Deadline) -> str:
    kept = _kept("fingerprints")
    if kept is None:
        return _fingerprint(deadline)
    store, lock = kept
    with lock:
        hit = store.get(deadline.key)
    if hit is not None and hit[0] is deadline:
        return hit[1]
    value = _fingerprint(deadline)
    with lock:
        store[deadline.key] = (deadline, value)
    return value


def _event_bytes(ctx: FeedContext, key: tuple, source: object, state: CalendarSequence, make) -> bytes:
    """``make().to_ical()``, kept while ``source`` (the deadline object, or the meeting's
    fingerprint) and the event's SEQUENCE are the same for this reader."""
    kept = _kept("events")
    if kept is None:
        return make().to_ical()
    store, lock = kept
    viewer = ctx.viewer
    # Everything the bytes depend on besides the source: who reads (document titles follow the
    # clearance), the address, the day (met or not), the language.
    full_key = (*key, getattr(viewer, "id", None), getattr(viewer, "clearance", None), getattr(viewer, "role", None),
                ctx.organisation_id, ctx.base_url, ctx.today, current_language())
    with lock:
        hit = store.get(full_key)
    if hit is not None and (hit[0] is source or (isinstance(source, str) and hit[0] == source)) \
            and hit[1] == (state.sequence, state.changed_at):
        return hit[2]
    value = make().to_ical()
    with lock:
        store[full_key] = (source, (state.sequence, state.changed_at), value)
    return value


def _timezones(meetings: list[Meeting]) -> list[bytes]:
    """The VTIMEZONE of each zone the timed meetings use, over the years the feed spans only."""
    zones = sorted({_zone(m.timezone).key for m in meetings if m.start_time is not None})
    if not zones:
        return []
    first = date(min(m.start_date for m in meetings).year, 1, 1)
    last = date(max(m.end_date for m in meetings).year + 2, 1, 1)
    found = []
    for zone in zones:
        try:
            found.append(_timezone_bytes(zone, first, last))
        except (ValueError, KeyError, ZoneInfoNotFoundError):
            continue  # unknown to icalendar: the event still names its TZID
    return found


@functools.lru_cache(maxsize=64)
def _timezone_bytes(zone: str, first: date, last: date) -> bytes:
    return Timezone.from_tzid(zone, first_date=first, last_date=last).to_ical()


def build(session: Session, ctx: FeedContext, name: str, deadlines: list[Deadline], meetings: list[Meeting]) -> bytes:
    """The feed as bytes. Writes the SEQUENCE counters of events that changed (the caller commits)."""
    prints = {d.key: _deadline_fingerprint(d) for d in deadlines}
    prints.update({f"meeting:{m.id}": _meeting_fingerprint(m) for m in meetings})
    states = sequences(session, prints)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    # The time zones first, then the events, serialised once each and joined (see _event_bytes).
    body = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    head = body[:-len(end)] if body.endswith(end) else body
    events = [_event_bytes(ctx, ("meeting", m.id), prints[f"meeting:{m.id}"], states[f"meeting:{m.id}"],
                           functools.partial(meeting_event, ctx, m, states[f"meeting:{m.id}"])) for m in meetings]
    events += [_event_bytes(ctx, ("deadline", d.key), d, states[d.key],
                            functools.partial(deadline_event, ctx, d, states[d.key])) for d in deadlines]
    return head + b"".join(_timezones(meetings)) + b"".join(events) + end
