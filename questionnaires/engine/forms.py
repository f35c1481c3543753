"""Flask-WTF forms built from a questionnaire definition (CSRF, names, labels, choices).

The fields carry no validators of their own: the posted values go to the engine
(`validate_answers`), so a form post and an autosave are judged by the same rules.
"""
from functools import lru_cache

from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from questionnaires.engine.definitions import MAX_LENGTH, Question
from questionnaires.web.forms import FrenchForm, MultiCheckboxField, QuickRadioInput


class QuestionnaireForm(FrenchForm):
    """Base of the generated forms; `questions` and `activity_keys` are set by build_form."""

    questions: tuple[Question, ...] = ()
    activity_keys: tuple[str, ...] = ()

    def raw_answers(self) -> dict:
        """What was posted for each question, as the engine expects it."""
        from flask import request

        raw = {}
        for question in self.questions:
            if question.type in ("choix_multiples", "activites"):
                raw[question.id] = request.form.getlist(question.id)
            elif question.type == "consentement":
                raw[question.id] = question.id in request.form
            else:
                raw[question.id] = request.form.get(question.id)
        return raw

    def csrf_valid(self) -> bool:
        """Whether the CSRF token is right (the only check WTForms makes here)."""
        token = self._fields.get("csrf_token")
        return token is None or token.validate(self)


def choice_options(field) -> list[tuple[str, str, str, bool]]:
    """(id, value, label, checked) of each option of a radio or tick-box field.

    What iterating the field gives (WTForms binds and processes a whole sub-field per option,
    which dominated the section page's CPU), for the template to write the inputs itself:
    ids "<field id>-<n>", checked as WTForms decides it (value == data, or value in data).
    """
    return [(f"{field.id}-{i}", choice.value, choice.label or choice.value, choice.selected)
            for i, choice in enumerate(field.iter_choices())]


def _field(question: Question, activity_choices):
    label = question.label
    if question.type in ("echelle4", "oui_non_nsp", "choix"):
        choices = [SelectChoice(str(c.value), c.label) for c in question.fixed_choices()]
        return RadioField(label, choices=choices, validate_choice=False,
                          option_widget=QuickRadioInput())
    if question.type == "choix_multiples":
        return MultiCheckboxField(label, choices=[SelectChoice(c.value, c.label)
                                                  for c in question.choices])
    if question.type == "activites":
        return MultiCheckboxField(label, choices=activity_choices)
    if question.type == "consentement":
        return BooleanField(label)
    field_class = TextAreaField if question.type == "texte_long" else StringField
    return field_class(label, render_kw={"maxlength": MAX_LENGTH[question.type]})


@lru_cache(maxsize=256)
def _form_class(questions: tuple[Question, ...], activity_choices: tuple) -> type:
    """The form class of these questions and this programme, made once and then reused.

    A class per request (`type()`, and WTForms' metaclass collecting the fields) was a visible
    part of the section page's CPU. The key is the questions themselves (frozen dataclasses:
    definition, version and section in one) and the stage's (key, label) pairs, so a renamed
    slot makes a new class; the bound keeps at most 256 (sections × programmes) in memory.
    """
    choices = [SelectChoice(key, label) for key, label in activity_choices]
    attributes = {q.id: _field(q, choices) for q in questions}
    attributes["questions"] = questions
    attributes["activity_keys"] = tuple(key for key, _ in activity_choices)
    return type("GeneratedQuestionnaireForm", (QuestionnaireForm,), attributes)


def build_form(questions, activity_choices=(), answers: dict | None = None,
               formdata=None) -> QuestionnaireForm:
    """A form for `questions`, filled with stored `answers` when nothing is posted.

    `activity_choices` are (slot key, label) pairs: the stage's own programme.
    """
    questions = tuple(questions)
    form_class = _form_class(questions, tuple(activity_choices))
    data = {}
    for question in questions:
        value = (answers or {}).get(question.id)
        if value is not None and question.type in ("echelle4",):
            value = str(value)
        data[question.id] = value
    if formdata is None:
        return form_class(data=data)
    return form_class(formdata=formdata, data=data)
