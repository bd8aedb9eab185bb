"""The daily e-mail digest of what changed on watched operations, sent by
`flask --app jco notifications send` (run it daily from cron).

Each active account that has not turned the digest off, and watches operations that changed since
its last digest (or in the last day, for its first), gets one e-mail a day listing the same items
as My page — worded through jco.permissions, so nothing withheld from it appears.

Sending is idempotent across runs and hosts exactly like the reminders (jco.deadlines.reminders):
a run inserts and commits a ``digest_sent`` row — UNIQUE on (account, day) — before it sends; a
concurrent run fails on the constraint and skips; a failed send deletes the row so a later run retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale, ngettext
from sqlalchemy import func
from sqlmodel import Session, select

from jco.accounts.models import Account
from jco.audit import services as audit
from jco.core.dates import long_date
from jco.core.i18n import DEFAULT as DEFAULT_LANGUAGE
from jco.core.timeutil import utcnow
from jco.deadlines.reminders import Mailer, RunReport, automatic_mail, echo_report, send_claimed
from jco.mypage import watching
from jco.mypage.models import DigestSent, DigestSetting


def digest_enabled(session: Session, account) -> bool:
    row = session.get(DigestSetting, account.id)
    return row is None or row.enabled


def set_digest(session: Session, account, enabled: bool) -> None:
    """The account's own choice; one audit entry."""
    row = session.get(DigestSetting, account.id) or DigestSetting(account_id=account.id)
    row.enabled = enabled
    session.add(row)
    session.flush()
    audit.record(session, account, "digest.enable" if enabled else "digest.disable", object_type="account",
                 object_id=account.id, summary=f"Turned the daily digest {'on' if enabled else 'off'}",
                 after={"digest_enabled": enabled})
    session.flush()


@dataclass
class Planned:
    account_id: int
    email: str
    changes: list[watching.Change]
    message: EmailMessage
    # When the changes were read: the next digest lists what came after.
    read_at: datetime


def compose(account: Account, changes: list[watching.Change], today: date, config) -> EmailMessage:
    with force_locale(account.language or DEFAULT_LANGUAGE):  # the account's language, whoever runs the command
        return _compose(account, changes, today, config)


def _compose(account: Account, changes: list[watching.Change], today: date, config) -> EmailMessage:
    base_url = config["JCO_BASE_URL"]
    context = {"account": account, "changes": changes, "today": long_date(today), "base_url": base_url,
               "my_page": f"{base_url}/", "account_link": f"{base_url}/account"}
    subject = ngettext("%(num)d change on the operations you watch (%(day)s)",
                       "%(num)d changes on the operations you watch (%(day)s)", len(changes), day=long_date(today))
    return automatic_mail("digest", account.email, subject, "mypage/email/digest", context, config, base_url)


def plan(session: Session, today: date, config, now: datetime | None = None) -> list[Planned]:
    """Digests due today, composed before anything is written. A few queries per account."""
    now = now or utcnow()
    disabled = set(session.scalars(select(DigestSetting.account_id).where(DigestSetting.enabled.is_(False))))
    last: dict[int, datetime] = dict(session.execute(
        select(DigestSent.account_id, func.max(DigestSent.claimed_at))
        .where(DigestSent.sent_at.is_not(None)).group_by(DigestSent.account_id)
    ).all())
    planned = []
    for account in session.scalars(select(Account).where(Account.active.is_(True)).order_by(Account.email)):
        if account.id in disabled:
            continue
        ids = watching.watched_ids(session, account)
        since = last.get(account.id) or now - timedelta(days=1)
        with force_locale(account.language or DEFAULT_LANGUAGE):  # the changes are worded as they are read
            changes = watching.changes(session, account, ids, since)
        if changes:
            planned.append(Planned(account.id, account.email, changes, compose(account, changes, today, config), now))
    return planned


def send_digests(session: Session, today: date, config, *, mailer: Mailer | None = None,
                 dry_run: bool = False) -> RunReport[Planned]:
    return send_claimed(session, plan(session, today, config), RunReport[Planned](), mailer or Mailer(config),
                        lambda item: DigestSent(account_id=item.account_id, day=today, claimed_at=item.read_at),
                        dry_run=dry_run)


notifications_cli = AppGroup("notifications", help="The daily e-mail digest of changes on watched operations.")


@notifications_cli.command("send")
@click.option("--dry-run", is_flag=True, help="List the digests due, send nothing.")
def send_command(dry_run: bool) -> None:
    """Send today's digests (run it daily from cron; running it twice sends nothing twice)."""
    from jco.core.db import get_session
    from jco.core.timeutil import today

    report = send_digests(get_session(), today(), current_app.config, dry_run=dry_run)
    echo_report(report, "digests", dry_run, lambda item: f"{item.email}: {item.message['Subject']}",
                lambda item: item.email)
