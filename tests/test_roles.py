"""Figure roles (grilles.md): every shipped version carries them; what keeps a version from
being published is said in French, naming the role."""
import pytest

from questionnaires.engine.definitions import DefinitionError, load_definitions, parse_definition
from questionnaires.engine.roles import ROLES, by_role, from_roles, role_ids, role_problems
from tests.support.questionnaires import add_version, renamed, shipped


def test_every_shipped_version_carries_its_roles_on_the_question_of_the_same_id():
    for (questionnaire, version), definition in load_definitions().items():
        assert role_problems(definition) == []
        if version == 1:
            assert role_ids(definition) == {role: role for role in ROLES[questionnaire]}


def _problems(data):
    return role_problems(parse_definition(data))


def _question(data, qid):
    return next(q for s in data["sections"] for q in s["questions"] if q["id"] == qid)


def test_a_missing_role_is_named():
    data = shipped("bilan-individuel")
    del _question(data, "obj_confiance")["figure"]
    assert _problems(data) == [
        "Le rôle « obj_confiance » n'est porté par aucune question : donnez-le à la question "
        "qui le remplace."]


def test_a_duplicated_role_names_both_questions():
    data = shipped("bilan-collectif")
    _question(data, "points_ameliorer")["figure"] = "points_forts"
    assert _problems(data) == ["Le rôle « points_forts » est porté par plusieurs questions "
                               "(points_forts, points_ameliorer) : gardez-le sur une seule."]


@pytest.mark.parametrize("qid, change, expected", [
    ("satisfaction_globale", {"type": "oui_non_nsp"}, "doit être de type echelle4, pas oui_non_nsp"),
    ("experience_groupe", {"type": "echelle4"}, "doit être de type oui_non_nsp, pas echelle4"),
    ("orientation", {"type": "choix"}, "doit être de type choix_multiples, pas choix"),
])
def test_a_role_on_a_question_of_the_wrong_type(qid, change, expected):
    data = shipped("bilan-individuel")
    _question(data, qid).update(change)
    problems = _problems(data)
    assert len(problems) == 1 and f"« {qid} » (rôle « {qid} ») {expected}" in problems[0]


def test_choice_roles_keep_the_v1_values_and_may_add_some():
    data = shipped("suivi-referent")
    situation = _question(data, "situation")
    situation["choices"] = [c for c in situation["choices"] if c["value"] != "benevolat"]
    assert _problems(data) == ["La question « situation » (rôle « situation ») doit garder les "
                               "valeurs de choix benevolat."]
    situation["choices"].append({"value": "benevolat", "label": "Bénévole"})
    situation["choices"].append({"value": "service_civique", "label": "Service civique"})
    assert _problems(data) == []
    data = shipped("bilan-individuel")
    _question(data, "orientation")["choices"].pop(0)
    assert "doit garder les valeurs de choix stage" in _problems(data)[0]


def test_referent_roles_stay_in_their_part_and_unknown_roles_are_refused():
    data = shipped("suivi-referent")
    moved = data["sections"][0]["questions"].pop(1)
    data["sections"][1]["questions"].append(moved)
    assert _problems(data) == ["La question « situation » (rôle « situation ») doit être dans la "
                               "partie A (par participant)."]
    data = shipped("bilan-collectif")
    _question(data, "points_ameliorer")["figure"] = "ameliorations"
    assert "rôle inconnu « ameliorations »" in _problems(data)[0]


def test_a_shipped_file_without_its_roles_stops_the_app(tmp_path):
    import shutil

    import yaml

    from questionnaires.engine.definitions import DEFINITIONS_DIR
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "d")
    path = tmp_path / "d" / "suivi-referent.v1.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del _question(data, "situation")["figure"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError, match="suivi-referent.v1.yaml : Le rôle « situation »"):
        load_definitions(tmp_path / "d")


def test_a_badly_written_role_is_named():
    data = shipped("bilan-collectif")
    _question(data, "ambiance")["figure"] = ["ambiance"]
    with pytest.raises(DefinitionError, match=r"\(ambiance\)\.figure : rôle"):
        parse_definition(data)


def test_answers_by_role_and_back_through_a_version_that_renames_everything(app):
    v2 = add_version(app, renamed(shipped("bilan-individuel"), 2))
    with app.app_context():
        from questionnaires.engine.definitions import get_definition
        assert get_definition("bilan-individuel") is v2
        v1 = get_definition("bilan-individuel", 1)
    answers = {"v2_satisfaction_globale": 4, "v2_orientation": ["emploi"], "v2_talents": ["calme"]}
    roles = by_role(v2, answers)
    assert roles == {"satisfaction_globale": 4, "orientation": ["emploi"]}
    assert from_roles(v1, roles) == {"satisfaction_globale": 4, "orientation": ["emploi"]}


def test_add_version_refuses_what_publishing_refuses(app):
    data = renamed(shipped("bilan-collectif"), 2)
    del _question(data, "v2_ambiance")["figure"]
    with pytest.raises(ValueError, match="« ambiance »"):
        add_version(app, data)
