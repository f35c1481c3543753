"""Importing participants from the team's spreadsheet: preview, confirm, all or nothing."""
import base64
import re
from io import BytesIO

import openpyxl
from sqlalchemy import func, select

from questionnaires.extensions import db
from questionnaires.models import Participant, Referent, Stage, Structure
from tests.support.forms import csrf_token, post_form

GOOD = (
    "Prénom;Nom;Date de naissance;Sexe;Ville;QPV;Référent;Email du référent;Structure;Convention PMSMP\n"
    "Léa;Martin;04/05/2001;F;Ivry-sur-Seine;oui;Nadia Exemple;nadia@example.org;Mission locale d'Ivry;signée\n"
    "Samir;;12/10/1990;H;Vitry-sur-Seine;veille;Nadia Exemple;nadia@example.org;Mission locale d'Ivry;\n"
    "Noé;Petit;;X;;;Leïla Fontanel;leila.fontanel@example.org;Maison de Quartier Gagarine;à faire\n"
)


def _stage(app, capacity=10):
    with app.app_context():
        stage = Stage(title="Sport", theme="sport", capacity=capacity,
                      start_date=__import__("datetime").date(2025, 3, 3),
                      end_date=__import__("datetime").date(2025, 3, 7))
        db.session.add(stage)
        db.session.commit()
        return stage.id


def _upload(client, stage_id, data: bytes, name="participants.csv"):
    return post_form(client, f"/equipe/stages/{stage_id}/import", {"file": (BytesIO(data), name)})


def _confirm(client, stage_id, preview):
    """Post the preview's confirmation form, as it was sent back (the preview's token)."""
    html = preview.get_data(as_text=True)
    kept = re.search(r'name="apercu" value="([^"]*)"', html).group(1)
    return client.post(f"/equipe/stages/{stage_id}/import/confirmer", data={
        "csrf_token": csrf_token(preview), "apercu": kept})


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_preview_writes_nothing_then_confirm_creates_everything(demo, auth, client):
    auth.login()
    stage_id = _stage(demo)
    structures, referents = _count(demo, Structure), _count(demo, Referent)
    preview = _upload(client, stage_id, GOOD.encode("utf-8"))
    html = preview.get_data(as_text=True)
    assert "3 participant·e·s seront inscrit·e·s" in html
    assert "Mission locale d&#39;Ivry" in html
    assert _count(demo, Participant) == 18  # only the demo's
    response = _confirm(client, stage_id, preview)
    assert response.status_code == 302
    with demo.app_context():
        people = db.session.scalars(select(Participant).where(Participant.stage_id == stage_id)
                                    .order_by(Participant.id)).all()
        assert [p.first_name for p in people] == ["Léa", "Samir", "Noé"]
        assert people[0].referent.email == "nadia@example.org"
        assert people[0].referent.structure.name == "Mission locale d'Ivry"
        assert (people[0].qpv, people[0].pmsmp, people[1].pmsmp) == ("oui", "signee", "a_faire")
        # The demo's Leïla Fontanel is reused, not duplicated.
        assert people[2].referent.structure.name == "Maison de Quartier Gagarine"
    assert _count(demo, Structure) == structures + 1
    assert _count(demo, Referent) == referents + 1


def test_windows_1252_comma_separated_file(app, auth, client):
    auth.login()
    stage_id = _stage(app)
    data = GOOD.replace(";", ",").encode("cp1252")
    preview = _upload(client, stage_id, data)
    assert "3 participant·e·s seront inscrit·e·s" in preview.get_data(as_text=True)


def test_xlsx_file(app, auth, client):
    auth.login()
    stage_id = _stage(app)
    book = openpyxl.Workbook()
    for line in GOOD.splitlines():
        book.active.append(line.split(";"))
    buffer = BytesIO()
    book.save(buffer)
    preview = _upload(client, stage_id, buffer.getvalue(), "inscrits.xlsx")
    assert "3 participant·e·s seront inscrit·e·s" in preview.get_data(as_text=True)
    _confirm(client, stage_id, preview)
    assert _count(app, Participant) == 3


def test_errors_are_listed_by_line_and_nothing_is_written(app, auth, client):
    auth.login()
    stage_id = _stage(app)
    bad = GOOD + "Zoé;;31/02/2001;F;;talvez;;;;\n;Sans prénom;;;;;;;;\n"
    preview = _upload(client, stage_id, bad.encode("utf-8"))
    html = preview.get_data(as_text=True)
    assert "rien n'a été importé" in html
    assert "Ligne 5 :" in html and "Ligne 6 :" in html
    assert "Confirmer l'import" not in html
    assert _count(app, Participant) == 0 and _count(app, Referent) == 0


def test_capacity_counts_the_whole_file(app, auth, client):
    auth.login()
    stage_id = _stage(app, capacity=2)
    html = _upload(client, stage_id, GOOD.encode("utf-8")).get_data(as_text=True)
    assert "Le stage a 2 places" in html
    assert _count(app, Participant) == 0


def test_people_already_in_the_stage_are_refused(app, auth, client):
    auth.login()
    stage_id = _stage(app)
    _confirm(client, stage_id, _upload(client, stage_id, GOOD.encode("utf-8")))
    html = _upload(client, stage_id, GOOD.encode("utf-8")).get_data(as_text=True)
    assert "est déjà inscrit·e à ce stage" in html
    assert _count(app, Participant) == 3


def test_tampered_or_stale_confirmation_writes_nothing(app, auth, client):
    auth.login()
    stage_id = _stage(app)
    preview = _upload(client, stage_id, GOOD.encode("utf-8"))
    token = csrf_token(preview)
    for kept in ("%%%not-a-token", base64.b64encode(b"garbage\x00" * 4).decode()):
        response = client.post(f"/equipe/stages/{stage_id}/import/confirmer", data={
            "csrf_token": token, "apercu": kept})
        assert response.status_code == 200
        assert "Rien n&#39;a été importé" in response.get_data(as_text=True)
    assert _count(app, Participant) == 0


def test_other_formats_are_refused_in_french(app, auth, client):
    auth.login()
    stage_id = _stage(app)
    html = _upload(client, stage_id, b"%PDF-1.4", "liste.pdf").get_data(as_text=True)
    assert "rien n'a été importé" in html
    assert _count(app, Participant) == 0
