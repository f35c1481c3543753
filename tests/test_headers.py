"""Security headers, production cookies, and templates that a strict CSP can serve."""
import re
from pathlib import Path

from questionnaires import create_app
from tests.support.factories import create_user, make_app
from tests.support.forms import post_form
from tests.support.queries import first_participant

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style", re.I)


def _headers_of(response) -> dict:
    return {k: response.headers.get(k) for k in (
        "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")}


def _assert_strict(response):
    headers = _headers_of(response)
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_every_kind_of_page_carries_the_headers(demo, team):
    client = demo.test_client()
    with demo.app_context():
        from questionnaires.participant import bilan

        token = bilan.link_token(first_participant(demo))
    for response in (client.get("/connexion"), client.get(f"/b/{token}"),
                     client.get("/bilan/etape/1"), client.get("/b/inconnu"),
                     client.get("/suivi/inconnu"), client.get("/static/css/app.css"),
                     team.get("/equipe/stages/2/impact"), team.get("/equipe/impact"),
                     team.get("/equipe/stages/2/export/participants.csv")):
        _assert_strict(response)


def test_only_the_mail_preview_allows_inline_styles_never_scripts(demo, team):
    from questionnaires.extensions import db
    from questionnaires.models import OutboxMail

    with demo.app_context():
        mail = OutboxMail(sender="s@example.org", to_address="r@example.org", subject="Suivi",
                          body_text="Bonjour",
                          body_html='<p style="color:red">Bonjour</p>')
        db.session.add(mail)
        db.session.commit()
        mail_id = mail.id
    csp = team.get(f"/equipe/boite-d-envoi?mail={mail_id}").headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline';" in csp and "script-src 'self';" in csp
    _assert_strict(team.get("/equipe/boite-d-envoi"))


def test_no_template_has_inline_scripts_event_handlers_or_style_attributes():
    """E-mails are not pages: their inline styles are for mail clients. Nor is the standalone
    report that `flask report` writes to a file (its print sheet must travel with it); no route
    renders it (test_report.py)."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.parts[-2] == "email" or path.relative_to(TEMPLATES).as_posix() == \
                "report/standalone.html":
            continue
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_ATTRIBUTE, STYLE):
            offenders += [f"{path.relative_to(TEMPLATES)}: {m.group(0)[:60]}"
                          for m in pattern.finditer(text)]
    assert offenders == []


def test_server_drawn_charts_use_no_style_attribute():
    from questionnaires.impact.charts import bar_chart

    chart = bar_chart("Titre", [("Une barre", 3, "3"), ("<b>", None, "—")])
    assert "style" not in str(chart.svg) and "<script" not in str(chart.svg)


def test_production_cookies_are_secure_httponly_and_lax(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_CONFIG", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    # PUBLIC_URL is read when config.py is imported: given here, as instance/config.py would.
    app = create_app({"PUBLIC_URL": "https://stages.example.org"})
    config = app.config
    assert (config["SESSION_COOKIE_SECURE"], config["SESSION_COOKIE_HTTPONLY"],
            config["SESSION_COOKIE_SAMESITE"]) == (True, True, "Lax")
    assert (config["REMEMBER_COOKIE_SECURE"], config["REMEMBER_COOKIE_HTTPONLY"],
            config["REMEMBER_COOKIE_SAMESITE"]) == (True, True, "Lax")
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert config["RATELIMIT_ENABLED"] is True


def test_the_session_cookie_is_set_with_those_flags(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'c.sqlite'}", SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/connexion", base_url="https://localhost")
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_behind_https_a_form_needs_the_same_origin_referer_the_policy_keeps(tmp_path):
    """Why the policy is "same-origin" and not "no-referrer": Flask-WTF's strict https check.

    A browser obeying "no-referrer" sends no Referer, and every form post and autosave would be
    refused in production; "same-origin" sends it to this site only.
    """
    app = make_app(f"sqlite:///{tmp_path / 'https.sqlite'}", SESSION_COOKIE_SECURE=True)
    with app.app_context():
        create_user()
    client = app.test_client()
    page = client.get("/connexion", base_url="https://localhost")
    assert page.headers["Referrer-Policy"] == "same-origin"
    form = {"email": "camille@example.org", "password": "mot-de-passe-1"}
    refused = post_form(client, "/connexion", form, base_url="https://localhost")
    assert refused.status_code == 400 and "Formulaire expiré" in refused.get_data(as_text=True)
    accepted = post_form(client, "/connexion", form, base_url="https://localhost",
                         headers={"Referer": "https://localhost/connexion"})
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/equipe/stages")
