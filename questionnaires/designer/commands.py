"""`flask questionnaires list | export ID [--version N] | import FILE`."""
import click
from flask.cli import AppGroup

from questionnaires.designer import store, yamlio
from questionnaires.models.questionnaire import VERSION_STATUSES

questionnaires = AppGroup("questionnaires", help="Les questionnaires : versions, export, import.")


@questionnaires.command("list", help="Chaque version de chaque questionnaire et son état.")
def list_versions():
    for row in store.versions():
        click.echo(f"{row.questionnaire} v{row.version}\t{VERSION_STATUSES[row.status]}\t"
                   f"{row.definition.get('title', '')}")


@questionnaires.command("export", help="Écrit une version en YAML (la dernière publiée par "
                                       "défaut).")
@click.argument("questionnaire")
@click.option("--version", "number", type=int, help="Numéro de version.")
def export(questionnaire: str, number: int | None):
    if number is None:
        published = [r for r in store.versions(questionnaire) if r.published]
        row = published[-1] if published else None
    else:
        row = store.find(questionnaire, number)
    if row is None:
        which = f" v{number}" if number is not None else ""
        raise click.ClickException(f"Aucun questionnaire « {questionnaire}{which} ». "
                                   "`flask questionnaires list` les montre tous.")
    click.echo(yamlio.dump(row.definition), nl=False)


@questionnaires.command("import", help="Ajoute une version publiée depuis un fichier YAML.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_file(path: str):
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} : le fichier n'est pas en UTF-8.") from None
    data, found = yamlio.load(text)
    outcome = store.add_published(data) if not found else store.Outcome(found)
    if not outcome.ok:
        raise click.ClickException("\n".join(f"{path} : {p.message}" for p in outcome.problems))
    click.echo(f"{outcome.row.questionnaire} v{outcome.row.version}")
    if outcome.unchanged:
        click.echo("Cette version était déjà là, identique : rien n'a changé.", err=True)
