"""Destructive buttons ask before they act: dismissing the question changes nothing."""

from __future__ import annotations

import pytest

from tests.browser.support import DEMO_ACCOUNTS, login_as

pytestmark = pytest.mark.browser


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
