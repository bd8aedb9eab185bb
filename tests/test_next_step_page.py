"""The next step on every operation's page: what, who, by when, and the button for the one who acts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jco.comments.models import CommentRound
from jco.operations.models import Jco
from tests.step_helpers import jco_id, reading, text


def next_step(html: str) -> str:
    match = re.search(r'<section class="next-step".*?</section>', html, re.S)
    assert match, "no next step on the page"
    return match.group(0)


def words(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


@pytest.mark.parametrize(("email", "button"), [
    ("pl.delegate@example.org", True),  # Poland leads Baltica
    ("secretariat@example.org", False),
    ("fr.delegate@example.org", False),
    ("manager@example.org", False),
])
def test_the_lead_owing_its_final_report_gets_the_button_others_read_who_acts(client, auth, demo, app, email, button):
    baltica = jco_id(app, "Baltica")
    auth.login(email)
    section = next_step(text(client.get(f"/jcos/{baltica}")))
    said = words(section)
    assert "The lead delegation submits the final report with its results." in said
    assert "Who acts: Poland, by" in said
    assert (f'href="/jcos/{baltica}/documents/new?type=final_report"' in section) is button
    assert ("Submit the final report" in said) is button


def test_a_delegation_owing_comments_is_offered_to_write_them(client, auth, demo, app):
    lighthouse = jco_id(app, "DEMO Lighthouse")
    with reading(app) as s:
        round_id = s.scalar(select(CommentRound.id).where(CommentRound.jco_id == lighthouse))
    auth.login("de.delegate@example.org")
    section = next_step(text(client.get(f"/jcos/{lighthouse}")))
    assert "Delegations send their written comments" in words(section)
    assert f'href="/rounds/{round_id}"' in section and "Write comments" in section
    auth.logout()
    auth.login("fr.delegate@example.org")  # France leads Lighthouse: never asked for comments on its own text
    assert "Write comments" not in next_step(text(client.get(f"/jcos/{lighthouse}")))


def test_the_next_life_cycle_step_comes_first_and_withdraw_sits_apart(client, auth, demo, app):
    harbour = jco_id(app, "DEMO Harbour")
    auth.login("pl.delegate@example.org")
    html = text(client.get(f"/jcos/{harbour}"))
    section = next_step(html)
    assert f'action="/jcos/{harbour}/transitions/end_operation"' in section
    assert 'class="button primary">End the operational phase' in section
    # Offered once only, and before everything else; withdrawing needs its own disclosure and a reason.
    assert html.count("/transitions/end_operation") == 1
    assert html.index("next-step-h") < html.index("Withdraw the operation…")
    withdraw = re.search(r'<details class="withdraw".*?</details>', html, re.S).group(0)
    assert "<summary>Withdraw the operation…</summary>" in withdraw and 'name="withdraw-reason"' in withdraw


def test_the_next_step_button_takes_the_step(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")
    auth.login("secretariat@example.org")
    section = next_step(text(client.get(f"/jcos/{athena}")))
    assert "The Secretariat closes the operation." in words(section)
    action = re.search(r'action="([^"]+)"', section).group(1)
    assert action == f"/jcos/{athena}/transitions/close"
    client.post(action)
    with reading(app) as s:
        assert s.get(Jco, athena).state == "closed"
    section = next_step(text(client.get(f"/jcos/{athena}")))
    assert "Nothing more happens: the operation is closed." in words(section)
    assert "<button" not in section.replace("Watch this operation", "").split("<form")[0]


def test_the_lead_delegation_at_comments_is_told_to_revise_not_to_comment(client, auth, demo, app):
    postbox = jco_id(app, "Postbox")
    auth.login("de.delegate@example.org")
    section = next_step(text(client.get(f"/jcos/{postbox}")))
    said = words(section)
    assert "presents a revised business case" in said and "Who acts: Germany" in said
    assert "Upload the revised business case" in said and "Write comments" not in said
