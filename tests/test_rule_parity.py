"""One rule, two doors: every write the API offers (results, comments) refuses the same cases
through the page and through /api/v1, and a refused request changes nothing.

Each case runs the page request and the API request against the same data and compares the
database before and after. Then attacker tests for the rules of the results service.
"""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from jco.accounts.services import find_by_email
from jco.audit.models import AuditEntry
from jco.comments import services as comment_services
from jco.comments.models import Comment, CommentRound
from jco.core.timeutil import today
from jco.documents.models import Document
from jco.operations import results
from jco.operations.forms import MAX_TYPED_ROWS
from jco.operations.lifecycle import State
from jco.operations.models import Commodity, Jco, Result
from jco.operations.services import MAX_PARTICIPANTS, record_known_state
from jco.permissions import Refused
from tests.factories import make_result
from tests.helpers import bearer

ADDENDUM = "6512/1/15 ADD 1 REV 1"  # Athena IV's final report addendum, RESTREINT UE in the demo
REPORT = "6512/1/15 REV 1"  # LIMITE


@pytest.fixture
def token(demo, db):
    """``token("lv.delegate@example.org")`` → headers carrying a fresh token of that account."""
    return lambda email: bearer(db, email, "parity")


def _id(db, model, **where) -> int:
    query = select(model.id)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.scalar(query)


def _state(db) -> tuple:
    """What a refused write must leave as it was: results, comments and the audit log."""
    db.expire_all()
    return (
        db.scalars(select(Result.id).order_by(Result.id)).all(),
        db.execute(select(Comment.id, Comment.body, Comment.version).order_by(Comment.id)).all(),
        db.scalar(select(func.count()).select_from(AuditEntry)),
    )


def _page_rows(rows, **extra) -> dict:
    data = {"entry-submit": "Add these results", **extra}
    for i, (country, commodity, quantity, unit) in enumerate(rows):
        data.update({f"entry-rows-{i}-country": country, f"entry-rows-{i}-commodity": commodity,
                     f"entry-rows-{i}-quantity": quantity, f"entry-rows-{i}-unit": unit})
    return data


def _refused_page(response) -> bool:
    """A page refuses with a 4xx, or shows the form again (200) with its errors."""
    return response.status_code in (400, 403, 404, 409, 413, 422) or (
        response.status_code == 200 and 'class="error-summary"' in response.get_data(as_text=True))


ROW = ("LV", "cigarettes", "1200", "pieces")
API_ROW = {"country": "LV", "commodity": "cigarettes", "quantity": 1200, "unit": "pieces"}


# --- results: who, when, which document --------------------------------------------------------

def _athena(db) -> int:
    return _id(db, Jco, name="Athena", edition="IV")


RESULT_CASES = {
    # name: (account, jco, page data extras, api body extras, api status)
    "another delegation": ("de.delegate@example.org", "athena", {}, {}, 403),
    "a manager": ("manager@example.org", "athena", {}, {}, 403),
    "a document above what the system may hold": ("lv.delegate@example.org", "athena",
                                                  {"entry-document_id": "{addendum}"}, {"document_id": "{addendum}"},
                                                  422),
    "a document of another operation": ("secretariat@example.org", "kestrel",
                                        {"entry-document_id": "{report}"}, {"document_id": "{report}"}, 422),
    "an operation that has not run": ("de.delegate@example.org", "postbox", {}, {}, 422),
}


@pytest.mark.parametrize("case", RESULT_CASES)
def test_results_refused_alike_by_page_and_api(client, auth, token, db, case):
    email, which, page_extra, api_extra, api_status = RESULT_CASES[case]
    ids = {"athena": _athena(db), "kestrel": _id(db, Jco, name="DEMO Kestrel"), "postbox": _id(db, Jco, name="Postbox"),
           "addendum": _id(db, Document, reference=ADDENDUM), "report": _id(db, Document, reference=REPORT)}
    jco = ids[which]
    before = _state(db)
    auth.login(email)
    page = client.post(f"/jcos/{jco}/results",
                       data=_page_rows([ROW], **{k: v.format(**ids) for k, v in page_extra.items()}))
    assert _refused_page(page), page.status_code
    assert _state(db) == before
    api_body = {"rows": [API_ROW], **{k: int(v.format(**ids)) for k, v in api_extra.items()}}
    api = client.post(f"/api/v1/jcos/{jco}/results", headers=token(email), json=api_body)
    assert api.status_code == api_status, api.get_data(as_text=True)
    assert _state(db)[:2] == before[:2]


def test_a_closed_operation_takes_results_only_from_the_secretariat(client, auth, token, db):
    jco = db.get(Jco, _athena(db))
    record_known_state(db, jco, State.CLOSED, None, note="Closed for the test.")
    db.commit()
    before = _state(db)
    auth.login("lv.delegate@example.org")
    assert client.post(f"/jcos/{jco.id}/results", data=_page_rows([ROW])).status_code == 403
    api = client.post(f"/api/v1/jcos/{jco.id}/results", headers=token("lv.delegate@example.org"),
                      json={"rows": [API_ROW]})
    assert api.status_code == 403 and "only the Secretariat may still correct" in api.json["error"]["message"]
    assert _state(db)[:2] == before[:2]


# --- results: replace never deletes rows the caller cannot see ----------------------------------

@pytest.fixture
def withheld_row(db, demo):
    """A result row from the RESTREINT UE addendum, as an import may have left it."""
    athena = db.get(Jco, _athena(db))
    addendum = db.scalar(select(Document).where(Document.reference == ADDENDUM))
    row = make_result(db, athena, "heroin", 17.25, "kg", country="LV", document=addendum)
    make_result(db, athena, "khat", 3.0, "kg", country="LV")
    db.commit()
    return row.id


def test_replace_is_refused_while_rows_withheld_from_the_caller_exist(client, auth, token, db, withheld_row):
    athena = _athena(db)
    before = _state(db)
    # The admin acts as the Secretariat but holds no clearance: it cannot see the heroin row.
    auth.login("admin@example.org")
    page = client.post(f"/jcos/{athena}/results", data=_page_rows([ROW], **{"entry-replace": "y"}))
    assert page.status_code == 200
    assert "not cleared for, so it cannot replace the results" in page.get_data(as_text=True)
    assert _state(db) == before
    api = client.post(f"/api/v1/jcos/{athena}/results", headers=token("admin@example.org"),
                      json={"rows": [API_ROW], "replace": True})
    assert api.status_code == 403 and "cannot replace the results" in api.json["error"]["message"]
    assert api.json["error"]["fields"] == {"replace": api.json["error"]["message"]}
    assert _state(db)[:2] == before[:2]
    assert db.get(Result, withheld_row) is not None


def test_a_cleared_caller_may_replace_every_row(client, token, db, withheld_row):
    athena = _athena(db)
    response = client.post(f"/api/v1/jcos/{athena}/results", headers=token("lv.delegate@example.org"),
                           json={"rows": [API_ROW], "replace": True})
    assert response.status_code == 201
    db.expire_all()
    # SQLite may give the new row a deleted row's id: compare what the rows are, not their ids.
    assert db.execute(select(Result.unit, Result.document_id).where(Result.jco_id == athena)).all() == [
        ("pieces", None)]


def test_adding_without_replace_keeps_withheld_rows(client, token, db, withheld_row):
    response = client.post(f"/api/v1/jcos/{_athena(db)}/results", headers=token("admin@example.org"),
                           json={"rows": [API_ROW]})
    assert response.status_code == 201
    assert db.get(Result, withheld_row) is not None


# --- results: the document rule, for an account that may record but is not cleared --------------

@pytest.mark.parametrize("app_config", [{"JCO_MAX_STORED_MARKING": "RESTREINT UE"}])
def test_an_uncleared_account_cannot_cite_a_classified_report(client, auth, token, db, app_config):
    athena, addendum = _athena(db), _id(db, Document, reference=ADDENDUM)
    before = _state(db)
    auth.login("admin@example.org")
    page = client.get(f"/jcos/{athena}/results").get_data(as_text=True)
    assert "ADD 1 REV 1" not in page  # not offered
    posted = client.post(f"/jcos/{athena}/results", data=_page_rows([ROW], **{"entry-document_id": str(addendum)}))
    assert _refused_page(posted)
    api = client.post(f"/api/v1/jcos/{athena}/results", headers=token("admin@example.org"),
                      json={"rows": [API_ROW], "document_id": addendum})
    assert api.status_code == 403 and "not cleared" in api.json["error"]["message"]
    assert _state(db)[:2] == before[:2]
    # The cleared lead may: the deployment holds RESTREINT UE here.
    ok = client.post(f"/api/v1/jcos/{athena}/results", headers=token("lv.delegate@example.org"),
                     json={"rows": [API_ROW], "document_id": addendum})
    assert ok.status_code == 201, ok.get_data(as_text=True)


def test_the_service_itself_refuses_what_the_page_does_not_offer(db, demo):
    """Whoever calls it (a page, the API, a script): the rule is in the service."""
    athena = db.get(Jco, _athena(db))
    addendum = db.scalar(select(Document).where(Document.reference == ADDENDUM))
    de = find_by_email(db, "de.delegate@example.org")
    admin = find_by_email(db, "admin@example.org")
    rows = [results.ResultRow("LV", "cash", 1.0, "EUR")]
    with pytest.raises(Refused, match="Only the lead delegation"):
        results.add_results(db, athena, rows, de)
    with pytest.raises(Refused, match="above what this system may hold") as error:
        results.add_results(db, athena, rows, None, document=addendum)
    assert error.value.status == 422 and error.value.field == "document_id"
    with pytest.raises(Refused, match="more than the"):
        results.add_results(db, athena, rows * (results.MAX_ROWS + 1), admin)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Result)) == 0


# --- row caps --------------------------------------------------------------------------------

def test_too_many_typed_result_rows_are_refused_with_a_message(client, auth, db, demo):
    athena = _athena(db)
    before = _state(db)
    auth.login("lv.delegate@example.org")
    response = client.post(f"/jcos/{athena}/results", data=_page_rows([ROW] * (MAX_TYPED_ROWS + 1)))
    assert response.status_code == 200
    assert f"at most {MAX_TYPED_ROWS} can be saved at once" in response.get_data(as_text=True)
    assert _state(db) == before


def test_too_many_participants_are_refused_by_the_page_and_the_service(client, auth, db, demo):
    postbox = db.get(Jco, _id(db, Jco, name="Postbox"))
    before = _state(db)
    auth.login("secretariat@example.org")
    data = {"version": str(postbox.version), "submit": "Save participants"}
    for i in range(MAX_PARTICIPANTS + 1):
        data.update({f"rows-{i}-organisation_id": str(i + 1), f"rows-{i}-role": "participant"})
    response = client.post(f"/jcos/{postbox.id}/participants", data=data)
    assert response.status_code in (200, 413)
    if response.status_code == 200:
        assert f"at most {MAX_PARTICIPANTS} can be saved" in response.get_data(as_text=True)
    assert _state(db) == before
    from jco.operations.services import ParticipantRow, set_participants
    with pytest.raises(Refused, match="participants is more than"):
        set_participants(db, postbox, [ParticipantRow(i, "lead") for i in range(MAX_PARTICIPANTS + 1)])
    db.rollback()


# --- the version every edit form sends --------------------------------------------------------

@pytest.mark.parametrize("version", [None, "", "abc", "1e3", "99999999999999999999"])
def test_a_missing_or_malformed_version_is_a_form_error(client, auth, db, demo, version):
    postbox = _id(db, Jco, name="Postbox")
    before = _state(db)
    auth.login("de.delegate@example.org")
    data = {"debriefing_place": "Riga"}
    if version is not None:
        data["version"] = version
    response = client.post(f"/jcos/{postbox}/operation", data=data)
    assert response.status_code == 200
    assert "version" in response.get_data(as_text=True).lower()
    assert _state(db) == before


# --- comments ----------------------------------------------------------------------------------

def _latest_round(db) -> int:
    return db.scalar(select(CommentRound.id).order_by(CommentRound.deadline.desc()))


@pytest.fixture
def classified_round(db, demo):
    """A round on the RESTREINT UE addendum: only cleared delegates may comment."""
    athena, addendum = _athena(db), _id(db, Document, reference=ADDENDUM)
    round_ = CommentRound(jco_id=athena, document_id=addendum, deadline=today() + timedelta(days=10))
    db.add(round_)
    db.commit()
    return round_.id


@pytest.fixture
def past_round_with_comment(db, demo):
    """The Postbox round (deadline 3 November 2015), on which France commented in time."""
    round_ = db.scalar(select(CommentRound).order_by(CommentRound.deadline))
    fr = find_by_email(db, "fr.delegate@example.org")
    comment_services.submit_comment(db, round_, organisation_id=fr.organisation_id, author=None, body="In time.",
                                    today=round_.deadline)
    db.commit()
    return round_.id


COMMENT_CASES = {
    # name: (account, round fixture, api status)
    "a manager": ("manager@example.org", "latest", 403),
    "the Secretariat": ("secretariat@example.org", "latest", 403),
    "an uncleared delegate on a classified document": ("de.delegate@example.org", "classified", 403),
    "a sent comment after the deadline": ("fr.delegate@example.org", "past", 422),
}


@pytest.mark.parametrize("case", COMMENT_CASES)
def test_comments_refused_alike_by_page_and_api(client, auth, token, db, request, case):
    email, which, api_status = COMMENT_CASES[case]
    round_id = {"latest": lambda: _latest_round(db),
                "classified": lambda: request.getfixturevalue("classified_round"),
                "past": lambda: request.getfixturevalue("past_round_with_comment")}[which]()
    version = db.scalar(select(func.max(Comment.version)).where(Comment.round_id == round_id)) or 0
    before = _state(db)
    auth.login(email)
    page = client.post(f"/rounds/{round_id}", data={"body": "Our view.", "version": str(version)})
    assert page.status_code == 403
    api = client.post(f"/api/v1/rounds/{round_id}/comments", headers=token(email),
                      json={"body": "Our view.", "version": version})
    assert api.status_code == api_status, api.get_data(as_text=True)
    # The page's refusal and the API's say the same thing.
    assert api.json["error"]["message"] in html.unescape(page.get_data(as_text=True))
    assert _state(db)[:2] == before[:2]


def test_a_withdrawn_operation_takes_no_comments_through_either_door(client, auth, token, db, demo):
    round_ = db.get(CommentRound, _latest_round(db))
    record_known_state(db, round_.jco, State.WITHDRAWN, None, note="Withdrawn for the test.")
    db.commit()
    before = _state(db)
    auth.login("de.delegate@example.org")
    assert client.post(f"/rounds/{round_.id}", data={"body": "x", "version": "0"}).status_code == 403
    api = client.post(f"/api/v1/rounds/{round_.id}/comments", headers=token("de.delegate@example.org"),
                      json={"body": "x"})
    assert api.status_code == 403 and "takes no more comments" in api.json["error"]["message"]
    assert _state(db)[:2] == before[:2]


def test_a_stale_comment_is_refused_through_either_door(client, auth, token, db, demo):
    round_id = _latest_round(db)  # France commented on it in the demo
    before = _state(db)
    auth.login("fr.delegate@example.org")
    page = client.post(f"/rounds/{round_id}", data={"body": "Overwrite?", "version": "0"})
    assert page.status_code == 200 and "changed by someone else" in page.get_data(as_text=True)
    missing = client.post(f"/rounds/{round_id}", data={"body": "Overwrite?"})
    assert missing.status_code == 200 and "did not say which version" in missing.get_data(as_text=True)
    api = client.post(f"/api/v1/rounds/{round_id}/comments", headers=token("fr.delegate@example.org"),
                      json={"body": "Overwrite?", "version": 0})
    assert api.status_code == 409
    assert _state(db)[:2] == before[:2]


def test_a_delegate_cannot_comment_for_another_delegation_through_the_service(db, demo):
    round_ = db.get(CommentRound, _latest_round(db))
    de = find_by_email(db, "de.delegate@example.org")
    fr = find_by_email(db, "fr.delegate@example.org")
    with pytest.raises(Refused, match="only for its own delegation"):
        comment_services.submit_comment(db, round_, organisation_id=fr.organisation_id, author=de, body="x",
                                        today=date(2015, 1, 1))
    db.rollback()


# --- suggestions show only what the reader may see ---------------------------------------------

def test_suggestions_leave_out_vocabulary_of_withheld_reports(client, auth, db, withheld_row):
    db.add(Commodity(name="unused orphan"))
    db.commit()
    athena = _athena(db)
    auth.login("admin@example.org")  # uncleared, may record results
    page = client.get(f"/jcos/{athena}/results").get_data(as_text=True)
    assert '<option value="khat">' in page and '<option value="heroin">' not in page
    auth.logout()
    auth.login("lv.delegate@example.org")  # cleared
    page = client.get(f"/jcos/{athena}/results").get_data(as_text=True)
    assert '<option value="heroin">' in page


# --- the shared commit helper of the pages -----------------------------------------------------

def test_saving_explains_refusals_and_lets_real_faults_through(app):
    from flask import session as web_session
    from sqlalchemy.exc import IntegrityError

    from jco.core.db import get_session
    from jco.operations.models import Organisation
    from jco.web import saving

    with app.test_request_context():
        with saving() as saved:
            raise Refused("Not now.", status=422)
        assert not saved.ok and web_session["_flashes"] == [("error", "Not now.")]
        get_session().add(Organisation(code="DE", name="A second Germany"))
        with pytest.raises(IntegrityError), saving():
            pass  # the duplicate fails at commit, which no page explains: a fault, not a refusal
        get_session().rollback()
        get_session().add(Organisation(code="DE", name="A second Germany"))
        with saving(duplicate="Germany is there already.") as saved:
            pass
        assert not saved.ok and web_session["_flashes"][-1] == ("error", "Germany is there already.")
