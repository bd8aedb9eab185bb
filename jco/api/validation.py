"""Checks a request's query string and JSON body against the schemas the OpenAPI document publishes.

The published document and the checks read the same declarations (jco.api.schemas.openapi), so
what the document promises is what the API enforces. Only the JSON Schema keywords those
declarations use are understood here; an unknown keyword is a programming error, not ignored.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from werkzeug.datastructures import MultiDict

from jco.api.errors import ApiError

# Free text: something other than spaces, and no NUL (which PostgreSQL cannot store).
TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
# Search text: anything but NUL, possibly empty.
SEARCH_PATTERN = r"^[^\x00]*$"
# Organisation codes: ISO 3166 alpha-2 for countries, short names for bodies (OLAF, DG-TAXUD).
CODE_PATTERN = r"^[A-Za-z][A-Za-z-]{1,15}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

PATTERN_MESSAGES = {
    TEXT_PATTERN: "Must contain some text (and no NUL characters).",
    SEARCH_PATTERN: "Must not contain NUL characters.",
    CODE_PATTERN: "Must be a country or body code such as LV or OLAF.",
}

_KNOWN = {
    "type", "enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "format", "properties",
    "required", "additionalProperties", "items", "minItems", "maxItems", "default", "description",
    "examples", "title",
}
_TYPE_NAMES = {
    "integer": "a whole number", "number": "a number", "string": "text", "boolean": "true or false",
    "array": "a list", "object": "an object", "null": "null",
}


@dataclass(frozen=True)
class Param:
    """A query-string parameter, as published in the OpenAPI document and as checked."""

    name: str
    schema: dict
    description: str
    location: str = "query"
    required: bool = False
    extra: dict = field(default_factory=dict)

    def openapi(self) -> dict:
        return {"name": self.name, "in": self.location, "required": self.required,
                "description": self.description, "schema": self.schema, **self.extra}


class InvalidInput(ApiError):
    def __init__(self, fields: dict[str, str], message: str = "Some of the input is not valid: see the fields."):
        super().__init__(400, message, fields=fields)


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def _type_matches(actual: str, wanted: str) -> bool:
    return actual == wanted or (wanted == "number" and actual == "integer")


def check(value, schema: dict, path: str = "") -> dict[str, str]:
    """The problems of ``value`` against ``schema``, by field path ('' for the value itself)."""
    unknown = set(schema) - _KNOWN
    if unknown:
        raise ValueError(f"validation does not understand {sorted(unknown)}")
    errors: dict[str, str] = {}
    wanted = schema.get("type")
    if wanted is not None:
        types = wanted if isinstance(wanted, list) else [wanted]
        actual = _json_type(value)
        if not any(_type_matches(actual, t) for t in types):
            names = " or ".join(_TYPE_NAMES[t] for t in types)
            return {path: f"Must be {names}."}
    if isinstance(value, float) and not math.isfinite(value):
        return {path: "Must be a finite number."}
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join("null" if v is None else str(v) for v in schema["enum"])
        return {path: f"Must be one of: {choices}."}
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            return {path: "Must not be empty." if schema["minLength"] == 1 else
                    f"Must have at least {schema['minLength']} characters."}
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return {path: f"Must have at most {schema['maxLength']} characters."}
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return {path: PATTERN_MESSAGES.get(schema["pattern"], "Is not in the expected form.")}
        if schema.get("format") == "date":
            try:
                if not re.fullmatch(DATE_PATTERN, value):
                    raise ValueError
                date.fromisoformat(value)
            except ValueError:
                return {path: "Must be a date written YYYY-MM-DD."}
    if _json_type(value) in ("integer", "number"):
        if "minimum" in schema and value < schema["minimum"]:
            return {path: f"Must be at least {schema['minimum']}."}
        if "maximum" in schema and value > schema["maximum"]:
            return {path: f"Must be at most {schema['maximum']}."}
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            return {path: f"Give at least {schema['minItems']}."}
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return {path: f"Give at most {schema['maxItems']}."}
        if "items" in schema:
            for index, item in enumerate(value):
                errors.update(check(item, schema["items"], f"{path}[{index}]"))
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors[_join(path, name)] = "This field is required."
        for name, item in value.items():
            if name in properties:
                errors.update(check(item, properties[name], _join(path, name)))
            elif schema.get("additionalProperties") is False:
                errors[_join(path, name)] = "This field is not known here."
    return errors


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _from_query(raw: str, schema: dict):
    """A query-string value as the JSON value the schema speaks of; the raw text when it cannot be one."""
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "integer" in types and re.fullmatch(r"-?\d{1,100}", raw):
        return int(raw)
    if "boolean" in types and raw in ("true", "false"):
        return raw == "true"
    return raw


def parse_query(params: list[Param], args: MultiDict) -> dict:
    """The checked values of the query string (defaults filled in), or InvalidInput naming each problem."""
    known = {p.name: p for p in params}
    values = {p.name: p.schema.get("default") for p in params}
    errors: dict[str, str] = {}
    for name in args:
        param = known.get(name)
        if param is None:
            errors[name] = "This parameter is not known here."
            continue
        raw = args.getlist(name)
        if len(raw) > 1:
            errors[name] = "Give this parameter once."
            continue
        value = _from_query(raw[0], param.schema)
        problems = check(value, param.schema, name)
        if problems:
            errors.update(problems)
        elif param.schema.get("format") == "date":
            values[name] = date.fromisoformat(value)
        else:
            values[name] = value
    if errors:
        raise InvalidInput(errors, "Some query parameters are not valid: see the fields.")
    return values


def parse_body(schema: dict, body) -> dict:
    problems = check(body, schema)
    if "" in problems:
        raise InvalidInput({}, "The request body must be a JSON object.")
    if problems:
        raise InvalidInput(problems)
    return body
