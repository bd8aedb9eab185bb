"""Destructive buttons ask before they act: dismissing the question changes nothing."""

from __future__ import annotations

import pytest

from tests.browser.support import DEMO_ACCOUNTS, login_as

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("live_server_engine", ["sqlite", "postgres"], indirect=True)]


def test_removing_an_agenda_item_asks_first(page, live_server, console_errors):
    login_as(page, DEMO_ACCOUNTS["secretariat"])
    page.goto("/meetings")
    meetings = [href for href in page.locator("main a[href^='/meetings/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))") if href.rstrip("/").split("/")[-1].isdigit()]
    for href in meetings:  # a meeting with an item still open (no outcome yet) offers Remove
        page.goto(href)
        if page.locator("button[data-confirm]").count():
            break
    remove = page.locator("button[data-confirm]").first
    items_before = page.locator("button[data-confirm]").count()
    assert items_before > 0
    question = []
    page.once("dialog", lambda dialog: (question.append(dialog.message), dialog.dismiss()))
    remove.click()
    page.wait_for_timeout(300)
    assert question and question[0].startswith("Remove “") and question[0].endswith("from the agenda?")
    page.reload()
    assert page.locator("button[data-confirm]").count() == items_before  # nothing removed
    assert console_errors == []


def _participant_names(page) -> list[str]:
    return [name.strip() for name in page.locator("select[name$='-organisation_id']").evaluate_all(
        "selects => selects.filter(s => s.value !== '0').map(s => s.selectedOptions[0].textContent)")]


def test_removing_a_participant_asks_first_and_dismissing_keeps_it(page, live_server, console_errors):
    login_as(page, DEMO_ACCOUNTS["secretariat"])
    address = f"/jcos/{live_server.ids['postbox']}/participants"
    page.goto(address)
    questions: list[str] = []

    def answer(accept: bool):
        page.once("dialog", lambda dialog: (questions.append(dialog.message),
                                            dialog.accept() if accept else dialog.dismiss()))

    # Saving without removing anyone asks nothing
    empty = page.locator("select[name$='-organisation_id']").nth(len(_participant_names(page)))
    empty.select_option(label="France (FR)")
    page.get_by_role("button", name="Save participants").click()
    page.get_by_text("The participants have been saved.").wait_for()  # the answer, not the page before
    assert questions == []
    page.goto(address)
    assert "France (FR)" in _participant_names(page)
    row = _participant_names(page).index("France (FR)")

    # Ticking Remove asks; dismissing the question changes nothing
    page.locator("input[name$='-remove']").nth(row).check()
    answer(accept=False)
    page.get_by_role("button", name="Save participants").click()
    page.wait_for_timeout(300)
    assert questions == ["Remove the ticked participants from the operation?"]
    page.goto(address)
    assert "France (FR)" in _participant_names(page)

    # Accepting removes
    page.locator("input[name$='-remove']").nth(row).check()
    answer(accept=True)
    page.get_by_role("button", name="Save participants").click()
    page.get_by_text("The participants have been saved.").wait_for()  # the answer, not the page before
    page.goto(address)
    assert "France (FR)" not in _participant_names(page) and len(questions) == 2
    assert console_errors == []


def _kestrel(live_server) -> int:
    from sqlalchemy import select

    from jco.core.db import get_session
    from jco.operations.models import Jco

    with live_server.app.app_context():
        return get_session().scalar(select(Jco.id).where(Jco.name == "DEMO Kestrel"))


def _enter_row(page, quantity: str) -> None:
    page.locator("select[name='entry-rows-0-country']").select_option("PL")
    page.locator("input[name='entry-rows-0-commodity']").fill("cigarettes")
    page.locator("input[name='entry-rows-0-quantity']").fill(quantity)
    page.locator("input[name='entry-rows-0-unit']").fill("pieces")


def test_replacing_results_asks_first(page, live_server, console_errors):
    """Replacing removes every result row recorded so far: it asks, and dismissing keeps them."""
    login_as(page, DEMO_ACCOUNTS["secretariat"])
    kestrel = _kestrel(live_server)
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.goto(f"/jcos/{kestrel}/results")
    _enter_row(page, "4,100,000")  # nothing recorded yet: adding asks nothing
    page.get_by_role("button", name="Add these results").click()
    page.get_by_text("1 result row recorded").wait_for()  # the answer, not the page before
    section = page.locator("section[aria-labelledby=results-h]")
    assert "4,100,000" in section.inner_text() and questions == []
    before = section.inner_text()

    page.goto(f"/jcos/{kestrel}/results")
    _enter_row(page, "12")
    page.locator("input[name='entry-replace']").check()
    page.get_by_role("button", name="Add these results").click()
    page.wait_for_timeout(300)
    assert len(questions) == 1 and questions[0].startswith("Replace the results already recorded")
    page.goto(f"/jcos/{kestrel}")
    assert page.locator("section[aria-labelledby=results-h]").inner_text() == before
    assert console_errors == []
