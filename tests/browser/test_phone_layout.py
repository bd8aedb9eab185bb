"""Phones: at 390 × 844 no page scrolls sideways, the header folds behind a menu button, the
marking banner is one line, tables become labelled stacked rows, and axe still finds nothing serious."""

from __future__ import annotations

import pytest

from tests.browser.support import DEMO_ACCOUNTS, guard_requests, login_as
from tests.browser.test_accessibility import (
    ROLE_ACCOUNTS,
    pages_of,
    role_pages,
    serious_violations,
    wait_for_charts,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, blocked_requests, console_errors):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, service_workers="block", locale="en-GB")
    guard_requests(context, live_server.host, blocked_requests)
    page = context.new_page()
    page.set_default_timeout(30_000)  # every page of a role, with axe, on a loaded 2-core machine
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    yield page
    context.close()


def sideways_overflow(page) -> list[str]:
    """The page's width beyond the screen, and the widest elements that cause it."""
    return page.evaluate(
        """() => {
             const width = document.documentElement.clientWidth;
             if (document.documentElement.scrollWidth <= width) { return []; }
             return [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > width + 1)
               .slice(0, 5)
               .map(e => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`);
           }""")


@pytest.mark.parametrize("role", sorted(ROLE_ACCOUNTS))
def test_no_page_scrolls_sideways_on_a_phone(phone, axe, live_server, role, blocked_requests, console_errors):
    login_as(phone, DEMO_ACCOUNTS[ROLE_ACCOUNTS[role]])
    paths = ["/jcos", *pages_of(live_server.ids)[1:-1], *role_pages(live_server.ids, role)]
    wide, serious = {}, []
    for path in dict.fromkeys(paths):
        response = phone.goto(path, wait_until="domcontentloaded")
        assert response.status == 200, (path, response.status)
        # A JCO page draws its map only when it comes into view: bring every chart there first.
        for chart in phone.locator(".chart").all():
            chart.scroll_into_view_if_needed()
        wait_for_charts(phone)
        if overflow := sideways_overflow(phone):
            wide[path] = overflow
        serious += serious_violations(axe, phone)
    assert wide == {}
    assert serious == [], "\n".join(serious)
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
