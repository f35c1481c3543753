"""Answers checked against a definition: one rule for form posts, autosaves and archives."""
import unicodedata

from questionnaires.engine.definitions import (
    DONT_KNOW, MAX_LENGTH, SCALE, YES_NO, Definition, Question,
)
from questionnaires.text import CONTROL

#: Question types answered by a list of ticked boxes. A list with nothing ticked posts nothing,
#: so the page writes a hidden "<name>--present" marker beside it (render.py).
MULTIPLE = ("choix_multiples", "activites")
PRESENT = "--present"


def is_shown(question: Question, answers: dict) -> bool:
    """Whether a conditional question applies, given the other answers."""
    if question.shown_if is None:
        return True
    target, allowed = question.shown_if
    return answers.get(target) in allowed


def clean_value(question: Question, raw, activity_keys=()) -> tuple[object, str | None]:
    """(value to store, None) or (None, French error) for one raw answer.

    `None`, "" and [] mean "no answer". Form posts give strings and lists of strings;
    JSON gives typed values: both are accepted.
    """
    if raw is None or raw == "" or raw == []:
        return None, None
    kind = question.type
    if kind == "echelle4":
        if question.nsp and raw == DONT_KNOW:
            return DONT_KNOW, None
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else \
            (int(raw) if isinstance(raw, str) and raw.strip() in {"1", "2", "3", "4"} else None)
        if value in SCALE:
            return value, None
        return None, ("Choisissez une des quatre réponses ou « Je ne sais pas »." if question.nsp
                      else "Choisissez une des quatre réponses.")
    if kind == "oui_non_nsp":
        return (raw, None) if isinstance(raw, str) and raw in YES_NO else \
            (None, "Choisissez Oui, Non ou Je ne sais pas.")
    if kind == "choix":
        allowed = {c.value for c in question.choices}
        return (raw, None) if isinstance(raw, str) and raw in allowed else \
            (None, "Choisissez une réponse dans la liste.")
    if kind in MULTIPLE:
        allowed = [c.value for c in question.choices] if kind == "choix_multiples" \
            else list(activity_keys)
        values = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(v, str) and v in allowed for v in values):
            return None, "Une des cases cochées n'existe pas : rechargez la page."
        # Stored in the definition's order, without duplicates.
        return [v for v in allowed if v in values] or None, None
    if kind in MAX_LENGTH:
        if not isinstance(raw, str):
            return None, "Écrivez votre réponse en texte."
        text = CONTROL.sub("", unicodedata.normalize("NFC", raw)).strip()
        if len(text) > MAX_LENGTH[kind]:
            return None, (f"Réponse trop longue : {len(text)} caractères pour "
                          f"{MAX_LENGTH[kind]} au plus. Raccourcissez-la.")
        return text or None, None
    if kind == "consentement":
        if raw in (True, "true", "oui", "on", "1", 1):
            return True, None
        if raw in (False, "false", "non", "0", 0):
            return False, None
        return None, "Cochez la case pour donner votre accord, ou laissez-la vide."
    raise AssertionError(kind)


def validate_answers(questions, raw: dict, activity_keys=(), *, complete: bool,
                     known: dict | None = None) -> tuple[dict, dict]:
    """Clean `raw` answers for `questions`; returns (answers, errors by question id).

    `known` holds answers already stored (a draft), used for conditions. When `complete`,
    every shown required question must be answered. Answers to questions that are not shown
    are dropped, so that stale branches never count in a figure. Unknown ids are ignored
    and reported under "_form".
    """
    questions = list(questions)
    by_id = {q.id: q for q in questions}
    errors: dict[str, str] = {}
    unknown = [key for key in raw if key not in by_id]
    if unknown:
        errors["_form"] = "Certaines réponses ne correspondent à aucune question et ont été ignorées."
    answers: dict = {}
    for question in questions:
        if question.id not in raw:
            continue
        value, error = clean_value(question, raw[question.id], activity_keys)
        if error:
            errors[question.id] = error
        else:
            answers[question.id] = value
    merged = {**(known or {}), **answers}
    for question in questions:
        if not is_shown(question, merged):
            answers.pop(question.id, None)
            merged.pop(question.id, None)
            errors.pop(question.id, None)
            if question.id in (known or {}):
                answers[question.id] = None  # erase the answer of a branch no longer taken
        elif complete and question.required and merged.get(question.id) is None \
                and question.id not in errors:
            errors[question.id] = "Cette question attend une réponse."
    return answers, errors


def read_answers(questions, form, prefix: str = "", *, partial: bool = False) -> dict:
    """What a form post says for each question, as validate_answers expects it.

    `form` is the posted MultiDict (the view passes request.form); each question's field is
    named `prefix` + its id. A page whose form holds every question it reads (a tablet step, the
    collective bilan) reads them all, and a question missing from the post is unanswered: that
    is what a browser posts for an empty tick list or an unticked box. A `partial` page (the
    referent's, where only the cards being answered carry fields) reads only the questions on
    it: those whose field was posted, or, for a tick list, its "--present" marker. (A consent
    box has no marker: on a partial page only a ticked one would be read; none is asked there.)
    """
    raw = {}
    for question in questions:
        name = prefix + question.id
        if partial and (name + PRESENT if question.type in MULTIPLE else name) not in form:
            continue
        if question.type in MULTIPLE:
            raw[question.id] = form.getlist(name)
        elif question.type == "consentement":
            raw[question.id] = name in form
        else:
            raw[question.id] = form.get(name)
    return raw


def redisplayed(stored: dict, raw: dict) -> dict:
    """The answers a refused post shows again: what was posted, else what was stored.

    A field absent from the post keeps showing the stored answer; an empty tick list or an
    unticked box shows as posted.
    """
    return {**(stored or {}), **{key: value for key, value in raw.items() if value is not None}}


def merge(stored: dict, answers: dict) -> dict:
    """Stored answers updated with new ones; None removes an answer."""
    result = {**stored, **answers}
    return {key: value for key, value in result.items() if value is not None}


def scope_of(questionnaire: str, participant) -> str | None:
    """suivi-referent answers part A about a participant, part B about the stage; others all."""
    if questionnaire != "suivi-referent":
        return None
    return "participant" if participant is not None else "referent"


def questions_for(definition: Definition, participant=None):
    """The questions a response of this definition answers."""
    return definition.section_questions(scope_of(definition.id, participant))
