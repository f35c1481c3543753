"""PMSMP conventions: prefilled from the data (recrutement.md), written as DOCX by
`flask pmsmp conventions` and the team's pages (read back with python-docx), printable page,
and the status a_faire → envoyee → signee."""
import io
from datetime import date

from docx import Document
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.models import Participant
from tests.support.factories import make_week
from tests.support.forms import post_form

MONDAY = date(2030, 1, 7)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def week(app) -> int:
    with app.app_context():
        stage_id = make_week(MONDAY)
        alex = db.session.scalar(select(Participant).where(Participant.first_name == "Alex"))
        alex.last_name, alex.birth_date, alex.city = "Durand", date(2002, 3, 4), "Cachan"
        sam = db.session.scalar(select(Participant).where(Participant.first_name == "Sam"))
        sam.pmsmp = "sans_objet"
        db.session.commit()
        return stage_id


def test_the_command_writes_one_docx_per_participant_whose_pmsmp_applies(app, runner, tmp_path):
    app.config.update(ASSOCIATION_ADDRESS="12 rue des Arts, 94000 Créteil",
                      CONVENTION_TUTOR="Camille Tutrice")
    stage_id = week(app)
    out = tmp_path / "conventions"
    result = runner.invoke(args=["pmsmp", "conventions", "--stage", str(stage_id),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    # Alex, Inès and Dylan (abandon still had a convention); not Sam (sans objet)
    assert len(names) == 3 and not any("sam" in n for n in names)
    [alex] = [n for n in names if "alex-durand" in n]
    text = docx_text((out / alex).read_bytes())
    assert "Alex Durand" in text and "04/03/2002" in text and "Cachan" in text
    assert "Mission locale des Bords de Marne" in text and "Nadia Référente" in text
    assert "du 07/01/2030 au 11/01/2030" in text
    assert "lundi 7 janvier : 10 h – 16 h 45" in text  # first start, last end of the day
    assert "Théâtre de la Semaine, 21 avenue Louis Georgeon, 94230, Cachan" in text
    assert "Camille Tutrice" in text and "12 rue des Arts" in text
    assert "Découvrir un métier ou un secteur d'activité" in text
    assert "Atelier du jour 1" in text
    assert all(party in text for party in ("Le ou la bénéficiaire", "La structure prescriptrice",
                                           "La structure d'accueil"))


def test_an_unknown_stage_is_a_french_error(runner, tmp_path):
    result = runner.invoke(args=["pmsmp", "conventions", "--stage", "999", "--out",
                                 str(tmp_path)])
    assert result.exit_code != 0 and "Aucun stage" in result.output


def test_team_pages_offer_each_convention_and_move_its_status(app, auth, client):
    auth.login()
    stage_id = week(app)
    with app.app_context():
        alex_id = db.session.scalar(select(Participant.id).where(Participant.first_name == "Alex"))
        sam_id = db.session.scalar(select(Participant.id).where(Participant.first_name == "Sam"))
    listing = client.get(f"/equipe/stages/{stage_id}/conventions").get_data(as_text=True)
    assert "Alex Durand" in listing and "Sam" not in listing
    page = client.get(f"/equipe/stages/{stage_id}/conventions/{alex_id}")
    assert "Convention PMSMP — Alex Durand" in page.get_data(as_text=True)
    assert client.get(f"/equipe/stages/{stage_id}/conventions/{sam_id}").status_code == 404
    download = client.get(f"/equipe/stages/{stage_id}/conventions/{alex_id}.docx")
    assert download.status_code == 200 and "Alex Durand" in docx_text(download.data)
    url = f"/equipe/stages/{stage_id}/conventions/{alex_id}/statut"
    statuses = []
    for _ in range(3):
        post_form(client, url, page_url=f"/equipe/stages/{stage_id}/conventions")
        with app.app_context():
            statuses.append(db.session.get(Participant, alex_id).pmsmp)
    assert statuses == ["envoyee", "signee", "signee"]
