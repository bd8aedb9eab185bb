"""Every route of the app × every demo role, against an explicit table of who may do what.

A route added to the app without a line in ROUTES fails `test_every_route_has_an_expectation`,
so nobody can add a page without saying who may open it. Each refused POST must also leave the
database exactly as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from jco.accounts.models import Account
from jco.api import auth as api_auth
from jco.comments.models import Comment, CommentRound
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.deadlines import calendar
from jco.deadlines import services as deadline_services
from jco.documents.models import Document, StoredFile
from jco.documents.services import DocumentDetails, register_document
from jco.meetings.models import AgendaItem, AgendaRequest, Meeting
from jco.models import metadata
from jco.operations.models import Jco, Organisation
from jco.web.vendor import plotly_js_version

ROLES = ["anonymous", "secretariat", "de", "lv", "pl", "fr", "manager", "admin"]
EMAILS = {
    "secretariat": "secretariat@example.org", "admin": "admin@example.org", "de": "de.delegate@example.org",
    "lv": "lv.delegate@example.org", "pl": "pl.delegate@example.org", "fr": "fr.delegate@example.org",
    "manager": "manager@example.org",
}
EVERYONE = frozenset(EMAILS)
SECRETARIAT = frozenset({"secretariat", "admin"})
DELEGATES = frozenset({"de", "lv", "pl", "fr"})

LOGIN, UNAUTHORISED, OK = "login", 401, "ok"


@dataclass(frozen=True)
class Case:
    """One request and who may make it. Roles outside ``allowed`` get ``refused``; anonymous
    visitors get ``anonymous`` (LOGIN: sent to the login page; 401 for the API; OK when public)."""

    method: str
    endpoint: str
    path: str
    allowed: frozenset = EVERYONE
    refused: int = 403
    anonymous: object = LOGIN
    data: dict = field(default_factory=dict)
    json: dict | None = None
    exceptions: dict = field(default_factory=dict)  # role → the answer it gets instead


def api(method, endpoint, path, allowed=EVERYONE, refused=403, json=None, anonymous=UNAUTHORISED):
    return Case(method, "api." + endpoint, "/api/v1" + path, frozenset(allowed), refused, anonymous, json=json)


def page(method, endpoint, path, allowed=EVERYONE, refused=403, anonymous=LOGIN, data=None):
    return Case(method, endpoint, path, frozenset(allowed), refused, anonymous, data=data or {})


# Postbox: led by DE, under written comments. Baltica: led by PL, at debriefing (results due).
# Athena IV: led by LV, report adopted, holds the RESTREINT UE addendum. Lighthouse: led by FR,
# an open round with FR's comment. POSTs carry no (or harmless) data: an allowed role gets a form
# error or a redirect, never a refusal. Order matters: what destroys a demo object comes last.
ROUTES = [
    # --- public --------------------------------------------------------------------------------
    page("GET", "healthz", "/healthz", anonymous=OK),
    page("GET", "favicon", "/favicon.ico", anonymous=OK),
    page("GET", "static", "/static/css/app.css", anonymous=OK),
    page("GET", "vendor.plotly_js", "/static-vendor/plotly-{plotly}.min.js", anonymous=OK),
    page("GET", "vendor.plotly_stylesheet", "/static-vendor/plotly-{plotly}.css", anonymous=OK),
    page("GET", "accounts.login", "/login", anonymous=OK),
    page("POST", "accounts.login", "/login", anonymous=OK),
    page("GET", "deadlines.subscribed_calendar", "/calendar/{calendar_token}.ics", anonymous=OK),
    api("GET", "get_openapi", "/openapi.json", anonymous=OK),
    # --- reading ---------------------------------------------------------------------------------
    page("GET", "mypage.my_page", "/"),
    page("GET", "operations.register", "/jcos"),
    page("GET", "search.search", "/search?q=athena"),
    page("GET", "operations.detail", "/jcos/{athena}"),
    page("GET", "documents.detail", "/documents/{addendum}"),
    page("GET", "documents.download", "/documents/{report_rev}/file"),
    # Cleared accounts learn that no file is held (the deployment may not store RESTREINT UE);
    # the others are refused without being told even that.
    Case("GET", "documents.download", "/documents/{addendum}/file", frozenset(), 403,
         exceptions={"secretariat": 404, "lv": 404}),
    page("GET", "meetings.list_meetings", "/meetings"),
    page("GET", "meetings.detail", "/meetings/{october}"),
    page("GET", "agendas.export_agenda", "/meetings/{october}/agenda.docx"),
    page("GET", "agendas.export_summary", "/meetings/{october}/summary.pdf", SECRETARIAT),
    page("GET", "comments.round_detail", "/rounds/{round}"),
    page("GET", "comments.comment_file", "/comments/{comment}/file", SECRETARIAT | {"fr", "manager"}),
    page("GET", "comments.export_compilation", "/rounds/{round}/compilation.docx", SECRETARIAT | {"fr"}),
    page("GET", "dashboards.dashboard", "/dashboard"),
    page("GET", "dashboards.chart_table", "/dashboard/pipeline.csv"),
    page("GET", "exports.register_export", "/jcos/export.csv"),
    page("GET", "imports.upload", "/import", SECRETARIAT),
    page("POST", "imports.upload", "/import", SECRETARIAT),
    page("POST", "imports.confirm", "/import/confirm", SECRETARIAT),
    page("GET", "deadlines.my_deadlines", "/deadlines"),
    page("GET", "deadlines.my_calendar", "/calendar.ics"),
    page("GET", "deadlines.jco_calendar", "/jcos/{postbox}/calendar.ics"),
    page("GET", "deadlines.meeting_calendar", "/meetings/{october}/calendar.ics"),
    page("GET", "accounts.account", "/account"),
    page("GET", "api_tokens.create_token", "/account/tokens/new"),
    page("GET", "audit.jco_history", "/jcos/{athena}/history", SECRETARIAT | {"lv", "manager"}),
    page("GET", "audit.log", "/audit", SECRETARIAT),
    # --- forms, opened ---------------------------------------------------------------------------
    page("GET", "operations.create", "/jcos/new", SECRETARIAT | DELEGATES),
    page("GET", "operations.edit", "/jcos/{postbox}/edit", SECRETARIAT | {"de"}),
    page("GET", "operations.participants", "/jcos/{postbox}/participants", SECRETARIAT | {"de"}),
    page("GET", "operations.operation", "/jcos/{baltica}/operation", SECRETARIAT | {"pl"}),
    page("GET", "operations.add_results", "/jcos/{baltica}/results", SECRETARIAT | {"pl"}),
    page("GET", "documents.new_jco_document", "/jcos/{postbox}/documents/new", SECRETARIAT | {"de"}),
    page("GET", "documents.new_document", "/documents/new", SECRETARIAT),
    page("GET", "comments.open_round", "/jcos/{postbox}/rounds/new", SECRETARIAT | {"de"}),
    page("GET", "meetings.create", "/meetings/new", SECRETARIAT),
    page("GET", "meetings.edit", "/meetings/{october}/edit", SECRETARIAT),
    page("GET", "agendas.plan", "/meetings/{next_meeting}/agenda", SECRETARIAT),
    page("GET", "agendas.edit_item", "/meetings/{december}/agenda/items/{open_item}/edit", SECRETARIAT),
    page("GET", "deadlines.new_deadline", "/deadlines/new", SECRETARIAT),
    page("GET", "deadlines.edit_deadline", "/deadlines/{deadline}/edit", SECRETARIAT),
    page("GET", "accounts.list_accounts", "/accounts", SECRETARIAT),
    page("GET", "accounts.edit_account", "/accounts/{other_account}", SECRETARIAT),
    # --- the API ---------------------------------------------------------------------------------
    api("GET", "list_jcos", "/jcos"),
    api("GET", "get_jco", "/jcos/{athena}"),
    api("GET", "list_documents", "/documents"),
    api("GET", "get_document", "/documents/{addendum}"),
    api("GET", "get_document_file", "/documents/{report_rev}/file"),
    api("GET", "list_meetings", "/meetings"),
    api("GET", "get_meeting", "/meetings/{october}"),
    api("GET", "participation", "/participation"),
    api("GET", "list_deadlines", "/deadlines"),
    api("POST", "add_results", "/jcos/{baltica}/results", SECRETARIAT | {"pl"},
        json={"rows": [{"commodity": "cash", "quantity": 1, "unit": "EUR"}]}),
    # Only LV is cleared for the addendum under comments; managers and the Secretariat do not comment.
    api("POST", "submit_comment", "/rounds/{classified_round}/comments", {"lv"}, json={"body": "Our view.", "version": 0}),
    # --- forms, submitted ------------------------------------------------------------------------
    page("POST", "operations.create", "/jcos/new", SECRETARIAT | DELEGATES),
    page("POST", "operations.edit", "/jcos/{postbox}/edit", SECRETARIAT | {"de"}),
    page("POST", "operations.participants", "/jcos/{postbox}/participants", SECRETARIAT | {"de"}),
    page("POST", "operations.transition", "/jcos/{postbox}/transitions/withdraw", SECRETARIAT | {"de"}),
    page("POST", "operations.transition", "/jcos/{athena}/transitions/close", SECRETARIAT),
    page("POST", "operations.operation", "/jcos/{baltica}/operation", SECRETARIAT | {"pl"}),
    page("POST", "mypage.watch", "/jcos/{postbox}/watch"),
    page("POST", "mypage.unwatch", "/jcos/{postbox}/unwatch"),
    page("POST", "mypage.set_digest", "/account/digest"),
    page("POST", "operations.add_results", "/jcos/{baltica}/results", SECRETARIAT | {"pl"}),
    page("POST", "documents.new_jco_document", "/jcos/{postbox}/documents/new", SECRETARIAT | {"de"}),
    page("POST", "documents.new_document", "/documents/new", SECRETARIAT),
    page("POST", "documents.attach_file", "/documents/{fileless}/file", SECRETARIAT | {"de"}),
    page("POST", "comments.open_round", "/jcos/{postbox}/rounds/new", SECRETARIAT | {"de"}),
    page("POST", "comments.round_detail", "/rounds/{classified_round}", {"lv"}),
    page("POST", "comments.respond", "/comments/{comment}/response", {"fr"}),
    # Asking is the lead's (the service refuses anyone else, with a message): an empty form is an
    # error for every role, and changes nothing.
    page("POST", "agendas.ask", "/jcos/{postbox}/agenda-requests"),
    page("POST", "agendas.decline_request", "/meetings/{next_meeting}/agenda/requests/{agenda_request}/decline",
         SECRETARIAT),
    page("POST", "meetings.create", "/meetings/new", SECRETARIAT),
    page("POST", "meetings.edit", "/meetings/{october}/edit", SECRETARIAT),
    page("POST", "meetings.add_item", "/meetings/{october}/items", SECRETARIAT),
    page("POST", "meetings.record_outcome", "/meetings/{december}/items/{open_item}/outcome", SECRETARIAT),
    page("POST", "meetings.move_item", "/meetings/{december}/items/{open_item}/move", SECRETARIAT),
    page("POST", "agendas.plan", "/meetings/{next_meeting}/agenda", SECRETARIAT),
    page("POST", "agendas.edit_item", "/meetings/{december}/agenda/items/{open_item}/edit", SECRETARIAT),
    page("POST", "deadlines.new_deadline", "/deadlines/new", SECRETARIAT),
    page("POST", "deadlines.edit_deadline", "/deadlines/{deadline}/edit", SECRETARIAT),
    page("POST", "deadlines.record_met", "/deadlines/{deadline}/met", SECRETARIAT),
    page("POST", "deadlines.reopen", "/deadlines/{deadline}/reopen", SECRETARIAT),
    page("POST", "accounts.account", "/account"),
    page("POST", "accounts.list_accounts", "/accounts", SECRETARIAT),
    page("POST", "accounts.edit_account", "/accounts/{other_account}", SECRETARIAT),
    page("POST", "accounts.toggle_account", "/accounts/{other_account}/active", SECRETARIAT),
    page("POST", "api_tokens.create_token", "/account/tokens/new"),
    # Someone else's token does not exist, as far as another account can tell.
    page("POST", "api_tokens.revoke_token", "/account/tokens/{secretariat_token}/revoke", {"secretariat"}, 404),
    page("POST", "deadlines.issue_calendar_token", "/account/calendar"),
    page("POST", "deadlines.revoke_calendar_token", "/account/calendar/revoke"),
    # --- destructive, last -----------------------------------------------------------------------
    page("POST", "agendas.accept_request", "/meetings/{next_meeting}/agenda/requests/{agenda_request}/accept",
         SECRETARIAT),
    # Only the lead and the Secretariat see requests; withdrawing is the lead's (the Secretariat is
    # told so; after the acceptance above, the lead is told it was answered).
    page("POST", "agendas.withdraw_request", "/agenda-requests/{agenda_request}/withdraw", SECRETARIAT | {"de"}),
    page("POST", "meetings.remove_item", "/meetings/{december}/items/{open_item}/remove", SECRETARIAT),
    page("POST", "deadlines.delete", "/deadlines/{deadline}/delete", SECRETARIAT),
    page("POST", "accounts.logout", "/logout", anonymous=OK),
]


def test_every_route_has_an_expectation(app):
    in_app = {(method, rule.endpoint) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    in_table = {(case.method, case.endpoint) for case in ROUTES}
    assert in_app - in_table == set(), "routes without an expectation in ROUTES"
    assert in_table - in_app == set(), "expectations for routes that no longer exist"


# --- the objects the URLs point at ------------------------------------------------------------------

def _id(session, query) -> int:
    value = session.scalar(query)
    assert value is not None, f"demo object missing: {query}"
    return value


@pytest.fixture
def ids(demo):
    """Ids of demo objects, plus the few the demo lacks: a deadline set by hand, a document without
    its file, a round on the classified addendum, a file on a comment, tokens."""
    with demo.app_context():
        s = get_session()
        account = {role: s.scalar(select(Account).where(Account.email == email)) for role, email in EMAILS.items()}
        secretariat = account["secretariat"]

        def jco(name, edition=""):
            return _id(s, select(Jco.id).where(Jco.name == name, Jco.edition == edition))

        def document(reference):
            return _id(s, select(Document.id).where(Document.reference == reference))

        october = _id(s, select(Meeting.id).where(Meeting.notice_reference == "CM 4063/15"))
        december = _id(s, select(Meeting.id).where(Meeting.start_date == date(2015, 12, 2)))
        next_meeting = _id(s, select(Meeting.id).where(Meeting.start_date > today()))
        values = {
            "postbox": jco("Postbox"), "baltica": jco("Baltica"), "athena": jco("Athena", "IV"),
            "report_rev": document("6512/1/15 REV 1"), "addendum": document("6512/1/15 ADD 1 REV 1"),
            "october": october, "december": december, "next_meeting": next_meeting,
            "open_item": _id(s, select(AgendaItem.id).where(AgendaItem.meeting_id == december)),
            "next_item": _id(s, select(AgendaItem.id).where(AgendaItem.meeting_id == next_meeting)
                             .order_by(AgendaItem.position)),
            "round": _id(s, select(CommentRound.id).join(Jco).where(Jco.name == "DEMO Lighthouse")),
            "other_account": account["fr"].id,
            "plotly": plotly_js_version(),
        }
        comment = s.scalar(select(Comment).where(Comment.round_id == values["round"]))
        content = b"%PDF-1.4\n% a comment's attachment\n"
        stored = StoredFile(sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                            media_type="application/pdf", filename="comment.pdf", content=content)
        s.add(stored)
        s.flush()
        comment.file_id = stored.id
        values["comment"] = comment.id
        classified_round = CommentRound(jco_id=values["athena"], document_id=values["addendum"],
                                        deadline=today() + timedelta(days=10), opened_by_id=secretariat.id)
        s.add(classified_round)
        fileless = register_document(s, DocumentDetails(
            reference="15001/15", title="Revised business case for JCO Postbox", doc_type="business_case",
            marking="LIMITE", jco_id=values["postbox"]), secretariat)
        de = s.scalar(select(Organisation.id).where(Organisation.code == "DE"))
        deadline = deadline_services.create_manual_deadline(s, deadline_services.ManualDetails(
            title="Send the participation list", due_date=today() + timedelta(days=5), owner_ids=[de]), secretariat)
        s.flush()
        agenda_request = AgendaRequest(jco_id=values["postbox"], document_id=document("12712/15"),
                                       meeting_id=next_meeting, organisation_id=de,
                                       requested_by_id=account["de"].id)
        s.add(agenda_request)
        s.flush()
        values.update(classified_round=classified_round.id, fileless=fileless.id, deadline=deadline.id,
                      agenda_request=agenda_request.id)
        values["calendar_token"] = calendar.issue_token(s, account["pl"])
        values["secretariat_token"] = api_auth.create_token(s, secretariat, "to be revoked")[0].id
        api_tokens = {role: api_auth.create_token(s, a, "permission matrix")[1] for role, a in account.items()}
        s.commit()
    return values, api_tokens


IGNORED_COLUMNS = {"content", "last_used_at", "last_login_at", "last_seen_at"}
# The requests' own bookkeeping (the session, password checks counted), not data a request acts on.
IGNORED_TABLES = {"web_session", "login_throttle"}


def snapshot(app) -> dict:
    """Every row of every table (file bytes and last-used stamps left out): a refused request
    must not change a single one."""
    with app.app_context():
        s = get_session()
        state = {}
        for table in metadata.sorted_tables:
            if table.name in IGNORED_TABLES:
                continue
            columns = [c for c in table.columns if c.name not in IGNORED_COLUMNS]
            state[table.name] = sorted(tuple(map(repr, row)) for row in s.execute(select(*columns)).all())
        return state


def _outcome(case: Case, response) -> object:
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login" in location and case.endpoint not in (
            "accounts.login", "accounts.logout"):
        return LOGIN
    if response.status_code < 400 or (case.method == "POST" and response.status_code == 400):
        return OK  # a POST without data may well be answered with the form and its errors
    return response.status_code


def _expected(case: Case, role: str) -> object:
    if role == "anonymous":
        return case.anonymous
    if role in case.exceptions:
        return case.exceptions[role]
    return OK if role in case.allowed else case.refused


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_every_role_as_the_table_says(demo, client, auth, ids, role):
    """One role per test, every route inside it: the demo is loaded once per role."""
    values, api_tokens = ids
    if role != "anonymous":
        assert auth.login(EMAILS[role]).status_code == 302
    headers = {"Authorization": f"Bearer {api_tokens[role]}"} if role != "anonymous" else {}
    mismatches, changed = [], []
    last = None  # the database right after the request before, when it was taken
    for case in ROUTES:
        path = case.path.format(**values)
        wanted = _expected(case, role)
        # A refused POST must change nothing: compared with the state before it, which is the state
        # after the request before when that was a refused POST too (nothing runs in between).
        before = (last or snapshot(demo)) if case.method == "POST" and wanted != OK else None
        last = None
        if case.endpoint.startswith("api."):
            response = client.open(path, method=case.method, json=case.json, headers=headers)
        else:
            response = client.open(path, method=case.method, data=case.data)
        # Read and close each response here, as a browser would: a streamed download otherwise ends
        # its request context in the middle of the next request.
        response.get_data()
        response.close()
        assert response.status_code < 500, f"{case.method} {path} as {role}: {response.status_code}"
        got = _outcome(case, response)
        if got != wanted:
            mismatches.append(f"{case.method} {case.path}: wanted {wanted}, got {got} ({response.status_code})")
        if case.endpoint.startswith("api.") and got == UNAUTHORISED:
            assert response.is_json, f"{path}: the API answers 401 in JSON"
        if before is not None:
            last = snapshot(demo)
            if last != before:
                changed.append(f"{case.method} {case.path}")
    assert mismatches == []
    assert changed == [], "refused requests that changed the database"

