"""The team's forms: one class per thing edited, validated server-side in French."""
from datetime import date

from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, IntegerField, SelectField, StringField, TelField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from questionnaires import clock
from questionnaires.stages.contacts import EMAIL_MESSAGE, PHONE_MESSAGE, normal_email, normal_phone
from questionnaires.web.forms import FrenchDateField, FrenchForm, IdSelectField, MultiCheckboxField
from questionnaires.models import MAX_STAGE_DAYS, values
from questionnaires.models.stage import CAPACITY_RANGE, FOLLOWUP_MONTHS_RANGE

REQUIRED = "Ce champ est obligatoire."


def _choices(value_set: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in value_set.items()]


def required(message: str = REQUIRED):
    return DataRequired(message)


def phone_field(label: str = "Téléphone (facultatif)") -> TelField:
    """An optional French phone number, stored as "06 12 34 56 78" (stages/contacts.py)."""
    return TelField(label, validators=[Optional(), Length(max=30)],
                    render_kw={"autocomplete": "off", "inputmode": "tel"})


def normalise(field, rule, message: str) -> None:
    """Replace a typed contact by its normal form (`rule`), refuse it in French, or clear it."""
    if field.data and field.data.strip():
        value = rule(field.data)
        if value is None:
            raise ValidationError(message)
        field.data = value
    else:
        field.data = None


class HourField(TimeField):
    """An optional time of day ("10:00"): empty is None, a bad one a French message."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, format=["%H:%M", "%H:%M:%S"], invalid_value_message=(
            "Heure invalide : écrivez-la HH:MM (exemple : 09:30)."), **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class StageForm(FrenchForm):
    title = StringField("Intitulé", validators=[required(), Length(max=200)])
    theme = StringField(
        "Thème (code court)",
        validators=[
            required(), Length(max=80),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                   message="En minuscules sans accent, mots séparés par des tirets "
                           "(ex. accueil-billetterie)."),
        ],
    )
    start_date = FrenchDateField("Premier jour", validators=[InputRequired(REQUIRED)])
    end_date = FrenchDateField("Dernier jour", validators=[InputRequired(REQUIRED)])
    territory = StringField("Territoire", validators=[Optional(), Length(max=120)])
    capacity = IntegerField(
        "Places", default=10,
        validators=[InputRequired(REQUIRED),
                    NumberRange(*CAPACITY_RANGE, "Entre {} et {} places.".format(*CAPACITY_RANGE))],
    )
    followup_months = IntegerField(
        "Suivi des référents après (mois)", default=3,
        validators=[InputRequired(REQUIRED), NumberRange(*FOLLOWUP_MONTHS_RANGE,
                                                        "Entre {} et {} mois.".format(*FOLLOWUP_MONTHS_RANGE))],
    )

    def validate_end_date(self, field):
        if self.start_date.data and field.data:
            if field.data < self.start_date.data:
                raise ValidationError("Le dernier jour doit être après le premier jour.")
            if (field.data - self.start_date.data).days >= MAX_STAGE_DAYS:
                raise ValidationError(f"Un stage dure au plus {MAX_STAGE_DAYS} jours.")


class SlotForm(FrenchForm):
    title = StringField("Activité", validators=[required(), Length(max=200)])
    kind = SelectField("Type", choices=_choices(values.SLOT_KINDS), default="atelier")
    venue_id = IdSelectField("Lieu")
    start_time = HourField("Début (facultatif)")
    end_time = HourField("Fin (facultatif)")
    professional_ids = MultiCheckboxField("Professionnels rencontrés", coerce=int)

    def validate_end_time(self, field):
        if self.start_time.errors:
            return
        if (self.start_time.data is None) != (field.data is None):
            raise ValidationError("Donnez l'heure de début et l'heure de fin, ou aucune des deux "
                                  "(les heures habituelles de la période s'affichent alors).")
        if field.data is not None and field.data <= self.start_time.data:
            raise ValidationError("L'heure de fin doit être après l'heure de début.")


class VenueForm(FrenchForm):
    name = StringField("Nom du lieu", validators=[required(), Length(max=160)])
    address = StringField("Adresse (rue et code postal)", validators=[Optional(), Length(max=200)])
    city = StringField("Ville", validators=[Optional(), Length(max=120)])
    kind = SelectField("Type de lieu", choices=_choices(values.VENUE_KINDS), default="culturel")


class StructureForm(FrenchForm):
    name = StringField("Nom de la structure", validators=[required(), Length(max=160)])
    city = StringField("Ville", validators=[Optional(), Length(max=120)])


class ReferentForm(FrenchForm):
    name = StringField("Nom et prénom", validators=[required(), Length(max=120)])
    email = EmailField(
        "Adresse e-mail",
        validators=[required(), Length(max=254),
                    Email("Adresse e-mail invalide (exemple : nom@structure.fr).",
                          check_deliverability=False)],
    )
    phone = phone_field()
    structure_id = IdSelectField("Structure")

    def validate_phone(self, field):
        normalise(field, normal_phone, PHONE_MESSAGE)

    def validate_structure_id(self, field):
        if not field.data:
            raise ValidationError("Choisissez la structure de ce·tte référent·e.")


class ProfessionalForm(FrenchForm):
    role = StringField("Métier", validators=[required(), Length(max=120)])
    venue_id = IdSelectField("Lieu")


class ParticipantForm(FrenchForm):
    first_name = StringField("Prénom", validators=[required(), Length(max=80)])
    last_name = StringField("Nom (facultatif)", validators=[Optional(), Length(max=80)])
    birth_date = FrenchDateField("Date de naissance", validators=[Optional()])
    gender = SelectField("Genre", choices=_choices(values.GENDERS), default="X")
    city = StringField("Ville", validators=[Optional(), Length(max=120)])
    phone = phone_field()
    email = EmailField("E-mail (facultatif)", validators=[Optional(), Length(max=254)],
                       render_kw={"autocomplete": "off"})
    qpv = SelectField("Quartier prioritaire (QPV)", choices=_choices(values.QPV),
                      default="inconnu")
    referent_id = IdSelectField("Référent·e d'insertion")
    status = SelectField("Statut", choices=_choices(values.PARTICIPANT_STATUSES),
                         default="inscrit")
    pmsmp = SelectField("Convention PMSMP", choices=_choices(values.PMSMP), default="a_faire")

    def validate_birth_date(self, field):
        if field.data and not date(1900, 1, 1) <= field.data <= clock.today():
            raise ValidationError("Date de naissance invalide : vérifiez l'année.")

    def validate_phone(self, field):
        normalise(field, normal_phone, PHONE_MESSAGE)

    def validate_email(self, field):
        normalise(field, normal_email, EMAIL_MESSAGE)


class UploadForm(FrenchForm):
    file = FileField("Fichier", validators=[FileRequired("Choisissez un fichier à envoyer.")])


class ConfirmForm(FrenchForm):
    """An empty form: its CSRF token is what protects a confirmation or deletion."""


class ErasureForm(FrenchForm):
    """Anonymising a participant cannot be undone: the first name must be typed to confirm."""

    first_name = StringField("Recopiez son prénom pour confirmer",
                             validators=[required(), Length(max=80)])

    def __init__(self, expected: str, **kwargs):
        super().__init__(**kwargs)
        self.expected = expected

    def validate_first_name(self, field):
        if field.data.strip().casefold() != self.expected.strip().casefold():
            raise ValidationError(f"Le prénom recopié ne correspond pas : écrivez « "
                                  f"{self.expected} » pour confirmer, ou annulez.")


class VariantForm(FrenchForm):
    """The version of one questionnaire a stage uses; `mode` says what happens to the answers
    already given in another version (asked only when there are some)."""
    questionnaire = SelectField("Questionnaire", choices=_choices(values.QUESTIONNAIRES))
    version = IntegerField("Version", validators=[InputRequired("Choisissez une version.")])
    mode = SelectField("Réponses déjà données", default="", choices=[
        SelectChoice("", "Pas encore choisi"),
        SelectChoice("convertir", "Les convertir vers cette version"),
        SelectChoice("garder", "Les garder sur leur version")])
