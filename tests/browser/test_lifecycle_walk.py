"""A new JCO's whole life, walked through the pages as the demo accounts would: proposal, business
case, written comments, revision, adoption at a meeting, operation, final report with results,
adoption of the report and closing. Only links, buttons and labelled fields are used."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from jco.operations.lifecycle import STATE_LABELS, State
from tests.browser.support import DEMO_ACCOUNTS, login_as

pytestmark = pytest.mark.browser

NAME = "Walk-through"
YY = date.today().year % 100
BUSINESS_CASE = f"15901/{YY:02d}"
REVISION = f"15901/1/{YY:02d} REV 1"
FINAL_REPORT = f"16902/{YY:02d}"


def pdf(text: str) -> bytes:
    """A small, valid one-page PDF (its cross-reference offsets computed, not guessed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def logout(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login"))


def switch(page, who: str) -> None:
    logout(page)
    login_as(page, DEMO_ACCOUNTS[who])


def choose(select, text: str) -> None:
    """Pick the option of a <select> whose label contains ``text``.

    Waits for the select first: right after a click the browser may still show the page before it,
    and reading its options then would read nothing."""
    select.wait_for()
    label = next(o for o in select.locator("option").all_inner_texts() if text in o)
    select.select_option(label=label)


def expect_state(page, jco_url: str, state: State) -> None:
    if page.url.split("#")[0].split("?")[0] != jco_url:
        page.goto(jco_url)
    # Retried until it holds: after a button, the page may still be the one before its answer.
    expect(page.locator(".state-long")).to_have_text(STATE_LABELS[state])


def upload(page, jco_url: str, reference: str, title: str, doc_type: str, previous: str = "",
           from_my_page: str = "") -> None:
    """Register a document: from the operation's page, or by the named button on My page."""
    if from_my_page:
        from_my_page_follow(page, from_my_page)
    else:
        page.goto(jco_url)
        page.get_by_role("link", name="Upload a document").click()
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Type").select_option(label=doc_type)
    page.get_by_label("Date", exact=True).fill(date.today().isoformat())
    if previous:
        page.get_by_label("Previous document").fill(previous)
    page.get_by_label("File").set_input_files(
        {"name": f"{reference.replace('/', '-')}.pdf", "mimeType": "application/pdf", "buffer": pdf(title)})
    page.get_by_role("button", name="Register the document").click()
    page.get_by_text(reference).first.wait_for()


def from_my_page_follow(page, button: str) -> None:
    """Start from My page and follow the button on this operation's row."""
    page.goto("/")
    page.get_by_role("heading", level=1, name="My page").wait_for()
    with page.expect_navigation():  # read nothing of My page once the button is followed
        page.locator("tr", has_text=NAME).get_by_role("link", name=button).first.click()


def add_item_and_record(page, meeting_url: str, title: str, purpose: str, documents: str, outcome: str) -> None:
    page.goto(meeting_url)
    form = page.locator("section", has=page.get_by_role("heading", name="Add an agenda item"))
    form.get_by_label("Title").fill(title)
    choose(form.get_by_label("Operation"), NAME)
    form.get_by_label("Purpose").select_option(label=purpose)
    form.get_by_label("Documents").fill(documents)
    form.get_by_role("button", name="Add to the agenda").click()
    item = page.locator("li, article, section").filter(has_text=title).last
    item.locator("summary", has_text="Record the outcome").click()
    item.get_by_label("Outcome").select_option(label=outcome)
    item.get_by_role("button", name="Record the outcome").click()
    page.get_by_text(f"Outcome of “{title}”").wait_for()


def test_a_new_jco_walks_through_its_whole_life(page, live_server, blocked_requests, console_errors):
    # Proposal: a delegate proposes; its delegation leads.
    login_as(page, DEMO_ACCOUNTS["de_delegate"])
    page.goto("/jcos/new")
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Description").fill("A JCO proposed, run and closed through the pages.")
    page.get_by_role("button", name="Create the operation").click()
    page.get_by_role("heading", level=1).filter(has_text=NAME).wait_for()
    jco_url = page.url.split("#")[0].split("?")[0]
    expect_state(page, jco_url, State.PROPOSED)

    # The lead adds France and Poland as participants.
    page.get_by_role("link", name="Participants").click()
    page.get_by_label("Delegation or body, row 2").wait_for()
    if page.get_by_label("Delegation or body, row 3").count() == 0:
        page.get_by_role("button", name="Add more rows").click()
    choose(page.get_by_label("Delegation or body, row 2"), "France")
    page.get_by_label("Role, row 2").select_option("participant")
    choose(page.get_by_label("Delegation or body, row 3"), "Poland")
    page.get_by_label("Role, row 3").select_option("participant")
    page.get_by_role("button", name="Save participants").click()
    page.get_by_text("The participants have been saved.").wait_for()

    # The business case.
    upload(page, jco_url, BUSINESS_CASE, "Business case of JCO Walk-through", "Business case")
    expect_state(page, jco_url, State.PROPOSED)

    # The Secretariat schedules a meeting where the business case is presented.
    switch(page, "secretariat")
    page.goto("/meetings")
    page.get_by_role("link", name="New meeting").click()
    page.get_by_label("First day").fill(date.today().isoformat())
    page.get_by_role("button", name="Schedule the meeting").click()
    page.get_by_role("heading", name="Add an agenda item").wait_for()
    meeting_url = page.url.split("#")[0].split("?")[0]
    add_item_and_record(page, meeting_url, "JCO Walk-through: business case", "Business case for adoption",
                        BUSINESS_CASE, "Presented")
    expect_state(page, jco_url, State.PRESENTED)

    # The lead opens a round of written comments.
    switch(page, "de_delegate")
    page.goto(jco_url)
    form = page.locator("form[aria-labelledby='open-round-h']")
    choose(form.get_by_label("Document"), BUSINESS_CASE)
    form.get_by_label("Deadline").fill((date.today() + timedelta(days=14)).isoformat())
    form.get_by_role("button", name="Open a comment round").click()
    page.get_by_role("heading", level=1, name=f"Written comments on {BUSINESS_CASE}").wait_for()
    round_url = page.url
    expect_state(page, jco_url, State.COMMENTS)

    # Two participating delegations comment: France from the operation's page, Poland from My page.
    for who, text in (("fr_delegate", "France supports the operation."), ("pl_delegate", "Poland will take part.")):
        switch(page, who)
        if who == "pl_delegate":
            from_my_page_follow(page, "Write comments")
        else:
            page.goto(jco_url)
            # With the keyboard: the link starts with a visually hidden span, so its first box (where a
            # mouse click would be aimed) is empty.
            with page.expect_navigation():
                page.get_by_role("link", name=f"Comments on {BUSINESS_CASE}", exact=True).press("Enter")
        assert page.url == round_url
        page.get_by_role("textbox", name="Comment").fill(text)
        page.get_by_role("button", name="Send the comment").click()
        page.get_by_text("Your delegation's comment has been saved.").wait_for()

    # The lead reads them and uploads the revision.
    switch(page, "de_delegate")
    page.goto(round_url)
    main = page.locator("main").inner_text()
    assert "France supports the operation." in main and "Poland will take part." in main
    upload(page, jco_url, REVISION, "Revised business case of JCO Walk-through", "Business case",
           previous=BUSINESS_CASE)

    # The Secretariat: the revision is presented, then adopted.
    switch(page, "secretariat")
    add_item_and_record(page, meeting_url, "JCO Walk-through: revised business case", "Revised business case",
                        REVISION, "Presented")
    expect_state(page, jco_url, State.REVISION)
    add_item_and_record(page, meeting_url, "JCO Walk-through: adoption", "Revised business case",
                        REVISION, "Adopted")
    expect_state(page, jco_url, State.ADOPTED)

    # The lead runs the operation and records it.
    switch(page, "de_delegate")
    from_my_page_follow(page, "Start the operational phase")
    page.locator("section.next-step").get_by_role("button", name="Start the operational phase").click()
    expect_state(page, jco_url, State.OPERATIONAL)
    page.get_by_role("button", name="End the operational phase").click()
    expect_state(page, jco_url, State.DEBRIEFING)
    page.get_by_role("link", name="Operational phase and debriefing").click()
    page.get_by_label("Actual start").fill((date.today() - timedelta(days=20)).isoformat())
    page.get_by_label("Actual end").fill((date.today() - timedelta(days=10)).isoformat())
    page.get_by_label("Debriefing date").fill(date.today().isoformat())
    page.get_by_label("Debriefing place").fill("Hamburg")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The operational phase and the debriefing have been recorded.").wait_for()

    # The final report (its button on My page) and its results.
    upload(page, jco_url, FINAL_REPORT, "Final report of JCO Walk-through", "Final report",
           from_my_page="Submit the final report")
    page.goto(jco_url)
    page.get_by_role("navigation", name="Actions on this operation").get_by_role("link", name="Add results").click()
    rows = (("Germany", "cigarettes", "125000", "pieces"), ("France", "counterfeit goods", "42", "parcels"))
    for n, (country, goods, quantity, unit) in enumerate(rows, start=1):
        choose(page.get_by_label(f"Country, row {n}"), country)
        page.get_by_label(f"Commodity, row {n}").fill(goods)
        page.get_by_label(f"Quantity, row {n}").fill(quantity)
        page.get_by_label(f"Unit, row {n}").fill(unit)
    choose(page.get_by_label("Final report", exact=True).first, FINAL_REPORT)
    page.get_by_role("button", name="Add these results").click()
    page.get_by_text("2 result rows recorded").wait_for()
    expect_state(page, jco_url, State.DEBRIEFING)

    # The Secretariat: the report is adopted, then the operation closed.
    switch(page, "secretariat")
    add_item_and_record(page, meeting_url, "JCO Walk-through: final report", "Final report for adoption",
                        FINAL_REPORT, "Adopted")
    expect_state(page, jco_url, State.REPORT_ADOPTED)
    page.get_by_role("button", name="Close").click()
    expect_state(page, jco_url, State.CLOSED)
    assert not page.get_by_role("link", name="Edit details").count()

    assert blocked_requests == []
    assert console_errors == []
