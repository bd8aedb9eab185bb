"""Who may open and submit the life-cycle, meeting and audit pages — and that a refusal changes nothing."""

from datetime import date

import pytest
from sqlalchemy import select

from jco.meetings.models import AgendaItem
from tests.step_helpers import jco_id, meeting_id, reading, snapshot

ROLES = ["secretariat", "admin", "de", "lv", "pl", "fr", "manager", "anonymous"]
EMAILS = {
    "secretariat": "secretariat@example.org", "admin": "admin@example.org", "de": "de.delegate@example.org",
    "lv": "lv.delegate@example.org", "pl": "pl.delegate@example.org", "fr": "fr.delegate@example.org",
    "manager": "manager@example.org",
}

# Postbox is led by DE (written comments); Baltica by PL (debriefing; LV takes part); Athena IV by LV
# (report adopted). Roles not listed get 403; anonymous visitors are sent to the login page.
GET_ROUTES = {
    "/jcos/new": {"secretariat", "admin", "de", "lv", "pl", "fr"},
    "/jcos/{postbox}/edit": {"secretariat", "admin", "de"},
    "/jcos/{postbox}/participants": {"secretariat", "admin", "de"},
    "/jcos/{baltica}/operation": {"secretariat", "admin", "pl"},
    "/jcos/{baltica}/results": {"secretariat", "admin", "pl"},
    "/jcos/{postbox}/results": set(),  # too early for results, whoever asks
    "/jcos/{athena}/history": {"secretariat", "admin", "lv", "manager"},
    "/meetings/new": {"secretariat", "admin"},
    "/meetings/{october}/edit": {"secretariat", "admin"},
    "/audit": {"admin", "secretariat"},  # the Secretariat reads the audit log too (issue 14)
}


@pytest.fixture
def ids(app, demo):
    with reading(app) as s:
        october = meeting_id(app, notice_reference="CM 4063/15")
        item = s.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == october).order_by(AgendaItem.position))
        december = meeting_id(app, start_date=date(2015, 12, 2))
        open_item = s.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == december))
    return {"postbox": jco_id(app, "Postbox"), "baltica": jco_id(app, "Baltica"), "athena": jco_id(app, "Athena", "IV"),
            "october": october, "item": item, "december": december, "open_item": open_item}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_each_page(client, auth, ids, role):
    """One role per test, every route in it: the demo is loaded once per role, not once per cell."""
    if role != "anonymous":
        auth.login(EMAILS[role])
    got, wanted = {}, {}
    for route, allowed in GET_ROUTES.items():
        response = client.get(route.format(**ids))
        if role == "anonymous":
            got[route] = (response.status_code, "/login" in response.headers.get("Location", ""))
            wanted[route] = (302, True)
        else:
            got[route], wanted[route] = response.status_code, 200 if role in allowed else 403
    assert got == wanted


POSTS = [
    ("fr", "/jcos/{postbox}/edit", {"name": "Hijacked", "kind": "eu_wide", "report_adoption": "working_party"}),
    ("manager", "/jcos/new", {"name": "Manager's own", "kind": "regional", "report_adoption": "working_party"}),
    ("fr", "/jcos/{postbox}/participants", {"rows-0-organisation_id": "1", "rows-0-role": "lead"}),
    ("fr", "/jcos/{postbox}/transitions/withdraw", {"withdraw-reason": "Not mine to withdraw."}),
    ("lv", "/jcos/{athena}/transitions/close", {}),
    ("lv", "/jcos/{baltica}/operation", {"debriefing_place": "Riga"}),
    ("de", "/jcos/{baltica}/results", {"entry-submit": "1", "entry-rows-0-commodity": "cash",
                                       "entry-rows-0-quantity": "1", "entry-rows-0-unit": "EUR"}),
    ("de", "/meetings/new", {"body": "ccwp_experts", "start_date": "2025-11-18", "place": "Brussels"}),
    ("manager", "/meetings/{october}/edit", {"body": "mac", "start_date": "2015-10-20", "place": "Brussels"}),
    ("pl", "/meetings/{october}/items", {"title": "Smuggled item", "purpose": "information", "jco_id": "0"}),
    ("lv", "/meetings/{december}/items/{open_item}/outcome", {"item{open_item}-outcome": "adopted"}),
    ("de", "/meetings/{december}/items/{open_item}/move", {"direction": "up"}),
    ("de", "/meetings/{december}/items/{open_item}/remove", {}),
    ("anonymous", "/jcos/{postbox}/transitions/withdraw", {"withdraw-reason": "Anonymous."}),
    ("anonymous", "/meetings/{december}/items/{open_item}/remove", {}),
]


@pytest.mark.parametrize("role, route, data", POSTS, ids=[f"{r}:{p}" for r, p, _ in POSTS])
def test_a_refused_request_changes_nothing(client, auth, app, ids, role, route, data):
    if role != "anonymous":
        auth.login(EMAILS[role])
    before = snapshot(app)
    response = client.post(route.format(**ids), data={k.format(**ids): v for k, v in data.items()})
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
    assert snapshot(app) == before
