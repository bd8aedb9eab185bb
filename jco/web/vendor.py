"""Heavy static assets, compressed once per process instead of once per request.

* ``/static-vendor/plotly-<version>.min.js`` and ``/static-vendor/plotly-<version>.css``: plotly.js
  and its stylesheet, read from the installed plotly package (never copied into the repository).
  The version in the URL is the fingerprint, so they are cached for a year as immutable.
* Files under ``jco/static`` (app.css, charts.js, the map outlines...) keep Flask's own static
  route; a hook swaps their body for a cached brotli or gzip copy when the client accepts one.
  Flask-Compress would otherwise compress them again on every request, and not with gzip at all
  (it treats file responses as streams, for which it leaves gzip out).
* plotly.js requests the map outlines by a fixed name (``/static/maps/world_50m.json``), so they
  cannot be fingerprinted: they are cached for 30 days and revalidated by ETag after that.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, request, url_for
from werkzeug.security import safe_join

from jco.web.charts_assets import plotly_css, plotly_js_path, plotly_js_version

try:  # Flask-Compress depends on one of the two
    import brotli
except ImportError:  # pragma: no cover - depends on the platform's wheels
    try:
        import brotlicffi as brotli
    except ImportError:
        brotli = None

YEAR = 31536000
MAP_MAX_AGE = 30 * 24 * 3600
# Quality 11 takes 13 s on plotly.min.js (4.8 MB) against 1.2 s at 9 for 10 % more bytes.
_BROTLI_BIG_FILE = 1_000_000

bp = Blueprint("vendor", __name__)

_cache: dict[tuple, bytes] = {}
_locks: dict[tuple, threading.Lock] = {}
_locks_guard = threading.Lock()
_etags: dict[tuple, str] = {}


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=11 if len(data) < _BROTLI_BIG_FILE else 9)
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    return data


def cached_body(key: tuple, load: Callable[[], bytes], encoding: str) -> bytes:
    """``load()``'s bytes in ``encoding`` ("br", "gzip" or "identity"), computed once per key.

    Concurrent first requests for the same file wait for one compression rather than each
    doing it; requests for other files are not held up.
    """
    full_key = (*key, encoding)
    body = _cache.get(full_key)
    if body is not None:
        return body
    with _locks_guard:
        lock = _locks.setdefault(full_key, threading.Lock())
    with lock:
        body = _cache.get(full_key)
        if body is None:
            body = _cache[full_key] = _compress(load(), encoding)
    return body


def chosen_encoding() -> str:
    """The best encoding the client accepts: brotli, else gzip, else none."""
    accepted = request.accept_encodings
    if brotli is not None and accepted.quality("br") > 0:
        return "br"
    if accepted.quality("gzip") > 0:
        return "gzip"
    return "identity"


def _finish(response: Response, encoding: str, etag: str) -> Response:
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{etag}-{encoding}")
    response.make_conditional(request)  # answers in place (it returns the same response)
    return response


def _vendor_response(key: tuple, load: Callable[[], bytes], mimetype: str) -> Response:
    encoding = chosen_encoding()
    body = cached_body(key, load, encoding)
    etag = _etags.get(key)
    if etag is None:
        etag = _etags[key] = hashlib.sha256(cached_body(key, load, "identity")).hexdigest()[:20]
    response = Response(body, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    response.cache_control.immutable = True
    return _finish(response, encoding, etag)


@bp.get("/static-vendor/plotly-<version>.min.js")
def plotly_js(version: str):
    if version != plotly_js_version():
        abort(404)
    return _vendor_response(("plotly.js", version), lambda: plotly_js_path().read_bytes(), "text/javascript")


@bp.get("/static-vendor/plotly-<version>.css")
def plotly_stylesheet(version: str):
    if version != plotly_js_version():
        abort(404)
    return _vendor_response(("plotly.css", version), lambda: plotly_css().encode("utf-8"), "text/css")


# Library code and public map data: the login page may need them, and they hold nothing private.
plotly_js.public = True
plotly_stylesheet.public = True


def plotly_js_url() -> str:
    return url_for("vendor.plotly_js", version=plotly_js_version())


def plotly_css_url() -> str:
    return url_for("vendor.plotly_stylesheet", version=plotly_js_version())


_INJECTED_STYLE_RE = re.compile(
    r'document\.getElementById\("([0-9a-f]{16,})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@cache
def plotly_injected_style_ids() -> tuple[str, ...]:
    """Ids of the ``<style>`` elements plotly.min.js adds on load unless one already exists.

    plotly.js 4 bundles maplibre's stylesheet (for tile maps, which we never draw) and injects
    it at load; the CSP blocks that and the browser logs a violation. An element carrying the id
    tells plotly.js the styles are in place.
    """
    with plotly_js_path().open(encoding="utf-8") as fh:
        return tuple(dict.fromkeys(_INJECTED_STYLE_RE.findall(fh.read())))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        plotly_js_url=plotly_js_url, plotly_css_url=plotly_css_url,
        plotly_injected_style_ids=plotly_injected_style_ids,
    )

    # Registered after Flask-Compress, so it runs before it; Flask-Compress leaves a response
    # that already has a Content-Encoding alone.
    @app.after_request
    def _static_files(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        if filename.startswith("maps/") and "v" not in request.args:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = MAP_MAX_AGE
        if response.mimetype not in app.config.get("COMPRESS_MIMETYPES", ()) or "Content-Encoding" in response.headers:
            return response
        path = safe_join(app.static_folder or "", filename)
        encoding = chosen_encoding()
        etag, _weak = response.get_etag()
        if path is None or encoding == "identity" or etag is None:
            return response
        stat = os.stat(path)
        if stat.st_size < app.config.get("COMPRESS_MIN_SIZE", 500):
            return response
        body = cached_body((path, stat.st_mtime_ns, stat.st_size), Path(path).read_bytes, encoding)
        if hasattr(response.response, "close"):
            response.response.close()  # the open file Flask was about to stream
        response.direct_passthrough = False
        response.set_data(body)
        return _finish(response, encoding, etag)
