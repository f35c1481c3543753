"""`flask demo load|link`: the demo stages that `make run` serves."""
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from questionnaires.demo import load_demo, tablet_link_line
from questionnaires.extensions import db
from questionnaires.models import Stage


@click.group(cls=AppGroup, help="Données de démonstration.")
def demo():
    pass


@demo.command("load", help="Charge les stages de démonstration si la base n'a aucun stage.")
@click.option("--force", is_flag=True, help="Charger même si des stages existent déjà.")
def demo_load(force: bool):
    if current_app.config.get("PRODUCTION"):
        # The demo's team account has a password printed in the README and by `make run`.
        click.echo("Refusé : les données de démonstration ne se chargent pas en production "
                   "(FLASK_CONFIG=production). Leur compte d'équipe a un mot de passe public.",
                   err=True)
        sys.exit(1)
    if not force and db.session.scalar(select(func.count(Stage.id))):
        click.echo("La base contient déjà des stages : démonstration non chargée.")
        return
    for line in load_demo():
        click.echo(line)


@demo.command("link", help="Affiche le lien de bilan d'un·e participant·e du stage le plus récent.")
def demo_link():
    line = tablet_link_line()
    click.echo(line or "Aucun·e participant·e sans bilan envoyé : rien à essayer sur tablette.")
