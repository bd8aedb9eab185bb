"""A classified title reaches no one uncleared through any channel: pages, API, search, exports,
calendars, e-mail, error pages.

The demo's RESTREINT UE addendum to the Athena IV report is put under written comments (so it
shows up in deadlines, calendars and reminders too), and its uncleared readers are made
participants of Athena IV (so they are owed reminders about it). Every page and export each
uncleared account can reach is then read as text and searched for the title.
"""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from jco.accounts.models import Account
from jco.core.db import get_session
from jco.dashboards.views import CHARTS
from jco.deadlines import calendar
from jco.meetings.models import Meeting
from jco.operations import services as ops
from jco.operations.models import Jco, Organisation, Role
from tests import test_permission_matrix as matrix
from tests.servers import smtp_inbox

TITLE = "Revised final report of Athena IV — addendum 1"
REFERENCE = "6512/1/15 ADD 1 REV 1"
# What could give the title away if it were cut, wrapped or reworded on its way out.
TELLTALES = [TITLE, "Athena IV — addendum", "IV — addendum 1", "Athena IV - addendum"]
UNCLEARED = ["de", "pl", "fr", "manager"]
CLEARED = ["lv", "secretariat"]
EMAILS, ROUTES = matrix.EMAILS, matrix.ROUTES
ids = matrix.ids  # the matrix's demo objects (with a round on the addendum), as a fixture here too


@pytest.fixture
def app_config():
    # The round on the addendum closes in 10 days: remind at 10 days so the run has something to say.
    return {"JCO_REMINDER_DAYS": "10,7,1", "JCO_BASE_URL": "https://jco.example.org"}


@pytest.fixture
def world(demo, ids):
    values, api_tokens = ids
    with demo.app_context():
        s = get_session()
        athena = s.get(Jco, values["athena"])
        secretariat = s.scalar(select(Account).where(Account.email == EMAILS["secretariat"]))
        org = {o.code: o.id for o in s.scalars(select(Organisation).where(
            Organisation.code.in_(["LV", "DE", "PL", "FR"])))}
        ops.set_participants(s, athena, [
            ops.ParticipantRow(organisation_id=org["LV"], role=Role.LEAD, agency=""),
            *(ops.ParticipantRow(organisation_id=org[c], role=Role.PARTICIPANT, agency="") for c in ("DE", "PL", "FR")),
        ], secretariat)
        values["meetings"] = list(s.scalars(select(Meeting.id).order_by(Meeting.id)))
        # The Secretariat marks one agenda RESTREINT UE: cleared readers get the addendum's title in
        # it, the others the same stamp without the title (the demo's own notes are unmarked).
        october = s.scalar(select(Meeting).where(Meeting.notice_reference == "CM 4063/15"))
        october.agenda_marking = "RESTREINT UE"
        values["october"] = october.id
        values["feeds"] = {role: calendar.issue_token(s, s.scalar(select(Account).where(Account.email == email)))
                           for role, email in EMAILS.items()}
        s.commit()
    return values, api_tokens


def text_of(response) -> str:
    """What a person (or a program) reading the response would see, whatever its format."""
    body = response.get_data()
    kind = response.mimetype
    if kind == "application/json":
        return json.dumps(response.get_json(), ensure_ascii=False)
    if kind.endswith("wordprocessingml.document"):
        doc = DocxDocument(io.BytesIO(body))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    if kind == "application/pdf" and body.rstrip().endswith(b"%%EOF"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if kind.endswith("spreadsheetml.sheet"):
        workbook = load_workbook(io.BytesIO(body))
        return "\n".join(str(v) for ws in workbook for row in ws.iter_rows(values_only=True) for v in row if v)
    text = body.decode("utf-8", "replace")
    if kind == "text/calendar":
        text = re.sub(r"\r?\n[ \t]", "", text)  # unfold long lines
        return text.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n").replace("\\\\", "\\")
    return unescape(text)


def _leaks(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [t for t in TELLTALES if t in flat]


def _urls(values: dict, role: str) -> list[tuple[str, bool]]:
    """(url, is_api) for every GET this account can send: each page of the app with demo ids,
    then searches, every export, feed and API read that could carry the title."""
    urls = [(case.path.format(**values), case.endpoint.startswith("api."))
            for case in ROUTES if case.method == "GET" and case.endpoint not in (
                "static", "vendor.plotly_js", "vendor.plotly_stylesheet", "healthz")]
    urls += [(f"/jcos?q={q}", False) for q in ("Athena", "addendum", "6512")]
    urls += [(f"/search?q={q}", False) for q in ("Athena", "addendum", "6512", REFERENCE, "revised final report")]
    urls += [(f"/dashboard/{chart}.{fmt}", False) for chart in CHARTS for fmt in ("csv", "xlsx")]
    for meeting in values["meetings"]:
        urls += [(f"/meetings/{meeting}", False), (f"/meetings/{meeting}/calendar.ics", False),
                 (f"/api/v1/meetings/{meeting}", True)]
        urls += [(f"/meetings/{meeting}/{what}.{fmt}", False) for what in ("agenda", "summary") for fmt in ("docx", "pdf")]
    urls += [
        (f"/calendar/{values['feeds'][role]}.ics", False),
        (f"/jcos/{values['athena']}/calendar.ics", False),
        (f"/rounds/{values['classified_round']}", False),
        (f"/documents/{values['addendum']}", False),
        (f"/documents/{values['addendum']}/file", False),  # the 403 page
        (f"/documents/{values['report_rev']}", False),  # its family lists the addendum
        ("/deadlines?show=all", False),
        (f"/jcos/{values['athena']}/history", False),
        ("/audit?kind=document.register", False),
        (f"/api/v1/documents?reference={REFERENCE}", True),
        (f"/api/v1/documents?jco={values['athena']}", True),
        (f"/api/v1/documents/{values['addendum']}/file", True),
        ("/api/v1/deadlines", True),
        (f"/api/v1/jcos/{values['athena']}", True),
    ]
    return urls


def _read_everything(client, values, api_tokens, role) -> dict[str, str]:
    assert client.post("/login", data={"email": EMAILS[role], "password": "jco-demo"}).status_code == 302
    headers = {"Authorization": f"Bearer {api_tokens[role]}"}
    seen = {}
    for url, is_api in _urls(values, role):
        response = client.get(url, headers=headers if is_api else {})
        assert response.status_code < 500, f"{url} as {role}: {response.status_code}"
        seen[f"{url} ({response.status_code})"] = text_of(response)
    return seen


@pytest.mark.parametrize("role", UNCLEARED)
def test_no_uncleared_account_reads_the_title_anywhere(client, world, role):
    values, api_tokens = world
    seen = _read_everything(client, values, api_tokens, role)
    leaks = {url: found for url, text in seen.items() if (found := _leaks(text))}
    assert leaks == {}
    # The reader still learns that the document exists and how it is marked.
    assert REFERENCE in seen[f"/documents/{values['addendum']} (200)"]
    assert "title withheld" in seen[f"/documents/{values['addendum']} (200)"]


@pytest.mark.parametrize("role", CLEARED)
def test_cleared_accounts_do_read_it(client, world, role):
    """Without this, the test above would pass on an app that showed the title to nobody."""
    values, api_tokens = world
    seen = _read_everything(client, values, api_tokens, role)
    where = {url.split(" ")[0] for url, text in seen.items() if _leaks(text)}
    assert f"/documents/{values['addendum']}" in where
    assert f"/api/v1/documents/{values['addendum']}" in where or f"/api/v1/jcos/{values['athena']}" in where
    assert any(url.endswith(".docx") for url in where)


@pytest.mark.parametrize("role", ["de", "lv"])
def test_a_marked_agenda_has_one_stamp_for_every_reader(client, world, role):
    values, _ = world
    assert client.post("/login", data={"email": EMAILS[role], "password": "jco-demo"}).status_code == 302
    for fmt in ("docx", "pdf"):
        text = text_of(client.get(f"/meetings/{values['october']}/agenda.{fmt}"))
        assert "RESTREINT UE" in [line.strip() for line in text.splitlines()]  # the note's own marking line
        assert bool(_leaks(text)) is (role in CLEARED)


@pytest.fixture
def inbox(world, demo):
    with smtp_inbox(demo) as handler:
        yield handler


def test_reminders_about_the_addendum_keep_its_title_from_uncleared_delegates(runner, inbox):
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    about = {}
    for recipients, message in inbox.messages:
        parts = [message["Subject"]] + [message.get_body((kind,)).get_content() for kind in ("plain", "html")
                                        if message.get_body((kind,)) is not None]
        text = unescape("\n".join(parts))
        if REFERENCE in text:
            for recipient in recipients:
                about[recipient] = text
    uncleared = {EMAILS[r] for r in UNCLEARED if r != "manager"}  # the delegations that owe comments
    assert uncleared <= set(about), "each uncleared participant is reminded of the addendum (by reference)"
    assert {who: _leaks(text) for who, text in about.items() if who in uncleared and _leaks(text)} == {}
