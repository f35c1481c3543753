"""`flask pmsmp conventions --stage ID --out DIR`: one DOCX per participant whose PMSMP applies."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from questionnaires.extensions import db
from questionnaires.models import Stage
from questionnaires.recruitment import conventions


@click.group(help="Conventions PMSMP des participant·e·s.")
def pmsmp():
    """The PMSMP conventions."""


@pmsmp.command("conventions", help="Écrit une convention DOCX par participant·e concerné·e.")
@click.option("--stage", "stage_id", type=int, required=True, help="Identifiant du stage.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Dossier où écrire les fichiers (créé s'il manque).")
@with_appcontext
def write_conventions(stage_id: int, out_dir: Path):
    stage = db.session.get(Stage, stage_id)
    if stage is None:
        raise click.ClickException(f"Aucun stage n'a l'identifiant {stage_id}.")
    out_dir.mkdir(parents=True, exist_ok=True)
    host = conventions.host_from(current_app.config)
    people = conventions.of_stage(stage)
    for participant in people:
        path = out_dir / conventions.file_name(participant)
        path.write_bytes(conventions.to_docx(conventions.convention_for(participant, host)))
        click.echo(str(path))
    click.echo(f"{len(people)} convention(s) écrite(s) dans {out_dir}.", err=True)
