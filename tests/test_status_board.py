"""The dashboard's status board, and charts that say what they count."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from jco.comments.models import CommentRound
from jco.core.timeutil import today
from jco.deadlines.rules import long_date
from jco.operations.models import Jco
from tests.factories import make_jco
from tests.step_helpers import jco_id, reading, text


def board(html: str) -> str:
    match = re.search(r'<section aria-labelledby="board-h".*?</section>', html, re.S)
    assert match, "no status board"
    return match.group(0)


def words(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def stage(html: str, state: str) -> str:
    match = re.search(rf'<h3 id="board-{state}">.*?</table>', board(html), re.S)
    return words(match.group(0)) if match else ""


def _closed_operation(app) -> int:
    with reading(app) as s:
        jco = make_jco(s, "Finished long ago", lead="EE")
        jco.state = "closed"
        s.commit()
        return jco.id


def test_the_board_comes_first_with_open_operations_by_stage(client, auth, demo, app):
    _closed_operation(app)
    auth.login("manager@example.org")
    html = text(client.get("/dashboard"))
    assert html.index('id="board-h"') < html.index('aria-label="Charts on this page"')
    lighthouse = jco_id(app, "DEMO Lighthouse")
    with reading(app) as s:
        deadline = s.scalar(select(CommentRound.deadline).where(CommentRound.jco_id == lighthouse))
    comments = stage(html, "comments")
    # Name, lead, the next deadline (and its kind), the next meeting.
    assert re.search(rf"DEMO Lighthouse France {long_date(deadline)} Written comments CCWP Experts, \d", comments)
    assert "Postbox Germany" in comments
    assert "Baltica Poland" in stage(html, "debriefing")
    assert "Finished long ago" not in board(html) and stage(html, "closed") == ""


def test_closed_and_withdrawn_operations_only_when_asked_for(client, auth, demo, app):
    _closed_operation(app)
    auth.login("fr.delegate@example.org")
    html = text(client.get("/dashboard?closed=1"))
    assert "Finished long ago Estonia" in stage(html, "closed")
    assert "Show open operations only" in board(html)


def test_the_board_changes_with_the_data(client, auth, demo, app):
    auth.login("manager@example.org")
    assert "New arrival" not in board(text(client.get("/dashboard")))
    with reading(app) as s:
        make_jco(s, "New arrival", lead="FI", planned_start=today() + timedelta(days=30))
        s.commit()
    assert "New arrival Finland" in stage(text(client.get("/dashboard")), "proposed")


def test_the_board_shows_no_document_title(client, auth, demo, app):
    auth.login("manager@example.org")
    html = board(text(client.get("/dashboard")))
    with reading(app) as s:
        titles = [t for jco in s.scalars(select(Jco)) for t in (d.title for d in jco.documents)]
    assert titles and not any(t in html for t in titles)


def test_seizure_charts_say_they_count_result_rows(client, auth, demo):
    auth.login("manager@example.org")
    html = text(client.get("/dashboard"))
    assert "Result rows reported for each country" in html
    assert "Number of seizures" not in html
    assert "a row is one commodity for one country, not one seizure" in html
