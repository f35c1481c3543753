"""Admin pages: accounts (with self-protection), settings without secrets, the journal."""
import pytest
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.models import AuditEvent, User
from tests.support.factories import ADMIN
from tests.support.forms import post_form


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_team_members_get_a_french_403_and_anonymous_the_login(app, client, auth):
    for url in ("/admin/comptes", "/admin/reglages", "/admin/journal", "/admin/comptes/1"):
        assert client.get(url).status_code == 302
    auth.login()
    for url in ("/admin/comptes", "/admin/reglages", "/admin/journal", "/admin/comptes/nouveau"):
        response = client.get(url)
        assert response.status_code == 403 and "Accès refusé" in response.get_data(as_text=True)
    assert "Administration" not in client.get("/equipe/stages").get_data(as_text=True)


def test_admins_see_the_link_and_also_use_team_pages(admin):
    page = admin.get("/equipe/stages")
    assert page.status_code == 200 and "/admin/comptes" in page.get_data(as_text=True)
    assert admin.get("/equipe/lieux").status_code == 200


def test_create_then_change_an_account_and_the_journal_says_so(app, admin):
    response = post_form(admin, "/admin/comptes/nouveau", {
        "email": " Lea@Example.org ", "name": "Léa", "role": "team", "active": "y",
        "password": "un-mot-de-passe-long"})
    assert response.status_code == 302
    lea = _user(app, "lea@example.org")
    assert lea.role == "team" and lea.active and lea.check_password("un-mot-de-passe-long")
    duplicate = post_form(admin, "/admin/comptes/nouveau", {
        "email": "lea@example.org", "name": "Léa 2", "role": "team", "password": "x" * 12})
    assert "existe déjà" in duplicate.get_data(as_text=True)
    short = post_form(admin, "/admin/comptes/nouveau", {
        "email": "m@example.org", "name": "M", "role": "team", "password": "court"})
    assert "Entre 10 et 200" in short.get_data(as_text=True)
    assert post_form(admin, f"/admin/comptes/{lea.id}", {
        "name": "Léa Martin", "role": "admin", "password": "nouveau-mot-de-passe"}).status_code == 302
    lea = _user(app, "lea@example.org")
    assert (lea.name, lea.role, lea.active) == ("Léa Martin", "admin", False)
    assert lea.check_password("nouveau-mot-de-passe")
    with app.app_context():
        details = db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "account").order_by(AuditEvent.id)).all()
    assert details[0] == "compte créé (Équipe)"
    assert "rôle Équipe → Administrateur·rice" in details[1] and "désactivé" in details[1]
    assert "mot de passe changé" in details[1] and "nouveau-mot-de-passe" not in details[1]
    journal = admin.get("/admin/journal?action=account").get_data(as_text=True)
    assert "Compte modifié" in journal and "Léa Martin" in journal


def test_an_admin_cannot_demote_or_deactivate_themselves(app, admin):
    me = _user(app, ADMIN[0])
    for data in ({"name": "Moi", "role": "team", "active": "y"}, {"name": "Moi", "role": "admin"}):
        response = post_form(admin, f"/admin/comptes/{me.id}", data)
        assert "toujours rester" in response.get_data(as_text=True)
    me = _user(app, ADMIN[0])
    assert (me.role, me.active, me.name) == ("admin", True, "Camille Équipe")


def test_settings_show_what_matters_and_no_secret(app, admin):
    app.config["MAIL_PASSWORD"] = "smtp-secret-123"
    app.config["RETENTION_YEARS"] = 5
    app.config["RATELIMIT_STORAGE_URI"] = "redis://limiter:redis-secret-9@127.0.0.1:6379/0"
    page = admin.get("/admin/reglages").get_data(as_text=True)
    assert "redis://***@127.0.0.1:6379/0" in page and "redis-secret-9" not in page
    for expected in ("BILAN_LINK_DAYS", "FOLLOWUP_LINK_DAYS", "REMINDER_DAYS", "MAIL_SERVER",
                     "RATELIMIT_LOGIN", "RETENTION_YEARS", "30 jours après le stage"):
        assert expected in page
    assert app.config["SECRET_KEY"] not in page and "smtp-secret-123" not in page


@pytest.mark.parametrize("query", [
    "utilisateur=abc&action=nimporte&stage=%27%3BDROP&du=31/02/2024&au=2024-13-01",
    "du=0001-01-01&au=9999-12-31&page=-3", "page=99999999999999999999999&stage=99999999999999",
    "utilisateur=99999999999999999999&du=" + "9" * 500, "action=viewed&action=changed",
])
def test_the_journal_never_fails_on_bad_filters(admin, query):
    response = admin.get(f"/admin/journal?{query}")
    assert response.status_code == 200
    assert "Journal d'accès" in response.get_data(as_text=True)


def test_the_journal_filters_and_pages(app, admin):
    from datetime import datetime, timezone

    with app.app_context():
        me = db.session.scalar(select(User).where(User.email == ADMIN[0]))
        for n in range(60):
            db.session.add(AuditEvent(at=datetime(2026, 3, 1 + n % 28, 12, tzinfo=timezone.utc),
                                      user_id=me.id, user_name=me.name, user_email=me.email,
                                      action="viewed", target_type="participant",
                                      target_id=str(n), stage_id=1 + n % 2))
        db.session.commit()
        my_id = me.id
    first = admin.get("/admin/journal?action=viewed").get_data(as_text=True)
    assert "60 événements" in first and "page 1 sur 2" in first
    assert "Plus anciens" in admin.get("/admin/journal?action=viewed").get_data(as_text=True)
    second = admin.get("/admin/journal?action=viewed&page=2").get_data(as_text=True)
    assert "page 2 sur 2" in second
    stage = admin.get("/admin/journal?action=viewed&stage=2").get_data(as_text=True)
    assert "30 événements" in stage
    day = admin.get(f"/admin/journal?utilisateur={my_id}&du=2026-03-02&au=2026-03-02"
                    ).get_data(as_text=True)
    assert "3 événements" in day  # n = 1, 29, 57


def test_flask_users_create_makes_an_admin_who_can_open_the_admin_pages(app, runner, auth):
    result = runner.invoke(args=["users", "create", "Chef@Example.org", "--name", "Chef",
                                 "--role", "admin", "--password", "mot-de-passe-chef"])
    assert "Compte créé" in result.output
    assert _user(app, "chef@example.org").is_admin
    client = app.test_client()
    auth.login("chef@example.org", "mot-de-passe-chef", client=client)
    assert client.get("/admin/comptes").status_code == 200


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, admin, auth):
    """Resetting a stolen password must also log the thief out (review finding)."""
    lea_device = app.test_client()
    post_form(admin, "/admin/comptes/nouveau", {"email": "lea@example.org", "name": "Léa",
                                                "role": "team", "active": "y",
                                                "password": "un-mot-de-passe-long"})
    assert auth.login("lea@example.org", "un-mot-de-passe-long", client=lea_device).status_code == 302
    assert lea_device.get("/equipe/stages").status_code == 200
    lea = _user(app, "lea@example.org")
    assert post_form(admin, f"/admin/comptes/{lea.id}", {
        "name": "Léa", "role": "team", "active": "y", "password": "encore-un-autre-mot"}).status_code == 302
    assert lea_device.get("/equipe/stages").status_code == 302  # back to the login page
    assert admin.get("/equipe/stages").status_code == 200  # other accounts' sessions live on


def test_an_admin_changing_their_own_password_stays_logged_in(app, admin):
    me = _user(app, ADMIN[0])
    assert post_form(admin, f"/admin/comptes/{me.id}", {
        "name": me.name, "role": "admin", "active": "y",
        "password": "mon-nouveau-mot-de-passe"}).status_code == 302
    assert admin.get("/admin/comptes").status_code == 200


def test_flask_users_create_keeps_the_admin_pages_password_rule(app, runner):
    result = runner.invoke(args=["users", "create", "court@example.org", "--name", "Court",
                                 "--password", "neuf-lett"])
    assert result.exit_code != 0 and "au moins 10 caractères" in result.output
    assert _user(app, "court@example.org") is None
