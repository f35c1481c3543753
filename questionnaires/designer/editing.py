"""The designer's small edits, applied to a copy of a draft's dict (no request, no database).

Each page form names an action and carries a few fields; `apply` returns the edited copy, which
the store then checks and saves whole with the revision the form read. Ids and choice values
are made once from the French words and never change after: answers and figures keep them.
"""
import copy
import re
import unicodedata

from questionnaires.designer.validation import CHOICE_TYPES, Problem

TYPE_LABELS = {
    "echelle4": "Échelle de 1 à 4 (Pas du tout … Tout à fait)",
    "oui_non_nsp": "Oui / Non / Je ne sais pas",
    "choix": "Un seul choix dans une liste",
    "choix_multiples": "Plusieurs choix possibles",
    "texte_court": "Texte court",
    "texte_long": "Texte long",
    "consentement": "Case d'accord (consentement)",
    "activites": "Activités du stage (cases à cocher)",
}
SCOPE_LABELS = {"participant": "Partie A : pour chaque participant·e",
                "referent": "Partie B : l'avis du ou de la référent·e"}
ACTIONS = ("section_add", "section_rename", "section_up", "section_down", "section_remove",
           "question_add", "question_edit", "question_up", "question_down", "question_remove")


class EditError(Exception):
    """A form that cannot be applied (a missing title, an unknown place): French, placed."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def slug(text: str, taken: set, fallback: str = "q") -> str:
    """A stable id from French words: "Vous êtes venu·e ?" -> "vous_etes_venu_e"; unique."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:40].strip("_") or fallback
    if not base[0].isalpha():
        base = f"{fallback}_{base}"
    found, n = base, 2
    while found in taken:
        found, n = f"{base}_{n}", n + 1
    return found


def _index(form: dict, key: str, size: int, section=None) -> int:
    try:
        value = int(form.get(key, ""))
    except ValueError:
        value = -1
    if not 0 <= value < size:
        raise EditError(Problem("cet élément n'existe plus : rechargez la page.", section))
    return value


def _text(form: dict, key: str) -> str:
    return " ".join(str(form.get(key) or "").split())


def question_ids(data: dict) -> set:
    return {q.get("id") for s in data["sections"] for q in s.get("questions", [])}


def apply(data: dict, action: str, form: dict) -> dict:
    """`data` edited by one page form (`form`: field -> str, or list for multiple values)."""
    if action not in ACTIONS:
        raise EditError(Problem("action inconnue : rechargez la page."))
    data = copy.deepcopy(data)
    sections = data["sections"]
    if action == "section_add":
        title = _text(form, "title")
        if not title:
            raise EditError(Problem("donnez un titre à la nouvelle section.", field="new_section"))
        section = {"id": slug(title, {s.get("id") for s in sections}, "section"), "title": title,
                   "questions": []}
        if form.get("scope") in SCOPE_LABELS:
            section["scope"] = form["scope"]
        sections.append(section)
        return data
    s = _index(form, "section", len(sections))
    if action == "section_rename":
        sections[s]["title"] = _text(form, "title")
    elif action in ("section_up", "section_down"):
        _move(sections, s, -1 if action == "section_up" else 1)
    elif action == "section_remove":
        del sections[s]
    elif action == "question_add":
        sections[s]["questions"].append(_new_question(data, form, s))
    else:
        questions = sections[s]["questions"]
        q = _index(form, "question", len(questions), s)
        if action == "question_edit":
            _edit_question(data, questions[q], form)
        elif action == "question_remove":
            del questions[q]
        else:
            _move_question(sections, s, q, -1 if action == "question_up" else 1)
    return data


def _move(items: list, i: int, step: int) -> None:
    j = i + step
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]


def _move_question(sections: list, s: int, q: int, step: int) -> None:
    """Up and down within a section; past its edge, into the next section along."""
    questions = sections[s]["questions"]
    if 0 <= q + step < len(questions):
        _move(questions, q, step)
    elif 0 <= s + step < len(sections):
        question = questions.pop(q)
        target = sections[s + step]["questions"]
        target.insert(len(target) if step < 0 else 0, question)


def _new_question(data: dict, form: dict, s: int) -> dict:
    label = str(form.get("label") or "").strip()
    if not label:
        raise EditError(Problem("écrivez la question.", s, None, "new_label"))
    kind = form.get("type") or "texte_court"
    question = {"id": slug(label, question_ids(data)), "type": kind, "label": label,
                "required": form.get("required") == "oui"}
    if kind in CHOICE_TYPES:
        question["choices"] = _added_choices([], form.get("new_choices"))
    _condition(data, question, form)
    return question


def _edit_question(data: dict, question: dict, form: dict) -> None:
    question["label"] = str(form.get("label") or "").strip()
    help_text = str(form.get("help") or "").strip()
    if help_text:
        question["help"] = help_text
    else:
        question.pop("help", None)
    question["type"] = form.get("type") or question["type"]
    question["required"] = form.get("required") == "oui"
    figure = form.get("figure") or ""
    if figure:
        question["figure"] = figure
    else:
        question.pop("figure", None)
    # "Je ne sais pas" exists only on a four-answer scale (engine/definitions.py)
    if question["type"] == "echelle4" and form.get("nsp") == "oui":
        question["nsp"] = True
    else:
        question.pop("nsp", None)
    if question["type"] in CHOICE_TYPES:
        kept = []
        for i, choice in enumerate(question.get("choices") or []):
            if form.get(f"choice_remove_{i}") == "oui":
                continue
            label = str(form.get(f"choice_label_{i}", choice["label"]) or "").strip()
            kept.append({"value": choice["value"], "label": label})  # the value never changes
        question["choices"] = _added_choices(kept, form.get("new_choices"))
    else:
        question.pop("choices", None)
    _condition(data, question, form)


def _added_choices(choices: list, typed) -> list:
    """Choices typed one per line, each given a new value made from its label."""
    taken = {str(c["value"]) for c in choices}
    for line in str(typed or "").splitlines():
        label = line.strip()
        if label:
            value = slug(label, taken, "choix")
            taken.add(value)
            choices.append({"value": value, "label": label})
    return choices


def _condition(data: dict, question: dict, form: dict) -> None:
    """`shown_if` from the picked "question::value" options; all on one question."""
    picked = form.get("shown_if") or []
    if isinstance(picked, str):
        picked = [picked]
    pairs = [item.split("::", 1) for item in picked if "::" in item]
    if not pairs:
        question.pop("shown_if", None)
        return
    targets = {target for target, _ in pairs}
    if len(targets) > 1:
        raise EditError(Problem("une condition porte sur une seule question : choisissez des "
                                "réponses d'une même question.", field="shown_if"))
    target = targets.pop()
    kinds = {q.get("id"): q.get("type") for sec in data["sections"] for q in sec["questions"]}
    # The stored answers' own types: numbers on a scale, booleans for an agreement box
    if kinds.get(target) == "echelle4":
        values = [int(v) if v.isascii() and v.isdigit() else v for _, v in pairs]
    elif kinds.get(target) == "consentement":
        values = [{"true": True, "false": False}.get(v, v) for _, v in pairs]
    else:
        values = [v for _, v in pairs]
    question["shown_if"] = {"question": target, "in": values}


def _answers(question: dict) -> list[tuple[str, str]]:
    """The answers a condition may name: (value as posted, French label)."""
    kind = question.get("type")
    if kind == "echelle4":
        return [("1", "1 · Pas du tout"), ("2", "2 · Plutôt non"), ("3", "3 · Plutôt oui"),
                ("4", "4 · Tout à fait")]
    if kind == "oui_non_nsp":
        return [("oui", "Oui"), ("non", "Non"), ("nsp", "Je ne sais pas")]
    if kind == "consentement":
        return [("true", "D'accord"), ("false", "Pas d'accord")]
    if kind in CHOICE_TYPES:
        return [(str(c.get("value")), str(c.get("label"))) for c in question.get("choices") or []
                if isinstance(c, dict)]
    return []


def condition_options(data: dict) -> dict[str, list]:
    """For each question id: the questions asked before it that a condition may name, each as
    (id, label, [(value, answer label, picked)]); under "#end<s>", those before a question
    added at the end of section s."""
    options, before = {}, []
    for s, section in enumerate(data["sections"]):
        for question in section.get("questions", []):
            condition = question.get("shown_if") or {}
            picked = {str(v).lower() if isinstance(v, bool) else str(v)
                      for v in condition.get("in", [])}
            options[question.get("id")] = [
                (qid, label, [(v, text, qid == condition.get("question") and v in picked)
                              for v, text in answers])
                for qid, label, answers in before]
            answers = _answers(question)
            if answers:
                before.append((question.get("id"), question.get("label"), answers))
        options[f"#end{s}"] = [(qid, label, [(v, text, False) for v, text in answers])
                               for qid, label, answers in before]
    return options
