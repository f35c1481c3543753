"""Figures read answers by role: the same answers on a version that renames every question
give the same impact table, per stage and across stages, and the same stage report."""
import json
import re

from questionnaires.extensions import db
from questionnaires.models import Response
from tests.support.questionnaires import add_version, rewritten, shipped

QUESTIONNAIRES = ("bilan-individuel", "suivi-referent", "bilan-collectif")


def _as_v2(ids: dict, answers: dict) -> dict:
    moved = {ids[key]: value for key, value in answers.items()}
    moved["n2_repas"] = 2  # an answer to a question no figure reads
    return moved


def _outputs(app) -> dict:
    runner = app.test_cli_runner()
    found = {"all": json.loads(runner.invoke(args=["impact", "--all", "--format", "json"]).output)}
    for stage_id in (1, 2):
        found[stage_id] = json.loads(runner.invoke(
            args=["impact", "--stage", str(stage_id), "--format", "json"]).output)
        found[f"report{stage_id}"] = runner.invoke(
            args=["report", "--stage", str(stage_id), "--format", "html"]).output
    return found


def test_the_same_answers_on_a_version_renaming_every_question_give_the_same_figures(demo):
    before = _outputs(demo)
    assert before[1]["participants"] == 10 and before[1]["objectifs"]["obj_possibles"]["of"]
    versions = {q: add_version(demo, rewritten(q)) for q in QUESTIONNAIRES}
    with demo.app_context():
        # Only the first demo stage moves: across stages, v1 and v2 answers then mix
        responses = db.session.scalars(db.select(Response).where(Response.stage_id == 1)).all()
        assert {r.questionnaire for r in responses} == set(QUESTIONNAIRES)
        for response in responses:
            v1_ids = [q.id for q in versions[response.questionnaire].section_questions()]
            ids = {qid[3:]: qid for qid in v1_ids}
            response.version = versions[response.questionnaire].version
            response.answers = _as_v2(ids, response.answers)
        db.session.commit()
        db.session.expire_all()
        moved = db.session.scalars(db.select(Response).where(Response.stage_id == 1)).all()
        assert all(r.version == versions[r.questionnaire].version and not set(r.answers) & {"satisfaction_globale", "situation"}
                   for r in moved)
    after = _outputs(demo)
    assert after[1] == before[1]
    assert after[2] == before[2]
    assert after["all"] == before["all"]
    # The report also quotes "points_ameliorer", which carries no role (grilles.md): renamed in
    # v2, the report cannot know it; everything else (testimonials, collective, sentences,
    # charts) is the same
    changes = re.compile(r"<h3>Ce que le groupe changerait</h3>\n<p>[^<]*</p>\n")
    assert changes.search(before["report1"]) and not changes.search(after["report1"])
    assert after["report1"] == changes.sub("", before["report1"])
    assert "Les activités plébiscitées" in after["report1"]


def test_a_fact_column_follows_the_role_not_the_id(app):
    """A v2 that gives an old id to another question: the fact comes from the role's carrier."""
    data = shipped("bilan-individuel")
    data["version"] = 2
    for section in data["sections"]:
        for question in section["questions"]:
            if question["id"] == "obj_confiance":
                question["id"] = "confiance_en_soi"
            elif question["id"] == "obj_territoire":  # same type, no longer the role's question
                question["id"] = "obj_confiance"
                question["figure"] = "obj_territoire"
    add_version(app, data)
    with app.app_context():
        from datetime import date

        from questionnaires.models import Participant, Stage
        stage = Stage(title="S", theme="t", start_date=date(2025, 1, 6), end_date=date(2025, 1, 10))
        person = Participant(stage=stage, first_name="Ana")
        response = Response(answers={"confiance_en_soi": 4, "obj_confiance": 1},
                            questionnaire="bilan-individuel", version=2, stage=stage,
                            participant=person)
        db.session.add(response)
        db.session.commit()
        assert (response.fact_obj_confiance, response.fact_obj_territoire) == (4, 1)
        response.version = 1  # the same answers read as v1: ids are the roles
        assert (response.fact_obj_confiance, response.fact_obj_territoire) == (1, None)
