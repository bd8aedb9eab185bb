"""The daily digest of changes on watched operations, through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_account, make_document, make_jco
from sqlalchemy import func, select

from jco.accounts.models import Account
from jco.audit.models import AuditEntry
from jco.documents.models import DocType, Marking
from jco.mypage.digest import send_digests
from jco.mypage.models import DigestSent, DigestSetting
from jco.operations.models import Role
from tests.servers import smtp_inbox

TODAY = date(2025, 11, 4)


@pytest.fixture
def app_config():
    return {"JCO_TODAY": TODAY.isoformat(), "JCO_BASE_URL": "https://jco.example.org",
            "MAIL_FROM": "jco-tracker@example.org"}


@pytest.fixture
def inbox(app):
    with smtp_inbox(app) as handler:
        yield handler


@pytest.fixture
def world(db):
    jco = make_jco(db, "Nightjar", lead="DE", participants={"FR": Role.PARTICIPANT, "LV": Role.OBSERVER})
    make_account(db, "de@example.org", org_code="DE")
    make_account(db, "fr@example.org", org_code="FR")
    make_account(db, "lv@example.org", org_code="LV", clearance=Marking.RESTREINT_UE)
    make_account(db, "pl@example.org", org_code="PL")  # Poland does not take part: nothing to tell it
    make_document(db, "4321/25", jco=jco, doc_type=DocType.BUSINESS_CASE, title="Nightjar business case")
    make_document(db, "4321/25 ADD 1", jco=jco, doc_type=DocType.BUSINESS_CASE, marking=Marking.RESTREINT_UE,
                  title="Nightjar risk profiles")
    db.commit()
    return jco


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_each_watching_account_gets_one_digest_without_what_is_withheld(app, db, world, inbox):
    report = send_digests(db, TODAY, app.config)
    assert not report.failed
    assert inbox.recipients() == ["de@example.org", "fr@example.org", "lv@example.org"]
    by_recipient = {rcpts[0]: message for rcpts, message in inbox.messages}
    fr = _body(by_recipient["fr@example.org"])
    assert "JCO Nightjar: New document 4321/25: Nightjar business case." in fr
    assert "4321/25 ADD 1: [RESTREINT UE — title withheld]" in fr and "risk profiles" not in fr
    assert "risk profiles" not in by_recipient["fr@example.org"].get_body(("html",)).get_content()
    assert "Nightjar risk profiles" in _body(by_recipient["lv@example.org"])
    assert by_recipient["de@example.org"]["Subject"].startswith("2 changes on the operations you watch")


def test_a_second_run_the_same_day_sends_nothing_twice(app, db, world, inbox):
    send_digests(db, TODAY, app.config)
    report = send_digests(db, TODAY, app.config)
    assert report.sent == [] and len(inbox.messages) == 3
    assert db.scalar(select(func.count()).select_from(DigestSent)) == 3


def test_a_digest_claimed_by_a_concurrent_run_is_skipped(app, db, world, inbox):
    """Another host claimed France's digest and is sending it: this run must not send it too."""
    fr = db.scalar(select(Account).where(Account.email == "fr@example.org"))
    db.add(DigestSent(account_id=fr.id, day=TODAY))
    db.commit()
    report = send_digests(db, TODAY, app.config)
    assert report.already == 1 and "fr@example.org" not in inbox.recipients()
    assert len(report.sent) == 2


def test_a_failed_send_is_given_back_and_retried(app, db, world, inbox):
    inbox.refuse.add("fr@example.org")
    report = send_digests(db, TODAY, app.config)
    assert [item.email for item, _ in report.failed] == ["fr@example.org"]
    inbox.refuse.clear()
    report = send_digests(db, TODAY, app.config)
    assert [item.email for item in report.sent] == ["fr@example.org"] and len(inbox.messages) == 3


def test_stopping_the_digest_on_the_account_page(app, client, auth, db, world, inbox):
    auth.login("fr@example.org", "jco-demo")
    html = client.get("/account").get_data(as_text=True)
    assert "Stop the daily digest" in html
    client.post("/account/digest", data={"enabled": "0"})
    assert "Send me the daily digest" in client.get("/account").get_data(as_text=True)
    send_digests(db, TODAY, app.config)
    assert "fr@example.org" not in inbox.recipients()


def test_a_hostile_value_changes_nothing(app, client, auth, db, world):
    auth.login("fr@example.org", "jco-demo")
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    response = client.post("/account/digest", data={"enabled": "0; DROP TABLE account"}, follow_redirects=True)
    assert "Nothing was changed" in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(DigestSetting)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_the_command_lists_digests_in_a_dry_run(app, db, world, runner):
    result = runner.invoke(args=["notifications", "send", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would send to fr@example.org: 2 changes on the operations you watch" in result.output
    assert "3 digests due." in result.output


def test_a_digest_is_written_in_the_language_of_its_account(app, db, world, inbox):
    fr = db.scalar(select(Account).where(Account.email == "fr@example.org"))
    fr.language = "fr"
    db.commit()
    send_digests(db, TODAY, app.config)
    by_recipient = {rcpts[0]: message for rcpts, message in inbox.messages}
    french = by_recipient["fr@example.org"]
    text, html = _body(french), french.get_body(("html",)).get_content()
    assert french["Subject"] == "2 changements dans les opérations que vous suivez (4 novembre 2025)"
    assert "Bonjour" in text and "ODC Nightjar: Nouveau document 4321/25 : Nightjar business case." in text
    assert '<html lang="fr">' in html and "la page de votre compte" in html
    assert "New document" not in text and "My page" not in html
    english = by_recipient["de@example.org"]
    assert english["Subject"].startswith("2 changes on the operations you watch (4 November 2025)")
    assert "New document 4321/25: Nightjar business case." in _body(english)
