"""Static files under content-hashed names: a year's cache, gzip, and a new name when they change."""
import gzip
import hashlib
import re
from pathlib import Path

from questionnaires.web.assets import IMMUTABLE, SHORT

STATIC = Path(__file__).resolve().parent.parent / "questionnaires" / "static"
HASHED_CSS = re.compile(r'href="(/static/css/app\.([0-9a-f]{12})\.css)"')


def _css_url(client) -> tuple[str, str]:
    html = client.get("/connexion").get_data(as_text=True)
    match = HASHED_CSS.search(html)
    assert match, "the page links the stylesheet under its hashed name"
    return match.group(1), match.group(2)


def test_pages_link_hashed_names_cached_for_a_year(client):
    url, digest = _css_url(client)
    assert digest == hashlib.sha256((STATIC / "css/app.css").read_bytes()).hexdigest()[:12]
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert response.mimetype == "text/css"
    assert response.data == (STATIC / "css/app.css").read_bytes()
    assert "Accept-Encoding" in response.headers["Vary"]
    # The security headers stay on static files too.
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_script_of_the_tablet_is_hashed(demo):
    from questionnaires.participant import bilan
    from tests.support.queries import first_participant

    client = demo.test_client()
    with demo.app_context():
        token = bilan.link_token(first_participant(demo))
    client.get(f"/b/{token}")
    html = client.get("/bilan/etape/1").get_data(as_text=True)
    sources = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'href="(/static/[^"]+)"', html)
    assert len(sources) >= 4
    for source in sources:
        assert re.search(r"\.[0-9a-f]{12}\.(js|css|svg)$", source), source
        assert client.get(source).headers["Cache-Control"] == IMMUTABLE


def test_gzip_when_accepted_and_plain_otherwise(client):
    url, _ = _css_url(client)
    plain = (STATIC / "css/app.css").read_bytes()
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert len(zipped.data) < len(plain) / 2
    assert gzip.decompress(zipped.data) == plain
    for refused in ("identity", "gzip;q=0", ""):
        response = client.get(url, headers={"Accept-Encoding": refused} if refused else {})
        assert "Content-Encoding" not in response.headers
        assert response.data == plain


def test_plain_name_still_works_with_a_short_cache(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == SHORT
    assert response.data == (STATIC / "css/app.css").read_bytes()
    # A stale hash (a page from before a deploy) gets today's file, not a year's cache.
    stale = client.get("/static/css/app.0123456789ab.css")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == SHORT
    assert client.get("/static/css/absent.css").status_code == 404
    assert client.get("/static/../config.py").status_code == 404


def test_revalidation_by_etag(client):
    url, digest = _css_url(client)
    response = client.get(url, headers={"If-None-Match": f'"{digest}"'})
    assert response.status_code == 304 and response.data == b""


def test_a_changed_file_gets_a_new_name(app, tmp_path):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "app.css").write_text("body { color: black; }\n" * 20)
    app.static_folder = str(folder)
    app.config["ASSETS_RELOAD"] = True
    client = app.test_client()
    with app.test_request_context():
        from questionnaires.web.assets import asset

        first = asset("css/app.css")
        (folder / "css" / "app.css").write_text("body { color: navy; }\n" * 20)
        second = asset("css/app.css")
        assert asset("css/absent.css") == "/static/css/absent.css"
    assert first != second
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", second)
    assert b"navy" in client.get(second).data
    # The old name now serves the new content, briefly cached, never for a year.
    assert client.get(first).headers["Cache-Control"] == SHORT
