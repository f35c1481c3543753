"""`flask impact`: a stage's impact table, or every stage's with totals, as JSON or CSV;
`flask report`: a stage's report ("Bilan du stage") as DOCX or standalone HTML."""
import json
import sys

import click
from flask.cli import with_appcontext

from questionnaires import clock
from questionnaires.archive.exports import IMPACT_HEADER, csv_text, impact_rows
from questionnaires.extensions import db
from questionnaires.impact.figures import stage_table
from questionnaires.impact.report.render import docx_bytes, standalone_html
from questionnaires.impact.totals import across_rows, across_stages
from questionnaires.models import Stage


@click.command(help="Affiche le bilan chiffré d'un stage (--stage ID) ou de tous (--all).")
@click.option("--stage", "stage_id", type=int, help="Identifiant du stage.")
@click.option("--all", "all_stages", is_flag=True, help="Tous les stages, avec les totaux.")
@click.option("--format", "output", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
@click.option("--mask-small", is_flag=True,
              help="CSV pour financeurs : effectifs de 1 ou 2 masqués (« < 3 »).")
@with_appcontext
def impact(stage_id: int | None, all_stages: bool, output: str, mask_small: bool):
    today = clock.today()
    if all_stages == (stage_id is not None):
        raise click.UsageError("Donnez soit --stage ID, soit --all.")
    if stage_id is not None:
        found = db.session.get(Stage, stage_id)
        if found is None:
            raise click.ClickException(f"Aucun stage n'a l'identifiant {stage_id}.")
        table = stage_table(found, today)
        if output == "json":  # never masked: the team's own numbers
            click.echo(json.dumps(table.figures, ensure_ascii=False, indent=2))
        else:
            click.echo(csv_text(IMPACT_HEADER, impact_rows(
                table.figures, found.followup_months, table.notes.get("suivi"),
                mask=mask_small)), nl=False)
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
        header, body = across_rows(summary, mask=mask_small)
        click.echo(csv_text(header, body), nl=False)


@click.command(help="Écrit le rapport d'un stage (« Bilan du stage ») sur la sortie standard.")
@click.option("--stage", "stage_id", type=int, required=True, help="Identifiant du stage.")
@click.option("--format", "output", type=click.Choice(["docx", "html"]), default="html",
              show_default=True)
@with_appcontext
def report(stage_id: int, output: str):
    found = db.session.get(Stage, stage_id)
    if found is None:
        raise click.ClickException(f"Aucun stage n'a l'identifiant {stage_id}.")
    today = clock.today()
    if output == "html":
        click.echo(standalone_html(found, today))
        return
    stdout = sys.stdout.buffer
    if stdout.isatty():
        raise click.ClickException("Un fichier DOCX ne s'affiche pas dans un terminal : "
                                   "redirigez la sortie, par exemple « > bilan.docx ».")
    stdout.write(docx_bytes(found, today))
    stdout.flush()
