"""Forms of the admin pages."""
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from questionnaires.web.forms import FrenchDateField, FrenchForm
from questionnaires.models.user import PASSWORD_MIN_LENGTH
from questionnaires.models.values import ROLES

PASSWORD_HINT = (f"Au moins {PASSWORD_MIN_LENGTH} caractères. Transmettez-le de vive voix, "
                 "jamais par e-mail.")
_PASSWORD_LENGTH = Length(min=PASSWORD_MIN_LENGTH, max=200,
                          message=f"Entre {PASSWORD_MIN_LENGTH} et 200 caractères.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AccountForm(FrenchForm):
    """Name, role, active, and a new password (optional when editing)."""

    name = StringField("Nom affiché", validators=[DataRequired("Indiquez un nom."),
                                                  Length(max=120)])
    role = SelectField("Rôle", choices=[SelectChoice(k, v) for k, v in ROLES.items()])
    active = BooleanField("Compte actif (peut se connecter)", default=True)
    # new-password: the browser must not fill in the admin's own saved password here
    password = PasswordField("Nouveau mot de passe", render_kw={"autocomplete": "new-password"},
                             validators=[Optional(), _PASSWORD_LENGTH])


class NewAccountForm(AccountForm):
    email = EmailField("Adresse e-mail (identifiant)", filters=[_strip], validators=[
        DataRequired("Indiquez l'adresse e-mail."), Email("Adresse e-mail invalide."),
        Length(max=254)])
    password = PasswordField("Mot de passe", render_kw={"autocomplete": "new-password"}, validators=[
        DataRequired("Choisissez un mot de passe."), _PASSWORD_LENGTH])


class JournalFilter(FrenchForm):
    """The journal's filters, read from the query string (GET: no CSRF needed)."""

    class Meta:
        csrf = False

    utilisateur = SelectField("Personne", choices=[], validate_choice=False)
    action = SelectField("Action", choices=[], validate_choice=False)
    stage = StringField("N° de stage", validators=[Optional(), Length(max=12)])
    du = FrenchDateField("Du", validators=[Optional()])
    au = FrenchDateField("Au", validators=[Optional()])
