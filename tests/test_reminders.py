"""E-mail reminders, sent through a real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from deadline_factories import comment, jco_under_comments
from factories import make_account, make_document, org
from sqlalchemy import func, select

from jco.accounts.services import set_active
from jco.comments.models import CommentRound
from jco.core.db import get_session
from jco.deadlines import services
from jco.deadlines.models import ReminderSent
from jco.deadlines.reminders import send_reminders
from jco.documents.models import DocType, Marking
from tests.servers import free_port, smtp_inbox

TODAY = date(2025, 11, 4)


@pytest.fixture
def app_config():
    return {"JCO_TODAY": TODAY.isoformat(), "JCO_BASE_URL": "https://jco.example.org",
            "JCO_REMINDER_DAYS": "7,1", "MAIL_FROM": "jco-tracker@example.org"}


@pytest.fixture
def inbox(app):
    with smtp_inbox(app) as handler:
        yield handler


@pytest.fixture
def world(db):
    jco, bc, round_ = jco_under_comments(db, TODAY, deadline_in=7)  # owed by FR and PL
    fr = make_account(db, "fr@example.org", org_code="FR")
    make_account(db, "pl@example.org", org_code="PL", clearance=Marking.RESTREINT_UE)
    make_account(db, "pl.quiet@example.org", org_code="PL").reminders_enabled = False
    set_active(db, make_account(db, "pl.gone@example.org", org_code="PL"), False)
    make_account(db, "de@example.org", org_code="DE")  # the lead owes no comments
    make_account(db, "gsc@example.org", org_code="GSC", role="secretariat")
    db.commit()
    return {"jco": jco, "bc": bc, "round": round_, "fr": fr}


def _sent(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(ReminderSent))


def test_reminders_reach_the_owing_delegations_with_text_html_and_link(runner, inbox, world, db):
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 reminders; 0 already sent; 0 failed." in result.output
    assert inbox.recipients() == ["fr@example.org", "pl@example.org"]
    _, message = next(m for m in inbox.messages if m[0] == ["fr@example.org"])
    # (a long subject may be folded right after "Subject:"; readers drop the leading space)
    assert message["Subject"].strip() == (f"Due in 7 days (11 November 2025): Written comments on {world['bc'].reference} "
                                  "(JCO Alpha)")
    assert message["From"] == "jco-tracker@example.org" and message["To"] == "fr@example.org"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"https://jco.example.org/jcos/{world['jco'].id}"
    assert link in text and f'href="{link}"' in html
    assert "Due in 7 days" in text and "Due in 7 days" in html
    assert "https://jco.example.org/account" in text  # where to turn them off


def test_running_twice_sends_each_reminder_once(runner, inbox, world, db):
    runner.invoke(args=["reminders", "send"])
    again = runner.invoke(args=["reminders", "send"])
    assert "Sent 0 reminders; 2 already sent; 0 failed." in again.output
    assert len(inbox.messages) == 2 and _sent(db) == 2


def test_the_one_day_and_overdue_reminders_follow(app, runner, inbox, world, db):
    comment(db, world["round"], "FR")  # France has met it: only Poland is reminded from now on
    db.commit()
    runner.invoke(args=["reminders", "send"])
    app.config["JCO_TODAY"] = (TODAY + timedelta(days=6)).isoformat()
    runner.invoke(args=["reminders", "send"])
    app.config["JCO_TODAY"] = (TODAY + timedelta(days=8)).isoformat()
    runner.invoke(args=["reminders", "send"])
    runner.invoke(args=["reminders", "send"])
    subjects = [m["Subject"].strip().split(" (")[0] for _, m in inbox.messages]
    assert subjects == ["Due in 7 days", "Due tomorrow", "Overdue by 1 day"]
    assert inbox.recipients() == ["pl@example.org"] * 3
    kinds = db.scalars(select(ReminderSent.kind).order_by(ReminderSent.id)).all()
    assert kinds == ["7d@2025-11-11", "1d@2025-11-11", "overdue@2025-11-11"]


def test_two_concurrent_runs_send_each_reminder_once(app, inbox, world, db):
    barrier = threading.Barrier(2)
    reports = []

    def run():
        with app.app_context():
            barrier.wait()
            reports.append(send_reminders(get_session(), TODAY, app.config))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(reports) == 2
    assert inbox.recipients() == ["fr@example.org", "pl@example.org"]
    assert sum(len(r.sent) for r in reports) == 2 and sum(r.already for r in reports) == 2
    assert _sent(db) == 2


def test_a_failed_send_gives_the_claim_back_and_a_later_run_retries(runner, inbox, world, db):
    inbox.refuse.add("pl@example.org")
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 1
    assert "could not send to pl@example.org" in result.output
    assert inbox.recipients() == ["fr@example.org"]
    assert _sent(db) == 1
    inbox.refuse.clear()
    result = runner.invoke(args=["reminders", "send"])
    assert "Sent 1 reminders; 1 already sent; 0 failed." in result.output
    assert inbox.recipients() == ["fr@example.org", "pl@example.org"]


def test_unreachable_server_sends_nothing_and_claims_nothing(app, runner, world, db):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 1 and "2 failed" in result.output
    assert _sent(db) == 0


def test_secretariat_deadlines_go_to_the_secretariat(runner, inbox, world, db):
    services.create_manual_deadline(db, services.ManualDetails(
        title="Circulate the draft agenda", due_date=TODAY + timedelta(days=1), owner_ids=[],
        owed_by_secretariat=True))
    db.commit()
    runner.invoke(args=["reminders", "send"])
    subjects = {rcpts[0]: m["Subject"].strip() for rcpts, m in inbox.messages}
    assert subjects["gsc@example.org"] == "Due tomorrow (5 November 2025): Circulate the draft agenda"


def test_classified_titles_only_in_e_mails_to_cleared_accounts(runner, inbox, world, db):
    secret = make_document(db, "15000/25 ADD 1", jco=world["jco"], doc_type=DocType.BUSINESS_CASE,
                           marking=Marking.RESTREINT_UE, title="Risk profiles of the operation")
    db.add(CommentRound(jco_id=world["jco"].id, document_id=secret.id, deadline=TODAY + timedelta(days=1)))
    db.commit()
    runner.invoke(args=["reminders", "send"])
    bodies = {}
    for rcpts, message in inbox.messages:
        if "15000/25 ADD 1" in message["Subject"]:
            bodies[rcpts[0]] = message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()
    assert set(bodies) == {"fr@example.org", "pl@example.org"}
    assert "Risk profiles" not in bodies["fr@example.org"] and "title withheld" in bodies["fr@example.org"]
    assert "Risk profiles of the operation" in bodies["pl@example.org"]


def test_dry_run_sends_nothing(runner, inbox, world, db):
    result = runner.invoke(args=["reminders", "send", "--dry-run"])
    assert "would send to fr@example.org" in result.output and "2 reminders due." in result.output
    assert inbox.messages == [] and _sent(db) == 0


def test_bad_reminder_days_setting_is_explained(app, runner, world):
    app.config["JCO_REMINDER_DAYS"] = "seven"
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code != 0 and "JCO_REMINDER_DAYS" in result.output


def test_turning_reminders_off_on_the_account_page(client, auth, runner, inbox, world, db):
    auth.login("fr@example.org")
    client.post("/account", data={"rem-submit": "Save"})  # the box unticked
    runner.invoke(args=["reminders", "send"])
    assert inbox.recipients() == ["pl@example.org"]
    assert org(db, "FR") is not None


def test_a_reminder_is_written_in_the_language_of_its_account(runner, inbox, world, db):
    world["fr"].language = "fr"
    db.commit()
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    _, french = next(m for m in inbox.messages if m[0] == ["fr@example.org"])
    _, english = next(m for m in inbox.messages if m[0] == ["pl@example.org"])
    text, html = french.get_body(("plain",)).get_content(), french.get_body(("html",)).get_content()
    assert "11 novembre 2025" in french["Subject"]
    assert "Bonjour" in text and "Échéance :" in text and "la page de votre compte" in html
    assert "Written comments" not in french["Subject"] and "Written comments" not in text  # the title too
    assert '<html lang="fr">' in html
    assert "Hello" in english.get_body(("plain",)).get_content()
    assert "11 November 2025" in english["Subject"]
