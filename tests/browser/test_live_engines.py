"""The harness on both engines: a live server on PostgreSQL too (``live_server_engine``, indirect)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support import DEMO_ACCOUNTS, login_as

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("live_server_engine", ["sqlite", "postgres"], indirect=True)
def test_log_in_and_follow_an_operation_to_its_documents(page, live_server, blocked_requests, console_errors):
    login_as(page, DEMO_ACCOUNTS["lv_delegate"])
    page.get_by_role("link", name="Athena IV").click()
    # expect() retries: right after a click the browser may still show the page before.
    expect(page.get_by_role("heading", level=1)).to_have_text("JCO Athena IV")
    assert page.get_by_role("note").first.inner_text().startswith("RESTREINT UE")
    page.get_by_role("link", name="6512/1/15 ADD 1 REV 1").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("6512/1/15 ADD 1 REV 1")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert blocked_requests == [] and console_errors == []
