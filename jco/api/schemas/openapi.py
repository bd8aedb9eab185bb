"""The OpenAPI 3.1 document of the API, and the declarations the API checks its input against.

Parameters and request bodies are declared once here; the views validate with these very
declarations (jco.api.validation) and the published document is built from them, so the two
cannot drift apart. tests/test_api_openapi.py validates the document and fuzzes the API with it.
"""

from __future__ import annotations

from copy import deepcopy

from jco.api.validation import CODE_PATTERN, SEARCH_PATTERN, TEXT_PATTERN, Param
from jco.deadlines.rules import Kind, Status
from jco.documents.models import DocType, Marking
from jco.meetings.models import Outcome
from jco.operations.lifecycle import Body, State
from jco.operations.models import JcoKind, OrgKind, Role
from jco.operations.queries import DEFAULT_SORT, SORTS

# PostgreSQL's integer: an identifier outside it cannot exist and must not reach the database.
MAX_ID = 2_147_483_647
MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_PAGE = 10_000
COMMENT_MAX_LENGTH = 20_000
MAX_RESULT_ROWS = 500
MAX_QUANTITY = 1_000_000_000_000

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

# --- query parameters ------------------------------------------------------------------------

PAGE = Param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
             "Page number, from 1. A page after the last one is empty.")
PER_PAGE = Param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                              "default": DEFAULT_PER_PAGE}, f"Items per page (at most {MAX_PER_PAGE}).")
REGISTER_FILTERS = [
    Param("state", {"type": "string", "enum": [s.value for s in State]}, "Only JCOs in this life-cycle state."),
    Param("lead", {"type": "string", "pattern": CODE_PATTERN, "maxLength": 16},
          "Only JCOs led by this delegation or body (code, e.g. DE or OLAF)."),
    Param("year", {"type": "integer", "minimum": 1950, "maximum": 2100},
          "Only JCOs of this operational year (actual start, else planned start)."),
    Param("goods", ID_SCHEMA, "Only JCOs targeting this commodity (its id)."),
    Param("kind", {"type": "string", "enum": [k.value for k in JcoKind]}, "Only JCOs of this kind."),
    Param("q", {"type": "string", "maxLength": 100, "pattern": SEARCH_PATTERN},
          "Only JCOs whose name contains this text (case-insensitive)."),
]
LIST_JCOS = [
    *REGISTER_FILTERS,
    Param("sort", {"type": "string", "enum": list(SORTS), "default": DEFAULT_SORT},
          "Order: name, -name, year, -year (newest first), state, updated (latest change first)."),
    PAGE, PER_PAGE,
]
LIST_DOCUMENTS = [
    Param("jco", ID_SCHEMA, "Only documents of this JCO (its id)."),
    Param("reference", {"type": "string", "maxLength": 60, "pattern": SEARCH_PATTERN},
          "Only documents whose Council reference contains this text, e.g. 6512/1/15 or 12712."),
    Param("doc_type", {"type": "string", "enum": [t.value for t in DocType]}, "Only documents of this type."),
    PAGE, PER_PAGE,
]
LIST_MEETINGS = [
    Param("body", {"type": "string", "enum": [b.value for b in Body]}, "Only meetings of this body."),
    Param("from", {"type": "string", "format": "date"}, "Only meetings ending on or after this day."),
    Param("until", {"type": "string", "format": "date"}, "Only meetings starting on or before this day."),
    PAGE, PER_PAGE,
]
PARTICIPATION = list(REGISTER_FILTERS)
DEADLINES = [
    Param("from", {"type": "string", "format": "date"}, "Deadlines due on or after this day (default: today)."),
    Param("until", {"type": "string", "format": "date"}, "Deadlines due on or before this day (default: no end)."),
]

# --- request bodies --------------------------------------------------------------------------

COMMENT_BODY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["body"],
    "properties": {
        # No pattern here: with this length a pattern makes the published schema very slow to
        # fuzz; blank text and NUL characters are refused with 422 instead.
        "body": {"type": "string", "minLength": 1, "maxLength": COMMENT_MAX_LENGTH,
                 "description": "The delegation's written comment: some text, without NUL characters."},
        "version": {"type": "integer", "minimum": 0, "maximum": MAX_ID,
                    "description": "The version of the delegation's comment you read, 0 when you saw none. "
                                   "If the comment changed (or appeared) since, the answer is 409. "
                                   "Leave it out to write whatever is there."},
    },
}
RESULT_ROW = {
    "type": "object",
    "additionalProperties": False,
    "required": ["commodity", "quantity", "unit"],
    "properties": {
        "country": {"type": ["string", "null"], "pattern": CODE_PATTERN,
                    "description": "Where the seizure was made: a country or body code, or null."},
        "commodity": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": TEXT_PATTERN,
                      "description": "What was seized, e.g. cigarettes. A new name joins the vocabulary."},
        "quantity": {"type": "number", "minimum": 0, "maximum": MAX_QUANTITY},
        "unit": {"type": "string", "minLength": 1, "maxLength": 30, "pattern": TEXT_PATTERN,
                 "description": "e.g. pieces, kg, litres."},
    },
}
RESULTS_BODY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["rows"],
    "properties": {
        "rows": {"type": "array", "minItems": 1, "maxItems": MAX_RESULT_ROWS, "items": RESULT_ROW},
        "document_id": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID,
                        "description": "The final report (a document of this JCO) the rows come from."},
        "replace": {"type": "boolean", "default": False,
                    "description": "Replace the JCO's earlier result rows instead of adding to them."},
    },
}

# --- response shapes -------------------------------------------------------------------------


def _obj(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "additionalProperties": False,
            "required": [name for name in properties if name not in optional], "properties": properties}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    schema = dict(schema)
    schema["type"] = [schema["type"], "null"]
    return schema


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
URL = {"type": "string", "description": "Path of the resource in this API."}


def _page_of(item: str) -> dict:
    return _obj({
        "items": {"type": "array", "items": _ref(item)},
        "page": INTEGER,
        "per_page": INTEGER,
        "total": {"type": "integer", "description": "Items matching the filters, on all pages."},
        "pages": INTEGER,
        "links": _obj({"next": _nullable(STRING), "prev": _nullable(STRING)}),
    })


JCO_SUMMARY_PROPERTIES = {
    "id": INTEGER,
    "name": STRING,
    "edition": STRING,
    "title": STRING,
    "kind": {"type": "string", "enum": [k.value for k in JcoKind]},
    "state": {"type": "string", "enum": [s.value for s in State]},
    "state_label": STRING,
    "year": _nullable(INTEGER),
    "planned_start": _nullable(DATE),
    "planned_end": _nullable(DATE),
    "actual_start": _nullable(DATE),
    "actual_end": _nullable(DATE),
    "leads": {"type": "array", "items": _ref("Organisation")},
    "commodities": {"type": "array", "items": STRING},
    "updated_at": DATETIME,
    "url": URL,
}

DOCUMENT_SUMMARY_PROPERTIES = {
    "id": INTEGER,
    "reference": {"type": "string", "description": "Council reference, e.g. 6512/1/15 REV 1."},
    "doc_type": {"type": "string", "enum": [t.value for t in DocType]},
    "marking": {"type": "string", "enum": [m.value for m in Marking],
                "description": "Empty for public documents."},
    "title": _nullable({"type": "string", "description": "null when withheld from this account."}),
    "details_withheld": {"type": "boolean",
                         "description": "True for a classified document this account is not cleared for: "
                                        "its title, subject and file are not given."},
    "jco_id": _nullable(INTEGER),
    "has_file": BOOLEAN,
    "file_withheld": {"type": "boolean",
                      "description": "The marking is above what this system may store: it holds no file."},
    "url": URL,
    "file_url": _nullable(URL),
}

MEETING_SUMMARY_PROPERTIES = {
    "id": INTEGER,
    "body": {"type": "string", "enum": [b.value for b in Body]},
    "title": STRING,
    "start_date": DATE,
    "end_date": DATE,
    "start_time": _nullable({"type": "string", "pattern": r"^\d{2}:\d{2}$", "description": "Local time, HH:MM."}),
    "end_time": _nullable({"type": "string", "pattern": r"^\d{2}:\d{2}$", "description": "Local time, HH:MM."}),
    "timezone": STRING,
    "place": STRING,
    "notice_reference": STRING,
    "url": URL,
}

SCHEMAS = {
    "Error": _obj({
        "error": _obj({
            "status": {"type": "integer", "description": "The HTTP status, repeated."},
            "message": {"type": "string", "description": "What went wrong, for a person to read."},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "Problems by input field (query parameter or body path)."},
        }, optional=("fields",)),
    }),
    "Organisation": _obj({
        "code": {"type": "string", "description": "ISO 3166 alpha-2 code, or a body's code such as OLAF."},
        "name": STRING,
        "kind": {"type": "string", "enum": [k.value for k in OrgKind]},
    }),
    "JcoRef": _obj({"id": INTEGER, "title": STRING, "url": URL}),
    "DocumentRef": _obj({"id": INTEGER, "reference": STRING, "url": URL}),
    "MeetingRef": _obj({"id": INTEGER, "title": STRING, "start_date": DATE, "url": URL}),
    "JcoSummary": _obj(JCO_SUMMARY_PROPERTIES),
    "JcoPage": _page_of("JcoSummary"),
    "Participant": _obj({
        "organisation": _ref("Organisation"),
        "role": {"type": "string", "enum": [r.value for r in Role]},
        "agency": STRING,
    }),
    "HistoryEvent": _obj({
        "at": {**DATETIME, "description": "When the step was recorded."},
        "on": _nullable({**DATE, "description": "The day the step happened, when known."}),
        "transition": STRING,
        "from_state": {"type": "string", "enum": [s.value for s in State]},
        "to_state": {"type": "string", "enum": [s.value for s in State]},
        "body": _nullable({"type": "string", "enum": [b.value for b in Body]}),
        "note": STRING,
        "actor": _nullable({"type": "string", "description": "Email of the account that recorded it."}),
        "meeting": _nullable(_ref("MeetingRef")),
        "document": _nullable(_ref("DocumentRef")),
    }),
    "CommentRound": _obj({
        "id": INTEGER, "deadline": DATE, "document": _ref("DocumentRef"),
        "comments_url": {**URL, "description": "Where a delegation POSTs its comment."},
    }),
    "JcoDetail": _obj({
        **JCO_SUMMARY_PROPERTIES,
        "version": {"type": "integer", "description": "Changes with every change of the JCO."},
        "description": STRING,
        "report_prior_body": _nullable({"type": "string", "enum": [b.value for b in Body]}),
        "debriefing_date": _nullable(DATE),
        "debriefing_place": STRING,
        "withdrawn_reason": STRING,
        "postponed_reason": STRING,
        "cancelled_reason": STRING,
        "report_next_body": _nullable({"type": "string", "enum": [b.value for b in Body],
                                       "description": "The body a partly adopted final report awaits."}),
        "action": _nullable(_obj({"code": STRING, "title": STRING})),
        "transport_modes": {"type": "array", "items": STRING},
        "projects": {"type": "array", "items": _obj({"acronym": STRING, "name": STRING, "funded_by": STRING})},
        "participants": {"type": "array", "items": _ref("Participant"),
                         "description": "Leads first, then co-leads, participants, observers."},
        "history": {"type": "array", "items": _ref("HistoryEvent"), "description": "Oldest first."},
        "comment_rounds": {"type": "array", "items": _ref("CommentRound")},
        "documents_url": URL,
    }),
    "DocumentSummary": _obj(DOCUMENT_SUMMARY_PROPERTIES),
    "DocumentPage": _page_of("DocumentSummary"),
    "DocumentDetail": _obj({
        **DOCUMENT_SUMMARY_PROPERTIES,
        "doc_date": _nullable(DATE),
        "place": _nullable(STRING),
        "original_language": _nullable(STRING),
        "from": _nullable(STRING),
        "to": _nullable(STRING),
        "subject_codes": {"type": "array", "items": _obj({"series": STRING, "number": INTEGER, "year": INTEGER}),
                          "description": "Subject (file) codes; their numbers restart each year."},
        "previous_reference": _nullable(STRING),
        "made_public_on": _nullable(DATE),
        "partially_public": BOOLEAN,
        "jco": _nullable(_ref("JcoRef")),
        "file": _nullable(_obj({"filename": STRING, "size": INTEGER, "media_type": STRING, "sha256": STRING})),
        "family": {"type": "array", "description": "The base document, its revisions, addenda and corrigenda.",
                   "items": _obj({"id": INTEGER, "reference": STRING,
                                  "marking": {"type": "string", "enum": [m.value for m in Marking]}, "url": URL})},
    }),
    "MeetingSummary": _obj(MEETING_SUMMARY_PROPERTIES),
    "MeetingPage": _page_of("MeetingSummary"),
    "AgendaItem": _obj({
        "id": INTEGER,
        "position": INTEGER,
        "title": STRING,
        "purpose": STRING,
        "outcome": _nullable({"type": "string", "enum": [o.value for o in Outcome]}),
        "note": STRING,
        "jco": _nullable(_ref("JcoRef")),
        "documents": {"type": "array", "items": _ref("DocumentSummary")},
    }),
    "MeetingDetail": _obj({**MEETING_SUMMARY_PROPERTIES, "items": {"type": "array", "items": _ref("AgendaItem")}}),
    "Participation": _obj({
        "jcos": {"type": "integer", "description": "JCOs matching the filters."},
        "items": {"type": "array", "items": _obj({
            "organisation": _ref("Organisation"),
            **{role.value: {"type": "integer", "minimum": 0} for role in Role},
            "total": {"type": "integer", "description": "JCOs in which it takes part, in any role."},
        })},
    }),
    "Deadline": _obj({
        "key": {"type": "string", "description": "Stable: the same deadline keeps its key (e.g. round:12)."},
        "kind": {"type": "string", "enum": [k.value for k in Kind]},
        "title": STRING,
        "due": DATE,
        "status": {"type": "string", "enum": [s.value for s in Status],
                   "description": "For a delegate: its delegation's share; for others: the deadline as a whole "
                                  "(met when every owner met it, overdue when one is late)."},
        "overdue": BOOLEAN,
        "met_on": _nullable(DATE),
        "owners": {"type": "array", "items": _obj({
            "organisation_id": _nullable({"type": "integer", "description": "None: the Secretariat."}),
            "name": STRING, "met_on": _nullable(DATE)})},
        "jco": _nullable(_ref("JcoRef")),
        "meeting": _nullable(_obj({"id": INTEGER, "label": STRING, "url": URL})),
        "documents": {"type": "array", "items": _ref("DocumentRef")},
        "round_id": _nullable({"type": "integer", "description": "For written comments: the round to send them to."}),
        "note": STRING,
    }),
    "Deadlines": _obj({"from": DATE, "until": _nullable(DATE), "items": {"type": "array", "items": _ref("Deadline")}}),
    "Comment": _obj({
        "id": INTEGER, "round_id": INTEGER, "organisation": _ref("Organisation"), "body": STRING,
        "late": {"type": "boolean", "description": "Sent after the round's deadline."},
        "submitted_at": DATETIME, "updated_at": DATETIME, "version": INTEGER,
    }),
    "Result": _obj({
        "id": INTEGER, "jco_id": INTEGER, "document_id": _nullable(INTEGER), "country": _nullable(STRING),
        "commodity": STRING, "quantity": {"type": "number"}, "unit": STRING, "year": _nullable(INTEGER),
    }),
    "Results": _obj({"items": {"type": "array", "items": _ref("Result")}}),
    "CommentRequest": COMMENT_BODY,
    "ResultsRequest": RESULTS_BODY,
}

_ERRORS = {
    400: ("BadRequest", "The input is not valid; `fields` names each problem."),
    401: ("Unauthorized", "No token, or a token that is not valid, revoked, or whose account is disabled."),
    403: ("Forbidden", "The token's account may not do this."),
    404: ("NotFound", "There is no such resource."),
    409: ("Conflict", "The resource changed since you read it (stale version), or a concurrent change won."),
    413: ("PayloadTooLarge", "The request body is larger than this system accepts."),
    415: ("UnsupportedMediaType", "The body must be JSON (Content-Type: application/json)."),
    422: ("Unprocessable", "The input is well formed, but the operation cannot apply it (e.g. an unknown "
                           "country code, a JCO in a state that takes no results)."),
    429: ("TooManyRequests", "Too many requests: wait a minute."),
}


def _error_response(status: int) -> dict:
    name, description = _ERRORS[status]
    response = {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {
            "description": "The Bearer challenge (RFC 6750).", "required": True, "schema": {"type": "string"},
        }}
    return response


def _ok(schema_name: str, description: str, status: int = 200) -> dict:
    return {str(status): {"description": description,
                          "content": {"application/json": {"schema": _ref(schema_name)}}}}


def _path_id(name: str, what: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": f"The {what}'s id.", "schema": ID_SCHEMA}


def _operation(operation_id: str, summary: str, responses: dict, errors: tuple[int, ...], *,
               params: list[Param] = (), path_params: list[dict] = (), body: str | None = None,
               description: str = "") -> dict:
    operation = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": [*path_params, *(p.openapi() for p in params)],
        "responses": {**responses, **{str(code): _ref_response(code) for code in errors}},
    }
    if description:
        operation["description"] = description
    if body:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _ref(body)}}}
    if not operation["parameters"]:
        del operation["parameters"]
    return operation


def _ref_response(status: int) -> dict:
    return {"$ref": f"#/components/responses/{_ERRORS[status][0]}"}


READ_ERRORS = (400, 401, 429)
ITEM_ERRORS = (401, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429)

PATHS = {
    "/api/v1/openapi.json": {"get": {
        "operationId": "get_openapi", "summary": "This document.", "security": [],
        "responses": {"200": {"description": "The OpenAPI 3.1 document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }},
    "/api/v1/jcos": {"get": _operation(
        "list_jcos", "The register of JCOs, filtered, sorted and paginated like the register page.",
        _ok("JcoPage", "One page of JCOs."), READ_ERRORS, params=LIST_JCOS)},
    "/api/v1/jcos/{jco_id}": {"get": _operation(
        "get_jco", "One JCO with its participants, state, history and rounds of comments.",
        _ok("JcoDetail", "The JCO."), ITEM_ERRORS, path_params=[_path_id("jco_id", "JCO")])},
    "/api/v1/jcos/{jco_id}/results": {"post": _operation(
        "add_results", "Record result rows of the JCO's final report (its lead delegation or the Secretariat).",
        _ok("Results", "The rows recorded.", 201), WRITE_ERRORS, path_params=[_path_id("jco_id", "JCO")],
        body="ResultsRequest")},
    "/api/v1/documents": {"get": _operation(
        "list_documents", "Council documents, newest first.", _ok("DocumentPage", "One page of documents."),
        READ_ERRORS, params=LIST_DOCUMENTS,
        description="A classified document's title is null for an account without the clearance.")},
    "/api/v1/documents/{document_id}": {"get": _operation(
        "get_document", "A document's metadata and its family.", _ok("DocumentDetail", "The document."),
        ITEM_ERRORS, path_params=[_path_id("document_id", "document")],
        description="For a classified document the account is not cleared for, the title, date, place, "
                    "language, from, to, subject codes, previous reference and file are withheld (null).")},
    "/api/v1/documents/{document_id}/file": {"get": _operation(
        "get_document_file", "The document's file.",
        {"200": {"description": "The file, as uploaded.",
                 "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}},
        (401, 403, 404, 429), path_params=[_path_id("document_id", "document")],
        description="403 when the account is not cleared for the document; 404 when no file is held.")},
    "/api/v1/meetings": {"get": _operation(
        "list_meetings", "Meetings, in date order.", _ok("MeetingPage", "One page of meetings."),
        READ_ERRORS, params=LIST_MEETINGS)},
    "/api/v1/meetings/{meeting_id}": {"get": _operation(
        "get_meeting", "A meeting with its agenda items.", _ok("MeetingDetail", "The meeting."),
        ITEM_ERRORS, path_params=[_path_id("meeting_id", "meeting")])},
    "/api/v1/participation": {"get": _operation(
        "participation", "Per delegation or body: the number of JCOs it takes part in, by role.",
        _ok("Participation", "Counts, most active first."), READ_ERRORS, params=PARTICIPATION,
        description="Takes the register's filters: the counts cover the JCOs that match them.")},
    "/api/v1/deadlines": {"get": _operation(
        "list_deadlines", "Deadlines (comments, revisions, final reports, adoptions, set by hand), soonest first.", _ok("Deadlines", "The deadlines."),
        READ_ERRORS, params=DEADLINES)},
    "/api/v1/rounds/{round_id}/comments": {"post": _operation(
        "submit_comment", "Send (or change) the written comment of the token's delegation in a round.",
        {**_ok("Comment", "The comment was changed."), **_ok("Comment", "The comment was added.", 201)},
        WRITE_ERRORS, path_params=[_path_id("round_id", "round of comments")], body="CommentRequest",
        description="Delegates only. One comment per delegation and round; it can be changed until the "
                    "deadline (send the version you read). A comment sent after the deadline is marked late.")},
}


def document(version: str = "1.0.0") -> dict:
    """The OpenAPI 3.1 document, as a fresh dictionary."""
    return deepcopy({
        "openapi": "3.1.0",
        "info": {
            "title": "JCO Tracker API",
            "version": version,
            "description": "Read the register of EU Joint Customs Operations, their documents, meetings and "
                           "deadlines; send written comments and final-report results. Authenticate with a "
                           "personal API token (account page, or `flask tokens create`) sent as "
                           "`Authorization: Bearer <token>`; a token has exactly its account's rights.",
        },
        "security": [{"bearerAuth": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A personal API token."}},
            "schemas": SCHEMAS,
            "responses": {name: _error_response(status) for status, (name, _) in _ERRORS.items()},
        },
    })
