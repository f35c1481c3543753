"""Personal-link tokens never reach a log: gunicorn's access log (real server) and the app's."""
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from questionnaires.participant import bilan
from questionnaires.extensions import db
from questionnaires.web.log_masking import mask_tokens
from questionnaires.models import Participant
from tests.support.factories import make_app
from tests.support.system import free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "AbCdEfGhIjKlMnOpQrStUv"


def test_tokens_are_masked_and_team_paths_kept():
    assert mask_tokens(f"GET /b/{TOKEN} HTTP/1.1") == "GET /b/*** HTTP/1.1"
    assert mask_tokens(f"https://stages.example.org/suivi/{TOKEN}/brouillon") == \
        "https://stages.example.org/suivi/***/brouillon"
    assert mask_tokens(f"/b/{TOKEN}.{TOKEN}") == "/b/***"  # a link of the first scheme
    assert mask_tokens("/equipe/stages/12/suivi/3/email") == "/equipe/stages/12/suivi/3/email"
    assert mask_tokens("") == ""


def test_gunicorns_access_log_holds_no_link_token(tmp_path):
    url = f"sqlite:///{tmp_path / 'logs.sqlite'}"
    app = make_app(url, SECRET_KEY="log-test-key")
    with app.app_context():
        from questionnaires.demo import load_demo

        load_demo()
        token = bilan.link_token(db.session.scalars(db.select(Participant)).first())
        db.session.remove()
        db.engine.dispose()
    port, log = free_port(), tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "log-test-key",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1",
           "GUNICORN_ACCESSLOG": str(log), "RATELIMIT_ENABLED": "0"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline and server.poll() is None, server.stderr.read()
                time.sleep(0.2)
        for path in (f"/b/{token}", f"/suivi/{TOKEN}"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={
                "Referer": f"http://127.0.0.1:{port}/b/{token}"})
            try:
                urllib.request.urlopen(request, timeout=5)
            except urllib.error.HTTPError:
                pass  # the unknown referent link is a 404: logged all the same
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    lines = log.read_text()
    assert "/b/***" in lines and "/suivi/***" in lines
    assert token not in lines and TOKEN not in lines
