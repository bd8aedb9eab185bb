"""Fingerprinted static URLs: a file's URL carries its content hash, so it can be cached for a year."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request, url_for


@lru_cache(maxsize=256)
def _digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def init_app(app: Flask) -> None:
    static_folder = Path(app.static_folder or "")

    def asset_url(filename: str) -> str:
        path = static_folder / filename
        version = _digest(str(path), path.stat().st_mtime) if path.exists() else "0"
        return url_for("static", filename=filename, v=version)

    app.jinja_env.globals["asset_url"] = asset_url

    @app.after_request
    def _cache_static(response):
        if request.endpoint == "static" and request.args.get("v"):
            # Flask's send_file says no-cache when given no max-age; left in, browsers would
            # revalidate every fingerprinted file on every page.
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = 31536000
            response.cache_control.immutable = True
        return response
