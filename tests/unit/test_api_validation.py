"""The API's input contract: pydantic models checked with messages that name the field and say what is wanted."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from pydantic import ValidationError

from jco.api import schemas
from jco.api.contract import InvalidInput, invalid_input, parse_body, parse_query
from jco.core import i18n

ROW = {"commodity": "x", "quantity": 1, "unit": "kg"}


def _problems(model, value) -> InvalidInput:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(value)
    return invalid_input(raised.value, "Some of the input is not valid.", unknown="This field is not known here.")


@pytest.mark.parametrize(("value", "fields"), [
    ({"rows": []}, {"rows": "Give at least 1."}),
    ({"rows": [{"commodity": "x", "quantity": 1}]}, {"rows[0].unit": "This field is required."}),
    ({"rows": [{**ROW, "country": 7}]}, {"rows[0].country": "Must be text."}),
    ({"rows": [{**ROW, "quantity": float("inf")}]}, {"rows[0].quantity": "Must be a finite number."}),
    ({"rows": [{**ROW, "quantity": 1e13}]}, {"rows[0].quantity": f"Must be at most {schemas.MAX_QUANTITY}."}),
    ({"rows": [{**ROW, "quantity": True}]}, {"rows[0].quantity": "Must be a number."}),
    ({"rows": [{**ROW, "quantity": "5"}]}, {"rows[0].quantity": "Must be a number."}),
    ({"rows": [{**ROW, "country": "L"}]}, {"rows[0].country": "Must be a country or body code such as LV or OLAF."}),
    ({"rows": [{**ROW, "commodity": "\t"}]}, {"rows[0].commodity": "Must contain some text (and no NUL characters)."}),
    ({"rows": [ROW], "replace": "yes"}, {"replace": "Must be true or false."}),
    ({"rows": [ROW], "document_id": 1.5}, {"document_id": "Must be a whole number."}),
    ({"rows": [{**ROW, "colour": "red"}]}, {"rows[0].colour": "This field is not known here."}),
    ({"rows": [ROW] * (schemas.MAX_RESULT_ROWS + 1)}, {"rows": f"Give at most {schemas.MAX_RESULT_ROWS}."}),
])
def test_results_body_problems_are_named_by_path(value, fields):
    problems = _problems(schemas.ResultsRequest, value)
    assert problems.fields == fields and problems.status == 400


def test_valid_bodies_pass_with_json_types_as_written():
    body = schemas.ResultsRequest.model_validate({"rows": [{**ROW, "country": None, "quantity": 0}], "document_id": 3})
    assert body.rows[0].quantity == 0.0 and body.document_id == 3 and body.replace is False
    comment = schemas.CommentRequest.model_validate({"body": "Agreed.", "version": 2})
    assert (comment.body, comment.version) == ("Agreed.", 2)


@pytest.mark.parametrize("version", [None, "1", 1.5, True, -1, 2**31, [0]])
def test_a_missing_or_malformed_version_is_unprocessable(version):
    body = {"body": "Agreed."} if version is None else {"body": "Agreed.", "version": version}
    problems = _problems(schemas.CommentRequest, body)
    assert problems.status == 422 and set(problems.fields) == {"version"}


def test_a_body_wrong_beyond_its_version_is_a_bad_request_naming_both():
    problems = _problems(schemas.CommentRequest, {"body": 12})
    assert problems.status == 400 and problems.fields == {"body": "Must be text.", "version": "This field is required."}


@pytest.fixture
def request_with():
    app = Flask(__name__)
    i18n.init_app(app)  # the messages are written for translation (English here)

    def make(path: str = "/", **kwargs):
        return app.test_request_context(path, **kwargs)

    return make


@pytest.mark.parametrize("data", ["[]", '"text"', "null", "3"])
def test_a_body_that_is_not_an_object_is_refused_as_a_whole(request_with, data):
    with request_with(method="POST", data=data, content_type="application/json"), pytest.raises(InvalidInput) as raised:
        parse_body(schemas.CommentRequest)
    assert raised.value.message == "The request body must be a JSON object." and raised.value.status == 400


def test_query_values_are_converted_defaulted_and_checked(request_with):
    with request_with("/?year=2015&lead=pl"):
        values = parse_query(schemas.ListJcosQuery)
    assert values.year == 2015 and values.lead == "pl" and values.state is None
    assert values.page == 1 and values.per_page == schemas.DEFAULT_PER_PAGE and values.sort == "-year"
    with request_with("/?from=2015-11-03"):
        assert parse_query(schemas.DeadlinesQuery).from_ == date(2015, 11, 3)


@pytest.mark.parametrize(("query", "field", "message"), [
    ("per_page=500", "per_page", "Must be at most 200."),
    ("page=1.5", "page", "Must be a whole number."),
    ("year=" + "9" * 200, "year", "Must be at most 2100."),
    ("state=open", "state", "Must be one of: proposed, presented, comments, revision, adopted, operational, "
                            "debriefing, report_presented, report_comments, report_revision, report_partly_adopted, "
                            "report_adopted, closed, withdrawn, postponed or cancelled."),
    ("stat=closed", "stat", "This parameter is not known here."),
    ("page=1&page=2", "page", "Give this parameter once."),
    ("q=a%00b", "q", "Must not contain NUL characters."),
])
def test_query_problems_are_named(request_with, query, field, message):
    with request_with(f"/?{query}"), pytest.raises(InvalidInput) as raised:
        parse_query(schemas.ListJcosQuery)
    assert raised.value.fields == {field: message} and raised.value.status == 400


@pytest.mark.parametrize("text", ["2015-02-30", "15-11-03", "2015-1-3", "tomorrow", "1447000000", "2015-11-03T00:00"])
def test_dates_must_be_real_and_written_yyyy_mm_dd(request_with, text):
    with request_with("/", query_string={"until": text}), pytest.raises(InvalidInput) as raised:
        parse_query(schemas.DeadlinesQuery)
    assert raised.value.fields == {"until": "Must be a date written YYYY-MM-DD."}
