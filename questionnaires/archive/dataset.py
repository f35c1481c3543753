"""The data for analysts: the codebook of every questionnaire, and the raw answers as codes.

The codebook has one row per (questionnaire, version, question, choice). The raw answers have
one row per submitted response and one column per question id (the union over the versions
present), codes only: multiple choices joined with "|", consent 1/0, nothing for a question
not asked. No names: participants, referents and structures appear by their ids only, and
free texts (which may name people) stay in the stage's own exports (docs/privacy.md).
"""
from sqlalchemy import func, select

from questionnaires.archive.tables import local_naive
from questionnaires.clock import age_on
from questionnaires.engine.definitions import SCALE, YES_NO, Definition
from questionnaires.extensions import db
from questionnaires.impact.figures import Selection, selected_ids
from questionnaires.impact.tallies import TEXT_TYPES, definitions
from questionnaires.models import Participant, Referent, Response, Slot, Stage, Venue, period_rank
from questionnaires.models.values import PERIODS, SLOT_KINDS

CODEBOOK_HEADER = ["questionnaire", "version", "section", "partie", "question_id", "role", "type",
                   "obligatoire", "condition", "libellé", "valeur", "libellé_valeur"]
PARTS = {"participant": "A (par participant·e)", "referent": "B (par référent·e)"}
SLOTS_HEADER = ["stage_id", "clé", "date", "période", "titre", "type", "lieu"]
FIXED = ["reponse_id", "stage_id", "stage", "theme", "debut", "questionnaire", "version",
         "envoye_le", "repondant", "participant_id", "referent_id", "structure_id", "genre",
         "age_debut", "qpv", "statut_participant"]


def role_of(questionnaire: str, question) -> str:
    """The figure role a question carries in its version (grilles.md), or ""."""
    return question.figure or ""


def _choices(question) -> list[tuple[str, str]]:
    if question.type == "echelle4":
        return [(str(k), v) for k, v in SCALE.items()]
    if question.type == "oui_non_nsp":
        return list(YES_NO.items())
    if question.type == "consentement":
        return [("1", "accord donné"), ("0", "pas d'accord")]
    if question.type == "activites":
        return [("", "clé de créneau, propre au stage (feuille Créneaux)")]
    return [(str(c.value), c.label) for c in question.choices]


def codebook_rows() -> list[list]:
    """Every question of every known version, one row per choice (texts: one row)."""
    rows = []
    for (questionnaire, version), definition in sorted(definitions().items()):
        for section in definition.sections:
            for question in section.questions:
                condition = ""
                if question.shown_if:
                    target, allowed = question.shown_if
                    condition = f"{target} ∈ {{{', '.join(map(str, allowed))}}}"
                head = [questionnaire, version, section.title, PARTS.get(section.scope, ""),
                        question.id, role_of(questionnaire, question), question.type,
                        "oui" if question.required else "non", condition,
                        question.neutral_label]
                choices = _choices(question) if question.type not in TEXT_TYPES else \
                    [("", f"texte libre ({'200' if question.type == 'texte_court' else '5 000'} "
                          "caractères au plus)")]
                rows += [head + [value, label] for value, label in choices]
    return rows


def slot_rows(selection: Selection) -> list[list]:
    """The slots of the selected stages: what an `activites` answer's keys mean."""
    found = db.session.execute(
        select(Slot.stage_id, Slot.key, Slot.date, Slot.period, Slot.title, Slot.kind, Venue.name)
        .outerjoin(Venue, Venue.id == Slot.venue_id)
        .where(Slot.stage_id.in_(selected_ids(selection.shape)))
        .order_by(Slot.stage_id, Slot.date, period_rank(Slot.period)), selection.params)
    return [[stage_id, key, day, PERIODS.get(period, period), title, SLOT_KINDS.get(kind, kind),
             venue] for stage_id, key, day, period, title, kind, venue in found]


def _question_ids(questionnaire: str, versions) -> list[str]:
    """Question ids of these versions (free texts left out), in order, each once."""
    ids: list[str] = []
    registry = definitions()
    for version in sorted(versions):
        definition: Definition | None = registry.get((questionnaire, version))
        for question in definition.section_questions() if definition else []:
            if question.type not in TEXT_TYPES and question.id not in ids:
                ids.append(question.id)
    return ids


def _code(value):
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, list):
        return "|".join(map(str, value))
    return value


def raw_answers(questionnaire: str, selection: Selection) -> tuple[list[str], object]:
    """(header, rows) of the submitted responses to `questionnaire` in the selected stages.

    The rows are a generator over one select, so that any number of responses streams out.
    """
    versions = db.session.scalars(
        select(Response.version).distinct().where(
            Response.questionnaire == questionnaire, Response.submitted_at.isnot(None),
            Response.stage_id.in_(selected_ids(selection.shape))), selection.params).all()
    ids = _question_ids(questionnaire, versions or [1])
    answerer, followed = db.aliased(Referent), db.aliased(Referent)
    query = (
        select(Response.id, Response.stage_id, Stage.title, Stage.theme, Stage.start_date,
               Response.version, Response.submitted_at, Response.participant_id,
               Response.referent_id, func.coalesce(answerer.structure_id, followed.structure_id),
               Participant.gender, Participant.birth_date, Participant.qpv, Participant.status,
               Response.answers)
        .join(Stage, Stage.id == Response.stage_id)
        .outerjoin(Participant, Participant.id == Response.participant_id)
        .outerjoin(answerer, answerer.id == Response.referent_id)
        .outerjoin(followed, followed.id == Participant.referent_id)
        .where(Response.questionnaire == questionnaire, Response.submitted_at.isnot(None),
               Response.stage_id.in_(selected_ids(selection.shape)))
        .order_by(Stage.start_date, Response.stage_id, Response.id))

    def rows():
        for (response_id, stage_id, title, theme, start, version, submitted, participant_id,
             referent_id, structure_id, gender, born, qpv, status, answers) in \
                db.session.execute(query, selection.params):
            who = "référent·e" if referent_id else ("participant·e" if questionnaire ==
                                                     "bilan-individuel" else "équipe")
            answers = answers or {}
            yield [response_id, stage_id, title, theme, start, questionnaire, version,
                   local_naive(submitted), who, participant_id, referent_id, structure_id,
                   gender, age_on(born, start) if born else None, qpv, status] + \
                [_code(answers.get(key)) for key in ids]

    return FIXED + ids, rows()

