"""The audit log in words: who reads it, the sentence each kind of entry makes, and its filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from sqlalchemy import select

from jco.accounts.models import Account
from jco.audit import services as audit
from jco.audit.models import AuditEntry
from jco.documents.models import Document
from jco.meetings.models import AgendaItem
from tests.step_helpers import jco_id, reading, text

SENTENCE = re.compile(r'<th scope="row" class="audit-what">(.*?)</th>', re.S)


def sentences(html: str) -> list[str]:
    """The sentences of a log page, as a reader reads them (links as their text)."""
    return [unescape(re.sub(r"<[^>]+>", "", s)).strip() for s in SENTENCE.findall(html)]


def _entry(app, action: str, *, at: datetime, actor_email: str | None = "secretariat@example.org", **values):
    with reading(app) as s:
        actor = s.scalar(select(Account).where(Account.email == actor_email)) if actor_email else None
        entry = audit.record(s, actor, action, **values)
        entry.at = at
        s.commit()
        return entry.id


def test_the_secretariat_reads_the_log(client, auth, demo):
    auth.login("secretariat@example.org")
    response = client.get("/audit")
    assert response.status_code == 200
    assert "<h1>Audit log</h1>" in text(response)


@pytest.mark.parametrize("user", ["lv.delegate@example.org", "manager@example.org"])
def test_others_get_a_page_that_says_why(client, auth, demo, user):
    auth.login(user)
    response = client.get("/audit?kind=agenda.outcome")
    assert response.status_code == 403
    assert "The audit log is for the Secretariat and administrators." in text(response)


def test_entries_read_as_sentences_with_links(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")
    with reading(app) as s:
        addendum = s.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
        item = s.scalar(select(AgendaItem).where(AgendaItem.jco_id == athena, AgendaItem.outcome == "adopted"))
        meeting = item.meeting
        meeting_words = f"{meeting.display_title}, {meeting.days_label}"
        addendum_id, meeting_id = addendum.id, meeting.id
    app.config["JCO_PAGE_SIZE"] = 500  # the whole log on one page
    auth.login("admin@example.org")
    html = text(client.get("/audit"))
    said = sentences(html)
    assert f"Council Secretariat (demo) recorded the outcome “Adopted” of Athena IV at {meeting_words}" in said
    assert "Council Secretariat (demo) registered the document 6512/1/15 ADD 1 REV 1 of Athena IV" in said
    assert any(s.startswith("Council Secretariat (demo) scheduled ") for s in said)
    assert any(re.fullmatch(r".+ moved Athena IV from “.+” to “.+”", s) for s in said)
    # named and linked
    assert f'<a href="/jcos/{athena}">Athena IV</a>' in html
    assert f'<a href="/documents/{addendum_id}">6512/1/15 ADD 1 REV 1</a>' in html
    assert f'<a href="/meetings/{meeting_id}">' in html
    # no raw object names any more
    assert "jco #" not in html and "document: file" not in html


def test_the_operation_history_uses_the_same_sentences(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")
    auth.login("lv.delegate@example.org")
    said = sentences(text(client.get(f"/jcos/{athena}/history")))
    assert "Council Secretariat (demo) registered the document 6512/1/15 ADD 1 REV 1 of Athena IV" in said
    assert any(s.startswith("Council Secretariat (demo) recorded the outcome “Adopted” of Athena IV at ") for s in said)


def test_sentences_for_accounts_deadlines_and_comments(client, auth, demo, app):
    with reading(app) as s:
        target = s.scalar(select(Account).where(Account.email == "pl.delegate@example.org"))
        target_id = target.id
    when = datetime(2015, 12, 2, 10, tzinfo=UTC)
    _entry(app, "account.disable", at=when, object_type="account", object_id=target_id,
           before={"active": True}, after={"active": False})
    _entry(app, "deadline.met", at=when, object_type="manual_deadline", object_id=999999,
           before={"met_on": None}, after={"met_on": "2015-11-03", "title": "Send the revision"})
    _entry(app, "something.new", at=when, summary="Did a new kind of thing")
    auth.login("secretariat@example.org")
    html = text(client.get("/audit?date_from=2015-12-02&date_to=2015-12-02"))
    said = sentences(html)
    assert "Council Secretariat (demo) disabled the account pl.delegate@example.org" in said
    assert f'href="/accounts/{target_id}">pl.delegate@example.org</a>' in html  # the Secretariat manages it
    assert "Council Secretariat (demo) recorded the deadline “Send the revision” as met on 3 November 2015" in said
    assert "Council Secretariat (demo): Did a new kind of thing" in said  # a kind without a sentence yet
    assert len(said) == 3


def test_filter_by_operation_name(client, auth, demo, app):
    auth.login("secretariat@example.org")
    athena = jco_id(app, "Athena", "IV")
    with reading(app) as s:
        expected = len(s.scalars(select(AuditEntry.id).where(AuditEntry.jco_id == athena)).all())
    app.config["JCO_PAGE_SIZE"] = 500
    html = text(client.get("/audit?operation=athena+iv"))
    said = sentences(html)
    assert len(said) == expected > 5
    assert not any(name in s for s in said for name in ("Postbox", "Baltica", "DEMO "))
    assert 'value="athena iv"' in html  # kept in the form
    assert sentences(text(client.get("/audit?operation=no+such+operation"))) == []


def test_filter_by_account_and_kind(client, auth, demo, app):
    when = datetime(2016, 1, 5, 9, tzinfo=UTC)
    _entry(app, "watch.start", at=when, actor_email="de.delegate@example.org", object_type="jco",
           object_id=jco_id(app, "Postbox"), jco_id=jco_id(app, "Postbox"), after={"watching": True})
    with reading(app) as s:
        german = s.scalar(select(Account.id).where(Account.email == "de.delegate@example.org"))
    auth.login("secretariat@example.org")
    html = text(client.get(f"/audit?account={german}"))
    assert sentences(html) == ["German delegate (demo) started watching Postbox"]
    assert f'<option selected value="{german}">German delegate (demo)</option>' in html
    html = text(client.get("/audit?kind=meeting.create"))
    said = sentences(html)
    assert said and all(" scheduled " in s for s in said)
    assert '<option selected value="meeting.create">Meeting scheduled</option>' in html
    assert ">Outcome recorded</option>" in html  # kinds offered by their human names
    # every filter survives paging
    app.config["JCO_PAGE_SIZE"] = 1
    html = text(client.get("/audit?kind=meeting.create"))
    assert 'href="/audit?page=2&amp;kind=meeting.create"' in html or \
        'href="/audit?kind=meeting.create&amp;page=2"' in html


def test_filter_by_date_range(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    for day in (1, 2, 3):
        _entry(app, "jco.update", at=datetime(2015, 12, day, 23, 59, tzinfo=UTC), object_type="jco", object_id=postbox,
               jco_id=postbox, summary=f"day {day}")
    auth.login("secretariat@example.org")
    said = sentences(text(client.get("/audit?date_from=2015-12-02&date_to=2015-12-03")))
    assert said == ["Council Secretariat (demo) edited the details of Postbox"] * 2
    assert len(sentences(text(client.get("/audit?date_to=2015-12-01")))) == 1
    assert len(sentences(text(client.get("/audit?date_from=2015-12-03&kind=jco.update")))) >= 1


@pytest.mark.parametrize("query, message", [
    ("date_from=2015-13-45", "“2015-13-45” is not a date: write it as YYYY-MM-DD"),
    ("date_to=yesterday", "“yesterday” is not a date"),
    ("date_from=2015-12-03&date_to=2015-12-01", "The end date is before the start date."),
    ("account=999999", "Choose an account from the list."),
    ("kind=nonsense", "Choose a kind of change from the list."),
])
def test_bad_filters_say_so_and_show_nothing_unfiltered(client, auth, demo, query, message):
    auth.login("secretariat@example.org")
    response = client.get(f"/audit?{query}")
    assert response.status_code == 200
    html = unescape(text(response))
    assert message in html and 'aria-invalid="true"' in html
    assert sentences(html) == []  # not the whole log passed off as a filtered one
    assert "Correct the filters above to see the log" in html


def test_a_classified_documents_title_is_withheld_from_an_uncleared_reader(client, auth, demo, app):
    with reading(app) as s:
        addendum = s.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
        title = addendum.title
        # an entry whose summary and values carry the title, as a careless future service might write
        audit.record(s, None, "document.retitle", addendum, jco_id=addendum.jco_id, summary=f"Retitled {title}",
                     before={"title": "Old secret title"}, after={"title": title})
        s.commit()
    auth.login("admin@example.org")  # an administrator without clearance
    html = text(client.get("/audit?kind=document.retitle"))
    assert title not in html and "Old secret title" not in html
    assert "The system changed a classified document" in sentences(html)
    assert "[withheld: classified]" in html
    auth.logout()
    auth.login("secretariat@example.org")  # cleared for RESTREINT UE
    html = text(client.get("/audit?kind=document.retitle"))
    assert title in unescape(html)


def test_the_log_page_reads_a_fixed_number_of_statements(client, auth, demo, app):
    from tests.factories import count_statements

    auth.login("secretariat@example.org")
    client.get("/audit")  # warm up: the session's own reads
    with reading(app) as s:
        engine = s.get_bind()
    with count_statements(engine) as few:
        client.get("/audit")
    app.config["JCO_PAGE_SIZE"] = 200
    with count_statements(engine) as many:
        client.get("/audit")
    assert len(many) <= len(few) + 2


def test_sentences_are_translated(client, auth, demo):
    auth.login("secretariat@example.org")
    html = unescape(text(client.get("/audit?kind=agenda.outcome&lang=fr")))
    assert "Council Secretariat (demo) a consigné le résultat « Adopté » de Athena IV lors de" in " ".join(sentences(html))
    assert "Journal d’audit" in html
