"""Errors of the API: always JSON, ``{"error": {"status", "message", "fields"?}}``, never an HTML page."""

from __future__ import annotations

from flask import jsonify


class ApiError(Exception):
    """Raised by the API's views; the blueprint turns it into the JSON error body."""

    def __init__(self, status: int, message: str, *, fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def error_response(status: int, message: str, fields: dict[str, str] | None = None,
                   headers: dict[str, str] | None = None):
    body = {"status": status, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
