"""My page: `/` is each account's own page, whatever its role, on both engines."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from jco.comments.models import CommentRound
from jco.core.timeutil import today
from jco.documents.models import DocType, Marking
from jco.meetings.models import AgendaItem, Meeting
from jco.meetings.services import add_agenda_item
from jco.operations.models import Role
from tests.factories import count_statements, make_document, make_jco
from tests.step_helpers import jco_id, reading, text

ROLES = {
    "secretariat@example.org": "secretariat", "de.delegate@example.org": "delegate",
    "manager@example.org": "manager", "admin@example.org": "secretariat",
}


def section(html: str, heading_id: str) -> str:
    """The text of the section labelled by ``heading_id`` (markup stripped, spaces collapsed)."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, heading_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def test_anonymous_visitors_are_still_sent_to_log_in(client, demo):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("email", sorted(ROLES))
def test_every_account_lands_on_my_page_linked_first_in_the_navigation(client, auth, demo, email):
    response = auth.login(email)
    assert response.headers["Location"] in ("/", "http://jco.test/")
    html = text(client.get("/"))
    assert "<h1>My page</h1>" in html
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    links = re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    assert links[0] == ("/", "My page") and ("/jcos", "Register") in links
    assert 'href="/" aria-current="page"' in nav
    # The register has not moved.
    assert "Register of Joint Customs Operations" in text(client.get("/jcos"))


def test_a_delegate_sees_the_next_meeting_what_it_owes_and_its_operations(client, auth, demo, app):
    auth.login("de.delegate@example.org")
    html = text(client.get("/"))
    with reading(app) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.end_date >= today()).order_by(Meeting.start_date))
        round_id = s.scalar(select(CommentRound.id).where(CommentRound.jco_id == jco_id(app, "DEMO Lighthouse")))
        items = list(s.scalars(select(AgendaItem.title).where(AgendaItem.meeting_id == meeting.id)))
        meeting_words = f"{meeting.display_title} , {meeting.days_label}, {meeting.place}"
    upcoming = section(html, "next-meeting-h")
    assert meeting_words in upcoming
    assert items and all(title in upcoming for title in items)
    owed = section(html, "owed-h")
    assert "Written comments on 9001/26 (JCO DEMO Lighthouse)" in owed and "Write comments" in owed
    assert f'href="/rounds/{round_id}"' in html
    mine = section(html, "my-jcos-h")
    assert "JCO Postbox Lead Comments" in mine and "Upload the revised business case" in mine
    assert "JCO DEMO Lighthouse Participant" in mine
    # Operations Germany has nothing to do with are not "mine".
    assert "Baltica" not in mine and "Athena" not in mine


def test_what_the_delegation_owes_is_soonest_first_each_with_its_button(client, auth, demo, app):
    auth.login("pl.delegate@example.org")
    html = text(client.get("/"))
    owed = section(html, "owed-h")
    assert owed.index("Final report of JCO Baltica") < owed.index("Written comments on 9001/26")
    assert "Missed (due 16 December 2015)" in owed and "Submit the final report" in owed
    assert f'href="/jcos/{jco_id(app, "Baltica")}/documents/new?type=final_report"' in html
    # The lead's own round asks nothing of it: France leads Lighthouse and owes no comment on it.
    auth.logout()
    auth.login("fr.delegate@example.org")
    # (Every other member state's delegation is asked on every round, so France may owe comments elsewhere.)
    assert "9001/26" not in section(text(client.get("/")), "owed-h")


def test_the_secretariat_sees_meetings_to_prepare_and_overdue_duties_by_delegation(client, auth, demo):
    auth.login("secretariat@example.org")
    html = text(client.get("/"))
    prepare = section(html, "prepare-h")
    assert "The agenda has not been issued" in prepare
    assert "CCWP Experts, 2 December 2015 : Outcomes are not recorded" in prepare
    overdue = section(html, "overdue-h")
    assert "Poland" in overdue and "Final report of JCO Baltica" in overdue and "Missed (due" in overdue
    owed = section(html, "owed-h")
    assert "Adoption of the final report of JCO DEMO Kestrel" in owed and "Record the outcome" in owed
    assert "my-jcos-h" not in html


def test_managers_see_the_status_board(client, auth, demo):
    auth.login("manager@example.org")
    html = text(client.get("/"))
    board = section(html, "board-h")
    assert "Postbox Germany" in board and "Baltica Poland" in board
    assert "owed-h" not in html


def test_titles_on_the_next_agenda_are_withheld_from_uncleared_delegates(client, auth, demo, app):
    with reading(app) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.end_date >= today()).order_by(Meeting.start_date))
        jco = make_jco(s, "Restricted op", lead="LV")
        doc = make_document(s, "7777/26", jco=jco, doc_type=DocType.BUSINESS_CASE, marking=Marking.RESTREINT_UE,
                            title="Secret targeting of vessel X")
        add_agenda_item(s, meeting, title="JCO Restricted op: business case", jco=jco, documents=[doc])
        s.commit()
    auth.login("fr.delegate@example.org")
    upcoming = section(text(client.get("/")), "next-meeting-h")
    assert "7777/26" in upcoming and "title withheld" in upcoming and "vessel X" not in upcoming
    auth.logout()
    auth.login("lv.delegate@example.org")
    assert "Secret targeting of vessel X" in section(text(client.get("/")), "next-meeting-h")


def _count(app, client) -> int:
    """The page's statements, less the bookkeeping of the visit and the session: those write only
    when a second has passed since the last request (times are stored to the second)."""
    with count_statements(app.extensions["jco_engine"]) as statements:
        assert client.get("/").status_code == 200
    return len([s for s in statements if not s.startswith(("UPDATE page_visit", "UPDATE web_session"))])


@pytest.mark.parametrize("email", ["de.delegate@example.org", "secretariat@example.org"])
def test_my_page_costs_the_same_number_of_queries_whatever_the_data(client, auth, demo, app, email):
    auth.login(email)
    client.get("/")  # the first visit writes the server-side session and the visit itself: not the page's cost
    # Both counts are of a process that has kept no deadline yet (jco.deadlines.store): all computed.
    app.extensions.pop("jco_stores", None)
    small = _count(app, client)
    with reading(app) as s:
        for i in range(8):
            jco = make_jco(s, f"More {i}", lead="DE" if i % 2 else "FR",
                           participants={"PL": Role.PARTICIPANT, "DE" if i % 2 == 0 else "LV": Role.PARTICIPANT})
            doc = make_document(s, jco=jco)
            s.add(CommentRound(jco_id=jco.id, document_id=doc.id, deadline=date.today() + timedelta(days=5 + i)))
        s.commit()
    app.extensions.pop("jco_stores", None)
    assert _count(app, client) == small
