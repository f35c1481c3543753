"""Per-stage variants: each stage opens the version of each questionnaire it chose; moving it
converts the answers by role (or keeps them on their version), never losing one; the stage
archive keeps the versions."""
import copy
from datetime import date

import pytest
from sqlalchemy import select

from questionnaires.archive.schema import ArchiveError
from questionnaires.archive.stage import export_stage, import_archive
from questionnaires.engine.roles import ROLES
from questionnaires.extensions import db
from questionnaires.models import AuditEvent, Participant, Response, Stage, StageQuestionnaire
from questionnaires.participant import bilan
from questionnaires.referent import replies
from questionnaires.stages import collective
from questionnaires.stages.variants import convert, plan_move, stage_version, stage_versions
from tests.support.forms import post_form
from tests.support.questionnaires import add_version, rewritten, shipped

STAGE_1 = "/equipe/stages/1"


def _stage(title="Sport", theme="sport", start=date(2031, 5, 5)) -> Stage:
    stage = Stage(title=title, theme=theme, start_date=start, end_date=start, capacity=12)
    db.session.add(stage)
    db.session.flush()
    return stage


def test_a_stage_without_answers_takes_the_latest_one_with_answers_keeps_its_own(demo):
    add_version(demo, rewritten("bilan-individuel"))
    with demo.app_context():
        fresh = _stage()
        assert stage_version(fresh.id, "bilan-individuel") == 2
        assert stage_version(1, "bilan-individuel") == 1  # the demo's bilans are v1
        assert stage_versions(db.session.get(Stage, 1)) == {
            "bilan-individuel": 1, "bilan-collectif": 1, "suivi-referent": 1}


def test_tablet_referent_and_collective_open_the_stage_s_version(demo):
    added = {questionnaire: add_version(demo, rewritten(questionnaire)).version
             for questionnaire in ("bilan-individuel", "suivi-referent", "bilan-collectif")}
    with demo.app_context():
        stage = _stage()
        person = Participant(stage=stage, first_name="Inès")
        db.session.add(person)
        db.session.flush()
        for questionnaire, version in (("bilan-individuel", 1),
                                       ("suivi-referent", added["suivi-referent"]),
                                       ("bilan-collectif", 1)):
            db.session.add(StageQuestionnaire(stage_id=stage.id, questionnaire=questionnaire,
                                              version=version))
        db.session.commit()
        assert bilan.draft_for(person).version == 1
        assert collective.definition_of(None, stage).version == 1
        part_b = [q.id for q in replies.questions(None, None, stage.id)]
        assert part_b and all(qid.startswith("n2_") for qid in part_b)
        assert [q.id for q in replies.questions(None, person)][0].startswith("n2_")


def test_a_new_stage_of_a_theme_starts_with_the_versions_of_the_previous_one(demo, team):
    add_version(demo, rewritten("bilan-individuel"))
    with demo.app_context():
        theme = db.session.get(Stage, 1).theme
    response = post_form(team, "/equipe/stages/nouveau", {
        "title": "Accueil 2032", "theme": theme, "start_date": "2032-03-01",
        "end_date": "2032-03-05", "capacity": "10", "followup_months": "3"})
    assert response.status_code == 302, response.get_data(as_text=True)
    other = post_form(team, "/equipe/stages/nouveau", {
        "title": "Cirque", "theme": "cirque", "start_date": "2032-03-01",
        "end_date": "2032-03-05", "capacity": "10", "followup_months": "3"},
        page_url="/equipe/stages/nouveau")
    assert other.status_code == 302
    with demo.app_context():
        new = db.session.scalar(select(Stage).where(Stage.title == "Accueil 2032"))
        circus = db.session.scalar(select(Stage).where(Stage.title == "Cirque"))
        # The previous stage of the theme answered on v1: so does the new one, v2 or not
        assert stage_versions(new)["bilan-individuel"] == 1
        # No previous stage: the latest, written down
        assert db.session.get(StageQuestionnaire, (circus.id, "bilan-individuel")).version == 2


def _bilans(app, stage_id=1):
    with app.app_context():
        return {r.participant_id: (r.version, dict(r.answers), r.fact_satisfaction_globale,
                                   r.fact_orientation, r.submitted_at)
                for r in db.session.scalars(select(Response).where(
                    Response.stage_id == stage_id, Response.questionnaire == "bilan-individuel"))}


def test_moving_a_stage_asks_first_then_converts_by_role_and_journals_it(demo, team):
    add_version(demo, rewritten("bilan-individuel", only_roles=True))
    before = _bilans(demo)
    page = team.get(STAGE_1).get_data(as_text=True)
    assert "Questionnaires du stage" in page and "Version 2 (la plus récente)" in page
    asked = post_form(team, f"{STAGE_1}/questionnaires",
                      {"questionnaire": "bilan-individuel", "version": "2"}, page_url=STAGE_1)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Aucune ne sera perdue" in text
    assert f"{len(before)} réponse(s) passeront à la version 2" in text
    assert _bilans(demo) == before  # nothing changed yet
    done = post_form(team, f"{STAGE_1}/questionnaires", {
        "questionnaire": "bilan-individuel", "version": "2", "mode": "convertir"},
        page_url=STAGE_1)
    assert done.status_code == 302
    after = _bilans(demo)
    assert set(after) == set(before)
    for pid, (version, answers, satisfaction, orientation, sent) in after.items():
        old = before[pid]
        roles = set(ROLES["bilan-individuel"])
        assert version == 2 and answers == {
            f"n2_{k}" if k in roles else k: v for k, v in old[1].items()}
        assert (satisfaction, orientation, sent) == old[2:]
    with demo.app_context():
        assert stage_version(1, "bilan-individuel") == 2
        # (the version's own import is in the journal too, without a stage)
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.target_type == "questionnaire", AuditEvent.stage_id.isnot(None)))
        assert (event.action, event.stage_id, event.target_id) == (
            "changed", 1, "bilan-individuel")
        assert "version 1 → 2" in event.detail and f"{len(before)} réponse(s) convertie" in event.detail


def test_moving_while_keeping_answers_on_their_version(demo, team):
    add_version(demo, rewritten("bilan-individuel", only_roles=True))
    before = _bilans(demo)
    done = post_form(team, f"{STAGE_1}/questionnaires", {
        "questionnaire": "bilan-individuel", "version": "2", "mode": "garder"},
        page_url=STAGE_1)
    assert done.status_code == 302
    assert _bilans(demo) == before
    with demo.app_context():
        assert stage_version(1, "bilan-individuel") == 2
        fresh = db.session.scalar(select(Participant).where(
            Participant.stage_id == 1, Participant.id.notin_(list(before))))
        if fresh is not None:  # someone without a bilan yet gets the new version
            assert bilan.draft_for(fresh).version == 2


def test_a_response_that_would_lose_an_answer_stays_whole_on_its_version(demo):
    data = shipped("bilan-individuel")
    data["version"] = 2
    talents = data["sections"][2]["questions"][0]
    talents["choices"] = [c for c in talents["choices"] if c["value"] != "caisse"]
    data["sections"][2]["questions"] = [talents]  # "talents_autres" is gone too
    v2 = add_version(demo, data)
    with demo.app_context():
        v1 = bilan.get_definition("bilan-individuel", 1)
        assert convert({"satisfaction_globale": 3, "talents": ["calme"]}, v1, v2) == (
            {"satisfaction_globale": 3, "talents": ["calme"]}, [])
        assert convert({"talents": ["caisse"]}, v1, v2)[0] is None
        assert convert({"talents_autres": "Chanter"}, v1, v2) == (None, ["talents_autres"])
        move = plan_move(db.session.get(Stage, 1), "bilan-individuel", 2)
        kept = {r.id for r, _ in move.kept}
        assert kept and move.converted
        assert all("caisse" in (r.answers.get("talents") or []) or "talents_autres" in r.answers
                   for r, _ in move.kept)


def test_the_move_form_refuses_an_unknown_version_in_french(demo, team):
    response = post_form(team, f"{STAGE_1}/questionnaires",
                         {"questionnaire": "bilan-individuel", "version": "9"}, page_url=STAGE_1)
    assert response.status_code == 302
    page = team.get(STAGE_1).get_data(as_text=True)
    assert "La version 9 de « Bilan individuel » n&#39;existe pas" in page
    bad = post_form(team, f"{STAGE_1}/questionnaires",
                    {"questionnaire": "rien", "version": "x"}, page_url=STAGE_1)
    assert bad.status_code == 302
    with demo.app_context():
        assert db.session.scalar(select(StageQuestionnaire)) is None


def test_the_archive_keeps_versions_and_imports_answers_of_any_known_version(demo):
    add_version(demo, rewritten("bilan-individuel"))
    with demo.app_context():
        archive = export_stage(db.session.get(Stage, 1))
        assert "versions" not in archive["stage"]  # nothing chosen: as before issue 12
        for item in archive["responses"]:
            if item["questionnaire"] == "bilan-individuel":
                item["version"] = 2
                item["answers"] = {f"n2_{k}": v for k, v in item["answers"].items()}
        archive["stage"]["versions"] = {"bilan-individuel": 2, "suivi-referent": 1}
        copy_id = import_archive(copy.deepcopy(archive)).id
        db.session.commit()
        again = export_stage(db.session.get(Stage, copy_id))
        assert again["stage"]["versions"] == {"bilan-individuel": 2, "suivi-referent": 1}
        assert again["responses"] == archive["responses"]
        assert stage_version(copy_id, "bilan-individuel") == 2
        unknown = copy.deepcopy(archive)
        unknown["responses"][0]["version"] = 7
        unknown["stage"]["versions"]["bilan-collectif"] = 5
        with pytest.raises(ArchiveError) as refused:
            import_archive(unknown)
        errors = refused.value.errors
        assert "stage.versions.bilan-collectif : bilan-collectif version 5 inconnue de ce service." \
            in errors
        assert any(e.startswith("responses[0].version : ") and "version 7 inconnue" in e
                   for e in errors)
        bad = copy.deepcopy(archive)
        bad["stage"]["versions"] = {"bilan-individuel": "deux"}
        with pytest.raises(ArchiveError, match="stage.versions : un objet"):
            import_archive(bad)
