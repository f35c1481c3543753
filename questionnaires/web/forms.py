"""The base of every form: Flask-WTF (CSRF) with WTForms' own French messages."""
from flask import request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    DateField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.widgets.core import clean_key

from questionnaires.text import CONTROL, CONTROL_MESSAGE, one_line

DATE_FORMAT_MESSAGE = "Date invalide : choisissez-la dans le calendrier ou écrivez-la AAAA-MM-JJ."


def without_control_characters(value):
    """Typed text without control characters, as the engine does for answers.

    A NUL passes DataRequired yet SQL's trim() sees an empty name (a 500 on the check
    constraint), PostgreSQL refuses it outright, and the others break exports and mails.
    """
    return CONTROL.sub("", value) if isinstance(value, str) else value


def one_line_field(value):
    """A one-line field (title, name, city, e-mail…): spaces, tabs and line breaks collapsed
    (a line break in a stage title stopped its mails); any other control character refused in
    French (a filter's ValueError becomes the field's error)."""
    if not isinstance(value, str):
        return value
    value = one_line(value)
    if CONTROL.search(value):
        raise ValueError("Ce champ " + CONTROL_MESSAGE)
    return value


class FrenchForm(FlaskForm):
    """Built-in validation messages in French (needs WTF_I18N_ENABLED = False)."""

    class Meta:
        locales = ["fr_FR", "fr"]

        def bind_field(self, form, unbound_field, options):
            """Every text field but passwords (kept as typed): a text area drops control
            characters, a one-line field is made one line (`one_line_field`)."""
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                clean = (without_control_characters if issubclass(kind, TextAreaField)
                         else one_line_field)
                options["filters"] = (clean, *unbound_field.kwargs.get("filters", ()))
            return unbound_field.bind(form=form, **options)


class FrenchDateField(DateField):
    """A date field whose parse error is in French and says how to write the date."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(DATE_FORMAT_MESSAGE) from error


class IdSelectField(SelectField):
    """A select of database ids; 0 stands for "none"."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, coerce=int, **kwargs)


def quick_html_params(**kwargs) -> Markup:
    """WTForms' html_params, same output, with plain string formatting.

    WTForms builds each attribute with Markup.format, whose escaping formatter was most of the
    tablet section page's CPU (a page has dozens of options; bench/README.md). Keys and values
    are escaped exactly as there; True gives a bare attribute, False none.
    """
    params = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{escape(value)}"')
    return Markup(" ".join(params))


class QuickCheckboxInput(CheckboxInput):
    """A tick box rendered with quick_html_params."""

    html_params = staticmethod(quick_html_params)


class MultiCheckboxField(SelectMultipleField):
    """Tick boxes rather than a multi-select, which is awkward on a tablet."""

    widget = ListWidget(prefix_label=False)
    option_widget = QuickCheckboxInput()

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices or []}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError("Une des cases cochées n'existe plus. Rechargez la page.")


def posted_json():
    """The request's JSON body, or None if it is absent, invalid or absurdly nested."""
    try:
        return request.get_json(silent=True)
    except RecursionError:  # json raises it, not a ValueError, for '[[[[…' bombs
        return None
