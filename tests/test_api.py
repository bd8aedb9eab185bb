"""The JSON API: token authentication, permissions, withheld metadata, filters, pagination, errors."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from jco.accounts.models import ApiToken
from jco.accounts.services import find_by_email, set_active
from jco.api.auth import create_token, revoke_token
from jco.audit.models import AuditEntry
from jco.comments.models import Comment, CommentRound
from jco.documents.models import Document, Marking, StoredFile
from jco.operations.lifecycle import State
from jco.operations.models import Jco, Organisation, Result
from jco.operations.services import record_known_state
from tests.factories import make_account, make_document, make_jco
from tests.helpers import bearer

ADDENDUM_TITLE = "Revised final report of Athena IV — addendum 1"  # RESTREINT UE in the demo


@pytest.fixture
def token(demo, db):
    """``token("lv.delegate@example.org")`` → headers carrying a fresh token of that account."""

    return lambda email: bearer(db, email)


def _jco_id(db, name: str, edition: str = "") -> int:
    return db.scalar(select(Jco.id).where(Jco.name == name, Jco.edition == edition))


def _document_id(db, reference: str) -> int:
    return db.scalar(select(Document.id).where(Document.reference == reference))


def _assert_error(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.json["error"]["status"] == status
    assert response.json["error"]["message"]
    return response.json["error"]


READ_PATHS = ["/api/v1/jcos", "/api/v1/jcos/1", "/api/v1/documents", "/api/v1/documents/1",
              "/api/v1/documents/1/file", "/api/v1/meetings", "/api/v1/meetings/1", "/api/v1/participation",
              "/api/v1/deadlines"]


# --- authentication --------------------------------------------------------------------------

@pytest.mark.parametrize("path", READ_PATHS)
def test_every_resource_needs_a_token(client, path):
    error = _assert_error(client.get(path), 401)
    assert "Bearer" in error["message"]
    assert client.get(path).headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [
    "Bearer jco_not-a-real-token", "Bearer ", "Basic ZGU6amNvLWRlbW8=", "jco_token-without-scheme",
    "Bearer two words",
])
def test_a_bad_token_gets_401_invalid_token(client, header):
    response = client.get("/api/v1/jcos", headers={"Authorization": header})
    _assert_error(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_valid_token_reads_and_records_last_use(client, token, db):
    headers = token("de.delegate@example.org")
    response = client.get("/api/v1/jcos", headers=headers)
    assert response.status_code == 200
    row = db.scalar(select(ApiToken))
    db.refresh(row)
    assert row.last_used_at is not None
    # Only the digest is stored.
    secret = headers["Authorization"].split()[1]
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps([row.token_hash, row.name])


def test_a_revoked_token_stops_working(client, demo, db):
    account = find_by_email(db, "de.delegate@example.org")
    row, secret = create_token(db, account, "soon revoked")
    db.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/jcos", headers=headers).status_code == 200
    revoke_token(db, row, account)
    db.commit()
    assert "revoked" in _assert_error(client.get("/api/v1/jcos", headers=headers), 401)["message"]


def test_a_disabled_accounts_tokens_stop_working(client, demo, db):
    account = find_by_email(db, "pl.delegate@example.org")
    _row, secret = create_token(db, account, "script")
    db.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/jcos", headers=headers).status_code == 200
    set_active(db, account, False)
    db.commit()
    # Disabling the account revokes its tokens (issue 11): the token is refused, whatever it was for.
    message = _assert_error(client.get("/api/v1/jcos", headers=headers), 401)["message"]
    assert "revoked" in message or "disabled" in message


def test_the_session_cookie_is_not_accepted(client, auth, demo):
    auth.login("secretariat@example.org")
    assert client.get("/jcos").status_code == 200  # the pages see the session…
    _assert_error(client.get("/api/v1/jcos"), 401)  # …the API does not
    _assert_error(client.post("/api/v1/rounds/1/comments", json={"body": "x"}), 401)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_api_writes_need_no_csrf_token(client, token, db):
    headers = token("lv.delegate@example.org")
    athena = _jco_id(db, "Athena", "IV")
    response = client.post(f"/api/v1/jcos/{athena}/results", headers=headers,
                           json={"rows": [{"country": "LV", "commodity": "cigarettes", "quantity": 1, "unit": "pieces"}]})
    assert response.status_code == 201, response.get_data(as_text=True)
    # Routing errors stay routing errors (no CSRF 400 in their place).
    _assert_error(client.delete("/api/v1/jcos", headers=headers), 405)
    _assert_error(client.post("/api/v1/nowhere", headers=headers, json={}), 404)


# --- who may write ---------------------------------------------------------------------------

ROW = {"country": "LV", "commodity": "cigarettes", "quantity": 1200000, "unit": "pieces"}


@pytest.mark.parametrize(("email", "status"), [
    ("lv.delegate@example.org", 201),     # leads Athena IV
    ("secretariat@example.org", 201),
    ("de.delegate@example.org", 403),     # another delegation
    ("manager@example.org", 403),
    ("admin@example.org", 201),           # admins act as the Secretariat
])
def test_who_may_record_results(client, token, db, email, status):
    athena = _jco_id(db, "Athena", "IV")
    response = client.post(f"/api/v1/jcos/{athena}/results", headers=token(email), json={"rows": [ROW]})
    assert response.status_code == status, response.get_data(as_text=True)
    count = db.scalar(select(func.count()).select_from(Result).where(Result.jco_id == athena))
    assert count == (1 if status == 201 else 0)


@pytest.mark.parametrize(("email", "status"), [
    ("de.delegate@example.org", 201),
    ("fr.delegate@example.org", 200),  # France already commented in the demo: sending again changes it
    ("manager@example.org", 403), ("secretariat@example.org", 403),
])
def test_who_may_send_comments(client, token, db, email, status):
    round_id = db.scalar(select(CommentRound.id).order_by(CommentRound.deadline.desc()))
    account = find_by_email(db, email)
    version = db.scalar(select(Comment.version).where(Comment.round_id == round_id,
                                                      Comment.organisation_id == account.organisation_id)) or 0
    response = client.post(f"/api/v1/rounds/{round_id}/comments", headers=token(email),
                           json={"body": "Our delegation supports the business case.", "version": version})
    assert response.status_code == status, response.get_data(as_text=True)


def test_results_are_recorded_with_their_document(client, token, db):
    athena = _jco_id(db, "Athena", "IV")
    report = _document_id(db, "6512/1/15 REV 1")
    rows = [ROW, {"country": None, "commodity": "Counterfeit  goods", "quantity": 2.5, "unit": "t"}]
    response = client.post(f"/api/v1/jcos/{athena}/results", headers=token("lv.delegate@example.org"),
                           json={"rows": rows, "document_id": report})
    assert response.status_code == 201
    items = response.json["items"]
    assert [(i["country"], i["commodity"], i["quantity"], i["unit"], i["document_id"]) for i in items] == [
        ("LV", "cigarettes", 1200000, "pieces", report), (None, "counterfeit goods", 2.5, "t", report)]  # known name reused
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "jco.results")) == 1


def test_results_replace_earlier_rows_on_request(client, token, db):
    athena = _jco_id(db, "Athena", "IV")
    headers = token("lv.delegate@example.org")
    client.post(f"/api/v1/jcos/{athena}/results", headers=headers, json={"rows": [ROW, ROW]})
    response = client.post(f"/api/v1/jcos/{athena}/results", headers=headers, json={"rows": [ROW], "replace": True})
    assert response.status_code == 201
    assert db.scalar(select(func.count()).select_from(Result).where(Result.jco_id == athena)) == 1


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"rows": []}, 400, "rows"),
    ({"rows": [{**ROW, "quantity": -1}]}, 400, "rows[0].quantity"),
    ({"rows": [{**ROW, "quantity": "many"}]}, 400, "rows[0].quantity"),
    ({"rows": [{**ROW, "quantity": True}]}, 400, "rows[0].quantity"),
    ({"rows": [{**ROW, "commodity": "   "}]}, 400, "rows[0].commodity"),
    ({"rows": [{**ROW, "commodity": "a\u0000b"}]}, 400, "rows[0].commodity"),
    ({"rows": [{k: v for k, v in ROW.items() if k != "unit"}]}, 400, "rows[0].unit"),
    ({"rows": [{**ROW, "colour": "red"}]}, 400, "rows[0].colour"),
    ({"rows": [ROW], "extra": 1}, 400, "extra"),
    ({"rows": [{**ROW, "country": "QQ"}]}, 422, None),
    ({"rows": [ROW], "document_id": 2147483647}, 422, "document_id"),
])
def test_bad_result_rows_are_refused_with_field_messages(client, token, db, body, status, field):
    athena = _jco_id(db, "Athena", "IV")
    response = client.post(f"/api/v1/jcos/{athena}/results", headers=token("lv.delegate@example.org"), json=body)
    error = _assert_error(response, status)
    if field:
        assert field in error["fields"], error
    assert db.scalar(select(func.count()).select_from(Result)) == 0


def test_results_of_a_jco_that_has_not_run_are_refused(client, token, db):
    postbox = _jco_id(db, "Postbox")  # written comments on the business case
    response = client.post(f"/api/v1/jcos/{postbox}/results", headers=token("de.delegate@example.org"),
                           json={"rows": [ROW]})
    assert "once the operation has run" in _assert_error(response, 422)["message"]


def test_results_of_a_closed_jco_are_refused(client, token, db):
    jco = make_jco(db, lead="LV")
    record_known_state(db, jco, State.CLOSED, None, note="Closed for the test.")
    db.commit()
    response = client.post(f"/api/v1/jcos/{jco.id}/results", headers=token("lv.delegate@example.org"),
                           json={"rows": [ROW]})
    _assert_error(response, 403)


# --- comments --------------------------------------------------------------------------------

def _open_round(db) -> int:
    return db.scalar(select(CommentRound.id).order_by(CommentRound.deadline.desc()))


def test_a_delegation_sends_then_changes_its_comment(client, token, db):
    headers = token("de.delegate@example.org")
    round_id = _open_round(db)
    first = client.post(f"/api/v1/rounds/{round_id}/comments", headers=headers,
                        json={"body": "First thoughts.", "version": 0})
    assert first.status_code == 201
    assert first.json["organisation"]["code"] == "DE" and first.json["late"] is False
    changed = client.post(f"/api/v1/rounds/{round_id}/comments", headers=headers,
                          json={"body": "Second thoughts.", "version": first.json["version"]})
    assert changed.status_code == 200 and changed.json["body"] == "Second thoughts."
    assert changed.json["id"] == first.json["id"]
    stale = client.post(f"/api/v1/rounds/{round_id}/comments", headers=headers,
                        json={"body": "Third thoughts.", "version": first.json["version"]})
    assert "changed by someone else" in _assert_error(stale, 409)["message"]
    assert db.scalar(select(Comment.body).where(Comment.id == first.json["id"])) == "Second thoughts."


def test_version_0_means_no_comment_was_seen(client, token, db):
    round_id = _open_round(db)
    response = client.post(f"/api/v1/rounds/{round_id}/comments", headers=token("de.delegate@example.org"),
                           json={"body": "Nothing here yet, we thought.", "version": 0})
    assert response.status_code == 201
    # France's comment is in the demo: a client that saw none must not overwrite it.
    stale = client.post(f"/api/v1/rounds/{round_id}/comments", headers=token("fr.delegate@example.org"),
                        json={"body": "Overwritten?", "version": 0})
    _assert_error(stale, 409)
    assert "Overwritten?" not in db.scalars(select(Comment.body)).all()


def test_a_comment_sent_without_its_version_overwrites_nothing(client, token, db):
    round_id = _open_round(db)
    before = db.scalar(select(Comment.body).join(Comment.organisation).where(
        Comment.round_id == round_id, Organisation.code == "FR"))
    response = client.post(f"/api/v1/rounds/{round_id}/comments", headers=token("fr.delegate@example.org"),
                           json={"body": "Overwritten?"})
    assert "version" in _assert_error(response, 422)["fields"]
    db.expire_all()
    assert db.scalar(select(Comment.body).join(Comment.organisation).where(
        Comment.round_id == round_id, Organisation.code == "FR")) == before


def test_a_sent_comment_cannot_change_after_the_deadline(client, token, db):
    postbox_round = db.scalar(select(CommentRound.id).order_by(CommentRound.deadline))  # 3 November 2015
    headers = token("fr.delegate@example.org")
    first = client.post(f"/api/v1/rounds/{postbox_round}/comments", headers=headers,
                        json={"body": "Late.", "version": 0})
    assert first.status_code == 201
    again = client.post(f"/api/v1/rounds/{postbox_round}/comments", headers=headers,
                        json={"body": "Later.", "version": first.json["version"]})
    assert "can no longer be changed" in _assert_error(again, 422)["message"]


def test_a_comment_after_the_deadline_is_marked_late(client, token, db):
    postbox_round = db.scalar(select(CommentRound.id).order_by(CommentRound.deadline))  # 3 November 2015
    response = client.post(f"/api/v1/rounds/{postbox_round}/comments", headers=token("fr.delegate@example.org"),
                           json={"body": "Sorry for the delay.", "version": 0})
    assert response.status_code == 201 and response.json["late"] is True


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"version": 0}, "body", 400), ({"body": "", "version": 0}, "body", 400),
    ({"body": 12, "version": 0}, "body", 400), ({"body": "x" * 20001, "version": 0}, "body", 400),
    ({"body": "ok", "version": 0, "to": "x"}, "to", 400),
    ({"body": " \n ", "version": 0}, "body", 422), ({"body": "a\u0000b", "version": 0}, "body", 422),
    # The version is required: without it, or unreadable, nothing is written (never a 500).
    ({"body": "ok"}, "version", 422), ({"body": "ok", "version": None}, "version", 422),
    ({"body": "ok", "version": "1"}, "version", 422), ({"body": "ok", "version": 1.5}, "version", 422),
    ({"body": "ok", "version": True}, "version", 422), ({"body": "ok", "version": -1}, "version", 422),
    ({"body": "ok", "version": 2**31}, "version", 422), ({"body": "ok", "version": [1]}, "version", 422),
])
def test_bad_comments_are_refused(client, token, db, body, field, status):
    response = client.post(f"/api/v1/rounds/{_open_round(db)}/comments", headers=token("de.delegate@example.org"),
                           json=body)
    assert field in _assert_error(response, status)["fields"]
    assert db.scalar(select(Comment).join(Comment.organisation).where(Organisation.code == "DE")) is None


@pytest.mark.parametrize(("data", "content_type", "status"), [
    ("", "application/json", 400),
    ("{not json", "application/json", 400),
    ("[1, 2]", "application/json", 400),
    ('{"body": NaN}', "application/json", 400),
    ("[" * 100000 + "]" * 100000, "application/json", 400),
    ("body=hello", "application/x-www-form-urlencoded", 415),
    ('{"body": "hello"}', "text/plain", 415),
])
def test_malformed_bodies_get_json_errors(client, token, db, data, content_type, status):
    response = client.post(f"/api/v1/rounds/{_open_round(db)}/comments", headers=token("de.delegate@example.org"),
                           data=data, content_type=content_type)
    _assert_error(response, status)


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1024}])
def test_a_body_too_large_gets_413(client, token, db):
    response = client.post(f"/api/v1/rounds/{_open_round(db)}/comments", headers=token("de.delegate@example.org"),
                           json={"body": "x" * 5000})
    _assert_error(response, 413)


def test_unknown_round_and_jco_give_404(client, token):
    headers = token("de.delegate@example.org")
    _assert_error(client.post("/api/v1/rounds/99999/comments", headers=headers, json={"body": "x"}), 404)
    _assert_error(client.post("/api/v1/jcos/99999/results", headers=headers, json={"rows": [ROW]}), 404)
    _assert_error(client.post("/api/v1/rounds/99999999999999999999/comments", headers=headers, json={"body": "x"}), 404)


# --- classified metadata ---------------------------------------------------------------------

def test_classified_titles_never_reach_an_uncleared_token(client, token, db):
    addendum = _document_id(db, "6512/1/15 ADD 1 REV 1")
    athena = _jco_id(db, "Athena", "IV")
    meetings = [m["id"] for m in client.get("/api/v1/meetings", headers=token("secretariat@example.org")).json["items"]]
    uncleared = token("de.delegate@example.org")
    paths = ["/api/v1/documents?per_page=200", f"/api/v1/documents/{addendum}", f"/api/v1/jcos/{athena}",
             "/api/v1/documents?reference=6512/1/15 ADD 1 REV 1", *[f"/api/v1/meetings/{m}" for m in meetings]]
    for path in paths:
        response = client.get(path, headers=uncleared)
        assert response.status_code == 200
        assert ADDENDUM_TITLE not in response.get_data(as_text=True), path
    detail = client.get(f"/api/v1/documents/{addendum}", headers=uncleared).json
    assert detail["title"] is None and detail["details_withheld"] is True
    assert detail["marking"] == "RESTREINT UE" and detail["reference"] == "6512/1/15 ADD 1 REV 1"
    assert detail["from"] is None and detail["to"] is None and detail["subject_codes"] == []


def test_a_cleared_token_sees_the_classified_title(client, token, db):
    addendum = _document_id(db, "6512/1/15 ADD 1 REV 1")
    detail = client.get(f"/api/v1/documents/{addendum}", headers=token("lv.delegate@example.org")).json
    assert detail["title"] == ADDENDUM_TITLE and detail["details_withheld"] is False
    assert detail["from"] == "Latvian delegation"


def _attach_file(db, document: Document, content: bytes = b"%PDF-1.4 report") -> None:
    stored = StoredFile(sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                        media_type="application/pdf", filename="report.pdf", content=content)
    db.add(stored)
    db.flush()
    document.file_id = stored.id
    db.add(document)
    db.commit()


@pytest.mark.parametrize(("email", "status"), [
    ("lv.delegate@example.org", 200), ("secretariat@example.org", 200),
    ("de.delegate@example.org", 403), ("manager@example.org", 403),
])
def test_file_download_follows_the_clearance(client, token, db, email, status):
    document = make_document(db, marking=Marking.RESTREINT_UE, title="Secret plans")
    _attach_file(db, document)
    response = client.get(f"/api/v1/documents/{document.id}/file", headers=token(email))
    if status == 200:
        assert response.status_code == 200 and response.data == b"%PDF-1.4 report"
        assert response.mimetype == "application/pdf"
        assert "report.pdf" in response.headers["Content-Disposition"]
    else:
        _assert_error(response, 403)
        assert b"PDF" not in response.data


def test_file_download_of_a_document_without_file_is_404(client, token, db):
    document = make_document(db)
    db.commit()
    headers = token("de.delegate@example.org")
    assert "No file" in _assert_error(client.get(f"/api/v1/documents/{document.id}/file", headers=headers), 404)["message"]
    summary = client.get(f"/api/v1/documents/{document.id}", headers=headers).json
    assert summary["has_file"] is False and summary["file_url"] is None and summary["file"] is None


def test_public_document_file_metadata_is_listed(client, token, db):
    document = make_document(db, title="A public note")
    _attach_file(db, document)
    detail = client.get(f"/api/v1/documents/{document.id}", headers=token("de.delegate@example.org")).json
    assert detail["file"]["filename"] == "report.pdf" and detail["file_url"].endswith("/file")


# --- reading ---------------------------------------------------------------------------------

def test_jco_detail_has_participants_state_history_and_rounds(client, token, db):
    baltica = _jco_id(db, "Baltica")
    body = client.get(f"/api/v1/jcos/{baltica}", headers=token("de.delegate@example.org")).json
    assert body["title"] == "Baltica" and body["state"] == "debriefing"
    roles = [(p["organisation"]["code"], p["role"]) for p in body["participants"]]
    assert roles[0] == ("PL", "lead") and roles[1] == ("OLAF", "co_lead") and ("EUROPOL", "participant") in roles
    assert body["history"][-1]["to_state"] == "debriefing"
    assert body["history"][-1]["on"] == "2015-09-17"
    postbox = client.get(f"/api/v1/jcos/{_jco_id(db, 'Postbox')}", headers=token("de.delegate@example.org")).json
    assert postbox["comment_rounds"][0]["deadline"] == "2015-11-03"
    assert postbox["comment_rounds"][0]["document"]["reference"] == "12712/15"
    assert postbox["action"] == {"code": "7.3", "title": "Customs against Internet Crime (C@IC)"}


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["title"] for item in response.json["items"]]


def test_jco_filters_work_like_the_register(client, token, db):
    headers = token("de.delegate@example.org")
    assert "Postbox" in _titles(client.get("/api/v1/jcos?state=comments", headers=headers))
    assert "Baltica" not in _titles(client.get("/api/v1/jcos?state=comments", headers=headers))
    assert _titles(client.get("/api/v1/jcos?lead=pl&q=balt", headers=headers)) == ["Baltica"]
    goods = db.scalar(select(Jco).where(Jco.name == "Baltica")).commodities[0].id
    assert _titles(client.get(f"/api/v1/jcos?goods={goods}", headers=headers)) == ["Baltica"]
    assert set(_titles(client.get("/api/v1/jcos?kind=third_countries", headers=headers))) == {"DEMO Kestrel"}
    assert _titles(client.get("/api/v1/jcos?year=1999", headers=headers)) == []


def test_jco_list_filters_by_framework_and_says_each_one(client, token, db):
    baltica = db.scalar(select(Jco).where(Jco.name == "Baltica"))
    baltica.framework = "WCO_OP"  # as if it were a related operation
    db.commit()
    headers = token("de.delegate@example.org")
    assert "Baltica" not in _titles(client.get("/api/v1/jcos?per_page=100", headers=headers))
    related = client.get("/api/v1/jcos?framework=related", headers=headers).json["items"]
    assert [(i["title"], i["framework"]) for i in related] == [("Baltica", "WCO_OP")]
    assert "Baltica" in _titles(client.get("/api/v1/jcos?framework=all&per_page=100", headers=headers))
    assert _titles(client.get("/api/v1/jcos?framework=WCO_OP", headers=headers)) == ["Baltica"]
    response = client.get("/api/v1/jcos?framework=PIRATE_OP", headers=headers)
    assert response.status_code == 400 and "framework" in response.get_data(as_text=True)  # as for any bad filter
    assert client.get("/api/v1/jcos?q=%25", headers=headers).json["items"] == []  # "%" is a plain character


def test_jco_list_paginates(client, token, db):
    headers = token("de.delegate@example.org")
    total = db.scalar(select(func.count()).select_from(Jco))
    first = client.get("/api/v1/jcos?sort=name&per_page=2", headers=headers).json
    assert first["total"] == total and first["pages"] == (total + 1) // 2 and first["per_page"] == 2
    assert [i["title"] for i in first["items"]] == ["Athena IV", "Baltica"]
    assert first["links"]["prev"] is None
    second = client.get(first["links"]["next"], headers=headers).json
    assert second["page"] == 2 and second["items"][0]["title"] not in ("Athena IV", "Baltica")
    seen, link = [], "/api/v1/jcos?sort=name&per_page=2"
    while link:
        page = client.get(link, headers=headers).json
        seen += [i["id"] for i in page["items"]]
        link = page["links"]["next"]
    assert len(seen) == len(set(seen)) == total
    beyond = client.get("/api/v1/jcos?per_page=2&page=500", headers=headers).json
    assert beyond["items"] == [] and beyond["links"]["next"] is None
    assert client.get("/api/v1/jcos?per_page=200", headers=headers).status_code == 200


@pytest.mark.parametrize(("query", "field"), [
    ("per_page=201", "per_page"), ("per_page=0", "per_page"), ("page=0", "page"), ("page=abc", "page"),
    ("state=nonsense", "state"), ("sort=evil", "sort"), ("kind=x", "kind"), ("year=20x5", "year"),
    ("goods=-1", "goods"), ("goods=99999999999999999999999", "goods"), ("lead=%00", "lead"), ("q=a%00b", "q"),
    ("colour=red", "colour"), ("page=1&page=2", "page"), ("year=", "year"),
])
def test_bad_filters_get_400_with_the_field(client, token, query, field):
    response = client.get(f"/api/v1/jcos?{query}", headers=token("de.delegate@example.org"))
    assert field in _assert_error(response, 400)["fields"]


def test_documents_filter_by_jco_reference_and_type(client, token, db):
    headers = token("lv.delegate@example.org")
    athena = _jco_id(db, "Athena", "IV")
    refs = [d["reference"] for d in client.get(f"/api/v1/documents?jco={athena}", headers=headers).json["items"]]
    assert refs == ["6512/15", "6512/1/15 REV 1", "6512/1/15 ADD 1 REV 1"]
    refs = [d["reference"] for d in client.get("/api/v1/documents?reference=12712/15", headers=headers).json["items"]]
    assert refs == ["12712/15"]
    refs = [d["reference"] for d in client.get("/api/v1/documents?doc_type=agenda", headers=headers).json["items"]]
    assert refs == ["CM 4063/15"]


@pytest.mark.parametrize(("reference", "found"), [
    ("6512/15", ["6512/15"]),                            # the document, not its revision or addendum
    ("6512/1/15 rev 1", ["6512/1/15 REV 1"]),            # that version, in any case and spacing
    (" 6512 / 1 / 15  ADD 1  REV 1 ", ["6512/1/15 ADD 1 REV 1"]),
    ("cm4063/15", ["CM 4063/15"]),
    ("6512/2/15 REV 2", []),                             # readable, but no such document: an empty list
    ("9999/15", []),
])
def test_documents_by_reference_find_exactly_that_reference(client, token, reference, found):
    response = client.get("/api/v1/documents", query_string={"reference": reference},
                          headers=token("lv.delegate@example.org"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [d["reference"] for d in response.json["items"]] == found


@pytest.mark.parametrize("reference", ["12712", "%", "6512/1/15 REV 1 + ADD 1 REV 1", "6512/1/15 REV 2", "abc/15"])
def test_an_unreadable_reference_gets_422_naming_the_field(client, token, reference):
    response = client.get("/api/v1/documents", query_string={"reference": reference},
                          headers=token("de.delegate@example.org"))
    assert _assert_error(response, 422)["fields"]["reference"]


def test_documents_of_a_family_come_in_the_references_order(client, token, db):
    jco = make_jco(db, lead="LV")
    for reference in ("7000/25", "7000/25 COR 1", "7000/25 ADD 1", "7000/1/25 REV 1", "7000/25 ADD 2"):
        make_document(db, reference, jco=jco)
    db.commit()
    response = client.get(f"/api/v1/documents?jco={jco.id}", headers=token("lv.delegate@example.org"))
    # The document and its revisions, then its addenda, then its corrigenda, as references.sort_key.
    assert [d["reference"] for d in response.json["items"]] == [
        "7000/25", "7000/1/25 REV 1", "7000/25 ADD 1", "7000/25 ADD 2", "7000/25 COR 1"]


def test_documents_are_listed_in_the_one_document_order(client, token, db):
    """Newest families first; inside a family the same order as the pages and exports: the
    document and its revisions, then its addenda, then its corrigenda."""
    jco = make_jco(db, "Ordered", lead="LV")
    for reference in ("9100/25 COR 1", "9100/25 ADD 1", "9100/1/25 REV 1", "9100/25", "9000/25", "9100/1/25 ADD 1 REV 1"):
        make_document(db, reference, jco=jco)
    db.commit()
    items = client.get(f"/api/v1/documents?jco={jco.id}", headers=token("lv.delegate@example.org")).json["items"]
    assert [d["reference"] for d in items] == [
        "9100/25", "9100/1/25 REV 1", "9100/25 ADD 1", "9100/1/25 ADD 1 REV 1", "9100/25 COR 1", "9000/25"]


def test_meetings_with_agenda_items(client, token, db):
    headers = token("de.delegate@example.org")
    meetings = client.get("/api/v1/meetings?from=2015-10-01&until=2015-10-31", headers=headers).json["items"]
    assert [(m["start_date"], m["notice_reference"], m["start_time"]) for m in meetings] == [
        ("2015-10-20", "CM 4063/15", "10:00")]
    detail = client.get(f"/api/v1/meetings/{meetings[0]['id']}", headers=headers).json
    assert [i["position"] for i in detail["items"]] == [1, 2, 3, 4, 5, 6]
    postbox_item = detail["items"][2]
    assert postbox_item["jco"]["title"] == "Postbox" and postbox_item["outcome"] == "presented"
    assert postbox_item["documents"][0]["reference"] == "12712/15"
    mac = client.get("/api/v1/meetings?body=mac", headers=headers).json["items"]
    assert [m["start_date"] for m in mac] == ["2015-06-03"]
    _assert_error(client.get("/api/v1/meetings?from=2015-13-01", headers=headers), 400)


def test_participation_counts_jcos_by_role(client, token, db):
    headers = token("manager@example.org")
    body = client.get("/api/v1/participation", headers=headers).json
    by_code = {e["organisation"]["code"]: e for e in body["items"]}
    assert body["jcos"] == db.scalar(select(func.count()).select_from(Jco))
    # PL leads Baltica and DEMO Harbour; LV leads Athena IV and DEMO Kestrel and takes part in two more.
    assert by_code["PL"]["lead"] == 2
    assert by_code["LV"]["lead"] == 2 and by_code["LV"]["participant"] == 2 and by_code["LV"]["total"] == 4
    assert by_code["OLAF"]["co_lead"] == 1 and by_code["OLAF"]["observer"] == 1
    only_2015 = client.get("/api/v1/participation?lead=PL&q=baltica", headers=headers).json
    assert only_2015["jcos"] == 1
    assert {e["organisation"]["code"] for e in only_2015["items"]} == {"PL", "OLAF", "FI", "EE", "LV", "LT", "SE",
                                                                        "EUROPOL"}


def test_deadlines_come_from_the_deadlines_service(client, token, db):
    headers = token("de.delegate@example.org")
    upcoming = client.get("/api/v1/deadlines", headers=headers).json["items"]
    # A delegate sees what its delegation owes, with its own status.
    assert upcoming and all(any(o["name"] == "Germany" for o in d["owners"]) for d in upcoming)
    rounds = [d for d in upcoming if d["kind"] == "comments"]
    assert [d["jco"]["title"] for d in rounds] == ["DEMO Lighthouse"]
    assert rounds[0]["status"] == "open" and rounds[0]["overdue"] is False and rounds[0]["met_on"] is None
    client.post(f"/api/v1/rounds/{rounds[0]['round_id']}/comments", headers=headers,
                json={"body": "Fine.", "version": 0})
    again = client.get("/api/v1/deadlines", headers=headers).json["items"]
    assert next(d for d in again if d["key"] == rounds[0]["key"])["status"] == "met"
    # The Secretariat and managers see every deadline, with its overall status.
    everything = client.get("/api/v1/deadlines?from=2000-01-01", headers=token("manager@example.org")).json["items"]
    assert {d["key"] for d in again} < {d["key"] for d in everything}
    assert {d["kind"] for d in everything} >= {"comments", "report"}
    assert [d["due"] for d in everything] == sorted(d["due"] for d in everything)


def test_deadlines_between_two_days(client, token, db):
    headers = token("manager@example.org")
    body = client.get("/api/v1/deadlines?from=2015-01-01&until=2015-12-31", headers=headers).json
    assert body["from"] == "2015-01-01" and body["until"] == "2015-12-31"
    assert body["items"] and all("2015-01-01" <= d["due"] <= "2015-12-31" for d in body["items"])
    assert all(d["status"] in ("met", "overdue") for d in body["items"])  # all in the past


# --- errors ----------------------------------------------------------------------------------

def test_unknown_addresses_and_methods_answer_in_json(client, token):
    headers = token("de.delegate@example.org")
    _assert_error(client.get("/api/v1/nothing-here", headers=headers), 404)
    _assert_error(client.get("/api/v1/jcos/99999", headers=headers), 404)
    _assert_error(client.get("/api/v1/jcos/99999999999999999999", headers=headers), 404)
    _assert_error(client.get("/api/v1/documents/0", headers=headers), 404)
    response = client.delete("/api/v1/jcos", headers=headers)
    _assert_error(response, 405)
    assert "GET" in response.headers["Allow"]
    response = client.get("/api/v1/rounds/1/comments", headers=headers)
    _assert_error(response, 405)
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "JCO_API_RATE_LIMIT": "3 per minute"}])
def test_too_many_requests_get_429(client, token):
    headers = token("de.delegate@example.org")
    statuses = [client.get("/api/v1/jcos", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    _assert_error(client.get("/api/v1/jcos", headers=headers), 429)
    # Another token has its own allowance.
    assert client.get("/api/v1/jcos", headers=token("fr.delegate@example.org")).status_code == 200


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "JCO_API_RATE_LIMIT": "3 per minute"}])
def test_the_rate_limit_counts_the_token_however_the_header_is_spelled(client, token):
    secret = token("de.delegate@example.org")["Authorization"].split()[1]
    spellings = [f"Bearer {secret}", f"Bearer   {secret}", f"  Bearer {secret}  ", f"bearer {secret}",
                 f"BEARER\u0020{secret} "]
    statuses = [client.get("/api/v1/jcos", headers={"Authorization": header}).status_code for header in spellings]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "JCO_API_RATE_LIMIT": "3 per minute"}])
def test_headers_without_a_token_share_the_addresss_allowance(client):
    # Made-up headers are 401 anyway; varying them must not buy fresh allowances either.
    statuses = [client.get("/api/v1/jcos", headers={"Authorization": header}).status_code
                for header in ("Basic a", "Basic b", "Bearer two words", "Bearer ", "Token x")]
    assert statuses == [401, 401, 401, 429, 429]


def test_a_new_delegate_without_demo_data_reads_an_empty_register(client, app, db):
    account = make_account(db, org_code="EE")
    _row, secret = create_token(db, account, "empty")
    db.commit()
    body = client.get("/api/v1/jcos", headers={"Authorization": f"Bearer {secret}"}).json
    assert body == {"items": [], "page": 1, "per_page": 50, "total": 0, "pages": 1,
                    "links": {"next": None, "prev": None}}


def test_queries_per_list_are_fixed_in_number(client, token, db, app):
    """Listing 5 or 25 JCOs costs the same number of queries (no N+1)."""
    from sqlalchemy import event

    headers = token("de.delegate@example.org")
    engine = app.extensions["jco_engine"]
    client.get("/api/v1/jcos", headers=headers)  # the token's first use is written once
    counts = []
    for extra in (0, 20):
        for _ in range(extra):
            make_jco(db, lead="FR", participants={"DE": "participant"}, commodities=["cash"],
                     planned_start=date.today() - timedelta(days=1))
        db.commit()
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args, _seen=statements):
            _seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/api/v1/jcos?per_page=200", headers=headers).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1]


# --- language of the messages (issue 16) ------------------------------------------------------

def test_error_messages_follow_the_request_language_and_field_names_do_not(client, token, db):
    headers = token("de.delegate@example.org")
    french = _assert_error(client.get("/api/v1/jcos?page=0", headers={**headers, "Accept-Language": "fr"}), 400)
    assert french["message"] == "Certains paramètres de la requête ne sont pas valides : voir les champs."
    assert french["fields"] == {"page": "Doit être au moins 1."}
    also = _assert_error(client.get("/api/v1/jcos?lang=fr&per_page=0", headers=headers), 400)
    assert also["fields"] == {"per_page": "Doit être au moins 1."}  # lang chooses the language; not a filter
    assert client.get("/api/v1/jcos?lang=fr", headers=headers).status_code == 200
    missing = _assert_error(client.get("/api/v1/jcos/999999?lang=fr", headers=headers), 404)
    assert missing["message"] == "Il n'existe aucune ODC ayant l'identifiant 999999."
    unauthenticated = _assert_error(client.get("/api/v1/jcos", headers={"Accept-Language": "fr-BE,fr;q=0.9"}), 401)
    assert unauthenticated["message"].startswith("Cette API exige un jeton d'API personnel")
    english = _assert_error(client.get("/api/v1/jcos?page=0", headers=headers), 400)
    assert english["fields"] == {"page": "Must be at least 1."}
