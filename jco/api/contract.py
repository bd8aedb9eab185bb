"""The API's routes with their contract: what each takes and answers, checked and published from one place.

``contract.get(...)`` / ``contract.post(...)`` register a Flask route together with its pydantic
models (jco.api.schemas). A view parses its input with ``parse_query(Model)`` / ``parse_body(Model)``
at the moment it chooses (after loading and permission checks, so a refused caller learns nothing
about the body) and returns a response model; the OpenAPI 3.1 document is generated from the same
registrations, so it lists exactly the routes, parameters, bodies and answers the API has.

Plain pydantic plus this registry rather than an integration (spectree, flask-openapi3, APIFlask):
the API keeps its own error body and statuses, its Blueprint and its bearer-token handling, and
needs nothing those libraries would have to be configured out of.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from pydantic_core import ErrorDetails

from jco.api.errors import MESSAGES, ApiError
from jco.api.schemas import PATTERN_MESSAGES, Error
from jco.core.security import MAX_ID
from jco.core.text import N_

M = TypeVar("M", bound=BaseModel)

REF = "#/components/schemas/{model}"
# Issue 11: a comment's version must be sent, as a whole number; without it the stale-edit check
# could not run, so a missing or malformed one is refused as unprocessable (422), not as a 400.
UNPROCESSABLE_FIELDS = frozenset({"version"})
# The language of the messages (jco.core.i18n), taken by every route besides its own parameters.
LANGUAGE_PARAMETER = "lang"

ERRORS = {
    400: ("BadRequest", "The input is not valid; `fields` names each problem."),
    401: ("Unauthorized", "No token, or a token that is not valid, revoked, or whose account is disabled."),
    403: ("Forbidden", "The token's account may not do this."),
    404: ("NotFound", "There is no such resource."),
    409: ("Conflict", "The resource changed since you read it (stale version), or a concurrent change won."),
    413: ("PayloadTooLarge", "The request body is larger than this system accepts."),
    415: ("UnsupportedMediaType", "The body must be JSON (Content-Type: application/json)."),
    422: ("Unprocessable", "The input is well formed, but the operation cannot apply it (e.g. an unknown "
                           "country code, a JCO in a state that takes no results, a missing version)."),
    429: ("TooManyRequests", "Too many requests: wait a minute."),
}
READ_ERRORS = (400, 401, 429)
ITEM_ERRORS = (401, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429)

# What the id in each path names, for the document.
PATH_IDS = {"jco_id": "JCO", "document_id": "document", "meeting_id": "meeting", "round_id": "round of comments"}


class InvalidInput(ApiError):
    def __init__(self, fields: dict[str, str], message: str | None = None, status: int = 400):
        super().__init__(status, message or _("Some of the input is not valid: see the fields."), fields=fields)


@dataclass(frozen=True)
class Operation:
    endpoint: str
    method: str
    rule: str
    summary: str
    description: str
    # status → (model of the JSON body, or a raw OpenAPI content object; description)
    responses: dict[int, tuple[Any, str]]
    errors: tuple[int, ...]
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    public: bool

    @property
    def path(self) -> str:
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)


_OPERATIONS: dict[str, Operation] = {}


class Contract:
    """The routes of one Blueprint with their declared input and output models."""

    def __init__(self, blueprint: Blueprint):
        self.blueprint = blueprint
        self.operations: dict[str, Operation] = {}
        self._document: dict | None = None

    def get(self, rule: str, **declared: Any) -> Callable:
        return self._route(rule, "GET", **declared)

    def post(self, rule: str, **declared: Any) -> Callable:
        return self._route(rule, "POST", **declared)

    def _route(self, rule: str, method: str, *, summary: str, responses: dict[int, tuple[Any, str]],
               errors: tuple[int, ...] = (), query: type[BaseModel] | None = None,
               body: type[BaseModel] | None = None, description: str = "", public: bool = False) -> Callable:
        def register(view: Callable) -> Callable:
            endpoint = f"{self.blueprint.name}.{view.__name__}"
            operation = Operation(endpoint, method, (self.blueprint.url_prefix or "") + rule, summary, description,
                                  responses, errors, query, body, public)
            self.operations[endpoint] = _OPERATIONS[endpoint] = operation

            @wraps(view)
            def respond(**kwargs: Any):
                return _respond(operation, view(**kwargs))

            self.blueprint.add_url_rule(rule, view_func=respond, methods=[method])
            return respond

        return register

    def document(self) -> dict:
        """The OpenAPI 3.1 document (built once: it depends on nothing but the code)."""
        if self._document is None:
            self._document = _openapi(list(self.operations.values()))
        return json.loads(json.dumps(self._document))  # a copy nobody can change ours through


def _respond(operation: Operation, result: Any):
    """A response model (or model and status) as JSON, after checking it is the one declared."""
    model, status = result if isinstance(result, tuple) else (result, min(operation.responses))
    if not isinstance(model, BaseModel):
        return result
    declared = operation.responses.get(status, (None, ""))[0]
    if type(model) is not declared:  # a subclass would send fields the document does not list
        raise TypeError(f"{operation.endpoint} answered {status} with {type(model).__name__}, not {declared}")
    return current_app.response_class(model.model_dump_json(), status=status, mimetype="application/json")


def _declared(model: type[BaseModel], part: str) -> None:
    # A view parsing with another model than the one it publishes would make the document lie.
    operation = _OPERATIONS.get(request.endpoint or "")
    if operation is not None and getattr(operation, part) is not model:
        raise TypeError(f"{request.endpoint} publishes {getattr(operation, part)} as its {part}, not {model}")


# --- input -------------------------------------------------------------------------------------

def parse_query(model: type[M]) -> M:
    """The request's query string as ``model``, or a 400 naming each parameter that is wrong."""
    _declared(model, "query")
    args = request.args
    repeated = {name: _("Give this parameter once.") for name in args if len(args.getlist(name)) > 1}
    if repeated:
        raise InvalidInput(repeated, _("Some query parameters are not valid: see the fields."))
    try:
        return model.model_validate({name: value for name, value in args.items() if name != LANGUAGE_PARAMETER})
    except ValidationError as error:
        raise invalid_input(error, _("Some query parameters are not valid: see the fields."),
                            unknown=_("This parameter is not known here.")) from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def parse_body(model: type[M]) -> M:
    """The request's JSON body as ``model``; 400 (or 413, 415) otherwise, naming each field that is wrong."""
    _declared(model, "body")
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    if not raw:
        raise InvalidInput({}, _("Send a JSON object as the request body."))
    if not request.is_json:
        raise ApiError(415, _(MESSAGES[415]))
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise InvalidInput({}, _("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidInput({}, _("The request body must be a JSON object."))
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise invalid_input(error, _("Some of the input is not valid: see the fields."),
                            unknown=_("This field is not known here.")) from None


def invalid_input(error: ValidationError, message: str, *, unknown: str) -> InvalidInput:
    fields: dict[str, str] = {}
    for detail in error.errors():
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in detail["loc"]).lstrip(".")
        fields.setdefault(path, unknown if detail["type"] == "extra_forbidden" else describe(detail))
    status = 422 if {path.split(".")[0] for path in fields} <= UNPROCESSABLE_FIELDS else 400
    return InvalidInput(fields, message, status)


def describe(error: ErrorDetails) -> str:
    """A pydantic error in the API's words, in the request's language: what the value must be."""
    kind, ctx = error["type"], error.get("ctx") or {}
    fixed = {
        "missing": _("This field is required."),
        "int_type": _("Must be a whole number."), "int_parsing": _("Must be a whole number."),
        "int_from_float": _("Must be a whole number."), "float_type": _("Must be a number."),
        "float_parsing": _("Must be a number."), "finite_number": _("Must be a finite number."),
        "bool_type": _("Must be true or false."), "bool_parsing": _("Must be true or false."),
        "string_type": _("Must be text."), "list_type": _("Must be a list."), "model_type": _("Must be an object."),
        "dict_type": _("Must be an object."), "day": _("Must be a date written YYYY-MM-DD."),
    }
    if kind in fixed:
        return fixed[kind]
    if kind == "greater_than_equal":
        return _("Must be at least %(bound)s.", bound=_number(ctx["ge"]))
    if kind == "less_than_equal":
        return _("Must be at most %(bound)s.", bound=_number(ctx["le"]))
    if kind == "string_too_short":
        return _("Must not be empty.") if ctx["min_length"] == 1 else ngettext(
            "Must have at least %(num)d character.", "Must have at least %(num)d characters.", ctx["min_length"])
    if kind == "string_too_long":
        return ngettext("Must have at most %(num)d character.", "Must have at most %(num)d characters.",
                        ctx["max_length"])
    if kind == "too_short":
        return _("Give at least %(num)d.", num=ctx["min_length"])
    if kind == "too_long":
        return _("Give at most %(num)d.", num=ctx["max_length"])
    if kind == "string_pattern_mismatch":
        return _(PATTERN_MESSAGES.get(ctx["pattern"], N_("Is not in the expected form.")))
    if kind in ("enum", "literal_error"):
        return _("Must be one of: %(values)s.", values=ctx["expected"].replace(chr(39), ""))
    return error["msg"] if error["msg"].endswith(".") else error["msg"] + "."


def _number(value: float) -> str:
    # A float bound that is whole reads as the whole number a person would write.
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


# --- the document ------------------------------------------------------------------------------

class _Schemas(GenerateJsonSchema):
    def field_title_should_be_set(self, schema) -> bool:
        return False  # the property's name says it; titles would only repeat it

    def default_schema(self, schema):
        # A field left out when absent (an unused query parameter, an error without fields) has
        # the default None in Python, but null is not among its published values.
        json_schema = super().default_schema(schema)
        nullable = {"type": "null"} in json_schema.get("anyOf", ()) or json_schema.get("type") == "null"
        if json_schema.get("default", "") is None and not nullable:
            del json_schema["default"]
        return json_schema


def _openapi(operations: list[Operation]) -> dict:
    outputs = {model for op in operations for model, _ in op.responses.values() if isinstance(model, type)}
    inputs = {op.body for op in operations if op.body}
    keys, definitions = models_json_schema(
        [(m, "serialization") for m in sorted(outputs | {Error}, key=lambda m: m.__name__)]
        + [(m, "validation") for m in sorted(inputs, key=lambda m: m.__name__)],
        ref_template=REF, schema_generator=_Schemas,
    )
    schemas = definitions.get("$defs", {})
    paths: dict[str, dict] = {}
    for op in operations:
        parameters = [*_path_parameters(op)]
        if op.query:
            query_parameters, query_schemas = _query_parameters(op.query)
            parameters += query_parameters
            schemas.update(query_schemas)
        entry: dict[str, Any] = {"operationId": op.endpoint.split(".", 1)[1], "summary": op.summary}
        if op.description:
            entry["description"] = op.description
        if parameters:
            entry["parameters"] = parameters
        if op.body:
            entry["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": keys[(op.body, "validation")]}}}
        entry["responses"] = {
            **{str(status): _ok(model, text, keys) for status, (model, text) in op.responses.items()},
            **{str(status): {"$ref": f"#/components/responses/{ERRORS[status][0]}"} for status in op.errors},
        }
        if op.public:
            entry["security"] = []
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "JCO Tracker API",
            "version": "1.0.0",
            "description": "Read the register of EU Joint Customs Operations, their documents, meetings and "
                           "deadlines; send written comments and final-report results. Authenticate with a "
                           "personal API token (account page, or `flask tokens create`) sent as "
                           "`Authorization: Bearer <token>`; a token has exactly its account's rights. Error "
                           "messages are in the language asked for (`Accept-Language`, or `?lang=fr` on any "
                           "request); field names and codes are always English.",
        },
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A personal API token."}},
            "schemas": schemas,
            "responses": {name: _error_response(status, text) for status, (name, text) in ERRORS.items()},
        },
    }


def _ok(model: Any, description: str, keys: dict) -> dict:
    if isinstance(model, type):
        return {"description": description,
                "content": {"application/json": {"schema": keys[(model, "serialization")]}}}
    return {"description": description, "content": model}


def _error_response(status: int, description: str) -> dict:
    response: dict[str, Any] = {"description": description,
                                "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {
            "description": "The Bearer challenge (RFC 6750).", "required": True, "schema": {"type": "string"},
        }}
    return response


def _path_parameters(op: Operation) -> list[dict]:
    return [{"name": name, "in": "path", "required": True, "description": f"The {PATH_IDS[name]}'s id.",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
            for name in re.findall(r"{(\w+)}", op.path)]


def _query_parameters(model: type[BaseModel]) -> tuple[list[dict], dict]:
    schema = model.model_json_schema(ref_template=REF, schema_generator=_Schemas)
    parameters = []
    for name, property_ in schema["properties"].items():
        description = property_.pop("description", "")
        # A query string has no null: an optional parameter is simply left out.
        variants = [v for v in property_.pop("anyOf", ()) if v != {"type": "null"}]
        if variants:
            property_.update(variants[0] if len(variants) == 1 else {"anyOf": variants})
        if property_.get("default", "") is None:
            del property_["default"]
        parameters.append({"name": name, "in": "query", "required": name in schema.get("required", ()),
                           "description": description, "schema": property_})
    return parameters, schema.get("$defs", {})
