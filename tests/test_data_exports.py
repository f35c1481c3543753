"""Every question tallied, the codebook, the raw answers, and what every export cell holds."""
import csv
import io
import shutil
from datetime import date, datetime, timezone

import openpyxl
import yaml

from questionnaires.engine.definitions import DEFINITIONS_DIR
from questionnaires.extensions import db
from questionnaires.models import Participant, Response, Stage
from tests.support.factories import dispose, make_app
from tests.support.forms import post_form

EXPORTS = ["/equipe/stages/1/export.xlsx", "/equipe/impact/export.xlsx",
           "/equipe/donnees/dictionnaire.xlsx", "/equipe/donnees/reponses.xlsx"]


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:]), delimiter=";"))


def _book(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def _table(page: str, label: str) -> str:
    return page.split(label, 1)[1].split("</table>", 1)[0]


def test_the_frequencies_of_a_stage_count_every_choice_question(team):
    page = team.get("/equipe/stages/1/reponses?vue=frequences").get_data(as_text=True)
    talents = _table(page, "Quels talents avez-vous découverts chez vous ?")
    assert "plusieurs réponses possibles" in page.split("Quels talents", 1)[1][:400]
    assert "Écouter</th><td><strong>4</strong></td><td>10</td><td>40 %" in talents
    assert "Accueillir les gens</th><td><strong>3</strong>" in talents
    preferred = _table(page, "Quelles activités avez-vous préférées ?")
    assert "Mise en pratique accueil de public scolaire" in preferred
    assert "Mercredi après-midi : Mise en pratique accueil de public scolaire, spectacle et " \
           "bord de plateau</th><td><strong>4</strong>" in preferred
    acclaimed = _table(page, "Les activités que le groupe a préférées")
    assert acclaimed.count("<strong>1</strong>") == 3
    orientation = _table(page, "Vers quoi voulez-vous aller ?")
    assert "Sans réponse</th><td>3</td><td>10</td>" in orientation
    texts = page.split("Textes libres", 1)[1]
    assert "Soufiane" in texts and "Leïla Fontanel (à propos de Soufiane)" in texts


def test_the_frequencies_across_stages_count_activities_by_kind(team):
    page = team.get("/equipe/reponses").get_data(as_text=True)
    preferred = _table(page, "Quelles activités avez-vous préférées ?")
    assert "Visite</th><td><strong>8</strong>" in preferred
    only = team.get("/equipe/reponses?questionnaire=suivi-referent&annee=2021")
    assert "Quelle est sa situation aujourd" in only.get_data(as_text=True)
    assert "talents" not in only.get_data(as_text=True)
    assert team.get("/equipe/reponses?annee=abc&questionnaire=x").status_code == 200


def test_the_workbooks_carry_the_frequencies_and_the_free_texts(team):
    book = _book(team.get("/equipe/stages/1/export.xlsx"))
    rows = list(book["Fréquences"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Questionnaire", "Version(s)", "Question (id)", "Question")
    assert ("bilan-individuel", "1", "talents", "Quels talents avez-vous découverts chez vous ?",
            "ecouter", "Écouter", 4, 10, 40) in rows
    texts = list(book["Textes libres"].iter_rows(values_only=True))
    assert any(row[3] == "Soufiane" and row[1] == "temoignage" for row in texts)
    across = _book(team.get("/equipe/impact/export.xlsx"))
    assert across.sheetnames == ["Tous les stages", "Fréquences"]


def test_the_codebook_lists_every_question_and_choice(team):
    rows = _csv(team.get("/equipe/donnees/dictionnaire.csv"))
    assert rows[0][:5] == ["questionnaire", "version", "section", "partie", "question_id"]
    orientation = [row for row in rows if row[4] == "orientation"]
    assert [(row[10], row[11]) for row in orientation] == [
        ("stage", "Un stage"), ("formation", "Une formation"), ("benevolat", "Du bénévolat"),
        ("emploi", "Un emploi"), ("autre", "Autre chose")]
    assert all(row[5] == "orientation" and "projet_plus_precis" in row[8] for row in orientation)
    situation = [row for row in rows if row[4] == "situation" and row[1] == "1"]
    assert len(situation) == 7 and situation[0][3].startswith("A ")
    # suivi-referent v2 offers "Je ne sais pas" on the observations: the codebook names it
    assert [row[10] for row in rows if row[4] == "apport_stage" and row[1] == "2"] == [
        "1", "2", "3", "4", "nsp"]
    assert [row[10] for row in rows if row[4] == "apport_stage" and row[1] == "1"] == [
        "1", "2", "3", "4"]
    assert [row[10] for row in rows if row[4] == "satisfaction_globale"] == ["1", "2", "3", "4"]
    assert any(row[4] == "nouvelles" and "[prénom]" in row[9] for row in rows)
    book = _book(team.get("/equipe/donnees/dictionnaire.xlsx?stage=1"))
    slots = list(book["Créneaux"].iter_rows(values_only=True))
    assert len(slots) == 12 and slots[1][1] == "lun-am"


def test_no_placeholder_in_any_header_and_dates_are_dates(team):
    for url in EXPORTS:
        book = _book(team.get(url))
        for sheet in book.worksheets:
            header = [cell.value for cell in sheet[1]]
            assert not any("{" in str(value) for value in header if value), (url, sheet.title)
    answers = _book(team.get("/equipe/stages/1/export.xlsx"))["Réponses"]
    sent = [row[5] for row in answers.iter_rows(min_row=2, values_only=True) if row[5]]
    assert sent and all(isinstance(value, datetime) for value in sent)
    people = _book(team.get("/equipe/stages/1/export.xlsx"))["Participants"]
    assert isinstance(people["C2"].value, datetime) and people["C2"].number_format == "DD/MM/YYYY"


def test_columns_are_as_wide_as_their_content(team):
    book = _book(team.get("/equipe/stages/1/export.xlsx"))
    sheet = book["Participants"]
    for column in sheet.iter_cols(min_row=1, max_row=sheet.max_row):
        longest = max(len(str(cell.value)) for cell in column if cell.value is not None)
        width = sheet.column_dimensions[column[0].column_letter].width
        assert width >= min(longest, 58), column[0].value


def test_no_status_text_in_a_numeric_cell(team):
    book = _book(team.get("/equipe/stages/2/export.xlsx"))
    for row in book["Bilan chiffré"].iter_rows(min_row=2, values_only=True):
        for value in row[2:6]:
            assert value is None or not isinstance(value, str) or value == "< 3", row
    across = _book(team.get("/equipe/impact/export.xlsx"))["Tous les stages"]
    for row in across.iter_rows(min_row=2, values_only=True):
        assert not any(isinstance(v, str) and "pas encore" in v for v in row[4:])


def test_raw_answers_are_codes_one_row_per_response(team):
    rows = _csv(team.get("/equipe/donnees/reponses.csv?annee=2021"))
    header = rows[0]
    assert header[:3] == ["reponse_id", "stage_id", "stage"] and "version" in header
    assert "temoignage" not in header and "talents" in header  # no free text, no name
    assert len(rows) == 11
    talents = header.index("talents")
    assert any(row[talents] == "accueillir|renseigner|equipe" for row in rows[1:])
    consent = header.index("consentement_publication")
    assert {row[consent] for row in rows[1:]} == {"0", "1"}
    flat = " ".join(" ".join(row) for row in rows)
    assert "Soufiane" not in flat and "Belhadj" not in flat
    followup = _csv(team.get("/equipe/donnees/reponses.csv?questionnaire=suivi-referent&stage=1"))
    assert len(followup) == 1 + 8 + 7
    assert team.get("/equipe/donnees/reponses.csv?questionnaire=x").status_code == 404
    book = _book(team.get("/equipe/donnees/reponses.xlsx"))
    assert book.sheetnames == ["Bilan individuel", "Bilan collectif", "Suivi référent·e"]


def test_raw_answers_across_two_versions(tmp_path):
    """A v2 without `talents_autres`… and with a new question: one column per id, empty where a
    version lacks it, and the version column tells them apart."""
    folder = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS_DIR, folder)
    v2 = yaml.safe_load((folder / "bilan-individuel.v1.yaml").read_text(encoding="utf-8"))
    v2["version"] = 2
    section = v2["sections"][2]
    section["questions"] = [q for q in section["questions"] if q["id"] != "talents_autres"] + [
        {"id": "envie_revenir", "type": "oui_non_nsp", "label": "Revenir ?", "required": False}]
    (folder / "bilan-individuel.v2.yaml").write_text(yaml.safe_dump(v2, allow_unicode=True),
                                                     encoding="utf-8")
    from tests.support.factories import database_for
    app = make_app(database_for(tmp_path), DEFINITIONS_DIR=str(folder))
    try:
        with app.app_context():
            stage = Stage(title="S", theme="t", start_date=date(2025, 1, 6), end_date=date(2025, 1, 10))
            a = Participant(stage=stage, first_name="Ana")
            b = Participant(stage=stage, first_name="Bob")
            moment = datetime(2025, 1, 10, 12, tzinfo=timezone.utc)
            db.session.add_all([
                Response(stage=stage, participant=a, questionnaire="bilan-individuel", version=1,
                         answers={"satisfaction_globale": 4, "talents": ["caisse"]},
                         submitted_at=moment),
                Response(stage=stage, participant=b, questionnaire="bilan-individuel", version=2,
                         answers={"satisfaction_globale": 3, "envie_revenir": "oui"},
                         submitted_at=moment)])
            db.session.commit()
            from questionnaires.archive.dataset import raw_answers
            from questionnaires.impact.figures import Selection
            header, rows = raw_answers("bilan-individuel", Selection())
            rows = [dict(zip(header, row)) for row in rows]
        assert "envie_revenir" in header and header.count("satisfaction_globale") == 1
        assert [(r["version"], r["envie_revenir"], r["talents"]) for r in rows] == [
            (1, None, "caisse"), (2, "oui", None)]
    finally:
        dispose(app)


def test_a_text_too_long_is_refused_and_nothing_is_lost(team):
    response = post_form(team, "/equipe/stages/1/rapport/textes", {"introduction": "x" * 20_001})
    assert response.status_code == 200 and "trop long" in response.get_data(as_text=True)
