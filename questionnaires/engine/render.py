"""The one renderer of a question, for the tablet, the referent's page and the collective bilan.

A question is a <fieldset> whose HTML hardly changes from one request to the next: only the
error, whether it is hidden, which options are checked and the text typed vary. Everything else
(legend, read-aloud button, help, the options with their escaped labels and pictograms) is
built once per (question, field name, label, …) and kept; a request joins the pieces. The
referent's page repeats each question for every participant, and rendering it in Jinja was the
largest part of the pages' CPU (bench/README.md).

On the tablet (`speak`), "Écouter" reads the question, its help and its choices; the stage's
activities (`activities` given as (key, when, title, kind) quadruples) are compact cards with the
day and a pictogram of the kind of half-day, their long titles cut on screen, read whole.

Field names and ids: `name` is the posted field ("satisfaction_globale", "p12-situation"); the
inputs' ids are `id_prefix` + the name (+ "-<n>" for each option). A tick list carries a hidden
"<name>--present" marker, since a list with nothing ticked posts nothing: the reader
(answers.read_answers) tells "nothing ticked" from "not on this page" by it.
"""
import json
from dataclasses import dataclass
from functools import lru_cache, partial

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from questionnaires.engine.answers import MULTIPLE, PRESENT
from questionnaires.engine.definitions import DONT_KNOW, MAX_LENGTH, Choice, Question
from questionnaires.engine.pictograms import SPEAKER, face, yes_no
from questionnaires.engine.pictograms import slot_kind as kind_picto
from questionnaires.text import CONTROL

RADIO_TYPES = ("echelle4", "oui_non_nsp", "choix")
#: As Jinja's `tojson` wrote data-shown-if (sorted keys, HTML-safe), before escaping
_JSON = partial(htmlsafe_json_dumps, dumps=partial(json.dumps, sort_keys=True))


@dataclass(frozen=True)
class _Parts:
    """The unchanging HTML of one question, in the order it is written."""

    #: Fieldset attributes after its class (aria-describedby and hidden vary)
    attributes: str
    #: Legend, read-aloud button and help
    top: str
    error_id: str
    #: Before the options, or before the text value
    opening: str
    #: (value as text, HTML before " checked", HTML after) of each option; empty for texts
    options: tuple[tuple[str, str, str], ...]
    #: After the options, or after the text value
    closing: str
    #: A typed answer (its value goes between opening and closing) rather than options
    text: bool


def render_question(question: Question, name: str, value=None, *, error: str | None = None,
                    shown: bool = True, label: str | None = None, id_prefix: str = "",
                    speak: bool = False, rows: int = 5, activities: tuple = (),
                    optional: str = "(facultatif)") -> Markup:
    """The question's fieldset, `value` filled in.

    `value` is what the page shows: the stored answer, or what was posted when a post is
    refused. `label` replaces the question's own (the referent's, with the participant's first
    name); `id_prefix` keeps the referent's ids ("champ-…"); `speak` adds the tablet's "Écouter"
    button; `rows` sizes a long text box (the referent's page is denser); `activities` are the
    stage's (slot key, label) pairs, the options of an "activites" question, or its
    (slot key, when, title, kind) quadruples to show them as cards; `optional` marks a question
    that may be left blank (the tablet says it in plainer words).
    """
    parts = _parts(question, name, question.label if label is None else label,
                   id_prefix + name, speak, rows, tuple(activities), optional)
    html = ['<fieldset class="question question--error"' if error else '<fieldset class="question"',
            parts.attributes]
    if error:
        html.append(f' aria-describedby="{parts.error_id}"')
    html.append('>\n' if shown else ' hidden>\n')
    html.append(parts.top)
    if error:
        html.append(f'<p class="error" id="{parts.error_id}" role="alert">{escape(error)}</p>\n')
    html.append(parts.opening)
    if parts.text:
        # Without control characters, as the engine stores it (a refused post shows it again).
        html.append(escape(CONTROL.sub("", "" if value is None else str(value))))
    else:
        checked = _checked(question.type, value)
        html.extend(f'{before}{" checked" if checked(text) else ""}{after}'
                    for text, before, after in parts.options)
    html.append(parts.closing)
    return Markup("".join(html))


def _checked(kind: str, value):
    """Whether an option (its value as text) is checked, given the answer shown."""
    if kind in MULTIPLE:
        chosen = {str(v) for v in value} if isinstance(value, (list, tuple)) else set()
        return chosen.__contains__
    if kind == "consentement":
        return lambda _: bool(value)
    chosen = None if value is None else str(value)
    return lambda text: text == chosen


@lru_cache(maxsize=4096)
def _parts(question: Question, name: str, label: str, field_id: str, speak: bool, rows: int,
           activities: tuple, optional: str) -> _Parts:
    """The unchanging HTML of a question; kept, a page asks for it on every request."""
    kind, ename, eid = question.type, escape(name), escape(field_id)
    error_id = f"erreur-{ename}"
    attributes = (f' id="question-{ename}" data-question="{escape(question.id)}"'
                  f' data-type="{escape(kind)}"')
    if question.shown_if:
        rule = {"question": question.shown_if[0], "in": list(question.shown_if[1])}
        attributes += f' data-shown-if="{escape(str(_JSON(rule)))}"'
    top = ('<legend>\n'
           f'<span class="question-text">{escape(label)}</span>\n'
           + ('' if question.required else f'<span class="optional">{escape(optional)}</span>\n')
           + '</legend>\n')
    if speak:
        top += (f'<button type="button" class="speak" data-say="{escape(_said(question, activities))}"'
                f' hidden>{SPEAKER} <span>Écouter</span></button>\n')
    if question.help:
        top += f'<p class="help">{escape(question.help)}</p>\n'
    opening, options, closing = _body(question, ename, eid, escape(label), rows, activities)
    return _Parts(attributes, top, error_id, opening, options, closing + '</fieldset>\n',
                  text=kind in MAX_LENGTH)


def _said(question: Question, activities: tuple) -> str:
    """What "Écouter" reads: the question, its help, then each choice in full."""
    choices = [choice.label for choice in question.fixed_choices()] if question.type != "activites" \
        else [f"{item[1]} : {item[2]}" if len(item) == 4 else item[1] for item in activities]
    said = question.label + (f" {question.help}" if question.help else "")
    return said + (" Les réponses : " + ". ".join(choices) + "." if choices else "")


def _body(question: Question, name: str, eid: str, label: str, rows: int, activities: tuple):
    """(opening, options, closing) of the answer itself; names and ids come escaped."""
    kind = question.type
    if kind in RADIO_TYPES:
        options = tuple(_radio(question, choice, name, f"{eid}-{i}")
                        for i, choice in enumerate(question.fixed_choices()))
        return f'<div class="choices choices--{escape(kind)}">\n', options, '</div>\n'
    if kind in MULTIPLE:
        marker = f'<input type="hidden" name="{name}{PRESENT}" value="1">\n'
        if kind == "activites" and activities and len(activities[0]) == 4:
            options = tuple(_card(item, name, f"{eid}-{i}") for i, item in enumerate(activities))
            return marker + '<div class="ticks ticks--cards">\n', options, '</div>\n'
        choices = (question.choices if kind == "choix_multiples"
                   else tuple(Choice(key, text) for key, text in activities))
        options = tuple(_tick(choice, name, f"{eid}-{i}") for i, choice in enumerate(choices))
        empty = '' if options else '<p class="help">Aucun choix disponible.</p>\n'
        return marker + '<div class="ticks">\n', options, empty + '</div>\n'
    if kind == "consentement":
        option = ("y", f'<label class="tick tick--consent" for="{eid}"><input class="tick-input" '
                       f'type="checkbox" id="{eid}" name="{name}" value="y"',
                  '><span class="tick-box" aria-hidden="true"></span>'
                  "<span>Oui, j'accepte</span></label>\n")
        return '', (option,), ''
    hidden_label = f'<label class="visually-hidden" for="{eid}">{label}</label>\n'
    if kind == "texte_long":
        return (hidden_label + f'<textarea class="text-answer" id="{eid}" name="{name}" '
                f'rows="{rows}" maxlength="{MAX_LENGTH[kind]}">\n', (), '</textarea>\n')
    return (hidden_label + f'<input class="text-answer" type="text" id="{eid}" name="{name}" '
            f'maxlength="{MAX_LENGTH[kind]}" autocomplete="off" value="', (), '">\n')


def _radio(question: Question, choice: Choice, name: str, eid: str) -> tuple[str, str, str]:
    picto = (face(choice.value) if question.type == "echelle4" and choice.value != DONT_KNOW
             else yes_no(choice.value) if question.type in ("oui_non_nsp", "echelle4") else "")
    before = (f'<label class="choice" for="{eid}">\n<input class="choice-input" type="radio" '
              f'id="{eid}" name="{name}" value="{escape(choice.value)}"')
    after = (f'>\n<span class="choice-body">\n{picto}\n'
             f'<span class="choice-label">{escape(choice.label)}</span>\n</span>\n</label>\n')
    return str(choice.value), before, after


def _tick(choice: Choice, name: str, eid: str) -> tuple[str, str, str]:
    before = (f'<label class="tick" for="{eid}"><input class="tick-input" type="checkbox" '
              f'id="{eid}" name="{name}" value="{escape(choice.value)}"')
    after = ('><span class="tick-box" aria-hidden="true"></span>'
             f'<span>{escape(choice.label)}</span></label>\n')
    return str(choice.value), before, after


def _card(activity: tuple, name: str, eid: str) -> tuple[str, str, str]:
    """An activity as a card: tick, pictogram of its kind, day, title (cut on screen, whole in
    the label that is read)."""
    key, when, title, slot_kind = activity
    before = (f'<label class="tick activity" for="{eid}"><input class="tick-input" type="checkbox" '
              f'id="{eid}" name="{name}" value="{escape(key)}"')
    after = ('><span class="tick-box" aria-hidden="true"></span>'
             f'{kind_picto(slot_kind)}<span class="activity-text">'
             f'<span class="activity-when">{escape(when)}</span> '
             f'<span class="activity-title">{escape(title)}</span></span></label>\n')
    return str(key), before, after
