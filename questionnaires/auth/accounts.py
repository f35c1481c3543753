"""Team accounts: one function creates them, for the admin pages and `flask users create`."""
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.models import User
from questionnaires.models.user import PASSWORD_MIN_LENGTH
from questionnaires.text import one_line, one_line_problem


class AccountError(ValueError):
    """An account cannot be created; the French message names the field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def create_account(email: str, name: str, role: str, password: str, active: bool = True) -> User:
    """A new account, added to the session and flushed (the caller commits and audits).

    The address is the login, kept in lower case; the password rule is the one of every page.
    """
    # One line, as the forms make it, for `flask users create` too (a name ends up in mails).
    email, name = one_line(email).lower(), one_line(name)
    if "@" not in email or one_line_problem(email):
        raise AccountError("email", "Adresse e-mail invalide.")
    if one_line_problem(name):
        raise AccountError("name", "Le nom " + one_line_problem(name))
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError("password",
                           f"Le mot de passe doit faire au moins {PASSWORD_MIN_LENGTH} caractères.")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError("email", f"Un compte existe déjà pour {email}.")
    user = User(email=email, name=name, role=role, active=active)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
