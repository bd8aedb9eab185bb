"""What every response and request goes through: a strict CSP and friends, proxies, hostile input.

The policy allows no inline script or style anywhere ('unsafe-inline' appears nowhere). Two hashes
are allowed in ``style-src``, both for the plotly.js bundled in the installed plotly package:

* the hash of the empty string. plotly.js creates an *empty* ``<style>`` element and fills it
  through the CSSOM (``sheet.insertRule``), which CSP does not govern; without the hash Chromium
  refuses the empty element, its ``sheet`` is null and the mode bar and hover labels lose their
  layout. An empty stylesheet can carry nothing an attacker could use.
* the hash of each stylesheet the bundle injects verbatim (MapLibre's CSS, for tile maps), read
  from the bundle itself, so that an upgrade of plotly keeps working without editing this file.
  The browser test ``tests/browser/test_csp_plotly.py`` draws a figure and fails on any violation.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
# Ids are 32-bit integers on both engines: a larger number names nothing (404), rather than
# overflowing the database driver (a 500 on SQLite, a DataError on PostgreSQL).
MAX_ID = 2**31 - 1


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def plotly_bundle_path() -> Path | None:
    try:
        import plotly
    except ImportError:  # pragma: no cover - plotly is a dependency
        return None
    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    return path if path.exists() else None


# `var e=document.createElement("style");e.id="…",e.textContent='<css>'` in the minified bundle.
_INJECTED_STYLE = re.compile(
    r'createElement\("style"\)[^;]{0,40};[^;]{0,120}?\.textContent=(?P<q>[\'"])(?P<css>(?:(?!(?P=q))[^\\])*)(?P=q)'
)


@lru_cache(maxsize=1)
def plotly_style_hashes() -> tuple[str, ...]:
    """CSP hashes of the stylesheets that the installed plotly.js injects as they are."""
    path = plotly_bundle_path()
    if path is None:
        return ()
    bundle = path.read_text(encoding="utf-8", errors="replace")
    return tuple(sorted({_csp_hash(m.group("css")) for m in _INJECTED_STYLE.finditer(bundle)}))


def content_security_policy() -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            " ".join(["style-src 'self'", EMPTY_STYLE_HASH, *plotly_style_hashes()]),
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: non-negative and at most MAX_ID, else the URL matches nothing."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bounded_int(value, *, minimum: int = -MAX_ID, maximum: int = MAX_ID) -> int | None:
    """An integer from a query string that the database can hold, or None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if minimum <= number <= maximum else None


def safe_next_url(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None: no open redirect after login.

    Browsers read ``/\\evil.example`` as ``//evil.example`` and drop tabs and newlines inside a
    URL, so backslashes and control characters are refused along with any scheme or host.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _contains_nul(multidict) -> bool:
    # Every value of every key: a repeated key must not smuggle what its first value does not.
    return any("\x00" in value for values in multidict.listvalues() for value in values if isinstance(value, str))


def init_app(app: Flask) -> None:
    # Before any blueprint registers its routes, so that every <int:…> is bounded.
    app.url_map.converters["int"] = IdConverter
    proxies = int(app.config.get("JCO_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Only as many hops as there are proxies we run: a client's own X-Forwarded-For entries
        # beyond them are ignored, so it cannot pick the address that rate limits count.
        # Flask's documented way to wrap its WSGI app; mypy sees a method being replaced.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)  # type: ignore[method-assign]
    if (
        app.config.get("SESSION_COOKIE_SECURE")
        and app.config.get("SESSION_COOKIE_NAME") == "session"
        and not app.config.get("SESSION_COOKIE_DOMAIN")
        and (app.config.get("SESSION_COOKIE_PATH") or app.config.get("APPLICATION_ROOT") or "/") == "/"
    ):
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for the whole
        # site and set by this very host: a sibling subdomain cannot plant a session.
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    # Sessions on the server, and password checks counted before they happen, both in stores that
    # every worker process shares (the database, or Redis when configured).
    from jco.accounts import sessions, throttle

    sessions.init_app(app)
    throttle.init_app(app)
    csp = content_security_policy()

    @app.before_request
    def _refuse_nul_bytes():
        # No field of ours can hold U+0000 and PostgreSQL refuses it in text: answer 400 here
        # instead of letting the database raise on a query parameter. The JSON API validates each
        # of its parameters itself, naming the field at fault; and reading request.form here would
        # consume the body of its requests before it can tell a form post (415) from bad JSON.
        if request.blueprint == "api":
            return
        if _contains_nul(request.args) or (
            request.method in {"POST", "PUT", "PATCH"} and _contains_nul(request.form)
        ):
            abort(400, "The request contains a character that is not allowed (U+0000).")

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
