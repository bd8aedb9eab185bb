"""The production server: the gunicorn settings import, and gunicorn really serves the app."""

from __future__ import annotations

import importlib
import urllib.error
import urllib.request

from tests.servers import gunicorn, migrated_sqlite


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("JCO_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("JCO_WORKERS", "3")
    monkeypatch.setenv("JCO_FORWARDED_ALLOW_IPS", "10.0.0.5")
    import jco.web.gunicorn_conf as conf

    conf = importlib.reload(conf)
    assert conf.bind == ["0.0.0.0:9000"]
    assert conf.workers == 3
    assert conf.forwarded_allow_ips == "10.0.0.5"
    assert conf.accesslog == "-" and "x-forwarded-for" in conf.access_log_format
    assert conf.timeout > 0 and conf.graceful_timeout > 0
    assert conf.preload_app is False
    monkeypatch.delenv("JCO_WORKERS")
    assert 1 <= importlib.reload(conf).workers <= 8


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_the_app(tmp_path):
    with gunicorn(tmp_path, migrated_sqlite(tmp_path), secret="gunicorn-test",
                  access_log=str(tmp_path / "access.log")) as served:
        status, headers, body = _get(f"{served.base}/healthz")
        assert status == 200 and b'"database":"ok"' in body
        status, headers, body = _get(f"{served.base}/login")
        assert status == 200 and b"Log in" in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert served.process.returncode == 0
    assert "GET /healthz" in (tmp_path / "access.log").read_text()
