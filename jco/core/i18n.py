"""The reader's language: Flask-Babel's catalogs, and how the language is chosen (issue 16).

The order, first match wins:
1. ``?lang=fr`` on the request: that answer (an agenda export in French, whoever asks), and the
   choice is kept for the rest of the session (the switch in the header);
2. the choice kept in the session;
3. the language stored on the logged-in account (its account page, "Language");
4. the browser's ``Accept-Language``;
5. English.

Babel also formats dates and numbers (``jco.core.dates``), so they follow the same choice. CLI output
stays English; e-mails and calendar feeds are made with ``force_locale(account.language)``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, has_app_context, has_request_context, request, session, url_for
from flask_babel import Babel, get_locale, refresh
from flask_login import current_user

# The Council's two working languages; the order is the header's.
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}
DEFAULT = "en"

babel = Babel()


def supported(code: str | None) -> str | None:
    """``fr`` for ``fr``, ``FR`` or ``fr-BE``; None for anything we do not offer."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else None


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT  # CLI runs: English, unless a caller uses force_locale (e-mails, feeds)
    asked = supported(request.args.get("lang"))
    if asked:
        return asked
    kept = supported(session.get("lang"))
    if kept:
        return kept
    # (an app without accounts — a bare app in a unit test — has no login manager to ask)
    if hasattr(current_app, "login_manager") and current_user and current_user.is_authenticated:
        chosen = supported(getattr(current_user, "language", None))
        if chosen:
            return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT


def current_language() -> str:
    """The language code of this request (``en`` outside a request)."""
    if not has_app_context():
        return DEFAULT
    return str(get_locale() or DEFAULT)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_timezone="Europe/Brussels")

    @app.before_request
    def _keep_language_asked():
        # Flask-Babel keeps its choice on ``g``; a test holding an app context across requests would
        # carry one request's language into the next. Each request chooses afresh.
        refresh()

    @app.after_request
    def _keep_language_of_pages(response):
        # Only a page keeps the choice for the session: an export, a feed or an API answer asked
        # for in French leaves the reader's pages alone.
        asked = supported(request.args.get("lang"))
        if (asked and request.method == "GET" and response.mimetype == "text/html" and response.status_code < 400
                and session.get("lang") != asked):
            session["lang"] = asked
        return response

    from flask_babel import format_decimal, format_number, gettext, ngettext

    from jco.core import dates, text

    dates.use_locale_from(current_language)
    text.use_translations(gettext, ngettext)
    # Labels marked N_ elsewhere, translated as they are shown. gettext without arguments never
    # %-formats, so a "%" in a title passed through it is safe.
    app.jinja_env.filters["t"] = lambda label: gettext(str(label)) if label else label
    # Counts and quantities in the reader's notation (French 4 100 000; up to three decimals).
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["quantity"] = lambda value: format_decimal(value, format="#,##0.###")

    @app.context_processor
    def _language():
        return {"LANGUAGES": LANGUAGES, "current_language": current_language(), "language_url": language_url}


def language_url(code: str) -> str:
    """This page again, in ``code`` (the header's switch); a page reached by POST comes back by GET."""
    args = request.args.to_dict()
    args["lang"] = code
    if request.endpoint and request.url_rule is not None and "GET" in (request.url_rule.methods or ()):
        return url_for(request.endpoint, **(request.view_args or {}), **args)
    return "?" + urlencode(args)

