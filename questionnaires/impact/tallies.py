"""Every choice question tallied: how many times each answer was given, per stage or across.

One aggregate unnests the answers in SQL (a JSON object per response, lists unnested), so the
number of queries does not grow with stages or responses: values per (questionnaire, version,
question, value), the respondents per question, the responses per questionnaire. Restricted to
submitted responses of enrolled participants (and to the team's and referents' own ones).
Questions with the same id, type and choices in several versions are added up, and so are the
questions carrying the same figure role (renamed or given more choices); otherwise each
version is shown apart. Across stages, activities (slots of each stage's programme) are
counted by kind of slot.
"""
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import String, and_, bindparam, case, cast, func, or_, select, true

from questionnaires.engine.definitions import Definition, Question, all_definitions
from questionnaires.extensions import db
from questionnaires.impact.figures import Selection, selected_ids
from questionnaires.models import Participant, Response, Slot
from questionnaires.models.values import QUESTIONNAIRES, SLOT_KINDS

CHOICE_TYPES = ("echelle4", "oui_non_nsp", "choix", "choix_multiples", "activites", "consentement")
TEXT_TYPES = ("texte_court", "texte_long")
MULTIPLE = ("choix_multiples", "activites")
CONSENT = {"1": "Oui (accord donné)", "0": "Non"}


@dataclass
class Tally:
    """One question's frequencies."""

    questionnaire: str
    #: The versions added up here ("v1", "v1, v2")
    versions: list[int]
    question: Question
    #: "participant" (part A), "referent" (part B) or None
    scope: str | None
    #: (code, label, count), in the question's order of choices
    rows: list[tuple[str, str, int]] = field(default_factory=list)
    #: Responses that answered this question, and responses that were asked it
    answered: int = 0
    asked: int = 0

    @property
    def multiple(self) -> bool:
        return self.question.type in MULTIPLE

    @property
    def unanswered(self) -> int:
        return self.asked - self.answered


def definitions() -> dict[tuple[str, int], Definition]:
    """Every known version of every questionnaire (the engine's registry)."""
    return all_definitions()


def _scope(definition: Definition, question: Question) -> str | None:
    for section in definition.sections:
        if question in section.questions:
            return section.scope
    return None


@lru_cache(maxsize=None)
def _statements(dialect: str, shape: tuple, across: bool, activity_ids: tuple):
    """Values, respondents per question, responses asked: built once per kind of selection."""
    ids = selected_ids(shape)
    part_b = Response.participant_id.is_(None)
    counted = and_(Response.stage_id.in_(ids), Response.submitted_at.isnot(None),
                   or_(part_b, Participant.status != "desiste"))
    if dialect == "sqlite":
        answer = func.json_each(Response.answers).table_valued("key", "value", "type").alias("q")
        listed = case((answer.c.type == "array", answer.c.value), else_=func.json_array(answer.c.value))
        element = func.json_each(listed).table_valued("value").alias("e")
    else:
        answer = func.json_each(Response.answers).table_valued("key", "value").alias("q")
        listed = case((func.json_typeof(answer.c.value) == "array", answer.c.value),
                      else_=func.json_build_array(answer.c.value))
        element = func.json_array_elements_text(listed).table_valued("value").alias("e")
    value = cast(element.c.value, String)
    head = [Response.questionnaire, Response.version, part_b.label("part_b"), answer.c.key]
    values = (select(*head, value.label("value"), func.count())
              .select_from(Response).join(answer, true()).join(element, true())
              .outerjoin(Participant, Participant.id == Response.participant_id))
    if across:  # a slot key means nothing across stages: count its kind of slot instead
        values = values.outerjoin(Slot, and_(answer.c.key.in_(activity_ids),
                                             Slot.stage_id == Response.stage_id,
                                             Slot.key == value))
        value = case((answer.c.key.in_(activity_ids), func.coalesce(Slot.kind, "autre")),
                     else_=value)
        values = values.with_only_columns(*head, value.label("value"), func.count())
    values = values.where(counted, answer.c.key.in_(bindparam("question_ids", expanding=True))) \
        .group_by(*head, value)
    respondents = (select(*head, func.count()).select_from(Response).join(answer, true())
                   .outerjoin(Participant, Participant.id == Response.participant_id)
                   .where(counted, answer.c.key.in_(bindparam("question_ids", expanding=True)))
                   .group_by(*head))
    responses = (select(Response.questionnaire, Response.version, part_b.label("part_b"),
                        func.count())
                 .outerjoin(Participant, Participant.id == Response.participant_id)
                 .where(counted).group_by(Response.questionnaire, Response.version, part_b))
    return values, respondents, responses


def _normal(kind: str, value) -> str:
    """A stored value as its code: "4", "oui", "1" for a given consent."""
    text = str(value)
    if kind == "consentement":
        return "1" if text.lower() in ("1", "true") else "0"
    return text


def tallies(selection: Selection, activity_labels: dict | None = None,
            questionnaire: str | None = None) -> list[Tally]:
    """The frequencies of every choice question answered in the selected stages.

    `activity_labels` (slot key → title, in programme order) names a single stage's activities;
    without it (across stages) activities are counted by kind of slot.
    """
    registry = definitions()
    questions = {}  # (questionnaire, version, question id) → (question, scope)
    for (qid, version), definition in registry.items():
        if questionnaire and qid != questionnaire:
            continue
        for question in definition.section_questions():
            if question.type in CHOICE_TYPES:
                questions[(qid, version, question.id)] = (question, _scope(definition, question))
    if not questions:
        return []
    across = activity_labels is None
    activity_ids = tuple(sorted({key[2] for key, (q, _) in questions.items()
                                 if q.type == "activites"}))
    values, respondents, responses = _statements(db.engine.dialect.name, selection.shape,
                                                 across, activity_ids)
    params = {**selection.params, "question_ids": sorted({key[2] for key in questions})}
    counts: dict = {}
    for qid, version, part_b, key, value, count in db.session.execute(values, params):
        found = questions.get((qid, version, key))
        if found and _scope_matches(found[1], part_b):
            code = _normal(found[0].type, value)
            bucket = counts.setdefault((qid, version, key), {})
            bucket[code] = bucket.get(code, 0) + count
    answered = {(qid, version, key): count
                for qid, version, part_b, key, count in db.session.execute(respondents, params)
                if (qid, version, key) in questions
                and _scope_matches(questions[(qid, version, key)][1], part_b)}
    asked: dict = {}
    for qid, version, part_b, count in db.session.execute(responses, selection.params):
        asked[(qid, version, bool(part_b))] = count
    return _merge(questions, counts, answered, asked, activity_labels)


def _scope_matches(scope: str | None, part_b) -> bool:
    return scope is None or (scope == "referent") == bool(part_b)


def _labels(question: Question, activity_labels: dict | None) -> list[tuple[str, str]]:
    if question.type == "activites":
        if activity_labels is None:
            return list(SLOT_KINDS.items())
        return list(activity_labels.items())
    if question.type == "consentement":
        return list(CONSENT.items())
    return [(str(c.value), c.label) for c in question.fixed_choices()]


def _merge(questions, counts, answered, asked, activity_labels) -> list[Tally]:
    """One tally per question, versions with the same type and choices added up."""
    merged: dict = {}
    for (qid, version, key), (question, scope) in sorted(questions.items()):
        # A figure role is one question whatever its id or added choices in each version
        signature = (qid, "role", question.figure, question.type) if question.figure else \
            (qid, key, question.type, tuple(str(c.value) for c in question.choices))
        tally = merged.get(signature)
        if tally is None:
            tally = merged[signature] = Tally(qid, [], question, scope)
        tally.versions.append(version)
        for code, label in _labels(question, activity_labels):
            number = counts.get((qid, version, key), {}).get(code, 0)
            for i, (c, lab, n) in enumerate(tally.rows):
                if c == code:
                    tally.rows[i] = (c, lab, n + number)
                    break
            else:
                tally.rows.append((code, label, number))
        tally.answered += answered.get((qid, version, key), 0)
        if scope is None:  # asked of every response of the questionnaire
            tally.asked += asked.get((qid, version, False), 0) + asked.get((qid, version, True), 0)
        else:
            tally.asked += asked.get((qid, version, scope == "referent"), 0)
    order = list(QUESTIONNAIRES)
    return sorted((t for t in merged.values() if t.asked),
                  key=lambda t: (order.index(t.questionnaire), t.versions[0],
                                 _position(t.questionnaire, t.versions[0], t.question.id)))


def _position(questionnaire: str, version: int, question_id: str) -> int:
    definition = definitions()[(questionnaire, version)]
    return [q.id for q in definition.section_questions()].index(question_id)


@dataclass
class FreeText:
    questionnaire: str
    question: Question
    #: (who wrote it: first name, referent's name or "Équipe", the text)
    entries: list[tuple[str, str]] = field(default_factory=list)


def free_texts(responses) -> list[FreeText]:
    """Every free text of these submitted responses, by question, with its author."""
    registry = definitions()
    found: dict = {}
    for response in responses:
        definition = registry.get((response.questionnaire, response.version))
        if definition is None or response.submitted_at is None:
            continue
        for question in definition.section_questions():
            text = (response.answers or {}).get(question.id)
            if question.type not in TEXT_TYPES or not text:
                continue
            item = found.setdefault((response.questionnaire, question.id),
                                    FreeText(response.questionnaire, question))
            item.entries.append((author(response), text))
    return list(found.values())


def author(response) -> str:
    """Who gave a response: the participant's first name, the referent, or the team."""
    if response.questionnaire == "bilan-individuel" and response.participant is not None:
        return response.participant.first_name
    if response.referent is not None:
        about = f" (à propos de {response.participant.first_name})" if response.participant else ""
        return response.referent.name + about
    if response.participant is not None:
        return f"Équipe (à propos de {response.participant.first_name})"
    return "Équipe"


TALLY_HEADER = ["Questionnaire", "Version(s)", "Question (id)", "Question", "Code", "Libellé",
                "Nombre", "Sur", "%"]
TEXT_HEADER = ["Questionnaire", "Question (id)", "Question", "Auteur", "Texte"]


def tally_rows(found: list[Tally]) -> list[list]:
    """The frequencies as spreadsheet rows; "Sans réponse" closes each question."""
    rows = []
    for t in found:
        head = [t.questionnaire, ", ".join(map(str, t.versions)), t.question.id,
                t.question.neutral_label]
        for code, label, count in t.rows:
            rows.append(head + [code, label, count, t.answered,
                                round(100 * count / t.answered) if t.answered else None])
        rows.append(head + ["", "Sans réponse", t.unanswered, t.asked, None])
    return rows


def text_rows(found: list[FreeText]) -> list[list]:
    return [[item.questionnaire, item.question.id, item.question.neutral_label, who, text]
            for item in found for who, text in item.entries]
