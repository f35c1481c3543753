"""The proposal page's form and the team's recruitment forms, validated server-side in French."""
from datetime import date

from wtforms import (
    BooleanField, DateTimeLocalField, EmailField, IntegerField, SelectField, StringField,
    TelField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from questionnaires.models.recruitment import MOTIVATION_MAX, NOTES_MAX, REASON_MAX
from questionnaires.stages.contacts import EMAIL_MESSAGE, PHONE_MESSAGE, normal_email, normal_phone
from questionnaires.web.forms import FrenchDateField, FrenchForm, IdSelectField, MultiCheckboxField

REQUIRED = "Ce champ est obligatoire."
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
MOMENT_MESSAGE = "Date et heure invalides : choisissez-les dans le calendrier (AAAA-MM-JJ HH:MM)."
CONSENT = ("Sans l'accord de la personne, nous ne pouvons rien enregistrer : cochez la case "
           "après lui avoir demandé si elle accepte.")


def _most(limit: int) -> Length:
    return Length(max=limit, message=f"Trop long : {limit} caractères au plus.")


def _text(label: str, limit: int, required: bool = True, **kwargs) -> StringField:
    first = DataRequired(REQUIRED) if required else Optional()
    return StringField(label, validators=[first, _most(limit)], **kwargs)


class ProposalForm(FrenchForm):
    """What a prescriber types (recrutement.md); `site_web` is a trap for robots (hidden)."""

    referent_name = _text("Votre nom et prénom", 120, render_kw={"autocomplete": "name"})
    structure_name = _text("Votre structure", 160,
                           render_kw={"autocomplete": "organization"})
    referent_email = EmailField("Votre e-mail (l'accusé de réception y sera envoyé)",
                                validators=[DataRequired(REQUIRED), _most(254)],
                                render_kw={"autocomplete": "email"})
    first_name = _text("Prénom de la personne", 80, render_kw={"autocomplete": "off"})
    last_name = _text("Nom de la personne", 80, render_kw={"autocomplete": "off"})
    birth_date = FrenchDateField("Date de naissance", validators=[DataRequired(REQUIRED)])
    city = _text("Ville où elle habite", 120, render_kw={"autocomplete": "off"})
    phone = TelField("Son téléphone", validators=[Optional(), _most(30)],
                     render_kw={"autocomplete": "off", "inputmode": "tel"})
    email = EmailField("Son e-mail", validators=[Optional(), _most(254)],
                       render_kw={"autocomplete": "off"})
    qpv = SelectField("Habite-t-elle un quartier prioritaire (QPV) ?", default="inconnu",
                      choices=[SelectChoice("inconnu", "Je ne sais pas"),
                               SelectChoice("oui", "Oui"), SelectChoice("veille", "Quartier en veille"),
                               SelectChoice("non", "Non")])
    motivation = TextAreaField("Pourquoi ce stage, pour cette personne ?",
                               validators=[DataRequired(REQUIRED), _most(MOTIVATION_MAX)])
    consent = BooleanField("La personne accepte que ces informations soient transmises à "
                           "l'équipe du stage", validators=[DataRequired(CONSENT)])
    #: Hidden from people (CSS and aria-hidden); robots fill every field
    site_web = StringField("Ne remplissez pas ce champ", validators=[Optional()])

    def validate_referent_email(self, field):
        address = normal_email(field.data or "")
        if address is None:
            raise ValidationError(EMAIL_MESSAGE)
        field.data = address

    def validate_email(self, field):
        if field.data and field.data.strip():
            address = normal_email(field.data)
            if address is None:
                raise ValidationError(EMAIL_MESSAGE)
            field.data = address
        else:
            field.data = None

    def validate_phone(self, field):
        if field.data and field.data.strip():
            number = normal_phone(field.data)
            if number is None:
                raise ValidationError(PHONE_MESSAGE)
            field.data = number
        else:
            field.data = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        blank = not (self.phone.data or "").strip() and not (self.email.data or "").strip()
        if blank and not self.phone.errors and not self.email.errors:
            self.phone.errors = [*self.phone.errors, "Donnez son téléphone ou son e-mail, pour "
                                 "que l'équipe puisse la joindre."]
            return False
        return valid

    def validate_birth_date(self, field):
        if field.data and not date(1900, 1, 1) < field.data < date(2100, 1, 1):
            raise ValidationError("Date de naissance invalide : vérifiez l'année.")

    def person(self) -> dict:
        """The Candidate's fields, trimmed."""
        return dict(
            referent_name=self.referent_name.data.strip(),
            structure_name=self.structure_name.data.strip(),
            referent_email=self.referent_email.data, first_name=self.first_name.data.strip(),
            last_name=self.last_name.data.strip(), birth_date=self.birth_date.data,
            city=self.city.data.strip(), phone=self.phone.data, email=self.email.data,
            qpv=self.qpv.data, motivation=self.motivation.data.strip())


class MoveForm(FrenchForm):
    """One state change of a candidate (the button says which)."""

    when = DateTimeLocalField("Date et heure", format=MOMENT_FORMATS, invalid_value_message=MOMENT_MESSAGE,
                              validators=[Optional()])
    reason = TextAreaField("Raison dite au prescripteur",
                           validators=[Optional(), _most(REASON_MAX)])


class NotesForm(FrenchForm):
    notes = TextAreaField("Notes de l'équipe", validators=[Optional(), _most(NOTES_MAX)])


class PageSettingsForm(FrenchForm):
    """The proposal page's settings and the information session's."""

    closes_on = FrenchDateField("Propositions jusqu'au (inclus)", validators=[Optional()])
    max_proposals = IntegerField("Nombre de propositions au plus (facultatif)",
                                 validators=[Optional(), NumberRange(1, 500, "Entre 1 et 500.")])
    session_at = DateTimeLocalField("Information collective : date et heure",
                                    format=MOMENT_FORMATS, invalid_value_message=MOMENT_MESSAGE,
                                    validators=[Optional()])
    session_venue_id = IdSelectField("Lieu de l'information collective")
    session_bring = StringField("À apporter", validators=[Optional(), _most(500)])


class SlotChecks(MultiCheckboxField):
    """Ticked slots; a value that is no slot id gets the same French message as a stale box."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Une des cases cochées n'existe plus. Rechargez la page.") from error


class GuestForm(FrenchForm):
    """Invite one referent to chosen slots of the week."""

    referent_id = IdSelectField("Référent·e à inviter",
                                validators=[NumberRange(1, message="Choisissez un·e référent·e.")])
    slot_ids = SlotChecks("Moments du programme", coerce=int)

    def validate_slot_ids(self, field):
        # Not DataRequired: it would wipe the French message of a box that is no slot
        if not field.data and not field.errors:
            raise ValidationError("Cochez au moins un moment.")
