"""Phones: at 390 × 844 no page scrolls sideways, the header folds behind a menu button, the
marking banner is one line, tables become labelled stacked rows. axe checks the French pages at this
width (test_accessibility), the English ones at a desktop's."""

from __future__ import annotations

import pytest

from tests.browser.support import DEMO_ACCOUNTS, PHONE, draw_every_chart, login_as, sideways_overflow
from tests.browser.test_accessibility import ROLE_ACCOUNTS, pages_of, role_pages

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", sorted(ROLE_ACCOUNTS))
def test_no_page_scrolls_sideways_on_a_phone(phone, live_server, role, blocked_requests, console_errors):
    """Every page of each role, in English. (The same pages in French, whose words run longer, are
    checked at this width with axe by ``test_french_pages_have_no_serious_violation``.)"""
    login_as(phone, DEMO_ACCOUNTS[ROLE_ACCOUNTS[role]])
    paths = ["/jcos", *pages_of(live_server.ids)[1:-1], *role_pages(live_server.ids, role)]
    wide = {}
    for path in dict.fromkeys(paths):
        response = phone.goto(path, wait_until="domcontentloaded")
        assert response.status == 200, (path, response.status)
        draw_every_chart(phone)  # the map must fit the screen too
        if overflow := sideways_overflow(phone):
            wide[path] = overflow
    assert wide == {}
    assert blocked_requests == []
    assert console_errors == []


def test_the_header_folds_behind_a_menu_button(phone, live_server):
    login_as(phone, DEMO_ACCOUNTS["secretariat"])
    phone.goto("/jcos")
    menu = phone.get_by_role("button", name="Menu")
    navigation_link = phone.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings")
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert not navigation_link.is_visible()
    # Folded, the header leaves most of the first screen to the page.
    assert phone.locator(".site-header").bounding_box()["height"] < 0.12 * PHONE["height"]
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert navigation_link.is_visible()


def test_the_marking_banner_is_one_line(phone, live_server):
    login_as(phone, DEMO_ACCOUNTS["pl_delegate"])
    phone.goto(f"/jcos/{live_server.ids['postbox']}")
    banner = phone.locator(".marking-banner")
    assert banner.is_visible()
    line = float(phone.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.marking-banner')).lineHeight)"))
    assert banner.bounding_box()["height"] < 2 * line + 12
    assert "LIMITE" in banner.inner_text()


def test_tables_become_rows_labelled_by_their_columns(phone, live_server):
    login_as(phone, DEMO_ACCOUNTS["manager"])
    phone.goto("/jcos")
    first_cell = phone.locator("table tbody tr").first.locator("td").first
    assert first_cell.get_attribute("data-label")
    label = phone.evaluate("(e) => getComputedStyle(e, '::before').content", first_cell.element_handle())
    assert label.strip('"') == first_cell.get_attribute("data-label")


def test_no_page_asks_for_a_missing_favicon(page, live_server, console_errors):
    login_as(page, DEMO_ACCOUNTS["manager"])
    page.goto("/jcos")
    icon = page.evaluate("() => document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).status == 200
    assert page.request.get("/favicon.ico").status == 200  # followed to the same icon
    assert console_errors == []
