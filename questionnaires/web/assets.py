"""Static files under content-hashed names, cached for a year and sent compressed.

A tablet on a weak connection should fetch the CSS and scripts once, then only the HTML of each
step. So templates write `asset('css/app.css')`, which gives `/static/css/app.<hash>.css`: the
name changes whenever the content does, so the file can be cached for a year without ever being
revalidated (`Cache-Control: public, max-age=31536000, immutable`). The unhashed URL still
works, with a short cache, for anything that kept it (an old page, a bookmark).

When the app serves its static files itself (development, or no nginx in front), text files are
gzipped once in memory and sent compressed to clients that accept it, with `Vary:
Accept-Encoding`. In production nginx serves `/static/` (deploy/nginx/stages.conf) with the same
names and headers.
"""
import gzip
import hashlib
import mimetypes
import re
from pathlib import Path

from flask import Flask, Response, abort, current_app, has_request_context, request, url_for

#: A year: the longest cache browsers honour; the name changes with the content anyway.
IMMUTABLE = "public, max-age=31536000, immutable"
#: The unhashed names may change content under the same URL: a short cache only.
SHORT = "public, max-age=300"
HASH_LENGTH = 12
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{%d})(?P<suffix>\.[A-Za-z0-9]+)$"
                    % HASH_LENGTH)
#: Worth compressing (images like PNG are compressed already)
COMPRESSIBLE = {".css", ".js", ".svg", ".html", ".json", ".txt"}
#: Below this, gzip's header costs more than it saves
MIN_GZIP_BYTES = 256


class Asset:
    """One static file read into memory: its bytes, gzipped bytes, digest and type."""

    def __init__(self, name: str, data: bytes):
        self.name = name
        self.data = data
        self.digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
        stem, dot, suffix = name.rpartition(".")
        self.hashed_name = f"{stem}.{self.digest}.{suffix}" if dot else f"{name}.{self.digest}"
        self.mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        compressible = Path(name).suffix.lower() in COMPRESSIBLE and len(data) >= MIN_GZIP_BYTES
        # mtime=0: the same bytes in every worker and on every start.
        self.gzipped = gzip.compress(data, compresslevel=9, mtime=0) if compressible else None


def scan(folder: str | Path) -> dict[str, Asset]:
    """Every file under `folder`, by its path relative to it ('css/app.css')."""
    root = Path(folder)
    assets = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            name = path.relative_to(root).as_posix()
            assets[name] = Asset(name, path.read_bytes())
    return assets


def _assets() -> dict[str, Asset]:
    """This app's table, read once per process; again on every call when ASSETS_RELOAD is set
    (development: an edited file gets its new name without a restart)."""
    app = current_app
    state = app.extensions["assets"]
    if state["table"] is None or app.config.get("ASSETS_RELOAD"):
        state["table"] = scan(app.static_folder)
        state["by_hashed"] = {a.hashed_name: a for a in state["table"].values()}
    return state["table"]


def asset(name: str) -> str:
    """The URL of a static file under its content-hashed name (the plain name if unknown)."""
    table = _assets()
    # url_for costs more than the rest of this: kept per (application root, name).
    urls = current_app.extensions["assets"]["urls"]
    key = (request.script_root if has_request_context() else None, name)
    url = urls.get(key) if not current_app.config.get("ASSETS_RELOAD") else None
    if url is None:
        found = table.get(name)
        url = urls[key] = url_for("static", filename=found.hashed_name if found else name)
    return url


def _accepts_gzip() -> bool:
    for part in request.headers.get("Accept-Encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            quality = params.strip().lower()
            return not re.fullmatch(r"q=0(\.0*)?", quality.replace(" ", ""))
    return False


def serve_static(filename: str):
    """The `static` endpoint: hashed names cached for a year, plain names for five minutes."""
    assets = _assets()
    by_hashed = current_app.extensions["assets"]["by_hashed"]
    found, cache = by_hashed.get(filename), IMMUTABLE
    if found is None:
        cache = SHORT
        found = assets.get(filename)
        match = HASHED.match(filename)
        if found is None and match:
            # An older hash (a page rendered before a deploy): today's file, not cached for long.
            found = assets.get(match["stem"] + match["suffix"])
    if found is None:  # only files read from the static folder are ever served
        abort(404)
    etag = f'"{found.digest}"'
    headers = {"Cache-Control": cache, "ETag": etag}
    if found.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    body = found.data
    if found.gzipped is not None and _accepts_gzip():
        body = found.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, mimetype=found.mimetype, headers=headers)


def init_app(app: Flask) -> None:
    """Serve /static/ through serve_static and give templates `asset()`."""
    app.config.setdefault("ASSETS_RELOAD", app.debug)
    app.extensions["assets"] = {"table": None, "by_hashed": {}, "urls": {}}
    app.view_functions["static"] = serve_static
    app.jinja_env.globals["asset"] = asset
