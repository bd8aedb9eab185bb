"""The API's input checks: the JSON Schema subset its OpenAPI declarations use, with readable messages."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from jco.api.schemas import openapi as spec
from jco.api.validation import InvalidInput, Param, check, parse_body, parse_query


@pytest.mark.parametrize(("value", "message"), [
    ({"rows": []}, {"rows": "Give at least 1."}),
    ({"rows": [{"commodity": "x", "quantity": 1}]}, {"rows[0].unit": "This field is required."}),
    ({"rows": [{"commodity": "x", "quantity": 1.5, "unit": "kg", "country": 7}]},
     {"rows[0].country": "Must be text or null."}),
    ({"rows": [{"commodity": "x", "quantity": float("inf"), "unit": "kg"}]},
     {"rows[0].quantity": "Must be a finite number."}),
    ({"rows": [{"commodity": "x", "quantity": 1e13, "unit": "kg"}]},
     {"rows[0].quantity": f"Must be at most {spec.MAX_QUANTITY}."}),
    ({"rows": [{"commodity": "x", "quantity": 1, "unit": "kg", "country": "L"}]},
     {"rows[0].country": "Must be a country or body code such as LV or OLAF."}),
    ({"rows": [{"commodity": "\t", "quantity": 1, "unit": "kg"}]},
     {"rows[0].commodity": "Must contain some text (and no NUL characters)."}),
    ({"rows": [{"commodity": "x", "quantity": 1, "unit": "kg"}], "replace": "yes"},
     {"replace": "Must be true or false."}),
    ({"rows": [{"commodity": "x", "quantity": 1, "unit": "kg"}], "document_id": 1.5},
     {"document_id": "Must be a whole number or null."}),
])
def test_results_body_problems_are_named_by_path(value, message):
    assert check(value, spec.RESULTS_BODY) == message


def test_valid_bodies_pass_and_integral_floats_count_as_integers():
    body = {"rows": [{"country": None, "commodity": "cash", "quantity": 0, "unit": "EUR"}], "document_id": 3.0}
    assert check(body, spec.RESULTS_BODY) == {}
    assert parse_body(spec.COMMENT_BODY, {"body": "Agreed.", "version": 2}) == {"body": "Agreed.", "version": 2}


@pytest.mark.parametrize("body", [[], "text", None, 3])
def test_a_body_that_is_not_an_object_is_refused_as_a_whole(body):
    with pytest.raises(InvalidInput) as raised:
        parse_body(spec.COMMENT_BODY, body)
    assert raised.value.message == "The request body must be a JSON object." and raised.value.status == 400


def test_query_values_are_converted_defaulted_and_checked():
    values = parse_query(spec.LIST_JCOS, MultiDict({"year": "2015", "lead": "pl"}))
    assert values["year"] == 2015 and values["lead"] == "pl"
    assert values["page"] == 1 and values["per_page"] == spec.DEFAULT_PER_PAGE and values["sort"] == "-year"
    assert parse_query(spec.DEADLINES, MultiDict({"from": "2015-11-03"}))["from"] == date(2015, 11, 3)


@pytest.mark.parametrize(("args", "field", "message"), [
    ({"per_page": "500"}, "per_page", "Must be at most 200."),
    ({"page": "1.5"}, "page", "Must be a whole number."),
    ({"year": "9" * 200}, "year", "Must be a whole number."),
    ({"state": "open"}, "state", "Must be one of: proposed, presented, comments, revision, adopted, "
                                 "operational, debriefing, report_presented, report_comments, report_revision, "
                                 "report_partly_adopted, report_adopted, closed, withdrawn, postponed, cancelled."),
    ({"stat": "closed"}, "stat", "This parameter is not known here."),
])
def test_query_problems_are_named(args, field, message):
    with pytest.raises(InvalidInput) as raised:
        parse_query(spec.LIST_JCOS, MultiDict(args))
    assert raised.value.fields == {field: message}


@pytest.mark.parametrize("text", ["2015-02-30", "15-11-03", "2015-1-3", "tomorrow"])
def test_dates_must_be_real_and_written_yyyy_mm_dd(text):
    with pytest.raises(InvalidInput) as raised:
        parse_query(spec.DEADLINES, MultiDict({"until": text}))
    assert raised.value.fields == {"until": "Must be a date written YYYY-MM-DD."}


def test_a_repeated_parameter_is_refused():
    with pytest.raises(InvalidInput) as raised:
        parse_query(spec.LIST_JCOS, MultiDict([("page", "1"), ("page", "2")]))
    assert raised.value.fields == {"page": "Give this parameter once."}


def test_an_unknown_schema_keyword_is_a_programming_error():
    with pytest.raises(ValueError, match="does not understand"):
        parse_query([Param("x", {"type": "string", "uniqueItems": True}, "")], MultiDict({"x": "a"}))
