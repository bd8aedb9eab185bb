"""Settings, read once from the environment.

Every variable is listed in README.md; defaults give a working single-user install on SQLite.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

MARKINGS_ORDER = ("", "LIMITE", "RESTREINT UE", "CONFIDENTIEL UE", "SECRET UE")


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def from_environment(instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables."""
    instance = Path(instance_path)
    default_db = f"sqlite:///{instance / 'jco.sqlite3'}"
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        # A stable key per instance folder, so sessions survive restarts of a single host;
        # several hosts must share SECRET_KEY (README: deployment).
        key_file = instance / "secret_key"
        if key_file.exists():
            secret = key_file.read_text().strip()
        else:
            instance.mkdir(parents=True, exist_ok=True)
            secret = secrets.token_hex(32)
            key_file.write_text(secret)
            key_file.chmod(0o600)
    max_marking = os.environ.get("JCO_MAX_STORED_MARKING", "LIMITE").strip().upper()
    if max_marking in {"NONE", "PUBLIC"}:
        max_marking = ""
    if max_marking not in MARKINGS_ORDER:
        raise RuntimeError(
            f"JCO_MAX_STORED_MARKING={max_marking!r} is not one of: PUBLIC, LIMITE, RESTREINT UE, "
            "CONFIDENTIEL UE, SECRET UE"
        )
    return {
        "SECRET_KEY": secret,
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        "JCO_MAX_STORED_MARKING": max_marking,
        "MAX_CONTENT_LENGTH": _int("JCO_MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("JCO_SECURE_COOKIES", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("JCO_SECURE_COOKIES", False),
        "WTF_CSRF_TIME_LIMIT": None,
        # Sessions are held on the server (jco/accounts/sessions.py): in the database, or in Redis
        # when this is set. A session ends this long after log-in however busy, or after the idle time.
        "JCO_SESSION_REDIS_URL": os.environ.get("JCO_SESSION_REDIS_URL", ""),
        "JCO_SESSION_MAX_HOURS": _float("JCO_SESSION_MAX_HOURS", 12),
        "JCO_SESSION_IDLE_HOURS": _float("JCO_SESSION_IDLE_HOURS", 8),
        "RATELIMIT_STORAGE_URI": os.environ.get("JCO_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("JCO_RATELIMIT_ENABLED", True),
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: none,
        # the headers are ignored, so a client cannot forge its address to dodge rate limits).
        "JCO_TRUSTED_PROXIES": _int("JCO_TRUSTED_PROXIES", 0),
        # Seconds to wait for a PostgreSQL connection before answering 503 rather than hanging.
        "JCO_DB_CONNECT_TIMEOUT": _int("JCO_DB_CONNECT_TIMEOUT", 5),
        "JCO_BACKUP_DIR": os.environ.get("JCO_BACKUP_DIR", str(instance / "backups")),
        # The address people reach the app at, for links that leave it (calendar feeds, e-mails). Empty:
        # the address of the request itself, so a calendar link is right on whatever host and port
        # serves the page; outside a request (reminders, notifications) set it in production.
        "JCO_BASE_URL": os.environ.get("JCO_BASE_URL", "").rstrip("/"),
        "JCO_PAGE_SIZE": _int("JCO_PAGE_SIZE", 50),
        # An import file is read whole into memory before anything is planned: these bound it.
        "JCO_IMPORT_MAX_ROWS": _int("JCO_IMPORT_MAX_ROWS", 5000),
        "JCO_IMPORT_MAX_XLSX_MB": _int("JCO_IMPORT_MAX_XLSX_MB", 50),
        # Longest time a cached dashboard figure may live (it is dropped at once when data changes).
        "JCO_CACHE_SECONDS": _int("JCO_CACHE_SECONDS", 300),
        "JCO_REPORT_DUE_DAYS": _int("JCO_REPORT_DUE_DAYS", 90),
        "JCO_REVISION_DUE_DAYS": _int("JCO_REVISION_DUE_DAYS", 10),
        "JCO_ADOPTION_DUE_DAYS": _int("JCO_ADOPTION_DUE_DAYS", 60),
        # How far back an account's calendar feed reaches (the per-JCO and per-meeting feeds: all).
        "JCO_CALENDAR_PAST_DAYS": _int("JCO_CALENDAR_PAST_DAYS", 366),
        "JCO_REMINDER_DAYS": os.environ.get("JCO_REMINDER_DAYS", "7,1"),
        "MAIL_SERVER": os.environ.get("JCO_SMTP_HOST", "localhost"),
        "MAIL_PORT": _int("JCO_SMTP_PORT", 25),
        "MAIL_USERNAME": os.environ.get("JCO_SMTP_USER", ""),
        "MAIL_PASSWORD": os.environ.get("JCO_SMTP_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("JCO_SMTP_STARTTLS", False),
        "MAIL_FROM": os.environ.get("JCO_MAIL_FROM", "jco-tracker@localhost"),
        "JCO_TODAY": os.environ.get("JCO_TODAY", ""),
    }


FALLBACK_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """Where people reach the app: JCO_BASE_URL, else the address this request came to."""
    from flask import current_app, has_request_context, request

    configured = current_app.config.get("JCO_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return FALLBACK_BASE_URL
