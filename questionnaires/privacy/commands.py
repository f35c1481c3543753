"""`flask privacy purge-expired`: the retention pass by hand (docs/privacy.md)."""
from pathlib import Path

import click
from flask.cli import AppGroup

from questionnaires.cli import moment
from questionnaires.extensions import db
from questionnaires.privacy import erasures
from questionnaires.privacy.retention import purge_expired, record_purge


@click.group(cls=AppGroup, help="Protection des données (RGPD).")
def privacy():
    pass


@privacy.command("purge-expired",
                 help="Anonymise les personnes des stages terminés depuis plus de RETENTION_YEARS ans.")
@click.option("--dry-run", is_flag=True, help="Affiche ce qui serait anonymisé, sans rien changer.")
@click.option("--now", "now_text", help="Avec --dry-run seulement : faire comme s'il était "
              "cette date-heure ISO, pour voir ce qui sera anonymisé plus tard.")
def privacy_purge_expired(dry_run: bool, now_text: str | None):
    if now_text and not dry_run:  # a date in the future would erase people for good
        raise click.UsageError("--now ne s'emploie qu'avec --dry-run : l'anonymisation se fait "
                               "toujours à la date du jour.")
    try:
        report = purge_expired(moment(now_text), dry_run=dry_run)
    except ValueError as error:
        raise click.ClickException(str(error))
    if dry_run:
        db.session.rollback()
    else:
        record_purge(report, "commande flask privacy purge-expired")
        db.session.commit()
    verb = "seraient anonymisé·e·s" if dry_run else "anonymisé·e·s"
    click.echo(f"Stages terminés avant le {report.cutoff:%d/%m/%Y} : "
               f"{len(report.participants)} participant·e·s {verb}, "
               f"{len(report.referents)} référent·e·s {verb}.")
    stages: dict = {}
    for person in report.participants:
        stages.setdefault(person.stage_id, 0)
        stages[person.stage_id] += 1
    for stage_id, count in stages.items():
        click.echo(f"  stage {stage_id} : {count} participant·e·s")


@privacy.command("reapply-erasures",
                 help="Efface à nouveau les personnes du registre des effacements FILE (copie "
                      "écrite par `flask backup restore`) revenues avec une sauvegarde.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def privacy_reapply_erasures(file: Path):
    try:
        register = erasures.load(file)
    except ValueError as error:
        raise click.ClickException(f"{file} : {error}.")
    if not erasures.has_register():
        raise click.ClickException("La base n'a pas encore le registre des effacements : "
                                   "lancez d'abord `flask db upgrade`.")
    again = erasures.reapply(register, moment(None))
    db.session.commit()
    click.echo(f"{again} personne(s) de nouveau effacée(s) ({len(register)} ligne(s) lues).")
