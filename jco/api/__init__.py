"""The JSON API (/api/v1/) and the personal tokens that open it."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import MethodNotAllowed


def init_app(app: Flask) -> None:
    from jco.api import tokens
    from jco.api.cli import tokens_cli
    from jco.api.views import bp
    from jco.core.extensions import csrf

    app.register_blueprint(bp)
    # Bearer tokens only, never the session cookie: a cross-site page cannot forge an API call.
    csrf.exempt(bp)
    app.register_blueprint(tokens.bp)
    app.cli.add_command(tokens_cli)
    app.jinja_env.globals["api_token_panel"] = tokens.panel

    @app.after_request
    def _allow_header(response):
        # A routing 405 happens before any blueprint is chosen; RFC 9110 wants it to say what is allowed.
        error = request.routing_exception
        if (response.status_code == 405 and isinstance(error, MethodNotAllowed) and error.valid_methods
                and "Allow" not in response.headers):
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response
