"""Script put into every free-text field a user can submit comes back escaped on every page that
shows it; malformed references and dates in the same forms get a form error, never a 500."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from jco.comments.models import CommentRound
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.documents.models import Document
from jco.meetings.models import AgendaItem, Meeting
from jco.operations.models import Jco, Organisation

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
RAW = ["<script>alert(1)", "<img src=x onerror"]


def payload(label: str) -> str:
    return f"{label} {SCRIPT} {ATTRIBUTE}"


@pytest.fixture
def ids(demo):
    with demo.app_context():
        s = get_session()
        december = s.scalar(select(Meeting.id).where(Meeting.start_date == date(2015, 12, 2)))
        return {
            "postbox": s.scalar(select(Jco.id).where(Jco.name == "Postbox")),
            "baltica": s.scalar(select(Jco.id).where(Jco.name == "Baltica")),
            "de": s.scalar(select(Organisation.id).where(Organisation.code == "DE")),
            "december": december,
            "open_item": s.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == december)),
            "round": s.scalar(select(CommentRound.id).join(Jco).where(Jco.name == "DEMO Lighthouse")),
        }


def _assert_escaped(response, where: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code < 500, f"{where}: {response.status_code}"
    assert [r for r in RAW if r in html] == [], f"unescaped script in {where}"
    return html


def test_script_in_every_field_comes_back_escaped(client, auth, demo, ids):
    due = (today() + timedelta(days=9)).isoformat()
    auth.login("secretariat@example.org")
    submissions = [
        ("/jcos/new", {"name": payload("JCO"), "kind": "eu_wide", "report_adoption": "working_party",
                       "lead_id": ids["de"], "lead_agency": payload("agency"), "description": payload("description"),
                       "commodities": payload("goods"), "other_transport_modes": "m " + SCRIPT}),
        (f"/jcos/{ids['postbox']}/documents/new", {"reference": "15002/15", "title": payload("title"),
                                                    "doc_type": "business_case", "marking": "LIMITE"}),
        ("/meetings/new", {"body": "ccwp_experts", "title": payload("meeting"), "start_date": "2031-01-14",
                           "place": payload("place")}),
        (f"/meetings/{ids['december']}/items", {"title": payload("item"), "purpose": "information", "jco_id": "0"}),
        (f"/meetings/{ids['december']}/items/{ids['open_item']}/outcome",
         {f"item{ids['open_item']}-outcome": "noted", f"item{ids['open_item']}-note": payload("outcome note")}),
        (f"/jcos/{ids['baltica']}/transitions/withdraw", {"withdraw-reason": payload("reason")}),
        ("/accounts", {"email": "new.delegate@example.org", "name": payload("account"), "role": "delegate",
                       "organisation_id": ids["de"], "clearance": "", "password": "a long enough password 1"}),
        ("/deadlines/new", {"title": payload("deadline"), "due_date": due, "owners": ids["de"],
                            "note": payload("deadline note"), "jco_id": "0", "meeting_id": "0"}),
        ("/account/tokens/new", {"token-name": "token " + SCRIPT}),
    ]
    for url, data in submissions:
        response = client.post(url, data=data, follow_redirects=True)
        html = _assert_escaped(response, f"the answer to POST {url}")
        assert response.history or url == "/account/tokens/new", (url, re.findall(r'id="[^"]*-error"[^>]*>([^<]*)', html))
        assert response.status_code == 200, f"POST {url} was not accepted: {response.status_code}"
    auth.logout()
    auth.login("de.delegate@example.org")
    response = client.post(f"/rounds/{ids['round']}", data={"body": payload("comment"), "version": "0"},
                           follow_redirects=True)
    _assert_escaped(response, "the comment page")

    with demo.app_context():
        s = get_session()
        new_jco = s.scalar(select(Jco.id).where(Jco.name.startswith("JCO <script>")))
        new_meeting = s.scalar(select(Meeting.id).where(Meeting.title.startswith("meeting")))
        new_document = s.scalar(select(Document.id).where(Document.reference == "15002/15"))
    assert None not in (new_jco, new_meeting, new_document), "every submission was stored"
    pages = ["/jcos", f"/jcos/{new_jco}", f"/jcos/{new_jco}/edit", f"/jcos/{new_jco}/participants",
             f"/jcos/{ids['postbox']}", f"/jcos/{ids['baltica']}", f"/jcos/{ids['baltica']}/history",
             f"/documents/{new_document}", "/meetings", f"/meetings/{new_meeting}", f"/meetings/{ids['december']}",
             f"/meetings/{new_meeting}/edit", f"/meetings/{ids['december']}/agenda",
             "/deadlines", "/accounts", "/account", f"/rounds/{ids['round']}", "/audit", "/dashboard"]
    escaped_somewhere = 0
    for who in ("secretariat@example.org", "admin@example.org", "de.delegate@example.org"):
        auth.logout()
        auth.login(who)
        for url in pages:
            html = _assert_escaped(client.get(url), f"{url} as {who}")
            escaped_somewhere += "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert escaped_somewhere >= len(pages), "the payloads are shown (escaped) on the pages"


@pytest.mark.parametrize("url, data, message", [
    ("/jcos/{postbox}/documents/new", {"reference": "12712/15 REV <script>", "title": "x", "doc_type": "business_case",
                                       "marking": "LIMITE"}, "reference"),
    ("/jcos/{postbox}/documents/new", {"reference": "99999999999999999999/15", "title": "x",
                                       "doc_type": "business_case", "marking": "LIMITE"}, "reference"),
    ("/jcos/{postbox}/documents/new", {"reference": "15003/15", "title": "x", "doc_type": "business_case",
                                       "marking": "LIMITE", "doc_date": "2015-02-31"}, "date"),
    ("/jcos/{postbox}/documents/new", {"reference": "15003/15", "title": "x", "doc_type": "business_case",
                                       "marking": "LIMITE", "previous_reference": "not a reference"}, "reference"),
    ("/meetings/new", {"body": "ccwp_experts", "start_date": "2025-13-45", "place": "Brussels"}, "date"),
    ("/meetings/{december}/items", {"title": "x", "purpose": "information", "jco_id": "0",
                                    "documents": "12712/15, garbage <b>"}, "registered"),
    ("/deadlines/new", {"title": "x", "due_date": "31/02/2025", "owners": "{de}", "jco_id": "0",
                        "meeting_id": "0"}, "date"),
    ("/jcos/new", {"name": "Dated", "kind": "eu_wide", "report_adoption": "working_party", "lead_id": "{de}",
                   "planned_start": "yesterday"}, "date"),
    ("/jcos/{baltica}/operation", {"actual_start": "2015-99-01", "version": "1"}, "date"),
])
def test_malformed_references_and_dates_get_a_form_error(client, auth, ids, url, data, message):
    auth.login("secretariat@example.org")
    response = client.post(url.format(**ids), data={k: str(v).format(**ids) for k, v in data.items()})
    html = _assert_escaped(response, url)
    assert response.status_code in (200, 400), response.status_code
    assert message in html.lower()
