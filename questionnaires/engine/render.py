"""The options of the referent page's choice questions, as HTML written once per question.

The page repeats each part A question for every participant the referent follows, and each
option was a few Jinja expressions to escape and compare; together they were the largest part
of the page's CPU (bench/README.md). The escaped HTML around each option's `checked` is made
once per (question, field name) and kept; a request only joins the pieces. The HTML is the one
templates/referent/_question.html wrote (same elements, attributes and order).
"""
from functools import lru_cache

from markupsafe import Markup, escape

from questionnaires.engine.pictograms import face, yes_no

RADIO_TYPES = ("echelle4", "oui_non_nsp", "choix")


@lru_cache(maxsize=2048)
def _radio_parts(question, name: str) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """(opening div, ((value as text, HTML before `checked`, HTML after), …))."""
    parts = []
    for choice in question.fixed_choices():
        picto = (face(choice.value) if question.type == "echelle4"
                 else yes_no(choice.value) if question.type == "oui_non_nsp" else "")
        before = (f'<label class="choice">\n<input class="choice-input" type="radio" '
                  f'name="{escape(name)}" value="{escape(choice.value)}"')
        after = (f'>\n<span class="choice-body">\n{picto}\n'
                 f'<span class="choice-label">{escape(choice.label)}</span>\n</span>\n</label>\n')
        parts.append((str(choice.value), before, after))
    return f'<div class="choices choices--{escape(question.type)}">\n', tuple(parts)


@lru_cache(maxsize=2048)
def _tick_parts(question, name: str) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """(hidden "present" marker and opening div, ((value, HTML before `checked`, after), …))."""
    opening = (f'<input type="hidden" name="{escape(name)}--present" value="1">\n'
               '<div class="ticks">\n')
    parts = tuple(
        (choice.value,
         f'<label class="tick"><input class="tick-input" type="checkbox" name="{escape(name)}" '
         f'value="{escape(choice.value)}"',
         f'><span class="tick-box" aria-hidden="true"></span><span>{escape(choice.label)}'
         '</span></label>\n')
        for choice in question.choices)
    return opening, parts


def referent_choices(question, name: str, value) -> Markup:
    """The options of a radio or tick-box question, the stored `value` checked."""
    if question.type in RADIO_TYPES:
        opening, parts = _radio_parts(question, name)
        chosen = str(value) if value is not None else None
        body = [f'{before}{" checked" if text == chosen else ""}{after}'
                for text, before, after in parts]
    else:
        opening, parts = _tick_parts(question, name)
        body = [f'{before}{" checked" if value and choice in value else ""}{after}'
                for choice, before, after in parts]
    return Markup(opening + "".join(body) + "</div>")
