"""Examples the hostile-input suite found, kept as plain tests (each one was a real bug)."""
from sqlalchemy import func, select

from questionnaires.extensions import db
from questionnaires.models import Participant, Structure
from tests.support.forms import post_form


def test_a_nul_name_is_refused_in_french_not_a_500(demo, team):
    """"\\x00" passed DataRequired, then SQL's trim() saw a blank name: CHECK failed, 500."""
    with demo.app_context():
        before = db.session.scalar(select(func.count(Structure.id)))
    response = post_form(team, "/equipe/structures/nouvelle", {"name": "\x00", "city": "Ivry"})
    assert response.status_code == 200
    # Refused for the control character itself since issue 14 (it used to be dropped).
    assert "Ce champ contient un caractère invisible" in response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalar(select(func.count(Structure.id))) == before


def test_team_one_line_fields_refuse_control_characters_and_collapse_line_breaks(demo, team):
    fields = {"gender": "X", "qpv": "inconnu", "referent_id": "0", "status": "inscrit",
              "pmsmp": "a_faire"}
    refused = post_form(team, "/equipe/stages/2/participants/nouveau", {
        "first_name": "Ka\x00ri\x1bm", "city": "Cr\x07éteil", **fields})
    assert refused.status_code == 200
    assert refused.get_data(as_text=True).count("contient un caractère invisible") == 2
    response = post_form(team, "/equipe/stages/2/participants/nouveau", {
        "first_name": " Ka\r\nrim\t", "city": "Cré\nteil", **fields})
    assert response.status_code == 302
    with demo.app_context():
        person = db.session.scalar(select(Participant).order_by(Participant.id.desc()))
        assert (person.first_name, person.city) == ("Ka rim", "Cré teil")


def test_a_duplicate_venue_with_non_ascii_capitals_is_refused_in_french(demo, team):
    """SQLite's lower() leaves "Ö" alone: the duplicate check missed it, UNIQUE failed, 500."""
    for attempt in range(2):
        response = post_form(team, "/equipe/lieux/nouveau",
                             {"name": "ÖÖ", "city": "", "kind": "culturel"})
        assert response.status_code == (302 if attempt == 0 else 200)
    assert "Ce lieu existe déjà dans cette ville." in response.get_data(as_text=True)
    for attempt in range(2):
        response = post_form(team, "/equipe/structures/nouvelle", {"name": "ÉCOLE DE LA 2E CHANCE"})
        assert response.status_code == (302 if attempt == 0 else 200)
    assert "Une structure porte déjà ce nom." in response.get_data(as_text=True)


def _import(team, archive):
    import json
    from io import BytesIO

    return post_form(team, "/equipe/stages/importer",
                     {"file": (BytesIO(json.dumps(archive).encode()), "stage.json")},
                     content_type="multipart/form-data")


def test_an_archive_with_a_list_where_a_date_or_choice_goes_is_refused_in_french(demo, team):
    """A list is not hashable: the schema's duplicate and enum checks raised TypeError, 500."""
    from questionnaires.demo import read

    for where, value in (("date", []), ("period", ["matin"]), ("kind", {})):
        archive = read("stage-2021.json")
        archive["slots"][3][where] = value
        response = _import(team, archive)
        assert response.status_code == 200
        assert f"slots[3].{where}" in response.get_data(as_text=True)


def test_an_imported_archive_stores_answers_as_the_engine_would(demo, team):
    """Raw answers were stored: "3" for a scale (its figure then lost), hidden branches kept."""
    from questionnaires.demo import read
    from questionnaires.models import Response, Stage

    archive = read("stage-2021.json")
    answers = next(r for r in archive["responses"] if r["questionnaire"] == "bilan-individuel")
    answers = answers["answers"]
    answers.update(satisfaction_globale="3", projet_plus_precis="non",
                   temoignage="  Très\x00 bien  ")
    response = _import(team, archive)
    assert response.status_code == 302
    with demo.app_context():
        stage = db.session.scalar(select(Stage).order_by(Stage.id.desc()))
        stored = db.session.scalars(select(Response).where(
            Response.stage_id == stage.id, Response.questionnaire == "bilan-individuel")).first()
        assert stored.answers["satisfaction_globale"] == 3
        assert stored.fact_satisfaction_globale == 3
        assert "orientation" not in stored.answers  # asked only when projet_plus_precis is oui
        assert stored.answers["temoignage"] == "Très bien"
        assert stored.answers["activites_preferees"] == ["mar-pm", "mer-am"]  # the file's order


def test_an_archive_with_non_ascii_capitals_imports_twice(demo, team):
    """The second import missed "ÉCOLE" (SQLite's lower()) and hit the unique constraint: 500."""
    from questionnaires.demo import read
    from questionnaires.models import Venue

    archive = read("stage-2021.json")
    archive["venues"][0]["name"] = "ÉCOLE"
    archive["structures"][0]["name"] = "MJC ÉTÉ"
    assert [_import(team, archive).status_code for _ in range(2)] == [302, 302]
    with demo.app_context():
        assert db.session.scalar(select(func.count(Venue.id)).where(Venue.name == "ÉCOLE")) == 1


def test_an_archive_with_control_characters_in_its_texts_is_refused_in_french(demo, team):
    """A NUL first name broke the name check (500); "\\x13" imported, then the XLSX export 500'd."""
    from questionnaires.demo import read

    for where, value in ((("participants", 0, "first_name"), "\x00"),
                         (("participants", 1, "first_name"), "Ana\x13"),
                         (("structures", 0, "name"), "\x13M|x8")):
        archive = read("stage-2021.json")
        section, index, field = where
        archive[section][index][field] = value
        response = _import(team, archive)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, page[:300]
        assert f"{section}[{index}].{field}" in page and "caractère invisible interdit" in page
