"""Every page, for every demo role, in a real browser: axe-core finds nothing serious, the keyboard
reaches everything in order, and no request leaves the host."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.support import (
    DEMO_ACCOUNTS,
    SERIOUS,
    draw_every_chart,
    focused,
    login_as,
    sideways_overflow,
    wait_for_charts,
)

pytestmark = pytest.mark.browser


def pages_of(ids: dict[str, int]) -> list[str]:
    return [
        "/jcos",
        f"/jcos/{ids['athena']}",
        f"/jcos/{ids['postbox']}",
        f"/documents/{ids['classified_document']}",
        f"/documents/{ids['document']}",
        "/meetings",
        f"/meetings/{ids['meeting']}",
        "/account",
        "/search?q=athena+report",
        "/jcos?sort=state&open=1",
        "/accounts",  # a 403 page for most roles: that page must be accessible too
    ]


# One account of each role, for the pages beyond those above. A delegate's pages are the same
# templates whichever delegation it is: pl.delegate leads Baltica, which is at the debriefing, so it
# reaches the results page too. The Secretariat may edit any operation.
ROLE_ACCOUNTS = {"secretariat": "secretariat", "delegate": "pl_delegate", "manager": "manager", "admin": "admin"}


def role_pages(ids: dict[str, int], role: str) -> list[str]:
    """The rest of the product: every page this role may open (the 403 page is checked above)."""
    baltica, everyone, editors = ids["baltica"], set(ROLE_ACCOUNTS), {"secretariat", "delegate"}
    table = [
        ("/jcos/new", editors),
        (f"/jcos/{baltica}/edit", editors),
        (f"/jcos/{baltica}/participants", editors),
        (f"/jcos/{baltica}/operation", editors),
        (f"/jcos/{baltica}/documents/new", editors),
        (f"/jcos/{baltica}/results", editors),
        (f"/jcos/{baltica}/history", editors | {"manager"}),
        ("/documents/new", {"secretariat"}),
        (f"/rounds/{ids['round']}", everyone),
        ("/meetings/new", {"secretariat"}),
        (f"/meetings/{ids['meeting']}/agenda", {"secretariat"}),
        ("/deadlines", everyone),
        ("/dashboard", everyone),
        ("/audit", {"admin"}),
        ("/account", everyone),
    ]
    return [path for path, roles in table if role in roles]


def serious_violations(axe, page, *, every_rule: bool = False) -> list[str]:
    results = axe.run(page, every_rule=every_rule)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(", ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def test_login_page_has_no_serious_violation(page, axe, blocked_requests):
    page.goto("/login")
    assert serious_violations(axe, page) == []
    # The page with an error summary too.
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("alert").wait_for()
    assert serious_violations(axe, page) == []
    assert blocked_requests == []


@pytest.mark.parametrize("role", sorted(DEMO_ACCOUNTS))
def test_every_page_has_no_serious_violation(page, axe, live_server, role, blocked_requests, console_errors):
    login_as(page, DEMO_ACCOUNTS[role])
    found = []
    for path in pages_of(live_server.ids):
        response = page.goto(path)
        assert response.status in (200, 403), (path, response.status)
        found += serious_violations(axe, page)
    assert found == [], "\n".join(found)
    assert blocked_requests == []
    # Chromium reports the expected 403 of /accounts as a failed load; nothing else may fail.
    assert [e for e in console_errors if "status of 403" not in e] == []


@pytest.mark.parametrize("role", sorted(ROLE_ACCOUNTS))
def test_every_other_page_has_no_serious_violation(page, axe, live_server, role, blocked_requests, console_errors):
    login_as(page, DEMO_ACCOUNTS[ROLE_ACCOUNTS[role]])
    found = []
    for path in role_pages(live_server.ids, role):
        response = page.goto(path, wait_until="domcontentloaded")
        assert response.status == 200, (path, response.status)
        wait_for_charts(page)
        found += serious_violations(axe, page)
    assert found == [], "\n".join(found)
    assert blocked_requests == []
    assert console_errors == []


def test_no_request_leaves_the_host(page, live_server, blocked_requests, console_errors):
    login_as(page, DEMO_ACCOUNTS["secretariat"])
    for path in ["/login", *pages_of(live_server.ids)]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert blocked_requests == []
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_guard_blocks_and_records_requests_to_other_hosts(page, live_server, blocked_requests):
    """The harness itself. (The CSP already stops a page's own fetches; a navigation it does not.)"""
    from playwright.sync_api import Error

    with pytest.raises(Error):
        page.goto("http://evil.example/steal")
    assert blocked_requests == ["http://evil.example/steal"]


def tab(page, times: int = 1) -> dict:
    for _ in range(times):
        page.keyboard.press("Tab")
    return focused(page)


def test_keyboard_reaches_skip_link_first_then_main_navigation(page, live_server):
    login_as(page, DEMO_ACCOUNTS["fr_delegate"])
    page.goto("/jcos")
    first = tab(page)
    assert first["text"] == "Skip to main content" and first["href"] == "#main"
    box = page.locator(".skip-link").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the skip link must be visible when it has focus"
    nav = page.locator("nav[aria-label='Main'] #site-menu > ul a").all_inner_texts()
    assert nav[:2] == ["My page", "Register"]
    reached = [tab(page)["text"] for _ in range(len(nav) + 1)]
    assert reached[0] == "JCO Tracker"
    assert reached[1:] == nav
    # The skip link takes the focus past the navigation, to the page's content.
    page.goto("/jcos")
    tab(page)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    after = tab(page)
    assert after["text"] not in nav and after["text"] != "JCO Tracker"


def test_login_form_can_be_completed_with_the_keyboard(page, live_server):
    page.goto("/login")
    assert tab(page)["text"] == "Skip to main content"
    assert tab(page)["text"] == "JCO Tracker"
    assert tab(page)["text"] == "Français"  # the header's language switch, before the form
    email = tab(page)
    assert email["tag"] == "input" and email["id"] == "email"
    page.keyboard.type(DEMO_ACCOUNTS["pl_delegate"])
    password = tab(page)
    assert password["id"] == "password"
    page.keyboard.type("wrong password")
    button = tab(page)
    assert button["type"] == "submit" and button["text"] == "Log in"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("alert").wait_for()
    # The error summary links to the field; following the link with the keyboard focuses it.
    page.get_by_role("alert").get_by_role("link", name="Password").focus()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "password"
    page.keyboard.type("jco-demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/"
    assert page.get_by_role("heading", level=1).inner_text() == "My page"


def test_axe_reports_what_it_should(page, axe):
    """The check itself: an unlabelled field is a critical violation, so a clean page means clean."""
    page.set_content("<html lang='en'><title>t</title><body><main><h1>t</h1><input type='text'></main></body></html>")
    assert any("label (critical)" in v for v in serious_violations(axe, page))


# A page with something wrong for many kinds of rule: serious and critical ones, and minor or
# moderate ones (no main landmark, a duplicate id, a heading level skipped, a redundant alt).
BROKEN_PAGE = """<html lang="xx-nonsense"><head><meta name="viewport" content="user-scalable=no"></head><body>
<h1></h1><h4>skipped</h4><div id="a">a</div><div id="a">b</div>
<img src="data:,"><img src="data:," alt="image of a picture">
<input type="text"><select><option>x</option></select><button></button><a href="#x"></a>
<p style="color:#bbb;background:#fff">faint text</p>
<ul><div>not a list item</div></ul><table><tr><th scope="invalid">h</th></tr><tr><td>1</td></tr></table>
<div role="button">no name</div><span tabindex="5">tab</span><div aria-hidden="true"><a href="#y">focusable</a></div>
</body></html>"""


def test_axe_checks_every_rule_that_can_be_serious(page, axe):
    """Running only the rules that can be serious or critical finds exactly what running every rule
    and keeping the serious and critical ones finds."""
    page.set_content(BROKEN_PAGE)
    every = serious_violations(axe, page, every_rule=True)
    assert len(every) >= 8, every
    assert sorted(serious_violations(axe, page)) == sorted(every)
    assert len(axe.serious_rules(page)) < len(page.evaluate("axe.getRules()")), "no rule was left out"


@pytest.mark.parametrize("role", sorted(ROLE_ACCOUNTS))
def test_french_pages_have_no_serious_violation(phone, axe, live_server, role, blocked_requests, console_errors):
    """Every page of each role in French (the header's switch keeps it for the session), on a phone:
    lang="fr", axe finds nothing serious and no page scrolls sideways — longer words must not break
    labels, landmarks, contrast or the width.

    The two languages share every template and style, so each is checked by axe at one width: English
    on a desktop (above), French on a phone, where its longer words are likeliest to break the layout.
    test_phone_layout checks the English pages' width on a phone."""
    login_as(phone, DEMO_ACCOUNTS[ROLE_ACCOUNTS[role]])
    phone.goto("/?lang=fr")
    assert phone.locator("html").get_attribute("lang") == "fr"
    found, wide = [], {}
    for path in dict.fromkeys(["/", *pages_of(live_server.ids), *role_pages(live_server.ids, role)]):
        response = phone.goto(path, wait_until="domcontentloaded")
        assert response.status in (200, 403), (path, response.status)
        assert phone.locator("html").get_attribute("lang") == "fr", path
        draw_every_chart(phone)
        if overflow := sideways_overflow(phone):
            wide[path] = overflow
        found += serious_violations(axe, phone)
    assert found == [], "\n".join(found)
    assert wide == {}
    assert blocked_requests == []
    assert [e for e in console_errors if "status of 403" not in e] == []
