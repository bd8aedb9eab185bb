"""Security headers on every kind of response, session cookies, and the reverse-proxy setting."""

from __future__ import annotations

import re

import pytest
from flask import abort

from jco import create_app
from jco.core.config import from_environment
from jco.core.security import EMPTY_STYLE_HASH, content_security_policy, safe_next_url
from tests.conftest import TEST_CONFIG


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_hardened(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, csp
    policy = directives(csp)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in policy["style-src"][1:])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_policy_allows_no_inline_code_and_only_plotlys_stylesheets():
    policy = directives(content_security_policy())
    assert EMPTY_STYLE_HASH in policy["style-src"]
    # One hash per stylesheet the installed plotly.js injects verbatim (MapLibre's), no more.
    assert 2 <= len(policy["style-src"]) <= 4


@pytest.fixture
def routes_for_errors(app):
    """Routes that fail on purpose, added before the app serves its first request."""

    @app.get("/_test/boom")
    def boom():
        raise RuntimeError("an unexpected failure")

    @app.get("/api/_test/forbidden")
    def api_forbidden():
        abort(403)

    boom.public = True
    api_forbidden.public = True
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_every_kind_of_response_carries_the_headers(client, auth, demo, routes_for_errors):
    static = re.search(r'href="(/static/css/app\.css\?v=\w+)"', client.get("/login").get_data(as_text=True))[1]
    anonymous = {
        "/login": 200,
        "/": 302,
        "/jcos": 302,
        "/healthz": 200,
        static: 200,
        "/nowhere": 302,  # to the login page: an anonymous visitor learns nothing
        "/api/_test/forbidden": 403,
        "/_test/boom": 500,
    }
    for path, status in anonymous.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert_hardened(response)
    assert_hardened(client.post("/healthz"))  # 405
    auth.login("fr.delegate@example.org")
    for path, status in {"/jcos": 200, "/accounts": 403, "/jcos/999999": 404, "/nowhere": 404,
                         "/api/nowhere": 404}.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert_hardened(response)
    assert client.get("/api/nowhere").is_json
    assert_hardened(client.post("/login", data={"email": "x"}))


def test_static_files_are_cached_and_pages_are_not(client, auth, demo):
    html = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=\w+)"', html)[1]
    assert "immutable" in client.get(css).headers["Cache-Control"]
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(client, demo):
    response = client.post("/login", data={"email": "fr.delegate@example.org", "password": "jco-demo"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP (a developer's machine) unless JCO_SECURE_COOKIES is set


def test_secure_cookies_setting(monkeypatch, database_url, demo):
    monkeypatch.setenv("JCO_SECURE_COOKIES", "true")
    assert from_environment("/tmp")["SESSION_COOKIE_SECURE"] is True
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    response = app.test_client().post(
        "/login", data={"email": "fr.delegate@example.org", "password": "jco-demo"}
    )
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    app.extensions["jco_engine"].dispose()


def test_the_session_cookie_holds_an_id_and_no_data(client, auth, demo, app):
    """The session lives on the server (tests/test_sessions_and_login.py has its idle and maximum
    times): the cookie is a random id, set at log-in and left alone by later requests."""
    cookie = auth.login("fr.delegate@example.org").headers["Set-Cookie"]
    value = cookie.split(";")[0].split("=", 1)[1]
    assert len(value) == 43 and "." not in value  # not a signed, readable payload
    assert "Set-Cookie" not in client.get("/jcos").headers


def test_forwarded_headers_are_ignored_without_trusted_proxies(client):
    response = client.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("app_config", [{"JCO_TRUSTED_PROXIES": 1}])
def test_behind_a_trusted_proxy_https_is_recognised(client, demo):
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    response = client.post("/login?next=/meetings", headers={"X-Forwarded-Proto": "https"},
                           data={"email": "fr.delegate@example.org", "password": "jco-demo"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
     "/\n/evil.example", "javascript:alert(1)", "http:/evil.example", " //evil.example", "", None],
)
def test_unsafe_next_targets_are_refused(target):
    assert safe_next_url(target) is None


@pytest.mark.parametrize("target", ["/jcos", "/jcos?state=comments&page=2", "/documents/3#file-h"])
def test_local_next_targets_are_kept(target):
    assert safe_next_url(target) == target
