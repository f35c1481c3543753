"""Questionnaire versions in the database: seed, published versions served, drafts never,
validation with places, the optimistic lock, and `flask questionnaires`."""
import copy
import json
from pathlib import Path

import pytest
import yaml

from questionnaires.designer import store
from questionnaires.designer.validation import problems
from questionnaires.engine.definitions import DEFINITIONS_DIR, get_definition
from questionnaires.extensions import db
from questionnaires.models import AuditEvent, QuestionnaireVersion
from tests.support.questionnaires import add_version

#: The migrations' frozen copies of the shipped files (0024: the v1s, 0028: suivi-referent v2)
FROZEN = sorted((Path(__file__).resolve().parent.parent / "migrations" / "data").glob("00*.json"))


def _v1(qid="bilan-individuel") -> dict:
    return yaml.safe_load((DEFINITIONS_DIR / f"{qid}.v1.yaml").read_text(encoding="utf-8"))


def test_a_fresh_database_has_the_shipped_versions_published(app):
    with app.app_context():
        rows = store.versions()
        assert [(r.questionnaire, r.version, r.status) for r in rows] == [
            ("bilan-collectif", 1, "published"), ("bilan-individuel", 1, "published"),
            ("suivi-referent", 1, "published"), ("suivi-referent", 2, "published")]
        assert rows[1].definition == _v1()
        assert get_definition("bilan-individuel").questions["talents"].type == "choix_multiples"
    # The migration's frozen copy is the same as the shipped files today.
    frozen = {(r["questionnaire"], r["version"]): r["definition"]
              for path in FROZEN for r in json.loads(path.read_text(encoding="utf-8"))}
    assert frozen[("bilan-individuel", 1)] == _v1()
    # Every shipped file reaches a migrated database too, as it is in the package
    assert set(frozen) == {(r.questionnaire, r.version) for r in rows}
    assert all(frozen[(r.questionnaire, r.version)] == r.definition for r in rows)


def test_drafts_are_never_served_and_published_versions_are(app):
    with app.app_context():
        draft = store.new_draft("bilan-individuel", None)
        assert (draft.version, draft.status, draft.revision) == (2, "draft", 1)
        assert get_definition("bilan-individuel").version == 1
        assert get_definition("bilan-individuel", 2) is None
        data = copy.deepcopy(draft.definition)
        data["sections"][0]["questions"][0]["label"] = "La semaine vous a plu ?"
        assert store.save_draft(draft, data, 1).ok
        assert store.publish(draft, 2, None).ok
        assert get_definition("bilan-individuel").version == 2
        assert get_definition("bilan-individuel", 2).questions[
            "satisfaction_globale"].label == "La semaine vous a plu ?"
        assert get_definition("bilan-individuel", 1).questions[
            "satisfaction_globale"].label != "La semaine vous a plu ?"
        # Published: frozen.
        outcome = store.save_draft(draft, data, 2)
        assert not outcome.ok and "publiée" in outcome.problems[0].message
        details = [e.detail for e in db.session.scalars(db.select(AuditEvent))]
        assert any("Nouvelle version 2 de bilan-individuel" in d for d in details)
        assert any("Publication de la version 2 de bilan-individuel" in d for d in details)


def test_a_stale_draft_save_is_refused_not_merged(app):
    with app.app_context():
        draft = store.new_draft("suivi-referent", None)
        first, second = copy.deepcopy(draft.definition), copy.deepcopy(draft.definition)
        first["title"] = "Premier"
        second["intro"] = "Second"
        assert store.save_draft(draft, first, 1).ok
        outcome = store.save_draft(draft, second, 1)  # read at revision 1 too
        assert not outcome.ok
        assert outcome.problems[0].message.startswith("Quelqu'un d'autre a modifié ce brouillon")
        db.session.expire_all()
        row = store.find("suivi-referent", draft.version)
        assert row.revision == 2 and row.definition["title"] == "Premier"
        assert row.definition["intro"] != "Second"
        assert not store.publish(row, 1, None).ok  # a stale publish too


def _broken(change) -> list[str]:
    data = _v1()
    change(data)
    return [p.message for p in problems(data)]


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["sections"][0]["questions"][0].update(type="etoiles"),
     "Section 1, question 1, champ « type » : type « etoiles » inconnu"),
    (lambda d: d["sections"][1]["questions"].append(
        {"id": "satisfaction_globale", "type": "texte_court", "label": "Encore", "required": False}),
     "Section 2, question 7, champ « id » : l'identifiant « satisfaction_globale » est déjà pris"),
    (lambda d: d["sections"][0]["questions"][0].update(
        shown_if={"question": "orientation", "in": ["stage"]}),
     "Section 1, question 1, champ « shown_if » : la condition porte sur « orientation », qui "
     "vient après"),
    (lambda d: d["sections"][0]["questions"][0].update(
        shown_if={"question": "absente", "in": ["oui"]}),
     "Section 1, question 1, champ « shown_if » : la condition porte sur une question inconnue "
     "« absente »"),
    (lambda d: d["sections"][2]["questions"][0]["choices"].append(
        {"value": "caisse", "label": "Encore la caisse"}),
     "Section 3, question 1, champ « choices » : la valeur « caisse » est déjà utilisée"),
    (lambda d: d["sections"][0]["questions"][0].update(label="x" * 501),
     "Section 1, question 1, champ « label » : l'intitulé fait 501 caractères ; 500 au plus."),
    (lambda d: d["sections"][0]["questions"][0].pop("label"),
     "Section 1, question 1, champ « label » : le champ « label » manque."),
    (lambda d: d["sections"][0]["questions"][0].update(type="texte_court"),
     "Section 1, question 1, champ « figure » : La question « satisfaction_globale » (rôle "
     "« satisfaction_globale ») doit être de type echelle4"),
    (lambda d: d.update(version="deux"),
     "Champ « version » : la version doit être un nombre entier"),
    (lambda d: d["sections"][2]["questions"][0].update(nsp=True),
     "Section 3, question 1, champ « nsp » : « Je ne sais pas » ne s'ajoute qu'aux échelles"),
    (lambda d: d["sections"][0]["questions"][0].update(nsp="oui"),
     "Section 1, question 1, champ « nsp » : « Je ne sais pas » doit valoir true ou false"),
])
def test_each_fault_is_named_with_its_place(change, expected):
    found = _broken(change)
    assert any(message.startswith(expected) for message in found), found


def test_a_sound_definition_has_no_problem_and_a_broken_file_is_refused(app, tmp_path, runner):
    assert problems(_v1()) == []
    assert problems(["pas", "un", "questionnaire"])[0].message.startswith("Le fichier n'est pas")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [pas fermé\n", encoding="utf-8")
    result = runner.invoke(args=["questionnaires", "import", str(broken)])
    assert result.exit_code != 0
    assert "pas du YAML lisible (ligne" in result.output


def test_cli_list_export_import_round_trip_and_refusals(app, runner, tmp_path):
    listed = runner.invoke(args=["questionnaires", "list"])
    assert listed.exit_code == 0
    assert "bilan-individuel v1\tPubliée\tMon bilan de la semaine" in listed.output

    exported = runner.invoke(args=["questionnaires", "export", "bilan-individuel"])
    assert exported.exit_code == 0
    data = yaml.safe_load(exported.output)
    assert data == _v1()
    data["version"] = 2
    data["sections"][0]["questions"][0]["label"] = "Vous avez aimé la semaine ?"
    path = tmp_path / "v2.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["questionnaires", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "bilan-individuel v2\n"
    again = runner.invoke(args=["questionnaires", "import", str(path)])
    assert again.exit_code == 0 and again.stdout == "bilan-individuel v2\n"
    with app.app_context():
        assert get_definition("bilan-individuel").questions[
            "satisfaction_globale"].label == "Vous avez aimé la semaine ?"
        assert len(store.versions("bilan-individuel")) == 2
    round_trip = runner.invoke(args=["questionnaires", "export", "bilan-individuel",
                                     "--version", "2"])
    assert yaml.safe_load(round_trip.output) == data

    data["sections"][0]["questions"][0]["label"] = "Autre chose"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = runner.invoke(args=["questionnaires", "import", str(path)])
    assert refused.exit_code != 0
    assert "bilan-individuel v2 existe déjà (publiée) avec un autre contenu" in refused.output
    data["version"] = 3
    data["sections"][0]["questions"][0]["type"] = "etoiles"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = runner.invoke(args=["questionnaires", "import", str(path)])
    assert refused.exit_code != 0
    assert "Section 1, question 1, champ « type » : type « etoiles » inconnu" in refused.output
    with app.app_context():
        assert store.find("bilan-individuel", 3) is None
    missing = runner.invoke(args=["questionnaires", "export", "nope"])
    assert missing.exit_code != 0 and "Aucun questionnaire « nope »" in missing.output


def test_add_version_registers_a_published_version(app):
    with app.app_context():
        before = len(store.versions())
    data = _v1("bilan-collectif")
    data["version"] = 2
    data["title"] = "Bilan collectif, deuxième version"
    assert add_version(app, data).version == 2
    with app.app_context():
        assert get_definition("bilan-collectif").title == "Bilan collectif, deuxième version"
        assert db.session.scalar(db.select(db.func.count()).select_from(QuestionnaireVersion)) == before + 1


def test_a_draft_scale_gets_je_ne_sais_pas_from_the_pages_and_keeps_it_on_publishing(app):
    """The shipped suivi-referent v2 carries `nsp: true`; the designer keeps it through a draft."""
    with app.app_context():
        assert problems(store.find("suivi-referent", 2).definition) == []
        draft = store.new_draft("bilan-individuel", None)
        scale = draft.definition["sections"][0]["questions"][0]
        assert scale["type"] == "echelle4" and "nsp" not in scale
        data = copy.deepcopy(draft.definition)
        data["sections"][0]["questions"][0]["nsp"] = True
        assert store.save_draft(draft, data, draft.revision).ok
        assert store.publish(draft, draft.revision, None).ok
        published = get_definition("bilan-individuel", draft.version)
        assert published.section_questions()[0].nsp is True
