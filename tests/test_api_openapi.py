"""The OpenAPI document: valid, complete, public — and true, checked by fuzzing the API with it."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from jco.accounts.services import find_by_email
from jco.api.auth import create_token

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def test_the_document_is_public_and_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A personal API token."}


def test_the_document_lists_exactly_the_apis_routes(app, client):
    document = client.get("/api/v1/openapi.json").json
    published = {(path, method.upper()) for path, item in document["paths"].items()
                 for method in item if method in HTTP_METHODS}
    routed = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert published == routed


def test_every_operation_documents_its_errors_with_the_error_schema(client):
    document = client.get("/api/v1/openapi.json").json
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if operation.get("security") == []:
                continue
            assert "401" in operation["responses"], (method, path)
            assert "429" in operation["responses"], (method, path)
            if method == "post":
                for status in ("400", "403", "404", "409", "413", "415", "422"):
                    assert status in operation["responses"], (method, path, status)
    for response in document["components"]["responses"].values():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


# Schemathesis sends, per operation, schema-valid ("positive") and schema-breaking ("negative")
# requests, and checks each answer: no 5xx, a documented status and content type, a body that
# matches the documented schema, invalid input refused with 4xx, valid input accepted, a missing
# or wrong token answered 401. Each operation gets two or three runs (positive, negative, and for
# paths with ids also on real rows), so 20–30 requests an operation; about 20–35 s per engine.
EXAMPLES_PER_RUN = 10

# Positive (schema-valid) requests may still be refused with 422: a well-formed country code that
# names no country, a JCO in a state that takes no results. JSON Schema cannot know the database.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]
"""


def _pinned_ids(db) -> dict[str, dict[str, int]]:
    """Path parameters of real rows, so that bodies and details are fuzzed, not only 404s."""
    from sqlalchemy import select

    from jco.comments.models import CommentRound
    from jco.documents.models import Document, StoredFile
    from jco.meetings.models import Meeting
    from jco.operations.models import Jco

    content = b"%PDF-1.4 summary"
    stored = StoredFile(sha256="0" * 64, size=len(content), media_type="application/pdf",
                        filename="13305-15.pdf", content=content)
    db.add(stored)
    db.flush()
    note = db.scalar(select(Document).where(Document.reference == "13305/15"))
    note.file_id = stored.id
    db.commit()
    athena = db.scalar(select(Jco.id).where(Jco.name == "Athena"))
    return {
        "GET /api/v1/jcos/{jco_id}": {"jco_id": athena},
        "POST /api/v1/jcos/{jco_id}/results": {"jco_id": athena},  # led by the token's delegation
        "GET /api/v1/documents/{document_id}": {"document_id": note.id},
        "GET /api/v1/documents/{document_id}/file": {"document_id": note.id},
        "GET /api/v1/meetings/{meeting_id}": {"meeting_id": db.scalar(select(Meeting.id).order_by(Meeting.id))},
        "POST /api/v1/rounds/{round_id}/comments": {
            "round_id": db.scalar(select(CommentRound.id).order_by(CommentRound.deadline.desc()))},
    }


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_broken_promise(app, demo, db):
    import schemathesis
    from schemathesis.config import SchemathesisConfig
    from schemathesis.generation import GenerationMode

    positive, negative = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
    # A delegate who leads two JCOs and holds a clearance: reads everything, may write some things.
    _row, secret = create_token(db, find_by_email(db, "lv.delegate@example.org"), "schemathesis")
    db.commit()
    pinned = _pinned_ids(db)
    # The WSGI test transport does not undo Flask-Compress's gzip as an HTTP client would.
    headers = {"Accept-Encoding": "identity"}
    # Given as the scheme's credentials (not as a plain header), schemathesis knows the token is
    # authentication: it checks that requests without it, or with a wrong one, get 401.
    config = SchemathesisConfig.from_str(CONFIG + f'[auth.openapi.bearerAuth]\nbearer = "{secret}"\n')
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)

    @schema.hook("map_body")
    def versions_a_client_could_have_read(context, body):
        # A comment must carry the version its delegation read: 0 before it sent one, then the one
        # it got back. Random valid versions would all meet 409, and the write would never be fuzzed.
        version = body.get("version") if isinstance(body, dict) else None
        if context.operation.path.endswith("/comments") and type(version) is int and 0 <= version <= 2**31 - 1:
            body = {**body, "version": version % 2}
        return body

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11  # every operation but the document itself, which schemathesis leaves out

    runs = []
    for operation in operations:
        ids = pinned.get(operation.label)
        if operation.method.upper() == "POST":
            # Random ids only meet 404 before the body is read: fuzz the body of a real target.
            runs += [(operation, positive, ids), (operation, negative, ids)]
        elif ids:
            runs += [(operation, positive, None), (operation, negative, None), (operation, positive, ids)]
        else:
            runs += [(operation, positive, None), (operation, negative, None)]

    statuses: dict[str, set[int]] = {}

    def checker(seen: set[int]):
        def call(case):
            seen.add(case.call_and_validate(headers=headers).status_code)
        return call

    for operation, mode, ids in runs:
        fuzz = given(case=operation.as_strategy(generation_mode=mode, path_parameters=ids))(
            settings(max_examples=EXAMPLES_PER_RUN, deadline=None, database=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))(checker(statuses.setdefault(operation.label, set())))
        )
        fuzz()
    # The run authenticated, reached real data, and was refused where the input was wrong.
    assert all(200 in codes for label, codes in statuses.items() if label.startswith("GET")), statuses
    assert {201, 400} <= statuses["POST /api/v1/jcos/{jco_id}/results"], statuses
    assert {201, 400} <= statuses["POST /api/v1/rounds/{round_id}/comments"], statuses
    assert 400 in statuses["GET /api/v1/jcos"], statuses


def test_the_document_publishes_the_models_the_api_checks(client):
    from jco.api.views import api

    document = client.get("/api/v1/openapi.json").json
    for operation in api.operations.values():
        entry = document["paths"][operation.path][operation.method.lower()]
        published = {p["name"] for p in entry.get("parameters", ()) if p["in"] == "query"}
        checked = {field.alias or name for name, field in operation.query.model_fields.items()} if operation.query else set()
        assert published == checked, operation.endpoint
        if operation.body:
            assert entry["requestBody"]["content"]["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{operation.body.__name__}"}
    assert document["components"]["schemas"]["CommentRequest"]["required"] == ["body", "version"]
