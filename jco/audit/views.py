"""The change log: a JCO's own, and the whole log for administrators. Read-only by design."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlmodel import Session

from jco import permissions
from jco.audit import queries
from jco.audit.models import AuditEntry
from jco.core.db import get_session
from jco.operations.lifecycle import STATE_SHORT, State
from jco.web import jco_or_abort

bp = Blueprint("audit", __name__)

ACTION_LABELS = {
    "jco.create": "Created the operation",
    "jco.update": "Edited the details",
    "jco.participants": "Changed the participants",
    "jco.operation": "Recorded the operational phase",
    "jco.results": "Recorded results",
    "jco.record_state": "Recorded the state from a source",
    "document.register": "Registered a document",
    "agenda.add": "Put on an agenda",
    "agenda.outcome": "Recorded an outcome",
    "agenda.move": "Reordered an agenda",
    "agenda.remove": "Took off an agenda",
    "meeting.create": "Scheduled a meeting",
    "meeting.update": "Edited a meeting",
    "account.create": "Created an account",
    "account.password": "Changed a password",
    "account.enable": "Enabled an account",
    "account.disable": "Disabled an account",
}
WITHHELD = "[withheld: classified]"


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class LogRow:
    entry: AuditEntry
    what: str
    changes: list[Change]


def _label(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    if action.startswith("jco."):
        return action[4:].replace("_", " ").capitalize()
    return action.replace(".", ": ").replace("_", " ")


def _text(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _state_text(value) -> str:
    try:
        return STATE_SHORT[State(value)]
    except ValueError:
        return _text(value)


def _rows(session: Session, entries: list[AuditEntry]) -> list[LogRow]:
    """Entries ready to show, with a classified document's title withheld from uncleared readers.

    The services log references, not titles; this is the second lock on the same door, in case a
    change of a document's details ever carries its title.
    """
    hidden = {d.id for d in queries.documents_named(session, entries)
              if not permissions.can_view_document_details(current_user, d)}
    rows = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        redact = entry.object_type == "document" and entry.object_id in hidden
        changes = []
        for key in [*before.keys(), *(k for k in after if k not in before)]:
            if redact and "title" in key:
                changes.append(Change(key.replace("_", " ").capitalize(), WITHHELD, WITHHELD))
                continue
            show = _state_text if key == "state" else _text
            changes.append(Change(key.replace("_", " ").capitalize(), show(before.get(key)) if before else "",
                                  show(after.get(key)) if after else ""))
        rows.append(LogRow(entry=entry, what=_label(entry.action), changes=changes))
    return rows


def _page_number() -> int:
    try:
        return int(request.args.get("page", 1))
    except ValueError:
        return 1


@bp.get("/jcos/<int:jco_id>/history")
def jco_history(jco_id: int):
    session = get_session()
    jco = jco_or_abort(jco_id, permissions.can_view_jco_history)
    entries, page = queries.entries_page(session, _page_number(), current_app.config["JCO_PAGE_SIZE"], jco_id=jco_id)
    return render_template("audit/jco_history.html", jco=jco, rows=_rows(session, entries), page=page)


@bp.get("/audit")
def log():
    if not permissions.can_view_audit_log(current_user):
        abort(403)
    session = get_session()
    types = queries.object_types(session)
    object_type = request.args.get("type", "")
    object_type = object_type if object_type in types else ""
    entries, page = queries.entries_page(session, _page_number(), current_app.config["JCO_PAGE_SIZE"],
                                         object_type=object_type)
    return render_template("audit/log.html", rows=_rows(session, entries), page=page, types=types,
                           object_type=object_type)
