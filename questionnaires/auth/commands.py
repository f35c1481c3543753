"""`flask users create` (team accounts) and `flask links rehash` (personal links after a key change)."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from questionnaires.auth.accounts import AccountError, create_account
from questionnaires.extensions import db
from questionnaires.models import FollowupInvitation, Participant
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
    try:
        user = create_account(email, name, role, password)
    except AccountError as error:
        raise click.UsageError(str(error)) from None
    db.session.commit()
    click.echo(f"Compte créé : {user.email} ({ROLES[role]}).")
