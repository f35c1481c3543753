"""The stage report (shared/domain/report.md): sentences, the team's texts, the DOCX and the page."""
import io
import re
import zipfile
from datetime import date, datetime, timezone

import docx
import pytest

from questionnaires.extensions import db
from questionnaires.impact.report import sentences
from questionnaires.impact.report.document import HEADINGS
from questionnaires.impact.report.texts import (
    BulletList, Paragraph, copy_previous, parse, save_texts, texts_of,
)
from questionnaires.models import Stage, StageFunder, StageText
from tests.support.forms import post_form
from tests.support.system import SEED

NOW = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
QUOTES = ("Brigitte : «", "Ella-Sue : «", "Mikael : «", "Fabien : «", "Cyril : «", "Soufiane : «")


def _seed_paragraphs() -> list[str]:
    """The seed's own paragraphs that the team's texts carry (markup and bullets removed)."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    numbers = [11, 13, 17, *range(19, 24), 54, 56, 58, 66, 68, 70, 72, 80, 86, 88, 90, 112]
    found = []
    for number in numbers:
        text = re.sub(r"^- (❖ )?", "", lines[number - 1]).replace("**", "").replace("*", "")
        found.append(" ".join(text.split()))
    return found


def _docx_text(data: bytes) -> tuple[str, docx.document.Document]:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs), document


# Sentences ----------------------------------------------------------------------------------

def test_plurals_towns_and_roles():
    assert sentences.plural(1, "participant", "participants") == "1 participant"
    assert sentences.plural(0, "femme", "femmes") == "0 femmes"
    place = sentences.Place
    assert sentences.with_town(place("Mission locale de Vitry-sur-Seine", "Vitry-sur-Seine")) == \
        "Mission locale de Vitry-sur-Seine"
    assert sentences.with_town(place("Théâtre des Quartiers d'Ivry", "Ivry-sur-Seine")) == \
        "Théâtre des Quartiers d'Ivry"
    assert sentences.with_town(place("Association ANAA", "Ivry-sur-Seine")) == \
        "Association ANAA (Ivry-sur-Seine)"
    assert sentences.with_town(place("PLIE", None)) == "PLIE"
    assert sentences.merge_roles([
        "coach socioprofessionnelle", "chargée des relations avec les publics",
        "chargé des relations avec les publics", "chargée d'accueil", "chargée d'accueil",
        "chargé de billetterie"]) == [
        "coach socioprofessionnelle", "chargé·e·s des relations avec les publics",
        "chargée d'accueil", "chargé de billetterie"]
    assert sentences.share({"n": 3, "of": 4}) == "3 sur 4 (75 %*)"
    assert sentences.share({"n": 6, "of": 10}) == "6 sur 10 (60 %)"


def test_parse_paragraphs_bullets_and_line_breaks():
    blocks = parse("Premier\nsuite\n\n- un\n• deux\n❖ trois\n\nDernier")
    assert blocks == [Paragraph(("Premier", "suite")), BulletList(("un", "deux", "trois")),
                      Paragraph(("Dernier",))]
    assert parse("") == [] and parse(None) == []
    assert parse("Intro :\n- a\n- b") == [Paragraph(("Intro :",)), BulletList(("a", "b"))]


# The team's texts --------------------------------------------------------------------------

def _stage(title: str, theme: str, start: date) -> Stage:
    stage = Stage(title=title, theme=theme, start_date=start, end_date=start)
    db.session.add(stage)
    db.session.flush()
    return stage


def test_a_new_stage_copies_the_previous_stage_of_its_theme_only(app):
    with app.app_context():
        old = _stage("Ancien", "accueil", date(2024, 1, 8))
        latest = _stage("Dernier", "accueil", date(2025, 1, 6))
        _stage("Autre thème", "sport", date(2025, 6, 2))
        later = _stage("Plus tard", "accueil", date(2027, 1, 4))
        for stage, text in ((old, "ancien"), (latest, "dernier"), (later, "futur")):
            db.session.add(StageText(stage_id=stage.id, key="introduction", body=text))
        db.session.add(StageFunder(stage_id=latest.id, position=0, name="Département"))
        new = _stage("Nouveau", "accueil", date(2026, 1, 5))
        assert copy_previous(new, NOW).id == latest.id
        db.session.flush()
        copied = texts_of(new)["introduction"]
        assert copied.body == "dernier" and copied.copied_from_stage_id == latest.id
        assert [f.name for f in db.session.query(StageFunder).filter_by(stage_id=new.id)] == \
            ["Département"]
        lonely = _stage("Seul", "cuisine", date(2026, 1, 5))
        assert copy_previous(lonely, NOW) is None


def test_a_stale_save_is_refused_and_a_save_marks_the_copy_reviewed(app):
    with app.app_context():
        old = _stage("Ancien", "accueil", date(2024, 1, 8))
        db.session.add(StageText(stage_id=old.id, key="introduction", body="ancien"))
        new = _stage("Nouveau", "accueil", date(2026, 1, 5))
        copy_previous(new, NOW)
        db.session.flush()
        text = texts_of(new)["introduction"]
        stamp = text.updated_at.isoformat()
        first = datetime(2026, 1, 6, tzinfo=timezone.utc)
        assert save_texts(new, {"introduction": "relu"}, {"introduction": stamp}, None, first) == {}
        db.session.flush()
        assert text.body == "relu" and text.copied_from_stage_id is None
        # A second tab opened before that save still holds the first stamp: refused
        errors = save_texts(new, {"introduction": "écrasé"}, {"introduction": stamp}, None,
                            datetime(2026, 1, 7, tzinfo=timezone.utc))
        assert "modifié entre-temps" in errors["introduction"] and text.body == "relu"


def test_the_edit_page_saves_texts_and_funders(demo, team):
    page = team.get("/equipe/stages/1/rapport/textes").get_data(as_text=True)
    assert "Direction des services départementaux" in page and "Groupe très hétérogène" in page
    with demo.app_context():
        stamps = {key: text.updated_at.isoformat()
                  for key, text in texts_of(db.session.get(Stage, 1)).items()}
    saved = post_form(team, "/equipe/stages/1/rapport/textes", {
        "introduction": "Une nouvelle introduction.\n\n- un point", "stamp-introduction":
        stamps["introduction"], "funders": "Département du Val-de-Marne\nPartenaire : Ville"})
    assert saved.status_code == 302
    report = team.get("/equipe/stages/1/rapport").get_data(as_text=True)
    assert "Une nouvelle introduction." in report and "<li>un point</li>" in report
    assert "Département du Val-de-Marne" in report and "Ville" in report
    stale = post_form(team, "/equipe/stages/1/rapport/textes", {
        "introduction": "Encore", "stamp-introduction": stamps["introduction"]})
    assert stale.status_code == 200 and "modifié entre-temps" in stale.get_data(as_text=True)


def test_the_archive_keeps_texts_and_funders(demo):
    from questionnaires.archive.stage import export_stage, import_archive
    from questionnaires.archive.schema import validate
    with demo.app_context():
        archive = export_stage(db.session.get(Stage, 1))
        assert archive["texts"]["chiffre.professionnels"] == "aux profils variés"
        assert archive["funders"][0]["kind"] == "financeur"
        copy = import_archive(archive)
        db.session.commit()
        assert export_stage(copy)["texts"] == archive["texts"]
        assert export_stage(copy)["funders"] == archive["funders"]
        assert validate({**archive, "texts": {"inconnu": "x"}})
        assert validate({**archive, "funders": [{"name": ""}]})


# The document ------------------------------------------------------------------------------

def test_the_demo_docx_holds_every_section_of_the_seed(team):
    response = team.get("/equipe/stages/1/rapport.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.docx"')
    text, document = _docx_text(response.data)
    flat = " ".join(text.split())
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for heading in HEADINGS:
        assert any(h.startswith(heading) for h in headings), heading
    for paragraph in _seed_paragraphs():
        assert paragraph in flat, paragraph[:60]
    assert [line for line in text.split("\n") if " : «" in line and "»" in line][:6]
    assert sorted(q for q in QUOTES if q in text) == sorted(QUOTES)
    assert text.count(" : « ") == 6  # the six consented testimonies, and no other
    assert "Bilan du stage de remobilisation professionnelle" in text
    assert "Novembre 2021" in text and "Calendrier du stage du 22 au 26 novembre 2021" in text
    assert "10 participants de 18 à 60 ans. Groupe très hétérogène et mixte, avec 6 hommes et " \
           "4 femmes." in text
    assert "chargé·e·s des relations avec les publics" in text
    objectives = next(t for t in document.tables if t.rows[0].cells[0].text == "Objectif")
    assert len(objectives.rows) == 6
    calendar = next(t for t in document.tables if t.rows[0].cells[0].text == "Horaires")
    assert [c.text for c in calendar.rows[0].cells][1:] == [
        "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi"]
    assert "Lieu Théâtre Jacques Carat Cachan" in calendar.rows[1].cells[1].text


def test_the_page_holds_the_same_report(team):
    page = team.get("/equipe/stages/1/rapport").get_data(as_text=True)
    import html
    flat = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    for heading in HEADINGS:
        assert heading in flat, heading
    for paragraph in _seed_paragraphs():
        assert paragraph in flat, paragraph[:60]
    assert all(q in flat for q in QUOTES)
    assert "Word (.docx)" in page


def test_flask_report_writes_a_docx_or_a_standalone_page(demo):
    runner = demo.test_cli_runner()
    result = runner.invoke(args=["report", "--stage", "1", "--format", "docx"])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(io.BytesIO(result.stdout_bytes))
    text, _ = _docx_text(result.stdout_bytes)
    assert "Le projet a été soutenu par" in text
    page = runner.invoke(args=["report", "--stage", "1", "--format", "html"]).output
    assert page.startswith("<!doctype html>") and "<style>" in page
    assert "/static/" not in page and "Bilan chiffré" in page
    missing = runner.invoke(args=["report", "--stage", "99"])
    assert missing.exit_code != 0 and "Aucun stage" in missing.output
    # The standalone page (inline print sheet) is for files only: no route serves it
    from pathlib import Path
    views = Path(demo.root_path).glob("**/*.py")
    assert not any("report/standalone.html" in path.read_text(encoding="utf-8")
                   for path in views if path.name != "render.py")


@pytest.mark.parametrize("url", ["/equipe/stages/99/rapport.docx",
                                 "/equipe/stages/99/rapport/textes"])
def test_unknown_stages_are_french_404s(team, url):
    assert team.get(url).status_code == 404


def test_sentences_agree_with_their_counts():
    figures = {"participants": 1, "hommes": 0, "femmes": 1, "autres": 0, "age_min": 30,
               "age_max": 30, "moins_26": {"n": 0, "of": 1}, "qpv": {"n": 1, "of": 1},
               "structures": 1, "lieux_culturels": 1, "professionnels": 1,
               "sortie_culturelle": {"n": 1, "of": 1}, "jusqu_au_bout_satisfaits": {"n": 1, "of": 1},
               "isolement_rompu": {"n": 0, "of": 1}, "experience_groupe": {"n": 1, "of": 1},
               "projet_plus_precis": {"n": 1, "of": 1, "orientation": {"emploi": 1}}}
    names = {"structures": [sentences.Place("PLIE", "Créteil")], "venues": [], "roles": ["régisseur"]}
    text = " ".join("".join(run for run, _ in line) for line in
                    sentences.bilan_chiffre(figures, {"sorties_proposees": 1}, names, {}, 3))
    assert "1 participant de 30 à 30 ans. Avec 0 hommes et 1 femme." in text
    assert "1 sur 1 (100 %*) habite un quartier" in text
    assert "1 structure sociale impliquée" in text and "PLIE (Créteil)" in text
    assert "1 professionnel a été rencontré et a pu décrire" in text
    assert "a assisté à la sortie culturelle proposée" in text
    assert "1 personne sur 1 (100 %*) a pu ressortir" in text and "un emploi (1)" in text
    assert "est resté jusqu'à la fin du stage" in text
    assert "0 sur 1 (0 %*) disent" in text
