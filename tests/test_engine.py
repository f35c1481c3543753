"""The questionnaire engine: definitions as data, every type, conditions, versions."""
import shutil
from pathlib import Path

import pytest
import yaml

from questionnaires import create_app
from questionnaires.engine.definitions import (
    DEFINITIONS_DIR,
    DefinitionError,
    Question,
    load_definitions,
)
from questionnaires.engine.answers import clean_value, is_shown, validate_answers
from questionnaires.models import Response

GRILLES = {  # ids, types and required flags of shared/domain/grilles.md, version 1
    "bilan-individuel": [
        ("satisfaction_globale", "echelle4", True), ("activites_preferees", "activites", False),
        ("experience_groupe", "oui_non_nsp", True), ("demarche_active", "oui_non_nsp", True),
        ("obj_possibles", "echelle4", True), ("obj_competences", "echelle4", True),
        ("obj_remobilisation", "echelle4", True), ("obj_confiance", "echelle4", True),
        ("obj_territoire", "echelle4", True), ("isolement_rompu", "oui_non_nsp", True),
        ("talents", "choix_multiples", False), ("talents_autres", "texte_court", False),
        ("projet_plus_precis", "oui_non_nsp", True), ("orientation", "choix_multiples", False),
        ("projet_detail", "texte_long", False), ("temoignage", "texte_long", False),
        ("consentement_publication", "consentement", False)],
    "bilan-collectif": [
        ("points_forts", "texte_long", True), ("points_ameliorer", "texte_long", False),
        ("ambiance", "echelle4", True), ("activites_plebiscitees", "activites", False),
        ("paroles", "texte_long", False)],
    "suivi-referent": [
        ("nouvelles", "oui_non_nsp", True), ("situation", "choix", True),
        ("secteur_stage", "oui_non_nsp", False), ("apport_stage", "echelle4", True),
        ("confiance_observee", "echelle4", True), ("mobilite_observee", "echelle4", True),
        ("commentaire", "texte_long", False), ("nouvelles_methodes", "oui_non_nsp", True),
        ("participer_prochain", "oui_non_nsp", True), ("suggestions", "texte_long", False)],
}


@pytest.fixture(scope="module")
def definitions():
    return load_definitions()


def test_the_three_questionnaires_match_the_grilles(definitions):
    for questionnaire, expected in GRILLES.items():
        definition = definitions[(questionnaire, 1)]
        got = [(q.id, q.type, q.required) for q in definition.section_questions()]
        assert got == expected, questionnaire
    individual = definitions[("bilan-individuel", 1)]
    assert [c.value for c in individual.questions["talents"].choices] == [
        "accueillir", "ecouter", "renseigner", "equipe", "ponctualite", "caisse",
        "parler_public", "organisation", "creativite", "calme"]
    assert individual.questions["orientation"].shown_if == ("projet_plus_precis", ("oui",))
    suivi = definitions[("suivi-referent", 1)]
    assert [c.value for c in suivi.questions["situation"].choices] == [
        "emploi", "formation", "stage", "benevolat", "recherche_active", "sans_changement",
        "perdu_de_vue"]
    assert suivi.questions["secteur_stage"].shown_if == (
        "situation", ("emploi", "formation", "stage", "benevolat"))
    assert [q.id for q in suivi.section_questions("referent")] == [
        "nouvelles_methodes", "participer_prochain", "suggestions"]


def q(kind, **extra) -> Question:
    return Question(id="q", type=kind, label="Question ?", required=False, **extra)


@pytest.mark.parametrize("kind, raw, stored", [
    ("echelle4", 3, 3), ("echelle4", "4", 4), ("oui_non_nsp", "nsp", "nsp"),
    ("texte_court", "  Accueil  ", "Accueil"), ("texte_long", "a\x00b\nc", "ab\nc"),
    ("consentement", "on", True), ("consentement", False, False), ("echelle4", "", None),
    ("choix_multiples", [], None),
])
def test_clean_value_accepts_and_normalises(kind, raw, stored):
    from questionnaires.engine.definitions import Choice
    question = q(kind, choices=(Choice("a", "A"),)) if kind == "choix_multiples" else q(kind)
    assert clean_value(question, raw) == (stored, None)


@pytest.mark.parametrize("kind, raw", [
    ("echelle4", 5), ("echelle4", "0"), ("echelle4", True), ("echelle4", 2.5), ("echelle4", [1]),
    ("oui_non_nsp", "peut-être"), ("oui_non_nsp", 1), ("oui_non_nsp", ["oui"]),
    ("oui_non_nsp", {"a": 1}), ("choix", ["zz"]), ("texte_court", "x" * 201),
    ("texte_long", "x" * 5001), ("texte_court", {"a": 1}), ("consentement", "bof"),
    ("choix", "zz"), ("choix_multiples", ["a", "zz"]), ("choix_multiples", [1]),
    ("activites", ["mer-soir"]),
])
def test_clean_value_refuses_with_a_french_message(kind, raw):
    from questionnaires.engine.definitions import Choice
    question = q(kind, choices=(Choice("a", "A"), Choice("b", "B")))
    value, error = clean_value(question, raw, activity_keys=["lun-am"])
    assert value is None and error and error[0].isupper()


def test_choices_are_stored_in_definition_order_without_duplicates():
    from questionnaires.engine.definitions import Choice
    question = q("choix_multiples", choices=(Choice("a", "A"), Choice("b", "B")))
    assert clean_value(question, ["b", "a", "b"]) == (["a", "b"], None)
    assert clean_value(q("activites"), ["mar-pm", "lun-am"], ["lun-am", "mar-pm"]) == \
        (["lun-am", "mar-pm"], None)


def test_required_only_when_complete_and_only_if_shown(definitions):
    questions = definitions[("bilan-individuel", 1)].section_questions()
    _, errors = validate_answers(questions, {}, complete=False)
    assert errors == {}
    _, errors = validate_answers(questions, {}, complete=True)
    assert "satisfaction_globale" in errors and "orientation" not in errors
    assert errors["satisfaction_globale"] == "Cette question attend une réponse."


def test_conditional_answers_are_dropped_when_their_condition_fails(definitions):
    questions = definitions[("bilan-individuel", 1)].section_questions()
    orientation = definitions[("bilan-individuel", 1)].questions["orientation"]
    assert is_shown(orientation, {"projet_plus_precis": "oui"})
    assert not is_shown(orientation, {"projet_plus_precis": "nsp"})
    answers, errors = validate_answers(
        questions, {"projet_plus_precis": "non", "orientation": ["stage"]}, complete=False)
    assert "orientation" not in answers and not errors
    # A branch no longer taken erases what was stored for it.
    answers, _ = validate_answers(questions, {"projet_plus_precis": "non"}, complete=False,
                                  known={"projet_plus_precis": "oui", "orientation": ["stage"]})
    assert answers == {"projet_plus_precis": "non", "orientation": None}


def test_tampered_ids_are_ignored_and_the_rest_kept(definitions):
    questions = definitions[("bilan-individuel", 1)].section_questions()
    answers, errors = validate_answers(
        questions, {"satisfaction_globale": 4, "is_admin": True, "obj_confiance": 9},
        complete=False)
    assert answers == {"satisfaction_globale": 4}
    assert set(errors) == {"_form", "obj_confiance"}


def _copy_definitions(tmp_path) -> Path:
    target = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS_DIR, target)
    return target


@pytest.mark.parametrize("breakage, expected", [
    (lambda d: d["sections"][0]["questions"][0].update(type="etoiles"), "type : « etoiles » inconnu"),
    (lambda d: d["sections"][0]["questions"][0].pop("label"), "champ(s) manquant(s) ['label']"),
    (lambda d: d["sections"][0]["questions"][0].update(couleur="rouge"), "champ(s) inconnu(s)"),
    (lambda d: d["sections"][3]["questions"][1].update(shown_if={"question": "nope", "in": ["oui"]}),
     "shown_if vise une question inconnue"),
    (lambda d: d["sections"][2]["questions"][0].pop("choices"), "choices : obligatoire"),
    (lambda d: d.update(version="un"), "version doit être un entier"),
    (lambda d: d["sections"][1]["questions"].append(d["sections"][0]["questions"][0]), "en double"),
])
def test_a_broken_definition_stops_the_app_naming_file_and_field(tmp_path, breakage, expected):
    directory = _copy_definitions(tmp_path)
    path = directory / "bilan-individuel.v1.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    breakage(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "DEFINITIONS_DIR": str(directory)})
    assert "bilan-individuel.v1.yaml" in str(caught.value)
    assert expected in str(caught.value)


def test_unreadable_yaml_and_misnamed_file(tmp_path):
    directory = _copy_definitions(tmp_path)
    (directory / "bilan-individuel.v1.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(DefinitionError, match="bilan-individuel.v1.yaml : YAML illisible"):
        load_definitions(directory)
    directory = _copy_definitions(tmp_path / "b")
    shutil.move(directory / "bilan-collectif.v1.yaml", directory / "collectif.yaml")
    with pytest.raises(DefinitionError, match="devrait s'appeler bilan-collectif.v1.yaml"):
        load_definitions(directory)


def test_a_version_2_is_a_new_version_and_version_1_answers_stay_readable(demo, auth):
    """Version 2 (added to the database, the source of truth) renames a label, adds a question
    and drops `talents_autres`."""
    data = yaml.safe_load((DEFINITIONS_DIR / "bilan-individuel.v1.yaml").read_text(encoding="utf-8"))
    data["version"] = 2
    data["sections"][0]["questions"][0]["label"] = "La semaine vous a-t-elle plu ?"
    data["sections"][2]["questions"] = [data["sections"][2]["questions"][0]]
    data["sections"][0]["questions"].append(
        {"id": "repas", "type": "oui_non_nsp", "label": "Les repas partagés vous ont plu ?",
         "required": True})
    app = demo
    from questionnaires.designer.store import add_published
    with app.app_context():
        assert add_published(data).ok
    from questionnaires.engine.definitions import get_definition
    from questionnaires.extensions import db
    with app.app_context():
        assert get_definition("bilan-individuel").version == 2
        v1 = get_definition("bilan-individuel", 1)
        old = db.session.scalar(db.select(Response).where(
            Response.questionnaire == "bilan-individuel", Response.version == 1,
            Response.answers["talents_autres"].isnot(None)))
        assert old is not None
        # The old answer is read with the old questions, which still know talents_autres.
        assert "talents_autres" in v1.questions
        _, errors = validate_answers(v1.section_questions(), old.answers,
                                     [s.key for s in old.stage.slots], complete=True)
        assert errors == {}
        # A new bilan starts on version 2 and requires the new question.
        v2 = get_definition("bilan-individuel", 2)
        _, errors = validate_answers(v2.section_questions(), old.answers, complete=True)
        assert "repas" in errors

    client = app.test_client()
    auth.login(client=client)
    page = client.get(f"/equipe/stages/1/bilans/{old.participant_id}").get_data(as_text=True)
    assert "version 1" in page
    assert "Dans l&#39;ensemble, la semaine vous a plu ?" in page
    assert "La semaine vous a-t-elle plu ?" not in page
