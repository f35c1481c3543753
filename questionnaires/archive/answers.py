"""An archive's answers checked against the definitions, and cleaned as a form post would be."""
from questionnaires.engine.answers import merge, questions_for, validate_answers
from questionnaires.engine.definitions import get_definition


def archive_answer_errors(data: dict) -> list[str]:
    """Every answer of an archive checked against its questionnaire's definition.

    Values must be valid; completeness is not required, since a past stage typed in from
    paper may have gaps (the impact table reports them as "non renseigné").
    """
    errors = []
    for questionnaire, version in (data["stage"].get("versions") or {}).items():
        if get_definition(questionnaire, version) is None:
            errors.append(f"stage.versions.{questionnaire} : {questionnaire} version {version} "
                          "inconnue de ce service.")
    for i, response, questions, _, problems in _checked_answers(data):
        if questions is None:
            errors.append(f"responses[{i}].version : {response['questionnaire']} version "
                          f"{response['version']} inconnue de ce service.")
            continue
        for question_id, message in problems.items():
            if question_id == "_form":
                known = {q.id for q in questions}
                unknown = sorted(k for k in response["answers"] if k not in known)
                message = f"question(s) inconnue(s) {unknown}."
                errors.append(f"responses[{i}].answers : {message}")
            else:
                errors.append(f"responses[{i}].answers.{question_id} : {message}")
    return errors


def archive_answers(data: dict) -> list[dict]:
    """The answers of each response of a valid archive, as the engine stores them.

    Cleaned like a form post: numbers as numbers, text trimmed and without control
    characters, and answers to questions whose condition is not met dropped (they must not
    count in a figure). Ticked boxes keep the archive's order, so a round trip changes nothing.
    """
    kept = []
    for _, response, _, answers, _ in _checked_answers(data):
        raw = response["answers"]
        kept.append({key: [v for v in dict.fromkeys(raw[key]) if v in value]
                     if isinstance(value, list) and isinstance(raw[key], list) else value
                     for key, value in merge({}, answers).items()})
    return kept


def _checked_answers(data: dict):
    """(index, response, questions or None, cleaned answers, problems) for each response."""
    slot_keys = [s["key"] for s in data.get("slots", [])]
    for i, response in enumerate(data.get("responses", [])):
        definition = get_definition(response["questionnaire"], response["version"])
        if definition is None:
            yield i, response, None, {}, {}
            continue
        questions = questions_for(definition, response.get("participant"))
        answers, problems = validate_answers(questions, response["answers"], slot_keys,
                                             complete=False)
        yield i, response, questions, answers, problems
