"""E-mail reminders of deadlines, sent by `flask --app jco reminders send` (run it daily from cron).

Each owing delegation's accounts (active, with reminders on) get a reminder JCO_REMINDER_DAYS
before a deadline and one when it becomes overdue; deadlines owed by the Secretariat go to the
Secretariat's accounts.

Each reminder is sent once, however many runs (or hosts) there are: a run first inserts a row
in ``reminder_sent`` — UNIQUE on (deadline, account, kind) — and commits it, and only then sends.
A concurrent run's insert fails on the constraint and that run skips the reminder. If sending
fails, the claim is deleted so that a later run retries. The trade-off: a process that dies
between its commit and the SMTP hand-over leaves a claim whose e-mail never left (at most once,
rather than at least once); such claims keep ``sent_at`` empty, so they can be found.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import click
from flask import current_app, render_template
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from jco.accounts.models import Account, AccountRole
from jco.core.config import FALLBACK_BASE_URL
from jco.core.dates import long_date
from jco.core.i18n import DEFAULT as DEFAULT_LANGUAGE
from jco.core.timeutil import utcnow
from jco.deadlines import services
from jco.deadlines.calendar import deadline_url
from jco.deadlines.models import ReminderSent
from jco.deadlines.rules import Deadline, Owner, parse_reminder_days, reminder_kind, reminder_label


class Mailer:
    """One SMTP connection per run, opened on first use, from the MAIL_* settings."""

    def __init__(self, config):
        self.host = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.username = config.get("MAIL_USERNAME") or ""
        self.password = config.get("MAIL_PASSWORD") or ""
        self.starttls = bool(config.get("MAIL_USE_TLS"))
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.port, timeout=30)
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if self.username:
            smtp.login(self.username, self.password)
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            # A long run may outlive the server's idle timeout: reconnect once.
            self._smtp = self._connect()
            self._smtp.send_message(message)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None


@dataclass
class Planned:
    deadline: Deadline
    owner: Owner
    account_id: int
    email: str
    kind: str
    message: EmailMessage


Item = TypeVar("Item")


@dataclass
class RunReport(Generic[Item]):
    """What a sending run did with its items (reminders, or the digest's messages)."""

    sent: list[Item] = field(default_factory=list)
    already: int = 0
    failed: list[tuple[Item, str]] = field(default_factory=list)
    planned: list[Item] = field(default_factory=list)


def _recipients(session: Session, owners: set[int | None]) -> dict[int | None, list[Account]]:
    """Accounts to remind per owner (organisation id; None = the Secretariat), in one query."""
    organisation_ids = [o for o in owners if o is not None]
    conditions = []
    if organisation_ids:
        conditions.append(and_(Account.role == AccountRole.DELEGATE, Account.organisation_id.in_(organisation_ids)))
    if None in owners:
        conditions.append(Account.role == AccountRole.SECRETARIAT)
    if not conditions:
        return {}
    by_owner: dict[int | None, list[Account]] = {}
    for account in session.scalars(
        select(Account).where(Account.active.is_(True), Account.reminders_enabled.is_(True), or_(*conditions))
        .order_by(Account.email)
    ):
        owner = None if account.role == AccountRole.SECRETARIAT else account.organisation_id
        by_owner.setdefault(owner, []).append(account)
    return by_owner


def compose(deadline: Deadline, account: Account, kind: str, today: date, config) -> EmailMessage:
    with force_locale(account.language or DEFAULT_LANGUAGE):  # the account's language, whoever runs the command
        return _compose(deadline, account, kind, today, config)


def _compose(deadline: Deadline, account: Account, kind: str, today: date, config) -> EmailMessage:
    base_url = config["JCO_BASE_URL"] or FALLBACK_BASE_URL
    context = {
        "deadline": deadline, "account": account, "when": reminder_label(kind), "overdue": kind.startswith("overdue"),
        "due": long_date(deadline.due), "today": today, "link": f"{base_url}{deadline_url(deadline)}",
        "deadlines_link": f"{base_url}/deadlines", "account_link": f"{base_url}/account",
        "status": deadline.words_for(None if account.role == AccountRole.SECRETARIAT else account.organisation_id,
                                     today),
    }
    subject = _("%(status)s (%(due)s): %(title)s", status=context["status"], due=long_date(deadline.due),
                title=deadline.title)
    return automatic_mail("reminder", account.email, subject, "deadlines/email/reminder", context, config, base_url)


def automatic_mail(kind: str, to: str, subject: str, template: str, context: dict, config, base_url: str) -> EmailMessage:
    """An e-mail the tracker sends by itself (a reminder, the digest): text and HTML from
    ``template``.txt / .html, marked auto-generated so that vacation replies stay quiet."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(kind, domain=urlsplit(base_url).hostname or "jco-tracker")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_template(f"{template}.txt", **context))
    message.add_alternative(render_template(f"{template}.html", **context), subtype="html")
    return message


def plan(session: Session, today: date, config) -> list[Planned]:
    """Reminders due today for deadlines not yet met, with their e-mails composed (before any write)."""
    days = parse_reminder_days(config["JCO_REMINDER_DAYS"])
    settings = services.Settings.from_config(config)
    deadlines = services.collect(session, today, settings)
    due: list[tuple[Deadline, Owner, str]] = []
    for deadline in deadlines:
        kind = reminder_kind(deadline.due, today, days)
        if kind is None:
            continue
        due += [(deadline, owner, kind) for owner in deadline.pending_owners()]
    recipients = _recipients(session, {owner.organisation_id for _, owner, _ in due})
    # A deadline's title and words are written when it is computed: once more in each other language
    # a recipient reads.
    in_language: dict[str, dict[str, Deadline]] = {DEFAULT_LANGUAGE: {d.key: d for d in deadlines}}

    def written_for(deadline: Deadline, account: Account) -> Deadline:
        language = account.language or DEFAULT_LANGUAGE
        if language not in in_language:
            with force_locale(language):
                in_language[language] = {d.key: d for d in services.collect(session, today, settings)}
        return in_language[language].get(deadline.key, deadline)

    planned = []
    for deadline, owner, kind in due:
        for account in recipients.get(owner.organisation_id, []):
            planned.append(Planned(deadline, owner, account.id, account.email, kind,
                                   compose(written_for(deadline, account), account, kind, today, config)))
    return planned


def send_reminders(session: Session, today: date, config, *, mailer: Mailer | None = None,
                   dry_run: bool = False) -> RunReport[Planned]:
    return send_claimed(session, plan(session, today, config), RunReport[Planned](), mailer or Mailer(config),
                        lambda item: ReminderSent(deadline_key=item.deadline.key, account_id=item.account_id,
                                                  kind=item.kind), dry_run=dry_run)


def send_claimed(session: Session, items: list, report, mailer: Mailer, claim_for, *, dry_run: bool = False):
    """Send each item's message at most once, across runs and hosts: its claim (a row with a unique
    key) is committed before the mail goes; a mail that fails gives its claim back, so that the next
    run tries again. Reminders and the daily digest both send this way. A dry run only lists them."""
    session.commit()  # end the read that planned the items, so that each claim is its own short transaction
    if dry_run:
        report.planned = items
        return report
    try:
        for item in items:
            claim = claim_for(item)
            session.add(claim)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # already sent, or being sent by a concurrent run
                report.already += 1
                continue
            try:
                mailer.send(item.message)
            except (smtplib.SMTPException, OSError) as error:
                session.delete(claim)
                session.commit()
                report.failed.append((item, str(error) or error.__class__.__name__))
                mailer.close()
                continue
            claim.sent_at = utcnow()
            session.add(claim)
            session.commit()
            report.sent.append(item)
    finally:
        mailer.close()
    return report


reminders_cli = AppGroup("reminders", help="E-mail reminders of deadlines.")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="List the reminders due, send nothing.")
def send_command(dry_run: bool) -> None:
    """Send the reminders due today (run it daily from cron; running it twice sends nothing twice)."""
    from jco.core.db import get_session
    from jco.core.timeutil import today

    try:
        report = send_reminders(get_session(), today(), current_app.config, dry_run=dry_run)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    echo_report(report, "reminders", dry_run, lambda item: f"{item.email}: {item.message['Subject']} [{item.kind}]",
                lambda item: f"{item.email} ({item.deadline.key})")


def echo_report(report: RunReport, noun: str, dry_run: bool, planned: Callable[[Any], str],
                failed: Callable[[Any], str]) -> None:
    """What a sending run did, for cron's mail (reminders and the digest): exit status 1 on a failure."""
    if dry_run:
        for item in report.planned:
            click.echo(f"would send to {planned(item)}")
        click.echo(f"{len(report.planned)} {noun} due.")
        return
    for item, failure in report.failed:
        click.echo(f"could not send to {failed(item)}: {failure}", err=True)
    click.echo(f"Sent {len(report.sent)} {noun}; {report.already} already sent; {len(report.failed)} failed.")
    if report.failed:
        raise SystemExit(1)
