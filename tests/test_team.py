"""Team pages: login on every page, CSRF on every form, French pages, no 500."""
import pytest
from sqlalchemy import func, select

from questionnaires.extensions import db
from questionnaires.models import Attendance, Participant, Referent, Slot, Stage, Structure, Venue
from tests.support.forms import csrf_token, post_form

ARGS = {"stage_id": 1, "day_iso": "2021-11-22", "period": "matin", "participant_id": 1,
        "professional_id": 1, "venue_id": 1, "structure_id": 1, "referent_id": 1,
        "table": "impact", "key": "qpv", "extension": "csv", "invitation_id": 1,
        "action": "renvoyer", "candidate_id": 1, "step": "entretien",
        "theme": "accueil-billetterie", "kind": "suivi_invitation",
        "questionnaire": "bilan-individuel", "version": 1}


#: Team pages only admins may open (access.admin_required): a team member gets a 403
ADMIN_ONLY = {"team.participant_data", "team.participant_erase"}


def team_urls(app, admin_only: bool = False):
    """Every team route with sample arguments, and its methods (or only the admin ones)."""
    with app.test_request_context():
        from flask import url_for
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("team.") and (rule.endpoint in ADMIN_ONLY) == admin_only:
                args = {name: ARGS[name] for name in rule.arguments}
                yield url_for(rule.endpoint, **args), rule.methods - {"HEAD", "OPTIONS"}


def test_every_team_page_requires_login(demo):
    client = demo.test_client()
    urls = list(team_urls(demo)) + list(team_urls(demo, admin_only=True))
    assert len(urls) > 20
    # A valid CSRF token, so that POSTs reach the login check rather than the CSRF one.
    token = csrf_token(client.get("/connexion"))
    for url, methods in urls:
        for method in methods:
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/connexion"), url


def test_every_team_page_renders_for_a_team_member(demo, team):
    client = team
    for url, methods in team_urls(demo):
        if "GET" in methods:
            response = client.get(url)
            assert response.status_code == 200, url
            if response.mimetype == "text/html":
                assert '<html lang="fr">' in response.get_data(as_text=True)
    for url, methods in team_urls(demo, admin_only=True):
        assert client.get(url).status_code == 403, url


def test_admin_only_team_pages_render_for_an_admin(demo, admin):
    client = admin
    urls = list(team_urls(demo, admin_only=True))
    assert urls
    for url, methods in urls:
        assert client.get(url).status_code == 200, url


def test_login_with_wrong_password_says_so_in_french(client, auth):
    auth.create()
    response = auth.login(password="faux")
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/equipe/stages").status_code == 302


def test_login_does_not_redirect_off_site(client, auth):
    auth.create()
    response = post_form(client, "/connexion?next=https://evil.example/",
                         {"email": "camille@example.org", "password": "mot-de-passe-1"},
                         page_url="/connexion")
    assert response.headers["Location"] == "/equipe/stages"


def test_post_without_csrf_token_is_refused_in_french(client, auth):
    auth.login()
    response = client.post("/equipe/stages/nouveau", data={
        "title": "Sans jeton", "theme": "test", "start_date": "2025-03-03", "end_date": "2025-03-07",
        "capacity": "10", "followup_months": "3"})
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.scalar(select(func.count(Stage.id))) == 0


def test_login_form_itself_needs_csrf(client, auth):
    auth.create()
    response = client.post("/connexion", data={"email": "camille@example.org",
                                               "password": "mot-de-passe-1"})
    assert response.status_code == 400


STAGE = {"title": "Métiers du sport", "theme": "sport-evenementiel", "start_date": "2025-03-03",
         "end_date": "2025-03-07", "territory": "Val-de-Marne", "capacity": "2",
         "followup_months": "3"}


@pytest.fixture
def logged(app, client, auth):
    auth.login()
    return client


def test_create_stage_then_fill_programme(logged, app):
    response = post_form(logged, "/equipe/stages/nouveau", STAGE)
    assert response.status_code == 302
    with app.app_context():
        venue = Venue(name="Stade", city="Ivry", kind="autre")
        db.session.add(venue)
        db.session.commit()
        venue_id = venue.id
    response = post_form(logged, "/equipe/stages/1/programme/2025-03-04/soiree",
                         {"title": "Match de basket", "kind": "sortie_culturelle", "venue_id": venue_id})
    assert response.status_code == 302
    page = logged.get("/equipe/stages/1").get_data(as_text=True)
    assert "Match de basket" in page and "Stade" in page
    with app.app_context():
        slot = db.session.scalar(select(Slot))
        assert (slot.key, slot.period, slot.venue_id) == ("mar-soir", "soiree", venue_id)


@pytest.mark.parametrize("data, message", [
    ({"end_date": "2025-03-01"}, "Le dernier jour doit être après le premier jour."),
    ({"end_date": "2025-04-30"}, "Un stage dure au plus 14 jours."),
    ({"start_date": "03/03/2025"}, "Date invalide"),
    ({"capacity": "0"}, "Entre 1 et 100 places."),
    ({"capacity": "dix"}, "entier"),
    ({"theme": "Sport & Co"}, "En minuscules sans accent"),
    ({"title": ""}, "Ce champ est obligatoire."),
    ({"title": "x" * 300}, "200 caractères"),
])
def test_stage_form_errors_are_french_and_write_nothing(logged, app, data, message):
    response = post_form(logged, "/equipe/stages/nouveau", {**STAGE, **data})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Stage.id))) == 0


def test_stage_dates_cannot_orphan_slots(logged, app):
    post_form(logged, "/equipe/stages/nouveau", STAGE)
    post_form(logged, "/equipe/stages/1/programme/2025-03-07/matin",
              {"title": "Bilan", "kind": "bilan", "venue_id": 0})
    response = post_form(logged, "/equipe/stages/1/modifier", {**STAGE, "end_date": "2025-03-06"})
    assert "tomberaient hors de ces dates" in response.get_data(as_text=True)


def test_slot_outside_the_stage_is_a_french_404(logged):
    post_form(logged, "/equipe/stages/nouveau", STAGE)
    for url in ("/equipe/stages/1/programme/2025-04-01/matin",
                "/equipe/stages/1/programme/2025-03-03/nuit",
                "/equipe/stages/1/programme/pas-une-date/matin",
                "/equipe/stages/99", "/equipe/stages/1/participants/42", "/equipe/lieux/7"):
        response = logged.get(url)
        assert response.status_code == 404, url
        assert "existe pas" in response.get_data(as_text=True), url


def _participant(**overrides):
    return {"first_name": "Léa", "last_name": "", "birth_date": "2001-05-04", "gender": "F",
            "city": "Ivry-sur-Seine", "qpv": "oui", "referent_id": "0", "status": "inscrit",
            "pmsmp": "a_faire", **overrides}


def test_capacity_is_enforced_with_a_clear_message(logged, app):
    post_form(logged, "/equipe/stages/nouveau", STAGE)  # 2 places
    url = "/equipe/stages/1/participants/nouveau"
    assert post_form(logged, url, _participant()).status_code == 302
    assert post_form(logged, url, _participant(first_name="Sam")).status_code == 302
    response = post_form(logged, url, _participant(first_name="Noé"))
    assert response.status_code == 200
    assert "Le stage est complet : 2 inscrit·e·s pour 2 places" in response.get_data(as_text=True)
    # Someone who withdrew before the start does not take a seat.
    assert post_form(logged, url, _participant(first_name="Noé", status="desiste")).status_code == 302
    response = post_form(logged, "/equipe/stages/1/participants/3", _participant(first_name="Noé"))
    assert "Le stage est complet" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 3


def test_participant_gets_a_referent_from_the_structures(logged, app):
    post_form(logged, "/equipe/stages/nouveau", STAGE)
    with app.app_context():
        structure = Structure(name="Mission locale de Vitry-sur-Seine")
        referent = Referent(name="Nadia Exemple", email="nadia@example.org", structure=structure)
        db.session.add_all([structure, referent])
        db.session.commit()
        referent_id = referent.id
    page = logged.get("/equipe/stages/1/participants/nouveau").get_data(as_text=True)
    assert 'optgroup label="Mission locale de Vitry-sur-Seine"' in page
    post_form(logged, "/equipe/stages/1/participants/nouveau", _participant(referent_id=referent_id))
    response = post_form(logged, "/equipe/stages/1/participants/nouveau",
                         _participant(first_name="Sam", referent_id="999"))
    assert "choix valide" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Participant.referent_id)) == referent_id


def test_referent_email_duplicate_is_refused(logged, app):
    post_form(logged, "/equipe/structures/nouvelle", {"name": "PLIE", "city": ""})
    data = {"name": "Nadia", "email": "Nadia@Example.org", "structure_id": "1"}
    assert post_form(logged, "/equipe/referents/nouveau", data).status_code == 302
    response = post_form(logged, "/equipe/referents/nouveau", {**data, "email": "nadia@example.org"})
    assert "déjà cette adresse" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Referent.email)) == "nadia@example.org"


def test_attendance_grid_cycles_by_tap_and_fills_a_column(demo, team):
    client = team
    with demo.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.stage_id == 2).order_by(Slot.id))
        person = db.session.scalar(select(Participant).where(Participant.stage_id == 2))
        db.session.execute(db.delete(Attendance).where(Attendance.slot_id == slot.id))
        db.session.commit()
        ids = (person.id, slot.id)
    grid = "/equipe/stages/2/presences"
    response = post_form(client, grid, {"cell": f"{ids[0]}:{ids[1]}:present"},
                         headers={"Accept": "application/json"})
    assert response.get_json() == {"ok": True}
    post_form(client, grid, {"cell": f"{ids[0]}:{ids[1]}:absent"})
    with demo.app_context():
        assert db.session.get(Attendance, ids).status == "absent"
    post_form(client, grid, {"cell": f"{ids[0]}:{ids[1]}:"})
    with demo.app_context():
        assert db.session.get(Attendance, ids) is None
    post_form(client, grid, {"column": str(ids[1])})
    with demo.app_context():
        marks = db.session.scalars(select(Attendance.status).where(Attendance.slot_id == ids[1])).all()
        assert marks == ["present"] * 8


@pytest.mark.parametrize("cell", ["1:1:present", "x:y:z", "", "99999:1:present", "1:1:tard",
                                  "²:1:present", "1:²:present", "9" * 40 + ":1:present"])
def test_attendance_refuses_cells_of_another_stage_or_garbage(demo, team, cell):
    client = team
    response = post_form(client, "/equipe/stages/2/presences", {"cell": cell},
                         headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "invalide" in response.get_json()["error"]


def test_stage_delete_asks_then_deletes(demo, team):
    client = team
    page = client.get("/equipe/stages/2/supprimer")
    assert "Téléchargez d'abord l'archive" in page.get_data(as_text=True)
    post_form(client, "/equipe/stages/2/supprimer")
    with demo.app_context():
        assert db.session.get(Stage, 2) is None


def test_archive_download_and_upload_pages(demo, team):
    client = team
    download = client.get("/equipe/stages/1/archive.json")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    from io import BytesIO
    response = post_form(client, "/equipe/stages/importer",
                         {"file": (BytesIO(download.data), "stage.json")})
    assert response.status_code == 302
    bad = post_form(client, "/equipe/stages/importer",
                    {"file": (BytesIO(b'{"format": 1}'), "x.json")})
    assert "Archive refusée" in bad.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalar(select(func.count(Stage.id))) == 3


@pytest.mark.parametrize("url", ["/equipe/stages/99999999999999999999999",
                                 "/equipe/stages/1/participants/123456789012345678901234567890",
                                 "/equipe/referents/nouveau?structure=99999999999999999999999"])
def test_numbers_beyond_any_id_are_answered_not_crashed(demo, team, url):
    client = team
    assert client.get(url).status_code in (200, 404)

