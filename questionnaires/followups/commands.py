"""`flask followups send-due|status` and `flask scheduler run` (docs/followups.md)."""

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from questionnaires import clock
from questionnaires.cli import moment
from questionnaires.extensions import db
from questionnaires.followups.plan import plan_stage
from questionnaires.followups.scheduler import build, one_pass
from questionnaires.followups.status import stage_summaries
from questionnaires.models import Stage


@click.group(cls=AppGroup, help="Suivi référent·e : les e-mails de suivi envoyés aux référent·e·s.")
def followups():
    pass


@followups.command("send-due", help="Fait un passage d'envoi (suivis, puis messages programmés "
                                    "comme ceux de la veille) et affiche ce qui est parti.")
@click.option("--now", "now_text", help="Faire comme s'il était cette date-heure ISO (essais).")
def followups_send_due(now_text: str | None):
    outcomes = one_pass(moment(now_text))
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
    now = clock.utcnow()
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
    app = current_app._get_current_object()
    minutes = app.config["DISPATCH_INTERVAL_MINUTES"]
    click.echo(f"Planificateur démarré : un passage d'envoi toutes les {minutes} min (Ctrl+C pour arrêter).")
    try:
        build(app, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Planificateur arrêté.")
