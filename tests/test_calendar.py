"""Calendar feeds: secret subscription addresses, RFC 5545 content, stable UIDs, growing SEQUENCEs,
and what each account may see."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from deadline_factories import comment, jco_under_comments
from factories import make_account, make_document, make_meeting, org
from icalendar import Calendar
from sqlalchemy import select

from jco.accounts.models import Account
from jco.accounts.services import set_active, token_digest
from jco.comments.models import CommentRound
from jco.deadlines import services
from jco.documents.models import DocType, Document, Marking
from jco.meetings.models import Meeting

TODAY = date(2025, 11, 4)


@pytest.fixture
def app_config():
    return {"JCO_TODAY": TODAY.isoformat(), "JCO_BASE_URL": "https://jco.example.org"}


@pytest.fixture
def world(db):
    jco, bc, round_ = jco_under_comments(db, TODAY, deadline_in=6)
    meeting = make_meeting(db, start_date=TODAY + timedelta(days=21), start_time=time(10, 0), end_time=time(17, 30),
                           place="Brussels, Justus Lipsius")
    for email, code, clearance in (("fr@example.org", "FR", ""), ("pl@example.org", "PL", Marking.RESTREINT_UE),
                                   ("de@example.org", "DE", "")):
        make_account(db, email, org_code=code, clearance=clearance)
    db.commit()
    return {"jco": jco, "bc": bc, "round": round_, "meeting": meeting}


def events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _issue(client) -> str:
    html = client.post("/account/calendar").get_data(as_text=True)
    match = re.search(r'>https://jco\.example\.org/calendar/([A-Za-z0-9_-]+)\.ics</code>', html)
    assert match, html
    return match.group(1)


# --- subscription addresses ----------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [{"JCO_TODAY": TODAY.isoformat(), "JCO_BASE_URL": ""}])
def test_without_a_base_url_the_address_is_where_the_app_was_reached(app, client, auth, world):
    auth.login("fr@example.org")
    html = client.post("/account/calendar", base_url="http://tracker.example:8123").get_data(as_text=True)
    address = re.search(r'<code id="calendar-address"[^>]*>([^<]+)</code>', html).group(1)
    assert address.startswith("http://tracker.example:8123/calendar/") and address.endswith(".ics")
    assert f'href="{address.replace("http://", "webcal://")}"' in html
    assert "Copy the address" in html
    assert "127.0.0.1:5000" not in html


def test_subscription_address_shown_once_stored_as_hash_polled_without_session(app, client, auth, world, db):
    auth.login("fr@example.org")
    html = client.get("/account").get_data(as_text=True)
    assert "Create a subscription address" in html
    token = _issue(client)
    assert len(token) >= 43
    account = db.scalar(select(Account).where(Account.email == "fr@example.org"))
    db.refresh(account)
    assert account.calendar_token_hash == token_digest(token) != token
    html = client.get("/account").get_data(as_text=True)
    assert token not in html and "Renew the subscription address" in html
    auth.logout()
    anonymous = app.test_client()
    response = anonymous.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert f"round-{world['round'].id}@jco.example.org" in events(response.data)


def test_renewed_revoked_unknown_and_disabled_addresses_are_404(app, client, auth, world, db):
    auth.login("fr@example.org")
    first = _issue(client)
    second = _issue(client)
    anonymous = app.test_client()
    assert anonymous.get(f"/calendar/{first}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{second}.ics").status_code == 200
    assert client.post("/account/calendar/revoke").status_code == 302
    assert anonymous.get(f"/calendar/{second}.ics").status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    third = _issue(client)
    account = db.scalar(select(Account).where(Account.email == "fr@example.org"))
    set_active(db, account, False)
    db.commit()
    assert anonymous.get(f"/calendar/{third}.ics").status_code == 404


def test_token_forms_need_csrf(app, client, auth, world, db):
    auth.login("fr@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/account/calendar").status_code == 400
    assert client.post("/account/calendar/revoke").status_code == 400
    account = db.scalar(select(Account).where(Account.email == "fr@example.org"))
    db.refresh(account)
    assert account.calendar_token_hash is None


@pytest.mark.parametrize("path", ["/calendar.ics", "/jcos/{jco}/calendar.ics", "/meetings/{meeting}/calendar.ics"])
def test_downloads_need_a_session(client, world, path):
    response = client.get(path.format(jco=world["jco"].id, meeting=world["meeting"].id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- content -------------------------------------------------------------------------------------

def test_deadlines_are_all_day_events_with_uid_stamp_alarm_and_link(client, auth, world):
    auth.login("fr@example.org")
    response = client.get("/calendar.ics")
    assert 'attachment; filename="jco-deadlines.ics"' == response.headers["Content-Disposition"]
    event = events(response.data)[f"round-{world['round'].id}@jco.example.org"]
    assert event.decoded("DTSTART") == TODAY + timedelta(days=6)
    assert not isinstance(event.decoded("DTSTART"), datetime)  # a DATE, not a DATE-TIME
    assert event.decoded("DTEND") == TODAY + timedelta(days=7)
    assert event["SEQUENCE"] == 0 and "DTSTAMP" in event
    assert str(event["URL"]) == f"https://jco.example.org/jcos/{world['jco'].id}"
    assert str(event["SUMMARY"]) == f"Written comments on {world['bc'].reference} (JCO Alpha)"
    alarms = event.walk("VALARM")
    assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == -timedelta(days=1)


def test_meetings_are_timed_events_in_their_time_zone(client, auth, world):
    auth.login("fr@example.org")
    body = client.get("/calendar.ics").data
    calendar = Calendar.from_ical(body)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    event = events(body)[f"meeting-{world['meeting'].id}@jco.example.org"]
    start = event.decoded("DTSTART")
    assert start.replace(tzinfo=None) == datetime(2025, 11, 25, 10, 0)
    assert str(start.tzinfo) == "Europe/Brussels"
    assert event.decoded("DTEND").replace(tzinfo=None) == datetime(2025, 11, 25, 17, 30)
    assert "DTSTART;TZID=Europe/Brussels:20251125T100000" in body.decode()
    assert str(event["LOCATION"]) == "Brussels, Justus Lipsius"
    assert event.walk("VALARM")


def test_a_delegate_feed_holds_its_own_deadlines_only(client, auth, world, db):
    comment(db, world["round"], "FR", TODAY)
    db.commit()
    auth.login("de@example.org")  # the lead owes no comments
    assert not [uid for uid in events(client.get("/calendar.ics").data) if uid.startswith("round-")]
    auth.logout()
    auth.login("fr@example.org")
    event = events(client.get("/calendar.ics").data)[f"round-{world['round'].id}@jco.example.org"]
    assert str(event["SUMMARY"]).endswith("— met")
    auth.logout()
    auth.login("pl@example.org")
    event = events(client.get("/calendar.ics").data)[f"round-{world['round'].id}@jco.example.org"]
    assert not str(event["SUMMARY"]).endswith("— met")


def test_uid_stays_and_sequence_grows_when_a_deadline_or_meeting_changes(client, auth, world, db):
    auth.login("pl@example.org")
    round_uid = f"round-{world['round'].id}@jco.example.org"
    meeting_uid = f"meeting-{world['meeting'].id}@jco.example.org"
    first = events(client.get("/calendar.ics").data)
    assert first[round_uid]["SEQUENCE"] == 0 and first[meeting_uid]["SEQUENCE"] == 0
    again = events(client.get("/calendar.ics").data)
    assert again[round_uid]["SEQUENCE"] == 0  # polling alone changes nothing

    round_ = db.get(CommentRound, world["round"].id)
    round_.deadline = TODAY + timedelta(days=9)
    db.add(round_)
    db.commit()
    moved = events(client.get("/calendar.ics").data)
    assert moved[round_uid]["SEQUENCE"] == 1
    assert moved[round_uid].decoded("DTSTART") == TODAY + timedelta(days=9)
    assert moved[meeting_uid]["SEQUENCE"] == 0
    assert moved[round_uid].decoded("DTSTAMP") >= first[round_uid].decoded("DTSTAMP")

    meeting = db.get(Meeting, world["meeting"].id)
    meeting.start_time = time(9, 30)
    db.add(meeting)
    db.commit()
    assert events(client.get("/calendar.ics").data)[meeting_uid]["SEQUENCE"] == 1
    # another account's feed shows the same SEQUENCE: it belongs to the event, not the reader
    auth.logout()
    auth.login("fr@example.org")
    feed = events(client.get("/calendar.ics").data)
    assert feed[meeting_uid]["SEQUENCE"] == 1 and feed[round_uid]["SEQUENCE"] == 1


def test_sequence_grows_when_a_deadline_set_by_hand_is_edited(client, auth, world, db):
    row = services.create_manual_deadline(db, services.ManualDetails(
        title="Nominate experts", due_date=TODAY + timedelta(days=3), owner_ids=[org(db, "FR").id]))
    db.commit()
    auth.login("fr@example.org")
    uid = f"manual-{row.id}@jco.example.org"
    assert events(client.get("/calendar.ics").data)[uid]["SEQUENCE"] == 0
    details = services.ManualDetails(title="Nominate two experts", due_date=TODAY + timedelta(days=3),
                                     owner_ids=[o.id for o in row.owners])
    services.update_manual_deadline(db, row, details)
    db.commit()
    event = events(client.get("/calendar.ics").data)[uid]
    assert event["SEQUENCE"] == 1 and str(event["SUMMARY"]) == "Nominate two experts"


def test_classified_titles_only_reach_cleared_accounts(client, auth, world, db):
    secret = make_document(db, "15000/25 ADD 1", jco=world["jco"], doc_type=DocType.BUSINESS_CASE,
                           marking=Marking.RESTREINT_UE, title="Risk profiles of the operation")
    round_ = CommentRound(jco_id=world["jco"].id, document_id=secret.id, deadline=TODAY + timedelta(days=4))
    db.add(round_)
    db.commit()
    uid = f"round-{round_.id}@jco.example.org"
    auth.login("fr@example.org")  # not cleared
    for path in ("/calendar.ics", f"/jcos/{world['jco'].id}/calendar.ics"):
        body = client.get(path).data.decode()
        assert "Risk profiles" not in body
        assert "title withheld" in body.replace("\r\n ", "")
    assert uid in events(client.get("/calendar.ics").data)
    auth.logout()
    auth.login("pl@example.org")  # cleared for RESTREINT UE
    body = client.get("/calendar.ics").data.decode().replace("\r\n ", "")
    assert "Risk profiles of the operation" in body


def test_operation_and_meeting_feeds(client, auth, world, db):
    other, _, other_round = jco_under_comments(db, TODAY, name="Bravo", lead="SE")
    db.commit()
    auth.login("de@example.org")
    jco_feed = events(client.get(f"/jcos/{world['jco'].id}/calendar.ics").data)
    assert f"round-{world['round'].id}@jco.example.org" in jco_feed
    assert f"round-{other_round.id}@jco.example.org" not in jco_feed
    meeting_feed = events(client.get(f"/meetings/{world['meeting'].id}/calendar.ics").data)
    assert f"meeting-{world['meeting'].id}@jco.example.org" in meeting_feed
    # the rounds close before this meeting: they lead up to it
    assert f"round-{world['round'].id}@jco.example.org" in meeting_feed
    assert client.get("/jcos/99999/calendar.ics").status_code == 404
    assert client.get("/meetings/99999/calendar.ics").status_code == 404


def test_demo_meeting_feed(client, auth, demo, db):
    october = db.scalar(select(Meeting).where(Meeting.notice_reference == "CM 4063/15"))
    addendum = db.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
    auth.login("de.delegate@example.org")
    body = client.get(f"/meetings/{october.id}/calendar.ics").data.decode()
    assert "DTSTART;TZID=Europe/Brussels:20151020T100000" in body
    assert "SUMMARY:CCWP Experts (CM 4063/15)" in body
    assert addendum.title not in body.replace("\r\n ", "")
    auth.logout()
    auth.login("lv.delegate@example.org")
    assert addendum.title in client.get(f"/meetings/{october.id}/calendar.ics").data.decode().replace("\r\n ", "")


def test_account_feed_reaches_back_a_year_the_jco_feed_holds_everything(client, auth, world, db):
    old_round = CommentRound(jco_id=world["jco"].id, document_id=world["bc"].id, deadline=TODAY - timedelta(days=400))
    recent_round = CommentRound(jco_id=world["jco"].id, document_id=world["bc"].id, deadline=TODAY - timedelta(days=30))
    old_meeting = make_meeting(db, start_date=TODAY - timedelta(days=500), place="Brussels")
    db.add_all([old_round, recent_round])
    db.commit()
    auth.login("fr@example.org")
    feed = events(client.get("/calendar.ics").data)
    assert f"round-{recent_round.id}@jco.example.org" in feed  # overdue for a month: still there
    assert f"round-{old_round.id}@jco.example.org" not in feed  # beyond JCO_CALENDAR_PAST_DAYS
    assert f"meeting-{old_meeting.id}@jco.example.org" not in feed
    assert f"meeting-{world['meeting'].id}@jco.example.org" in feed
    jco_feed = events(client.get(f"/jcos/{world['jco'].id}/calendar.ics").data)
    assert f"round-{old_round.id}@jco.example.org" in jco_feed
    assert f"meeting-{old_meeting.id}@jco.example.org" in events(
        client.get(f"/meetings/{old_meeting.id}/calendar.ics").data)


def test_a_feed_speaks_its_accounts_language_and_keeps_one_sequence(app, client, auth, world, db):
    """A calendar application sends no language: the feed is in the account's, whoever polls; the
    same events read in English and in French keep their SEQUENCE."""
    auth.login("pl@example.org")
    token = _issue(client)
    round_uid = f"round-{world['round'].id}@jco.example.org"
    meeting_uid = f"meeting-{world['meeting'].id}@jco.example.org"
    english = events(client.get(f"/calendar/{token}.ics").data)
    assert str(english[round_uid]["SUMMARY"]).startswith("Written comments on")

    account = db.scalar(select(Account).where(Account.email == "pl@example.org"))
    account.language = "fr"
    db.add(account)
    db.commit()
    auth.logout()
    body = client.get(f"/calendar/{token}.ics", headers={"Accept-Language": "en"}).data
    french = events(body)
    event = french[round_uid]
    assert str(event["SUMMARY"]) == f"Observations écrites sur le document {world['bc'].reference} (ODC Alpha)"
    description = str(event["DESCRIPTION"])
    assert "Dû par : " in description and "échéance le 10 novembre 2025" in description
    assert "Owed by" not in description
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Échéance"]
    assert str(event.walk("VALARM")[0]["DESCRIPTION"]).startswith("Échéance demain : ")
    assert "Ordre du jour pas encore fixé." in str(french[meeting_uid]["DESCRIPTION"])
    assert Calendar.from_ical(body)["X-WR-CALNAME"] == "Suivi des ODC — échéances et réunions"
    # the words changed, the events did not
    assert event["SEQUENCE"] == english[round_uid]["SEQUENCE"] == 0
    assert french[meeting_uid]["SEQUENCE"] == 0
    # and the English reader's feed is still English (the cache keeps the languages apart)
    auth.login("fr@example.org")
    assert str(events(client.get("/calendar.ics").data)[round_uid]["SUMMARY"]).startswith("Written comments on")
