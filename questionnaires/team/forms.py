"""The team's forms: one class per thing edited, validated server-side in French."""
from datetime import date

from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, IntegerField, SelectField, StringField
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
from questionnaires.web.forms import FrenchDateField, FrenchForm, IdSelectField, MultiCheckboxField
from questionnaires.models import MAX_STAGE_DAYS, values
from questionnaires.models.stage import CAPACITY_RANGE, FOLLOWUP_MONTHS_RANGE

REQUIRED = "Ce champ est obligatoire."


def _choices(value_set: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in value_set.items()]


def required(message: str = REQUIRED):
    return DataRequired(message)


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
    professional_ids = MultiCheckboxField("Professionnels rencontrés", coerce=int)


class VenueForm(FrenchForm):
    name = StringField("Nom du lieu", validators=[required(), Length(max=160)])
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
    structure_id = IdSelectField("Structure")

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
    qpv = SelectField("Quartier prioritaire (QPV)", choices=_choices(values.QPV),
                      default="inconnu")
    referent_id = IdSelectField("Référent·e d'insertion")
    status = SelectField("Statut", choices=_choices(values.PARTICIPANT_STATUSES),
                         default="inscrit")
    pmsmp = SelectField("Convention PMSMP", choices=_choices(values.PMSMP), default="a_faire")

    def validate_birth_date(self, field):
        if field.data and not date(1900, 1, 1) <= field.data <= clock.today():
            raise ValidationError("Date de naissance invalide : vérifiez l'année.")


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
