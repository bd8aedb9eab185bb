"""Watching operations: the buttons, who watches automatically, and the changes on My page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from jco.accounts.models import Account
from jco.audit.models import AuditEntry
from jco.core.timeutil import utcnow
from jco.documents.models import DocType, Marking
from jco.mypage.models import PageVisit, Watch
from tests.factories import make_document
from tests.step_helpers import jco_id, reading, text


def _watch_form(html: str) -> str:
    match = re.search(r'<form method="post" action="(/jcos/\d+/(?:un)?watch)"', html)
    return match.group(1) if match else ""


def _changes(client) -> str:
    html = text(client.get("/"))
    match = re.search(r'<section aria-labelledby="changes-h">.*?</section>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def _age_visit(app, email: str, hours: int = 2) -> None:
    """Make the account's last look at My page older, as if it came back later."""
    with reading(app) as s:
        account = s.scalar(select(Account).where(Account.email == email))
        visit = s.get(PageVisit, account.id)
        visit.last_seen_at = utcnow() - timedelta(hours=hours)
        s.commit()


def test_participants_watch_automatically_and_others_may_choose_to(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    auth.login("de.delegate@example.org")  # Germany leads Postbox
    html = text(client.get(f"/jcos/{postbox}"))
    assert _watch_form(html) == f"/jcos/{postbox}/unwatch" and "Stop watching" in html
    auth.logout()
    auth.login("manager@example.org")
    html = text(client.get(f"/jcos/{postbox}"))
    assert _watch_form(html) == f"/jcos/{postbox}/watch" and "Watch this operation" in html
    response = client.post(f"/jcos/{postbox}/watch", follow_redirects=True)
    assert "You are now watching JCO Postbox" in text(response)
    assert _watch_form(text(response)) == f"/jcos/{postbox}/unwatch"
    with reading(app) as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "watch.start"))
        assert entry.jco_id == postbox and entry.actor_label == "manager@example.org"


def test_stopping_overrides_the_automatic_watch_and_can_be_undone(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    auth.login("de.delegate@example.org")
    client.get("/")
    assert "3 operations you watch" in _changes(client)
    client.post(f"/jcos/{postbox}/unwatch")
    assert "2 operations you watch" in _changes(client)
    assert _watch_form(text(client.get(f"/jcos/{postbox}"))) == f"/jcos/{postbox}/watch"
    client.post(f"/jcos/{postbox}/watch")
    assert "3 operations you watch" in _changes(client)


def test_asking_for_what_already_holds_changes_nothing_and_says_why(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    auth.login("de.delegate@example.org")
    with reading(app) as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    response = client.post(f"/jcos/{postbox}/watch", follow_redirects=True)
    assert "You are already watching JCO Postbox." in text(response)
    with reading(app) as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert s.scalar(select(func.count()).select_from(Watch)) == 0


def test_watching_is_one_account_s_choice_not_its_delegation_s(client, auth, demo, app):
    """Another account (even of the same delegation) is not changed by my choice."""
    postbox = jco_id(app, "Postbox")
    auth.login("de.delegate@example.org")
    client.post(f"/jcos/{postbox}/unwatch")
    auth.logout()
    with reading(app) as s:
        from tests.factories import make_account

        make_account(s, "de.other@example.org", org_code="DE")
        s.commit()
    auth.login("de.other@example.org")
    assert _watch_form(text(client.get(f"/jcos/{postbox}"))) == f"/jcos/{postbox}/unwatch"


def test_watching_an_operation_that_does_not_exist_is_404_and_needs_login(client, auth, demo):
    assert "/login" in client.post("/jcos/1/watch").headers["Location"]
    auth.login("fr.delegate@example.org")
    assert client.post("/jcos/999999/watch").status_code == 404
    assert client.post("/jcos/1/watch", query_string={"x": "<script>"}).status_code == 302


def test_changes_on_watched_operations_appear_on_my_page_and_nothing_withheld(client, auth, demo, app):
    postbox, baltica = jco_id(app, "Postbox"), jco_id(app, "Baltica")
    auth.login("de.delegate@example.org")
    assert "This is your first visit" in _changes(client)
    _age_visit(app, "de.delegate@example.org")
    with reading(app) as s:
        from jco.operations.models import Jco

        make_document(s, "12712/2/15 REV 2", jco=s.get(Jco, postbox), doc_type=DocType.BUSINESS_CASE,
                      title="Postbox revised again")
        make_document(s, "12712/2/15 ADD 1 REV 2", jco=s.get(Jco, postbox), doc_type=DocType.BUSINESS_CASE,
                      marking=Marking.RESTREINT_UE, title="Postbox target list")
        make_document(s, "5555/15", jco=s.get(Jco, baltica), doc_type=DocType.FINAL_REPORT,
                      title="Baltica report")  # Germany does not take part in Baltica
        s.commit()
    changes = _changes(client)
    assert "JCO Postbox : New document 12712/2/15 REV 2: Postbox revised again." in changes
    assert "12712/2/15 ADD 1 REV 2" in changes and "title withheld" in changes
    assert "target list" not in changes
    assert "Baltica" not in changes
    # Reloading within the same visit keeps the list; watching Baltica brings its changes in.
    client.post(f"/jcos/{baltica}/watch")
    changes = _changes(client)
    assert "Postbox revised again" in changes and "New document 5555/15: Baltica report." in changes


def test_a_cleared_reader_sees_the_classified_title_in_its_changes(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")
    auth.login("lv.delegate@example.org")
    client.get("/")
    _age_visit(app, "lv.delegate@example.org")
    with reading(app) as s:
        from jco.operations.models import Jco

        make_document(s, "6512/2/15 ADD 1 REV 2", jco=s.get(Jco, athena), doc_type=DocType.FINAL_REPORT,
                      marking=Marking.RESTREINT_UE, title="Athena IV seizure details")
        s.commit()
    assert "Athena IV seizure details" in _changes(client)


def test_outcomes_and_deadlines_set_by_hand_are_changes_too(client, auth, demo, app):
    from jco.deadlines.services import ManualDetails, create_manual_deadline
    from jco.meetings.models import AgendaItem
    from jco.meetings.services import record_outcome
    from jco.operations.models import Jco

    postbox = jco_id(app, "Postbox")
    auth.login("de.delegate@example.org")
    client.get("/")
    _age_visit(app, "de.delegate@example.org")
    with reading(app) as s:
        item = s.scalar(select(AgendaItem).where(AgendaItem.jco_id == postbox, AgendaItem.outcome.is_(None)))
        record_outcome(s, item, "postponed")
        title = item.title
        create_manual_deadline(s, ManualDetails(title="Send the risk analysis", due_date=s.get(Jco, postbox)
                                                .created_at.date() + timedelta(days=400), owner_ids=[],
                                                owed_by_secretariat=True, jco_id=postbox))
        s.commit()
    changes = _changes(client)
    assert f"“{title}” — postponed." in changes
    assert "Deadline “Send the risk analysis” set for" in changes


def test_looking_at_my_page_and_watching_leave_cached_figures_alone(client, auth, demo, app):
    """Both are bookkeeping of one account: no cached dashboard figure is computed from them."""
    from jco.core.cache import current_version

    with reading(app) as s:
        before = current_version(s)
    auth.login("manager@example.org")
    client.get("/")
    client.post(f"/jcos/{jco_id(app, 'Postbox')}/watch")
    with reading(app) as s:
        assert current_version(s) == before
