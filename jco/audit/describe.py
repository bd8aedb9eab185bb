"""The audit log in words: one sentence per entry, from its kind and what it stored.

Each kind of entry (the ``action`` that ``jco.audit.services.record`` is given) has a sentence with
named placeholders, translated as a whole. The placeholders are filled from the entry and from the
rows it names (``jco.audit.queries.named``): the operation, document, meeting and account are named
and linked. A document is named by its reference, never its title; the changes listed beside a
sentence withhold a classified document's title from a reader not cleared for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from jco import permissions
from jco.accounts.models import Account
from jco.audit.models import AuditEntry
from jco.audit.queries import Named
from jco.comments.models import OUTCOME_LABELS as RESPONSE_LABELS
from jco.core.dates import long_date
from jco.documents.models import DocType, Document
from jco.meetings.models import Meeting
from jco.operations.lifecycle import STATE_SHORT, TRANSITION_LABELS, Body, State, Transition
from jco.operations.models import JcoKind

# kind -> (the sentence, the sentence when the entry also names an operation). Where the second is
# None the first serves both.
SENTENCES: dict[str, tuple] = {
    "jco.create": (_l("%(actor)s created the operation %(jco)s"), None),
    "jco.update": (_l("%(actor)s edited the details of %(jco)s"), None),
    "jco.operation": (_l("%(actor)s recorded the operational phase of %(jco)s"), None),
    "jco.participants": (_l("%(actor)s changed the participants of %(jco)s"), None),
    "jco.results": (_l("%(actor)s recorded results of %(jco)s"), None),
    "jco.record_state": (_l("%(actor)s recorded %(jco)s as “%(state_after)s” from a source"), None),
    "jco.import": (_l("%(actor)s imported %(jco)s from a file"), None),
    "jco.step": (_l("%(actor)s moved %(jco)s from “%(state_before)s” to “%(state_after)s”"), None),
    "document.register": (_l("%(actor)s registered the document %(document)s"),
                          _l("%(actor)s registered the document %(document)s of %(jco)s")),
    "document.link": (_l("%(actor)s linked the document %(document)s to %(jco)s"), None),
    "document.file": (_l("%(actor)s stored the file of %(document)s"), None),
    "document.file_withheld": (_l("%(actor)s did not store the file of %(document)s: its marking is above "
                                  "what this system may hold"), None),
    "document.update": (_l("%(actor)s changed the details of %(document)s"), None),
    "meeting.create": (_l("%(actor)s scheduled %(meeting)s"), None),
    "meeting.update": (_l("%(actor)s edited %(meeting)s"), None),
    "agenda.add": (_l("%(actor)s put “%(title)s” on the agenda of %(meeting)s"), None),
    "agenda.outcome": (_l("%(actor)s recorded the outcome “%(outcome)s” of “%(title)s” at %(meeting)s"),
                       _l("%(actor)s recorded the outcome “%(outcome)s” of %(jco)s at %(meeting)s")),
    "agenda.move": (_l("%(actor)s moved “%(title)s” on the agenda of %(meeting)s"), None),
    "agenda.edit": (_l("%(actor)s edited the agenda item “%(title)s” of %(meeting)s"), None),
    "agenda.remove": (_l("%(actor)s took “%(title)s” off an agenda"), None),
    "comment_round.open": (_l("%(actor)s opened written comments on %(document)s until %(day)s"), None),
    "comment.submit": (_l("%(actor)s sent the comments of %(organisation)s on %(document)s"), None),
    "comment.edit": (_l("%(actor)s changed the comments of %(organisation)s on %(document)s"), None),
    "comment.response": (_l("%(actor)s recorded the response “%(response)s” to the comments of %(organisation)s on "
                            "%(document)s"), None),
    "deadline.create": (_l("%(actor)s set the deadline “%(title)s” for %(day)s"), None),
    "deadline.update": (_l("%(actor)s changed the deadline “%(title)s”"), None),
    "deadline.met": (_l("%(actor)s recorded the deadline “%(title)s” as met on %(day)s"), None),
    "deadline.reopen": (_l("%(actor)s reopened the deadline “%(title)s”"), None),
    "deadline.delete": (_l("%(actor)s deleted the deadline “%(title)s”"), None),
    "watch.start": (_l("%(actor)s started watching %(jco)s"), None),
    "watch.stop": (_l("%(actor)s stopped watching %(jco)s"), None),
    "account.create": (_l("%(actor)s created the account %(account)s"), None),
    "account.update": (_l("%(actor)s changed the account %(account)s"), None),
    "account.password": (_l("%(actor)s changed the password of %(account)s"), None),
    "account.enable": (_l("%(actor)s enabled the account %(account)s"), None),
    "account.disable": (_l("%(actor)s disabled the account %(account)s"), None),
    "account.language": (_l("%(actor)s chose the language “%(language)s”"), None),
    "account.language.browser": (_l("%(actor)s chose to follow the browser's language"), None),
    "account.reminders.on": (_l("%(actor)s turned e-mail reminders on"), None),
    "account.reminders.off": (_l("%(actor)s turned e-mail reminders off"), None),
    "account.calendar_token": (_l("%(actor)s created a calendar subscription address"), None),
    "account.calendar_revoke": (_l("%(actor)s revoked the calendar subscription address"), None),
    "digest.enable": (_l("%(actor)s turned the daily digest on"), None),
    "digest.disable": (_l("%(actor)s turned the daily digest off"), None),
    "api_token.create": (_l("%(actor)s created an API token"), None),
    "api_token.revoke": (_l("%(actor)s revoked an API token"), None),
    "organisation.create": (_l("%(actor)s added the body “%(name)s”"), None),
    "demo.synthetic": (_l("%(actor)s generated synthetic demonstration data"), None),
}
# What the filter offers for each kind.
KIND_LABELS = {
    "jco.create": _l("Operation created"),
    "jco.update": _l("Operation details edited"),
    "jco.operation": _l("Operational phase recorded"),
    "jco.participants": _l("Participants changed"),
    "jco.results": _l("Results recorded"),
    "jco.record_state": _l("State recorded from a source"),
    "jco.import": _l("Operation imported"),
    "document.register": _l("Document registered"),
    "document.link": _l("Document linked to an operation"),
    "document.file": _l("Document file stored"),
    "document.file_withheld": _l("Document file not stored (classified)"),
    "document.update": _l("Document details changed"),
    "meeting.create": _l("Meeting scheduled"),
    "meeting.update": _l("Meeting edited"),
    "agenda.add": _l("Put on an agenda"),
    "agenda.outcome": _l("Outcome recorded"),
    "agenda.move": _l("Agenda reordered"),
    "agenda.edit": _l("Agenda item edited"),
    "agenda.remove": _l("Taken off an agenda"),
    "comment_round.open": _l("Written comments opened"),
    "comment.submit": _l("Comments sent"),
    "comment.edit": _l("Comments changed"),
    "comment.response": _l("Response to comments recorded"),
    "deadline.create": _l("Deadline set"),
    "deadline.update": _l("Deadline changed"),
    "deadline.met": _l("Deadline met"),
    "deadline.reopen": _l("Deadline reopened"),
    "deadline.delete": _l("Deadline deleted"),
    "watch.start": _l("Started watching"),
    "watch.stop": _l("Stopped watching"),
    "account.create": _l("Account created"),
    "account.update": _l("Account changed"),
    "account.password": _l("Password changed"),
    "account.enable": _l("Account enabled"),
    "account.disable": _l("Account disabled"),
    "account.language": _l("Language chosen"),
    "account.reminders": _l("E-mail reminders turned on or off"),
    "account.calendar_token": _l("Calendar address created"),
    "account.calendar_revoke": _l("Calendar address revoked"),
    "digest.enable": _l("Daily digest turned on"),
    "digest.disable": _l("Daily digest turned off"),
    "api_token.create": _l("API token created"),
    "api_token.revoke": _l("API token revoked"),
    "organisation.create": _l("Body added"),
    "demo.synthetic": _l("Synthetic data generated"),
}
OUTCOME_LABELS = {
    "presented": _l("Presented"),
    "adopted": _l("Adopted"),
    "not_adopted": _l("Not adopted"),
    "postponed": _l("Postponed"),
    "noted": _l("Noted"),
}
FIELD_LABELS = {
    "state": _l("State"), "title": _l("Title"), "name": _l("Name"), "edition": _l("Edition"),
    "kind": _l("Kind"), "description": _l("Description"), "planned_start": _l("Planned start"),
    "planned_end": _l("Planned end"), "actual_start": _l("Start"), "actual_end": _l("End"),
    "participants": _l("Participants"), "commodities": _l("Goods"), "transport_modes": _l("Transport modes"),
    "reference": _l("Reference"), "marking": _l("Marking"), "doc_type": _l("Document type"),
    "outcome": _l("Outcome"), "note": _l("Note"), "position": _l("Position"), "purpose": _l("Purpose"),
    "email": _l("E-mail"), "role": _l("Role"), "clearance": _l("Clearance"), "active": _l("Active"),
    "language": _l("Language"), "due_date": _l("Due date"), "met_on": _l("Met on"), "deadline": _l("Deadline"),
    "document": _l("Document"), "start_date": _l("Start date"), "end_date": _l("End date"), "place": _l("Place"),
    "body": _l("Body"), "notice_reference": _l("Meeting notice"),
    "body_length": _l("Length of the comment"), "note_length": _l("Length of the note"), "file_id": _l("File"),
    "file_sha256": _l("File fingerprint (SHA-256)"), "late": _l("Late"), "filename": _l("File name"),
    "size": _l("Size"), "media_type": _l("File type"), "reminders_enabled": _l("E-mail reminders"),
    "digest_enabled": _l("Daily digest"), "watching": _l("Watching"), "rows": _l("Rows"),
    "rows_added": _l("Rows added"), "replaced": _l("Replaced"), "reason": _l("Reason"),
    "meeting_id": _l("Meeting"), "agenda_item_id": _l("Agenda item"), "organisation_id": _l("Delegation or body"),
    "sha256": _l("File fingerprint (SHA-256)"), "report_next_body": _l("Next body to adopt the report"),
    "report_prior_body": _l("Body that adopted the report first"), "action": _l("Action"), "projects": _l("Projects"),
    "framework": _l("Framework"), "public_results": _l("Public results"), "source_notes": _l("Notes on the sources"),
    "sources": _l("Sources"), "year": _l("Year"), "debriefing_date": _l("Debriefing date"),
    "debriefing_place": _l("Debriefing place"), "code": _l("Code"), "eu_member_from": _l("EU member from"),
    "eu_member_until": _l("EU member until"), "id": _l("Number"), "iso3": _l("ISO 3 code"),
}


def _label_of(kind: type, value) -> str:
    """The label of a stored code (a kind of operation, a body, a document type), in the reader's language."""
    try:
        return _(kind(value).label)
    except ValueError:
        return _text(value)


# Fields that store a code: shown by their label.
CODED = {"kind": JcoKind, "doc_type": DocType, "body": Body, "report_next_body": Body, "report_prior_body": Body}

TRANSITIONS = {f"jco.{t.value}" for t in Transition}


def kind_label(action: str) -> str:
    """The name the filter gives a kind of entry."""
    if action in KIND_LABELS:
        return str(KIND_LABELS[action])
    if action in TRANSITIONS:
        return _("Life-cycle step: %(step)s", step=_(TRANSITION_LABELS[Transition(action[4:])]))
    return action


def withheld() -> str:
    return _("[withheld: classified]")


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class LogRow:
    entry: AuditEntry
    sentence: Markup
    changes: list[Change]


def _link(endpoint: str, text: str, **values) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url_for(endpoint, **values), text)


def _day(value) -> str | None:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return long_date(value) if isinstance(value, date) else None


def _state(value) -> str:
    try:
        return _(STATE_SHORT[State(value)])
    except ValueError:
        return _text(value)


def _text(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{FIELD_LABELS.get(k, k)}: {_text(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


class Describer:
    """Turns the entries of one page into rows for one reader."""

    def __init__(self, named: Named, reader: Account | None):
        self.named = named
        self.reader = reader

    def _actor(self, entry: AuditEntry) -> str:
        account = self.named.accounts.get(entry.actor_id) if entry.actor_id else None
        if account is not None:
            return account.name or account.email
        return entry.actor_label if entry.actor_label not in ("", "system") else _("The system")

    def _jco(self, entry: AuditEntry) -> Markup | None:
        jco_id = entry.jco_id or (entry.object_id if entry.object_type == "jco" else None)
        jco = self.named.jcos.get(jco_id or 0)
        return _link("operations.detail", jco.title, jco_id=jco.id) if jco else None

    def _document(self, document_id: int | None) -> Markup | None:
        document: Document | None = self.named.documents.get(document_id or 0)
        return _link("documents.detail", document.reference, document_id=document.id) if document else None

    def _meeting(self, meeting: Meeting | None) -> Markup | None:
        if meeting is None:
            return None
        text = _("%(meeting)s, %(days)s", meeting=meeting.display_title, days=meeting.days_label)
        return _link("meetings.detail", text, meeting_id=meeting.id)

    def _account(self, account_id: int | None) -> Markup | str | None:
        account = self.named.accounts.get(account_id or 0)
        if account is None:
            return None
        if permissions.can_manage_account(self.reader, account):
            return _link("accounts.edit_account", account.email, account_id=account.id)
        return account.email

    def hides(self, entry: AuditEntry) -> bool:
        """Whether the entry is about a document whose details this reader may not see."""
        if entry.object_type != "document":
            return False
        document = self.named.documents.get(entry.object_id or 0)
        return document is not None and not permissions.can_view_document_details(self.reader, document)

    def _values(self, entry: AuditEntry) -> dict:
        before, after = entry.before or {}, entry.after or {}
        values: dict = {"actor": self._actor(entry)}
        if (jco := self._jco(entry)) is not None:
            values["jco"] = jco
        kind = entry.object_type
        if kind == "document" and (document := self._document(entry.object_id)) is not None:
            values["document"] = document
        elif kind in ("comment", "comment_response") and (comment_id := (
                entry.object_id if kind == "comment" else self.named.responses.get(entry.object_id or 0))) \
                in self.named.comments:
            organisation, document_id = self.named.comments[comment_id or 0]
            values["organisation"] = organisation.local_name
            if (document := self._document(document_id)) is not None:
                values["document"] = document
        elif kind == "comment_round" and (document := self._document(self.named.rounds.get(entry.object_id or 0))):
            values["document"] = document
        elif kind == "meeting" and (meeting := self._meeting(self.named.meetings.get(entry.object_id or 0))):
            values["meeting"] = meeting
        elif kind == "agenda_item":
            item = self.named.agenda_items.get(entry.object_id or 0)
            if item is not None:
                values["title"] = item.title
                if (meeting := self._meeting(self.named.meetings.get(item.meeting_id))) is not None:
                    values["meeting"] = meeting
            elif before.get("title"):
                values["title"] = before["title"]
        elif kind == "account" and (account := self._account(entry.object_id)) is not None:
            values["account"] = account
        elif kind == "manual_deadline":
            title = self.named.deadlines.get(entry.object_id or 0) or after.get("title") or before.get("title")
            if title:
                values["title"] = title
        if "outcome" in after:
            labels = RESPONSE_LABELS if kind == "comment_response" else OUTCOME_LABELS
            values["outcome"] = values["response"] = str(labels.get(after["outcome"], after["outcome"]))
        if "state" in before:
            values["state_before"] = _state(before["state"])
        if "state" in after:
            values["state_after"] = _state(after["state"])
        if (day := _day(after.get("met_on") or after.get("deadline") or after.get("due_date"))) is not None:
            values["day"] = day
        if after.get("language"):
            values["language"] = after["language"]
        if kind == "organisation" and after.get("name"):
            values["name"] = after["name"]
        return values

    def _key(self, entry: AuditEntry) -> str:
        if entry.action in TRANSITIONS and entry.action not in SENTENCES:
            return "jco.step"
        if entry.action == "account.language" and not (entry.after or {}).get("language"):
            return "account.language.browser"
        if entry.action == "account.reminders":
            return "account.reminders." + ("on" if (entry.after or {}).get("reminders_enabled") else "off")
        return entry.action

    def sentence(self, entry: AuditEntry) -> Markup:
        values = self._values(entry)
        plain, with_jco = SENTENCES.get(self._key(entry), (None, None))
        for template in (with_jco if "jco" in values else None, plain):
            if template is None:
                continue
            try:
                return Markup(escape(str(template))) % values
            except KeyError:  # the entry lacks what the sentence names (a row since deleted)
                continue
        # A kind without a sentence of its own, or one whose rows are gone: the services' summary, which
        # names references, never titles — and not even that for a document the reader may not see.
        if self.hides(entry):
            return Markup(escape(_("%(actor)s changed a classified document"))) % values
        summary = entry.summary or kind_label(entry.action)
        return Markup(escape(_("%(actor)s: %(summary)s"))) % {**values, "summary": summary}

    def changes(self, entry: AuditEntry) -> list[Change]:
        before, after = entry.before or {}, entry.after or {}
        redact = self.hides(entry)
        changes = []
        for key in [*before.keys(), *(k for k in after if k not in before)]:
            label = str(FIELD_LABELS.get(key, key.replace("_", " ").capitalize()))
            if redact and "title" in key:
                changes.append(Change(label, withheld(), withheld()))
                continue
            show: Callable = _state if key == "state" else _text
            if key in CODED and entry.object_type != "organisation":
                show = lambda value, kind=CODED[key]: _label_of(kind, value) if value else _text(value)  # noqa: E731
            if key == "outcome":
                labels = RESPONSE_LABELS if entry.object_type == "comment_response" else OUTCOME_LABELS
                show = lambda value, labels=labels: _text(labels.get(value, value))  # noqa: E731
            changes.append(Change(label, show(before.get(key)) if before else "",
                                  show(after.get(key)) if after else ""))
        return changes

    def rows(self, entries: list[AuditEntry]) -> list[LogRow]:
        return [LogRow(entry=e, sentence=self.sentence(e), changes=self.changes(e)) for e in entries]
