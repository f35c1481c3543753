"""`flask` commands: accounts, stage archives, demo data, follow-ups, data protection."""
import json
import sys
from datetime import date
from datetime import datetime as _datetime, timezone as _timezone

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from .archive import ArchiveError, dumps, export_stage, import_archive, loads
from .backup_commands import backup
from .demo import load_demo, tablet_link_line
from .exports import IMPACT_HEADER, csv_text, impact_rows
from .extensions import db
from .impact import stage_table
from .impact_totals import across_rows, across_stages
from .models import FollowupInvitation, Participant, Stage, User
from .models.user import PASSWORD_MIN_LENGTH
from .models.values import ROLES
from .tokens import hash_for


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(impact)
    app.cli.add_command(users)
    app.cli.add_command(stage)
    app.cli.add_command(demo)
    app.cli.add_command(followups)
    app.cli.add_command(scheduler)
    app.cli.add_command(links)
    app.cli.add_command(backup)
    app.cli.add_command(privacy)


@click.group(cls=AppGroup, help="Liens personnels (participant·es, référent·es).")
def links():
    pass


@links.command("rehash", help="Recalcule les empreintes des liens après un changement de "
                              "SECRET_KEY (les anciens liens restent morts).")
def links_rehash():
    count = 0
    for person in db.session.scalars(select(Participant)):
        person.bilan_token_hash = hash_for("bilan", person.bilan_nonce)
        count += 1
    for invitation in db.session.scalars(select(FollowupInvitation)):
        invitation.token_hash = hash_for("suivi", invitation.nonce)
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


@click.group(cls=AppGroup, help="Archives de stage (JSON portable).")
def stage():
    pass


@stage.command("export", help="Écrit l'archive JSON du stage ID sur la sortie standard.")
@click.argument("stage_id", type=int)
def stage_export(stage_id: int):
    found = db.session.get(Stage, stage_id)
    if found is None:
        raise click.ClickException(f"Aucun stage n'a l'identifiant {stage_id}.")
    click.echo(dumps(export_stage(found)), nl=False)


@stage.command("import", help="Importe une archive JSON (tout ou rien) et affiche l'id du stage créé.")
@click.argument("file", type=click.File("rb"))
def stage_import(file):
    try:
        new_stage = import_archive(loads(file.read()))
        db.session.commit()
    except ArchiveError as error:
        db.session.rollback()
        click.echo("Archive refusée, rien n'a été importé :", err=True)
        for line in error.errors:
            click.echo(f"  - {line}", err=True)
        sys.exit(1)
    click.echo(new_stage.id)


@click.group(cls=AppGroup, help="Données de démonstration.")
def demo():
    pass


@demo.command("load", help="Charge les stages de démonstration si la base n'a aucun stage.")
@click.option("--force", is_flag=True, help="Charger même si des stages existent déjà.")
def demo_load(force: bool):
    if not force and db.session.scalar(select(func.count(Stage.id))):
        click.echo("La base contient déjà des stages : démonstration non chargée.")
        return
    for line in load_demo():
        click.echo(line)


@demo.command("link", help="Affiche le lien de bilan d'un·e participant·e du stage le plus récent.")
def demo_link():
    line = tablet_link_line()
    click.echo(line or "Aucun·e participant·e sans bilan envoyé : rien à essayer sur tablette.")


@click.command(help="Affiche le bilan chiffré d'un stage (--stage ID) ou de tous (--all).")
@click.option("--stage", "stage_id", type=int, help="Identifiant du stage.")
@click.option("--all", "all_stages", is_flag=True, help="Tous les stages, avec les totaux.")
@click.option("--format", "output", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
@with_appcontext
def impact(stage_id: int | None, all_stages: bool, output: str):
    today = date.today()
    if all_stages == (stage_id is not None):
        raise click.UsageError("Donnez soit --stage ID, soit --all.")
    if stage_id is not None:
        found = db.session.get(Stage, stage_id)
        if found is None:
            raise click.ClickException(f"Aucun stage n'a l'identifiant {stage_id}.")
        figures = stage_table(found, today).figures
        if output == "json":
            click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        else:
            click.echo(csv_text(IMPACT_HEADER, impact_rows(figures)), nl=False)
        return
    summary = across_stages(today)
    if output == "json":
        click.echo(json.dumps({
            "stages": [{"id": s.id, "title": s.title, "theme": s.theme,
                        "start": s.start_date.isoformat(), **summary.tables[s.id].figures}
                       for s in summary.stages],
            "total": summary.total.figures,
        }, ensure_ascii=False, indent=2))
    else:
        header, body = across_rows(summary)
        click.echo(csv_text(header, body), nl=False)


# The referents' follow-up (docs/followups.md) ------------------------------------------------

@click.group(cls=AppGroup, help="Suivi à 3 mois des référent·e·s.")
def followups():
    pass


def _moment(value: str | None) -> _datetime:
    """--now as an aware datetime (a time without offset is read in UTC)."""
    if not value:
        return _datetime.now(_timezone.utc)
    try:
        moment = _datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("date-heure ISO attendue, par ex. 2026-02-26T09:00+01:00",
                                 param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_timezone.utc)


@followups.command("send-due", help="Fait un passage d'envoi et affiche ce qui est parti.")
@click.option("--now", "now_text", help="Faire comme s'il était cette date-heure ISO (essais).")
def followups_send_due(now_text: str | None):
    from .followups import dispatch_due

    outcomes = dispatch_due(_moment(now_text))
    words = {"sent": "envoyé", "retry": "échec, nouvel essai prévu", "failed": "échec définitif",
             "cancelled": "annulé"}
    for outcome in outcomes:
        detail = f" ({outcome.detail})" if outcome.detail and outcome.result != "sent" else ""
        click.echo(f"{words[outcome.result]} : {outcome.kind} n°{outcome.message_id} "
                   f"à {outcome.to}{detail}")
    sent = sum(o.result == "sent" for o in outcomes)
    click.echo(f"{sent} e-mail(s) envoyé(s).")


@followups.command("status", help="Affiche l'état de chaque invitation de suivi.")
@click.option("--stage", "stage_id", type=int, help="Seulement ce stage.")
def followups_status(stage_id: int | None):
    from .followup_status import stage_summaries
    from .followups import plan_stage

    now = _datetime.now(_timezone.utc)
    query = select(Stage).order_by(Stage.end_date, Stage.id)
    if stage_id is not None:
        query = query.where(Stage.id == stage_id)
    stages = db.session.scalars(query).all()
    if stage_id is not None and not stages:
        raise click.ClickException(f"Aucun stage n'a l'identifiant {stage_id}.")
    for found in stages:
        plan_stage(found, now)
        click.echo(f"Stage {found.id} « {found.title} » (fin le {found.end_date:%d/%m/%Y})")
        rows = stage_summaries(found.id, now)
        for row in rows:
            inv = row.invitation
            sent = f"envoyé le {inv.first_sent_at:%d/%m/%Y}" if inv.first_sent_at else "non envoyé"
            click.echo(f"  {inv.referent.name} <{inv.email}> : {row.label} · prévu le "
                       f"{inv.due_at:%d/%m/%Y %H:%M} UTC · {sent} · "
                       f"répondu {row.answered}/{len(row.cards)}")
        if not rows:
            click.echo("  aucun suivi à prévoir")


@click.group(cls=AppGroup, help="Planificateur des envois.")
def scheduler():
    pass


@scheduler.command("run", help="Lance le planificateur (processus de longue durée, voir docs/followups.md).")
def scheduler_run():
    from flask import current_app

    from .scheduler import build

    app = current_app._get_current_object()
    minutes = app.config["DISPATCH_INTERVAL_MINUTES"]
    click.echo(f"Planificateur démarré : un passage d'envoi toutes les {minutes} min (Ctrl+C pour arrêter).")
    try:
        build(app, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Planificateur arrêté.")


# Data protection (docs/privacy.md) -----------------------------------------------------------

@click.group(cls=AppGroup, help="Protection des données (RGPD).")
def privacy():
    pass


@privacy.command("purge-expired",
                 help="Anonymise les personnes des stages terminés depuis plus de RETENTION_YEARS ans.")
@click.option("--dry-run", is_flag=True, help="Affiche ce qui serait anonymisé, sans rien changer.")
@click.option("--now", "now_text", help="Avec --dry-run seulement : faire comme s'il était "
              "cette date-heure ISO, pour voir ce qui sera anonymisé plus tard.")
def privacy_purge_expired(dry_run: bool, now_text: str | None):
    from .privacy import purge_expired, record_purge

    if now_text and not dry_run:  # a date in the future would erase people for good
        raise click.UsageError("--now ne s'emploie qu'avec --dry-run : l'anonymisation se fait "
                               "toujours à la date du jour.")
    try:
        report = purge_expired(_moment(now_text), dry_run=dry_run)
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
