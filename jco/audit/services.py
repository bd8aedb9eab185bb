"""Writing the audit log. Entries are only ever added: the mapper refuses updates and deletes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from jco.audit.models import AuditEntry


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(*_args) -> None:
    raise AuditLogIsAppendOnly("The audit log is append-only: entries cannot be changed.")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(*_args) -> None:
    raise AuditLogIsAppendOnly("The audit log is append-only: entries cannot be deleted.")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: Any, fields: list[str] | None = None) -> dict:
    """The columns of a row as plain JSON values (binary content left out)."""
    names = fields or [c.key for c in obj.__table__.columns if c.key not in ("content", "password_hash")]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    session: Session,
    actor,
    action: str,
    obj: Any | None = None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    jco_id: int | None = None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj.__tablename__
        session.flush()
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", "") or "system",
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        jco_id=jco_id,
        summary=summary[:300],
        before=_plain(before) if before else None,
        after=_plain(after) if after else None,
    )
    session.add(entry)
    return entry
