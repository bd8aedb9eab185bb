"""Errors of the API: always JSON, ``{"error": {"status", "message", "fields"?}}``, never an HTML page.

The messages are for people: they are translated into the request's language (``?lang=fr`` or
``Accept-Language``); statuses, field names and JSON keys stay as they are.
"""

from __future__ import annotations

from flask import current_app

from jco.api.schemas import Error, ErrorDetail
from jco.core.text import N_

# Marked only: translated when a response is made (``gettext(MESSAGES[status])``).
MESSAGES = {
    400: N_("The request could not be understood."),
    403: N_("Your account is not allowed to do this."),
    404: N_("There is nothing at this address."),
    405: N_("This address does not accept that method."),
    413: N_("The request body is larger than this system accepts."),
    415: N_("Send the body as JSON, with Content-Type: application/json."),
    429: N_("Too many requests. Wait a minute and try again."),
}


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
    body = Error(error=ErrorDetail(status=status, message=message, fields=fields or None))
    response = current_app.response_class(body.model_dump_json(exclude_none=True), status=status,
                                          mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
