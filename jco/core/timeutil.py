"""Time in one convention: timezone-aware UTC datetimes (SQLModel stores and returns them in UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app, has_app_context


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    """Today's date; JCO_TODAY pins it (demo screenshots, tests)."""
    if has_app_context():
        pinned = current_app.config.get("JCO_TODAY")
        if pinned:
            return date.fromisoformat(pinned)
    return date.today()

