"""Stage archive: lossless round trip, all-or-nothing import, every error with its path."""
import copy
import json

import pytest
from sqlalchemy import func, select

from questionnaires.archive.stage import ArchiveError, export_stage, import_archive, loads
from questionnaires.demo import read
from questionnaires.extensions import db
from questionnaires.models import Participant, Referent, Stage, Structure, Venue


def canonical(archive: dict) -> dict:
    """The archive with every key replaced by what it points to, so files can be compared."""
    index = {name: {item["key"]: item for item in archive[name]}
             for name in ("venues", "structures", "referents", "professionals", "participants")}

    def venue(key):
        return None if key is None else (index["venues"][key]["name"], index["venues"][key]["city"])

    def referent(key):
        return None if key is None else index["referents"][key]["email"]

    def person(key):
        return None if key is None else index["participants"][key]["first_name"]

    def professional(key):
        item = index["professionals"][key]
        return (item["role"], venue(item["venue"]))

    return {
        "stage": archive["stage"],
        "slots": [{**{k: v for k, v in s.items() if k not in ("venue", "professionals")},
                   "venue": venue(s["venue"]),
                   "professionals": sorted(professional(k) for k in s["professionals"])}
                  for s in archive["slots"]],
        "participants": [{**{k: v for k, v in p.items() if k not in ("key", "referent")},
                          "referent": referent(p["referent"])} for p in archive["participants"]],
        "referents": sorted((r["email"], r["name"], index["structures"][r["structure"]]["name"])
                            for r in archive["referents"]),
        "responses": sorted(
            json.dumps({**r, "participant": person(r.get("participant")),
                        "referent": referent(r.get("referent")),
                        "assisted_by": referent(r.get("assisted_by"))}, sort_keys=True)
            for r in archive["responses"]),
    }


def test_export_then_import_is_lossless_on_the_demo(demo):
    with demo.app_context():
        first = export_stage(db.session.get(Stage, 1))
        copy_id = import_archive(copy.deepcopy(first)).id
        db.session.commit()
        second = export_stage(db.session.get(Stage, copy_id))
    assert second == first
    assert len(first["responses"]) > 10


def test_export_keeps_everything_the_demo_file_says(demo):
    with demo.app_context():
        exported = export_stage(db.session.get(Stage, 1))
    assert canonical(exported) == canonical(read("stage-2021.json"))


def test_import_reuses_known_venues_structures_and_referents(demo):
    with demo.app_context():
        counts = [db.session.scalar(select(func.count()).select_from(m))
                  for m in (Venue, Structure, Referent)]
        import_archive(read("stage-2021.json"))
        db.session.commit()
        assert [db.session.scalar(select(func.count()).select_from(m))
                for m in (Venue, Structure, Referent)] == counts


def _errors(app, archive) -> list[str]:
    with app.app_context():
        before = db.session.scalar(select(func.count(Participant.id)))
        with pytest.raises(ArchiveError) as caught:
            import_archive(archive)
        db.session.rollback()
        assert db.session.scalar(select(func.count(Participant.id))) == before
        assert db.session.scalar(select(func.count(Stage.id))) == 0
    return caught.value.errors


def _broken(change) -> dict:
    archive = read("stage-2021.json")
    change(archive)
    return archive


@pytest.mark.parametrize("change, expected", [
    (lambda a: a.update(extra=1), "extra : clé inconnue"),
    (lambda a: a.update(format="stage-archive/9"), "format :"),
    (lambda a: a.pop("stage"), "stage : objet obligatoire"),
    (lambda a: a["stage"].update(end="2021-11-01"), "stage.end : le dernier jour précède"),
    (lambda a: a["stage"].update(start="22/11/2021"), "stage.start : date AAAA-MM-JJ"),
    (lambda a: a["stage"].update(capacity=0), "stage.capacity : nombre entier entre 1 et 100"),
    (lambda a: a["stage"].update(capacity=5), "participants : 10 inscrit·e·s pour 5 places"),
    (lambda a: a["participants"][3].update(referent="r9"),
     'participants[3].referent : clé inconnue « r9 »'),
    (lambda a: a["participants"][0].update(gender="M"), "participants[0].gender : valeur « M »"),
    (lambda a: a["participants"][0].pop("first_name"), "participants[0].first_name : valeur obligatoire"),
    (lambda a: a["participants"][0].update(first_name="x" * 81), "participants[0].first_name : 80 caractères"),
    (lambda a: a["participants"][0].update(nickname="Jo"), "participants[0].nickname : clé inconnue"),
    (lambda a: a["participants"][0]["attendance"].update(zz="present"), "participants[0].attendance : créneau inconnu"),
    (lambda a: a["participants"][0]["attendance"].update({"lun-am": "late"}), "participants[0].attendance : présence « late »"),
    (lambda a: a["participants"][1].update(key=a["participants"][0]["key"]), "participants[1].key : clé « "),
    (lambda a: a["referents"][0].update(email="pas-une-adresse"), "referents[0].email : adresse e-mail invalide"),
    (lambda a: a["slots"][0].update(date="2022-01-01"), "slots[0].date : 2022-01-01 est hors des dates"),
    (lambda a: a["slots"][1].update(date=a["slots"][0]["date"], period=a["slots"][0]["period"]),
     "slots[1] : même jour et même période"),
    (lambda a: a["slots"][0].update(professionals=["p99"]), "slots[0].professionals : clé(s) inconnue(s)"),
    (lambda a: a["venues"].append("tjc"), "venues[5] : un objet"),
    (lambda a: a.update(slots={}), "slots : une liste"),
    (lambda a: a["responses"][0].update(submitted_at="2021-12-01T10:00:00"), "responses[0].submitted_at : date et heure"),
    (lambda a: a["responses"][0].update(questionnaire="inconnu"), "responses[0].questionnaire : valeur « inconnu »"),
    (lambda a: a["responses"][0].update(participant=None), "responses[0] : un bilan individuel a un participant"),
    (lambda a: a["responses"].append(copy.deepcopy(a["responses"][0])), "doublon de responses[0]"),
    (lambda a: a["responses"][0].update(answers=[1]), "responses[0].answers : un objet"),
])
def test_every_error_kind_is_reported_with_its_path_and_nothing_written(app, change, expected):
    errors = _errors(app, _broken(change))
    assert any(line.startswith(expected) or expected in line for line in errors), errors


def test_all_errors_are_listed_at_once(app):
    def several(archive):
        archive["participants"][0]["gender"] = "?"
        archive["participants"][5]["referent"] = "nobody"
        archive["slots"][2]["kind"] = "fête"
    errors = _errors(app, _broken(several))
    assert len(errors) == 3


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe\x00", b"[]", b"null", b'"x"', b"[" * 100000])
def test_unreadable_files_are_refused_in_french(app, raw):
    with app.app_context():
        with pytest.raises(ArchiveError) as caught:
            import_archive(loads(raw))
    assert caught.value.errors[0].startswith("(")


def test_cli_export_prints_the_archive_and_import_prints_the_new_id(demo, tmp_path):
    runner = demo.test_cli_runner()
    exported = runner.invoke(args=["stage", "export", "1"])
    assert exported.exit_code == 0
    archive = json.loads(exported.output)
    assert archive["format"] == "stage-archive/1" and len(archive["participants"]) == 10
    path = tmp_path / "stage.json"
    path.write_text(exported.output, encoding="utf-8")
    imported = runner.invoke(args=["stage", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    new_id = int(imported.output.strip())
    with demo.app_context():
        assert export_stage(db.session.get(Stage, new_id)) == archive


def test_cli_import_lists_errors_and_fails(app, tmp_path):
    path = tmp_path / "bad.json"
    archive = read("stage-2021.json")
    archive["participants"][3]["referent"] = "r9"
    path.write_text(json.dumps(archive), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["stage", "import", str(path)])
    assert result.exit_code == 1
    assert 'participants[3].referent : clé inconnue « r9 »' in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Stage.id))) == 0


def test_cli_export_of_unknown_stage_says_so(app):
    result = app.test_cli_runner().invoke(args=["stage", "export", "42"])
    assert result.exit_code != 0 and "Aucun stage" in result.output
