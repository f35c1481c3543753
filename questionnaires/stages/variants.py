"""Per-stage variants: which published version of each questionnaire a stage's tablets,
referents and team open, and moving a stage to another version without losing an answer.

A stage without a chosen version (no StageQuestionnaire row) keeps the version its answers
already use, else gets the latest; a new stage starts with the versions the previous stage of
its theme used. Moving a stage converts each answer by figure role (and by identical id and
type for questions without a role); a response that would lose anything in the move stays on
its own version, whole.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from questionnaires.engine import store
from questionnaires.engine.answers import questions_for, validate_answers
from questionnaires.engine.definitions import Definition, all_definitions, get_definition
from questionnaires.engine.roles import role_ids
from questionnaires.extensions import db
from questionnaires.models import Response, Slot, Stage, StageQuestionnaire
from questionnaires.models.values import QUESTIONNAIRES


def published_versions(questionnaire: str) -> list[int]:
    """The versions a stage may choose, oldest first."""
    return sorted(v for (qid, v) in all_definitions() if qid == questionnaire)


def _used_version(stage_id: int, questionnaire: str) -> int | None:
    return db.session.scalar(select(func.max(Response.version)).where(
        Response.stage_id == stage_id, Response.questionnaire == questionnaire))


def stage_version(stage_id: int, questionnaire: str) -> int:
    """The version the stage opens: its chosen one, else the one its answers use, else the
    latest published."""
    row = db.session.get(StageQuestionnaire, (stage_id, questionnaire))
    if row is not None and get_definition(questionnaire, row.version) is not None:
        return row.version
    used = _used_version(stage_id, questionnaire)
    if used is not None and get_definition(questionnaire, used) is not None:
        return used
    return get_definition(questionnaire).version


def stage_definition(stage_id: int, questionnaire: str) -> Definition:
    """The definition a new response of this stage follows."""
    return get_definition(questionnaire, stage_version(stage_id, questionnaire))


def stage_versions(stage: Stage) -> dict[str, int]:
    """{questionnaire: the version the stage opens}, in the usual order."""
    return {q: stage_version(stage.id, q) for q in QUESTIONNAIRES}


def previous_stage(stage: Stage) -> Stage | None:
    """The stage of the same theme that started last before this one."""
    return db.session.scalar(
        select(Stage).where(Stage.theme == stage.theme, Stage.id != stage.id,
                            Stage.start_date <= stage.start_date)
        .order_by(Stage.start_date.desc(), Stage.id.desc()).limit(1))


def start_with_previous(stage: Stage, now: datetime) -> Stage | None:
    """A new stage takes the versions of the previous stage of its theme (none: the latest,
    written down so that a later version does not move it once its bilans have started).
    Returns that previous stage. The caller commits."""
    source = previous_stage(stage)
    for questionnaire in QUESTIONNAIRES:
        version = stage_version(source.id, questionnaire) if source is not None \
            else get_definition(questionnaire).version
        db.session.merge(StageQuestionnaire(stage_id=stage.id, questionnaire=questionnaire,
                                            version=version, assigned_at=now))
    return source


# Moving a stage to another version ------------------------------------------------------------

@dataclass
class Move:
    """What moving a stage's questionnaire to `target` does to the answers already given."""

    questionnaire: str
    current: int
    target: int
    #: (response, its answers in the target version)
    converted: list = field(default_factory=list)
    #: (response, why it stays on its version: the questions without a place in the target)
    kept: list = field(default_factory=list)


def convert(answers: dict, source: Definition, target: Definition, participant=None,
            activity_keys=()) -> tuple[dict | None, list[str]]:
    """(the answers in `target`, []) or (None, the source question ids that have no place).

    An answer goes to the question carrying its role in `target`; an answer without a role to
    the question of the same id and type. Anything that would be dropped or refused there
    (a removed choice, a condition no longer met) keeps the whole response where it is.
    """
    source_roles = {qid: role for role, qid in role_ids(source).items()}
    target_roles = role_ids(target)
    moved, lost = {}, []
    for qid, value in answers.items():
        role = source_roles.get(qid)
        if role is not None and role in target_roles:
            moved[target_roles[role]] = value
            continue
        mine, twin = source.questions.get(qid), target.questions.get(qid)
        if role is None and mine is not None and twin is not None and twin.figure is None \
                and twin.type == mine.type:
            moved[qid] = value
        else:
            lost.append(qid)
    if lost:
        return None, lost
    cleaned, errors = validate_answers(questions_for(target, participant), moved,
                                       activity_keys, complete=False)
    kept = {key: value for key, value in cleaned.items() if value is not None}
    refused = sorted(set(moved) - set(kept) | set(errors) - {"_form"})
    if refused:
        return None, refused
    return moved, []


def _activity_keys(stage: Stage) -> list[str]:
    """The programme's slot keys (the answers of an `activites` question name them)."""
    return [key for (key,) in db.session.execute(
        select(Slot.key).where(Slot.stage_id == stage.id))]


def plan_move(stage: Stage, questionnaire: str, target: int) -> Move:
    """What moving the stage would do (nothing is changed)."""
    move = Move(questionnaire, stage_version(stage.id, questionnaire), target)
    target_definition = get_definition(questionnaire, target)
    keys = _activity_keys(stage)
    responses = db.session.scalars(select(Response).where(
        Response.stage_id == stage.id, Response.questionnaire == questionnaire,
        Response.version != target).order_by(Response.id))
    for response in responses:
        source = get_definition(questionnaire, response.version)
        if source is None:
            move.kept.append((response, ["version inconnue"]))
            continue
        answers, lost = convert(response.answers or {}, source, target_definition,
                                response.participant_id, keys)
        if answers is None:  # named as the team reads them: the questions' labels
            move.kept.append((response, [f"« {source.questions[qid].neutral_label} »"
                                         if qid in source.questions else qid for qid in lost]))
        else:
            move.converted.append((response, answers))
    return move


def assign(stage: Stage, questionnaire: str, target: int, user_id: int | None, now: datetime,
           convert_answers: bool) -> Move:
    """Give the stage `target`; with `convert_answers`, the answers that fit move with it (the
    others stay on their version). The caller commits."""
    move = plan_move(stage, questionnaire, target)
    db.session.merge(StageQuestionnaire(stage_id=stage.id, questionnaire=questionnaire,
                                        version=target, assigned_at=now, assigned_by_id=user_id))
    if convert_answers:
        target_definition = get_definition(questionnaire, target)
        keys = _activity_keys(stage)
        still = []
        for response, answers in move.converted:
            # Converted again from the row as stored at the write: a save landing since the
            # plan is carried over, never overwritten (engine/store.py)
            def again(stored, version, participant_id=response.participant_id):
                source = get_definition(questionnaire, version)
                return None if source is None else convert(
                    stored, source, target_definition, participant_id, keys)[0]
            if store.move_to_version(response, target, again):
                still.append((response, answers))
            else:
                move.kept.append((response, ["réponses changées entre-temps"]))
        move.converted = still
    else:
        move.kept = [(r, []) for r, _ in move.converted] + move.kept
        move.converted = []
    return move
