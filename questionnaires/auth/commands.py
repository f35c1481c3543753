"""`flask users create` (team accounts) and `flask links rehash` (personal links after a key change)."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.models import FollowupInvitation, Participant, User
from questionnaires.models.user import PASSWORD_MIN_LENGTH
from questionnaires.models.values import ROLES
from questionnaires.tokens import hash_for


@click.group(cls=AppGroup, help="Liens personnels (participant·es, référent·es).")
def links():
    pass


@links.command("rehash", help="Recalcule les empreintes des liens après un changement de "
                              "SECRET_KEY (les anciens liens restent morts).")
def links_rehash():
    count = 0
    for person in db.session.scalars(select(Participant)):
        person.bilan_token_hash = hash_for("bilan", person.bilan_link_salt)
        count += 1
    for invitation in db.session.scalars(select(FollowupInvitation)):
        invitation.token_hash = hash_for("suivi", invitation.link_salt)
        count += 1
    db.session.commit()
    click.echo(f"{count} lien(s) recalculé(s) avec la clé actuelle.")


@click.group(cls=AppGroup, help="Comptes de l'équipe.")
def users():
    pass


@users.command("create", help="Crée un compte (le mot de passe est demandé s'il n'est pas donné).")
@click.argument("email")
@click.option("--name", required=True, help="Nom affiché.")
@click.option("--role", type=click.Choice(list(ROLES)), default="team", show_default=True)
@click.option("--password", prompt="Mot de passe", hide_input=True, confirmation_prompt=True)
def users_create(email: str, name: str, role: str, password: str):
    email = email.strip().lower()
    if "@" not in email:
        raise click.UsageError("Adresse e-mail invalide.")
    if len(password) < PASSWORD_MIN_LENGTH:  # the admin pages' rule
        raise click.UsageError(f"Le mot de passe doit faire au moins {PASSWORD_MIN_LENGTH} caractères.")
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.UsageError(f"Un compte existe déjà pour {email}.")
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Compte créé : {email} ({ROLES[role]}).")
