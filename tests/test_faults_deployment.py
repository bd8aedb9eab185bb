"""The production server: the gunicorn settings import, and gunicorn really serves the app."""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine

from jco.core import migrate


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_the_app(tmp_path):
    database = tmp_path / "jco.sqlite3"
    engine = create_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "gunicorn-test",
        "JCO_BIND": f"127.0.0.1:{port}",
        "JCO_WORKERS": "1",
        "JCO_ACCESS_LOG": str(tmp_path / "access.log"),
        "JCO_ERROR_LOG": str(tmp_path / "error.log"),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "python:jco.web.gunicorn_conf", "jco:create_app()"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        assert server.poll() is None, (tmp_path / "error.log").read_text()
        assert status == 200 and b'"database":"ok"' in body
        status, headers, body = _get(f"http://127.0.0.1:{port}/login")
        assert status == 200 and b"Log in" in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode == 0
    assert "GET /healthz" in (tmp_path / "access.log").read_text()
