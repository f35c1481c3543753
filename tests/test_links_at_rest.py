"""Tokens at rest (issue 14, item 7): no working referent link in the outbox rows, none in the
development server's log, and no live link for an invitation never sent."""
import html
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.followups import progress
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.models import FollowupInvitation, OutboxMail
from tests.support.factories import DUE, make_stage
from tests.support.system import free_port

ROOT = Path(__file__).resolve().parent.parent


def _token(app) -> tuple[str, int]:
    with app.app_context():
        invitation = db.session.scalar(select(FollowupInvitation))
        return progress.link_token(invitation), invitation.id


def test_a_link_never_sent_opens_nothing_until_its_first_send(app, client):
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        assert dispatch_due(DUE - timedelta(days=1)) == []  # planned, not sent
    token, _ = _token(app)
    never_sent = client.get(f"/suivi/{token}")
    assert never_sent.status_code == 404 and "Lien inconnu" in html.unescape(never_sent.text)
    assert client.post(f"/suivi/{token}/brouillon", json={}).status_code in (400, 404)
    with app.app_context():
        (outcome,) = dispatch_due(DUE)
        assert outcome.result == "sent"
    assert client.get(f"/suivi/{token}").status_code == 200


def test_the_development_server_log_holds_no_link_token(tmp_path):
    """`make run` serves with `flask run`: its request lines go through the mask too."""
    url = f"sqlite:///{tmp_path / 'dev.sqlite'}"
    from tests.support.factories import dispose, make_app

    dispose(make_app(url))
    token = "AbCdEfGhIjKlMnOpQrStUv"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "dev-log-key",
           "RATELIMIT_ENABLED": "0", "FLASK_CONFIG": "development"}
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host",
                               "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        for path in (f"/b/{token}", f"/suivi/{token}", "/health"):
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
                    break
                except urllib.error.HTTPError:
                    break  # the unknown links answer 404: logged all the same
                except (urllib.error.URLError, ConnectionError):
                    assert time.monotonic() < deadline and server.poll() is None
                    time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert "GET /health" in output and "/suivi/***" in output and "/b/***" in output
    assert token not in output


def test_the_outbox_keeps_links_masked_and_shows_the_team_the_working_link(app, auth, client):
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        (outcome,) = dispatch_due(DUE)
        assert outcome.detail == "outbox"
        kept = db.session.scalar(select(OutboxMail))
        mail_id, stored = kept.id, kept.subject + kept.body_text + kept.body_html
    token, _ = _token(app)
    assert token not in stored  # the row (and so every backup) holds no working link
    assert "/suivi/***" in stored
    auth.login()
    shown = html.unescape(client.get(f"/equipe/boite-d-envoi?mail={mail_id}").text)
    assert f"/suivi/{token}" in shown and "/suivi/***" not in shown
    assert client.get(f"/suivi/{token}").status_code == 200  # the link shown works


def test_a_mail_sent_over_smtp_still_carries_the_whole_link(tmp_path, smtp):
    from tests.support.factories import database_for, dispose, make_app
    from tests.support.mail import mail_settings

    app = make_app(database_for(tmp_path), **mail_settings(smtp))
    try:
        with app.app_context():
            make_stage({"nadia@example.org": ["Alex"]})
            (outcome,) = dispatch_due(DUE)
            assert outcome.detail == "smtp"
            assert db.session.scalar(select(OutboxMail.id)) is None
        token, _ = _token(app)
        (message,) = smtp.handler.to("nadia@example.org")
        assert f"/suivi/{token}" in smtp.handler.text(message)
    finally:
        dispose(app)
