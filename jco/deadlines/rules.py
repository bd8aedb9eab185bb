"""Deadline arithmetic, pure: who owes what by when, whether it is met, open or overdue, and which
reminder is due. No Flask and no database, so pages, feeds, reminders and tests share one truth.

A deadline's status is never stored: it is computed from the due date, the day it was met (if it
was) and today.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from jco.core.dates import long_date
from jco.core.text import N_, _, ngettext


class Kind(StrEnum):
    COMMENTS = "comments"
    REVISION = "revision"
    REPORT = "report"
    ADOPTION = "adoption"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def key_prefix(self) -> str:
        return KEY_PREFIXES[self]


KIND_LABELS = {
    Kind.COMMENTS: N_("Written comments"),
    Kind.REVISION: N_("Revised business case"),
    Kind.REPORT: N_("Final report"),
    Kind.ADOPTION: N_("Adoption of a final report"),
    Kind.MANUAL: N_("Set by the Secretariat"),
}

# Stable keys name calendar UIDs and reminder claims: they must never change for a deadline.
KEY_PREFIXES = {
    Kind.COMMENTS: "round",
    Kind.REVISION: "revision",
    Kind.REPORT: "report",
    Kind.ADOPTION: "adoption",
    Kind.MANUAL: "manual",
}


def deadline_key(kind: Kind, source_id: int) -> str:
    return f"{kind.key_prefix}:{source_id}"


class Status(StrEnum):
    MET = "met"
    OPEN = "open"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"met": N_("Met"), "open": N_("Open"), "overdue": N_("Overdue")}[self]


SECRETARIAT_NAME = N_("General Secretariat of the Council")


@dataclass(frozen=True)
class Owner:
    """Who owes a deadline: a delegation (or body) by organisation id, or the Secretariat (id None)."""

    organisation_id: int | None
    name: str

    @property
    def is_secretariat(self) -> bool:
        return self.organisation_id is None

    @property
    def display_name(self) -> str:
        """The name for a reader: the Secretariat's in the reader's language, a delegation's as given."""
        return _(self.name) if self.is_secretariat else self.name


SECRETARIAT = Owner(None, SECRETARIAT_NAME)


def status_of(due: date, met_on: date | None, today: date, *, met: bool = False) -> Status:
    if met or met_on is not None:
        return Status.MET
    return Status.OVERDUE if today > due else Status.OPEN


# Past this many days an unmet deadline is history, not a count that grows for ever: "Missed
# (due 3 November 2015)" reads right in 2026, "Overdue by 4002 days" does not.
MISSED_AFTER_DAYS = 60


def status_words(status: Status, due: date, met_on: date | None, today: date) -> str:
    """The status as a person would say it: "Due in 6 days", "Overdue by 3 days", "Met on …"."""
    if status is Status.MET:
        return _("Met on %(day)s", day=long_date(met_on)) if met_on else _("Met")
    left = (due - today).days
    if status is Status.OVERDUE:
        if -left > MISSED_AFTER_DAYS:
            return _("Missed (due %(day)s)", day=long_date(due))
        return ngettext("Overdue by %(num)d day", "Overdue by %(num)d days", -left)
    if left == 0:
        return _("Due today")
    if left == 1:
        return _("Due tomorrow")
    return ngettext("Due in %(num)d day", "Due in %(num)d days", left)


SOON_DAYS = 2


@dataclass
class Deadline:
    key: str
    kind: Kind
    title: str
    due: date
    owners: list[Owner]
    # Owners that have met it, with the day (a delegation that commented, the lead that registered
    # the report); deadlines met as a whole list every owner.
    met_by: dict[int | None, date] = field(default_factory=dict)
    jco_id: int | None = None
    jco_title: str = ""
    meeting_id: int | None = None
    meeting_label: str = ""
    # Source rows the page and the feeds cite (documents are shown through permissions only).
    documents: list[Any] = field(default_factory=list)
    note: str = ""

    # --- status --------------------------------------------------------------------------------
    def owes(self, organisation_id: int | None) -> bool:
        return any(o.organisation_id == organisation_id for o in self.owners)

    def met_on_for(self, organisation_id: int | None) -> date | None:
        return self.met_by.get(organisation_id)

    def status_for(self, organisation_id: int | None, today: date) -> Status:
        return status_of(self.due, self.met_by.get(organisation_id), today)

    def status(self, today: date) -> Status:
        """The deadline as a whole: met when every owner has met it, overdue when one is late.

        A deadline without owners (a comment round of an operation that has no participants
        besides its lead) is nobody's in particular: open until its day, then over.
        """
        if not self.owners:
            return Status.OPEN if today <= self.due else Status.MET
        statuses = {self.status_for(o.organisation_id, today) for o in self.owners}
        if Status.OVERDUE in statuses:
            return Status.OVERDUE
        if Status.OPEN in statuses:
            return Status.OPEN
        return Status.MET

    def met_on(self) -> date | None:
        """The day the last owner met it (when all have)."""
        if not self.owners or any(o.organisation_id not in self.met_by for o in self.owners):
            return None
        return max(self.met_by[o.organisation_id] for o in self.owners)

    def words(self, today: date) -> str:
        status = self.status(today)
        if not self.owners and status is Status.MET:
            return _("Closed on %(day)s", day=long_date(self.due))
        return status_words(status, self.due, self.met_on(), today)

    def words_for(self, organisation_id: int | None, today: date) -> str:
        return status_words(self.status_for(organisation_id, today), self.due, self.met_on_for(organisation_id), today)

    def css_class(self, today: date) -> str:
        return _css(self.status(today), self.due, today)

    def css_class_for(self, organisation_id: int | None, today: date) -> str:
        return _css(self.status_for(organisation_id, today), self.due, today)

    def pending_owners(self) -> list[Owner]:
        return [o for o in self.owners if o.organisation_id not in self.met_by]

    def owners_label(self) -> str:
        if not self.owners:
            return _("No delegation in particular")
        names = ", ".join(o.display_name for o in self.owners)
        if len(self.owners) > 1 and self.kind is Kind.COMMENTS:
            return ngettext("%(names)s (%(done)s of %(num)d has commented)",
                            "%(names)s (%(done)s of %(num)d have commented)",
                            len(self.owners), names=names, done=len(self.met_by))
        return names

    def fingerprint(self, extra: dict[str, Any] | None = None) -> str:
        """A digest of everything a calendar event shows, so the feed can tell that it changed."""
        data = {
            "key": self.key, "kind": self.kind.value, "title": self.title, "due": self.due.isoformat(),
            "owners": [o.organisation_id for o in self.owners],
            "met": sorted((str(k), v.isoformat()) for k, v in self.met_by.items()),
            "jco": self.jco_id, "meeting": self.meeting_id, "note": self.note,
            "documents": [(getattr(d, "reference", ""), getattr(d, "title", ""), getattr(d, "marking", ""))
                          for d in self.documents],
            **(extra or {}),
        }
        return fingerprint(data)


def _css(status: Status, due: date, today: date) -> str:
    if status is Status.OPEN and (due - today).days <= SOON_DAYS:
        return "status-soon"
    return f"status-{status.value}"


def fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# --- when things fall due ------------------------------------------------------------------------

def revision_due(meeting_start: date, days_before: int) -> date:
    return meeting_start - timedelta(days=days_before)


def report_due(actual_end: date | None, debriefing: date | None, days_after: int) -> date | None:
    """The final report is due some days after the operational phase or the debriefing, whichever is later."""
    days = [d for d in (actual_end, debriefing) if d is not None]
    return max(days) + timedelta(days=days_after) if days else None


def first_meeting_after(day: date, meetings: list[Any], bodies: tuple[str, ...] | None = None) -> Any | None:
    """The first meeting (of one of ``bodies``, if given) that starts after ``day``.

    ``meetings`` must be sorted by start date.
    """
    for meeting in meetings:
        if meeting.start_date > day and (bodies is None or meeting.body in bodies):
            return meeting
    return None


def first_meeting_from(day: date, meetings: list[Any]) -> Any | None:
    for meeting in meetings:
        if meeting.start_date >= day:
            return meeting
    return None


# A deadline leads up to the first meeting after it only when that meeting follows soon: the
# working party meets most months, so a deadline of November 2015 belongs to no meeting of 2026.
LEADS_UP_DAYS = 62


def meeting_led_up_to(due: date, meetings: list[Any]) -> Any | None:
    """The meeting a deadline without a meeting of its own leads up to: the first on or after its
    day, if it starts within LEADS_UP_DAYS; else None ("not tied to a meeting").

    ``meetings`` must be sorted by start date.
    """
    meeting = first_meeting_from(due, meetings)
    if meeting is None or (meeting.start_date - due).days > LEADS_UP_DAYS:
        return None
    return meeting


# --- reminders -----------------------------------------------------------------------------------

def parse_reminder_days(text: str) -> list[int]:
    """"7,1" → [7, 1]: the days before a deadline when reminders go out."""
    days = set()
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValueError(f"JCO_REMINDER_DAYS must list whole numbers of days, such as 7,1 (not {part!r}).")
        days.add(int(part))
    return sorted(days, reverse=True)


def reminder_kind(due: date, today: date, days: list[int]) -> str | None:
    """The reminder due today for a deadline not yet met, or None.

    With days 7 and 1, a deadline 7 to 2 days away gets the 7-day reminder, 1 or 0 days away the
    1-day one, and 1 to 7 days overdue the overdue one. Windows rather than exact days mean a
    run that was missed (a host down overnight) is caught up by the next one; the claim table
    makes sure each is sent once. Deadlines long overdue get no e-mail: it would only be noise.
    """
    if not days:
        return None
    left = (due - today).days
    if left < 0:
        return f"overdue@{due.isoformat()}" if -left <= max(max(days), 1) else None
    for n in sorted(days):
        if left <= n:
            return f"{n}d@{due.isoformat()}"
    return None


def reminder_label(kind: str) -> str:
    what = kind.split("@", 1)[0]
    if what == "overdue":
        return _("overdue")
    days = int(what[:-1])
    return ngettext("due in %(num)d day", "due in %(num)d days", days) if days else _("due today")
