"""The team's impact pages, responses, charts and exports for funders."""
import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.models import Participant, Response, Stage
from tests.support.queries import count_queries


def _csv(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM tells French Excel it is UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_stage_page_shows_numerator_denominator_and_percent(team):
    page = team.get("/equipe/stages/1/impact").get_data(as_text=True)
    assert "<strong>9 / 10</strong> — 90 %" in page
    assert "/equipe/stages/1/impact/sortie_culturelle" in page
    assert "10 bilans individuels reçus sur 10" in page


def test_every_figure_links_to_exactly_the_people_it_counts(demo, team):
    from questionnaires.impact.figures import stage_table
    from questionnaires.impact.people import CONDITIONS
    with demo.app_context():
        figures = stage_table(db.session.get(Stage, 1), date.today()).figures
    for key in CONDITIONS:
        page = team.get(f"/equipe/stages/1/impact/{key}").get_data(as_text=True)
        value = figures[key]
        expected = value["n"] if isinstance(value, dict) else value
        assert f"<strong>{expected}</strong> sur" in page, key


def test_people_behind_a_figure_are_named(demo, team):
    page = team.get("/equipe/stages/1/impact/sortie_culturelle").get_data(as_text=True)
    with demo.app_context():
        left = db.session.scalar(select(Participant).where(Participant.stage_id == 1,
                                                           Participant.status == "abandon"))
    counted, others = page.split("Non comptés")
    assert left.first_name in others and left.first_name not in counted


def test_quotes_only_with_consent(demo, team):
    with demo.app_context():
        rows = db.session.scalars(select(Response).where(
            Response.stage_id == 1, Response.questionnaire == "bilan-individuel")).all()
        consented = [r for r in rows if r.answers.get("consentement_publication") and r.answers.get("temoignage")]
        refused = [r for r in rows if not r.answers.get("consentement_publication") and r.answers.get("temoignage")]
        names_ok = [r.participant.first_name for r in consented]
        names_no = [r.participant.first_name for r in refused]
    page = team.get("/equipe/stages/1/impact").get_data(as_text=True)
    quotes = page.split("Témoignages publiables")[1]
    assert names_ok and all(f"{name} : « " in quotes for name in names_ok)
    assert all(f"{name} : « " not in quotes for name in names_no)


def test_charts_are_svg_with_their_numbers_as_a_table(team):
    page = team.get("/equipe/stages/1/impact").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 4  # genre et âge, objectifs, situation, observations
    assert page.count('class="chart-data"') == 4
    assert "Voir les chiffres" in page and "<script src=\"http" not in page


def test_across_stages_filters_by_year_and_theme(team):
    everything = team.get("/equipe/impact").get_data(as_text=True)
    assert "2021 · Métiers de l&#39;accueil" in everything and "Métiers du sport" in everything
    only_2021 = team.get("/equipe/impact?annee=2021").get_data(as_text=True)
    assert "Métiers du sport" not in only_2021 and "2021 · Métiers de l&#39;accueil" in only_2021
    nothing = team.get("/equipe/impact?annee=1990&theme=x").get_data(as_text=True)
    assert "Aucun stage ne correspond" in nothing
    assert team.get("/equipe/impact?annee=abc").status_code == 200


def test_across_stages_is_a_row_per_stage_paged_with_totals_over_all(demo, team):
    from questionnaires.archive.stage import import_archive
    from questionnaires.demo import read
    with demo.app_context():
        for _ in range(50):
            import_archive(read("stage-2021.json"))
        db.session.commit()
    first = team.get("/equipe/impact").get_data(as_text=True)
    assert "52 stages — page 1 sur 2" in first
    assert first.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == 50
    total_row = first.split("<tfoot>")[1]
    assert "<strong>518</strong>" in total_row  # 51 × 10 + 8 participants, all pages
    second = team.get("/equipe/impact?page=2").get_data(as_text=True)
    assert second.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == 2
    assert team.get("/equipe/impact?page=99").status_code == 200


def test_responses_by_participant_and_by_question_use_labels(team):
    by_person = team.get("/equipe/stages/1/reponses").get_data(as_text=True)
    assert "Dans l&#39;ensemble, la semaine vous a plu ?" in by_person
    assert "Tout à fait" in by_person and "Suivi trois mois après le stage" in by_person
    by_question = team.get("/equipe/stages/1/reponses?vue=question").get_data(as_text=True)
    assert "Sa situation aujourd&#39;hui" in by_question or "situation" in by_question.lower()
    assert ">4<" not in by_question  # scale answers are shown as words


def test_csv_exports_open_as_columns(team):
    rows = _csv(team.get("/equipe/stages/1/export/impact.csv"))
    assert rows[0] == ["Clé", "Indicateur", "Valeur", "Nombre", "Sur", "Pourcentage", "Statut"]
    by_key = {row[0]: row for row in rows[1:]}
    assert by_key["sortie_culturelle"][3:] == ["9", "10", "90", ""]
    assert by_key["suivi_apport"][1] == "Le stage a contribué, selon les référent·e·s"
    assert by_key["suivi_situation.emploi"][1] == "Situation à 3 mois : En emploi"
    assert by_key["objectifs.obj_possibles.moyenne"][2] == "3,40"  # decimal comma
    people = _csv(team.get("/equipe/stages/1/export/participants.csv"))
    assert people[0][0] == "Prénom" and len(people) == 11
    assert all(len(row) == len(people[0]) for row in people)
    answers = _csv(team.get("/equipe/stages/1/export/reponses.csv"))
    header = answers[0]
    assert any(h.startswith("bilan-individuel·v1 · satisfaction_globale") for h in header)
    assert all(len(row) == len(header) for row in answers)
    across = _csv(team.get("/equipe/impact/export.csv"))
    assert across[0][:3] == ["Stage", "Thème", "Début"] and across[-1][0] == "Total"


def test_xlsx_exports_read_back(team):
    book = openpyxl.load_workbook(io.BytesIO(team.get("/equipe/stages/1/export.xlsx").data))
    assert book.sheetnames == ["Participants", "Réponses", "Bilan chiffré", "Fréquences",
                               "Textes libres"]
    assert book["Participants"]["A1"].value == "Prénom" and book["Participants"].max_row == 11
    assert book["Bilan chiffré"]["B1"].value == "Indicateur"
    across = openpyxl.load_workbook(io.BytesIO(team.get("/equipe/impact/export.xlsx").data))
    assert across.active["A1"].value == "Stage"


def test_exports_of_an_empty_stage_are_valid_files_with_headers(demo, team):
    with demo.app_context():
        empty = Stage(title="Vide", theme="vide", start_date=date(2026, 1, 5), end_date=date(2026, 1, 9))
        db.session.add(empty)
        db.session.commit()
        stage_id = empty.id
    for table in ("participants", "reponses", "impact"):
        rows = _csv(team.get(f"/equipe/stages/{stage_id}/export/{table}.csv"))
        assert rows and rows[0]
    book = openpyxl.load_workbook(io.BytesIO(team.get(f"/equipe/stages/{stage_id}/export.xlsx").data))
    assert book["Participants"].max_row == 1
    assert team.get(f"/equipe/stages/{stage_id}/impact").status_code == 200
    assert team.get(f"/equipe/stages/{stage_id}/rapport").status_code == 200


@pytest.mark.parametrize("url", ["/equipe/stages/99/impact", "/equipe/stages/99/rapport",
                                 "/equipe/stages/99/export/impact.csv", "/equipe/stages/1/export/secret.csv",
                                 "/equipe/stages/99/export.xlsx", "/equipe/impact/export.pdf",
                                 "/equipe/stages/1/impact/inconnu", "/equipe/stages/99/reponses"])
def test_unknown_things_are_french_404s(team, url):
    response = team.get(url)
    assert response.status_code == 404
    assert "existe pas" in response.get_data(as_text=True)


def _add_people(app, stage_id: int, count: int) -> None:
    """More participants with submitted bilans and attendance in a stage."""
    from questionnaires.models import Attendance, Slot
    from questionnaires.clock import utcnow
    with app.app_context():
        slots = db.session.scalars(select(Slot).where(Slot.stage_id == stage_id)).all()
        stage = db.session.get(Stage, stage_id)
        stage.capacity = 100
        for i in range(count):
            person = Participant(stage_id=stage_id, first_name=f"Test{i}", gender="F",
                                 birth_date=date(1990, 1, 1), qpv="oui")
            db.session.add(person)
            db.session.flush()
            db.session.add(Response(stage_id=stage_id, participant=person, questionnaire="bilan-individuel",
                                    answers={"satisfaction_globale": 3, "projet_plus_precis": "oui",
                                             "orientation": ["emploi"]}, submitted_at=utcnow()))
            for slot in slots:
                db.session.add(Attendance(participant_id=person.id, slot_id=slot.id,
                                          stage_id=stage_id, status="present"))
        db.session.commit()


URLS = ["/equipe/stages/1/impact", "/equipe/impact", "/equipe/stages/1/export/participants.csv",
        "/equipe/stages/1/export/reponses.csv", "/equipe/stages/1/export/impact.csv",
        "/equipe/stages/1/export.xlsx", "/equipe/impact/export.csv", "/equipe/stages/1/reponses",
        "/equipe/stages/1/rapport", "/equipe/stages/1/rapport.docx",
        "/equipe/stages/1/impact/suivi_apport", "/equipe/stages/1/reponses?vue=frequences",
        "/equipe/reponses", "/equipe/impact/export.xlsx", "/equipe/donnees/reponses.xlsx",
        "/equipe/donnees/reponses.csv", "/equipe/donnees/dictionnaire.xlsx",
        "/equipe/stages/1/suivi", "/equipe/stages/1/rapport/textes"]


def test_query_count_of_pages_and_exports_does_not_grow(demo, team):
    def measure() -> dict:
        counts = {}
        for url in URLS:
            with count_queries(demo) as counter:
                assert team.get(url).status_code == 200, url
            counts[url] = counter["n"]
        return counts

    measure()  # published definitions are read once per process, at first use
    before = measure()
    _add_people(demo, 1, 12)
    from questionnaires.archive.stage import import_archive
    from questionnaires.demo import read
    with demo.app_context():
        import_archive(read("stage-2021.json"))
        db.session.commit()
    assert measure() == before


def test_an_xlsx_export_survives_a_control_character_stored_in_a_name(demo, team):
    """openpyxl refuses control characters: one stored name made the whole export a 500."""
    from questionnaires.models import Participant

    with demo.app_context():  # written around the forms, which drop such characters
        db.session.execute(db.update(Participant).where(Participant.stage_id == 1)
                           .values(city="Ivry\x13-sur-Seine"))
        db.session.commit()
    response = team.get("/equipe/stages/1/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "Ivry-sur-Seine" in [cell.value for cell in book["Participants"][2]]
