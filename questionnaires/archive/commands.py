"""`flask stage export|import` (stage archives) and `flask backup create|list|restore` (docs/deployment.md)."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import inspect

from questionnaires.archive import backups
from questionnaires.archive.schema import ArchiveError
from questionnaires.archive.stage import dumps, export_stage, import_archive, loads
from questionnaires.clock import utcnow
from questionnaires.privacy import erasures
from questionnaires.extensions import db
from questionnaires.models import Stage


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


@click.group(cls=AppGroup, help="Sauvegardes de la base de données.")
def backup():
    pass


def _size(count: int) -> str:
    """A file size in French units (1,2 Mo)."""
    for unit in ("octets", "Ko", "Mo", "Go"):
        if count < 1024 or unit == "Go":
            figure = f"{count}" if unit == "octets" else f"{count:.1f}".replace(".", ",")
            return f"{figure} {unit}"
        count /= 1024
    return ""


def _fail(error: backups.BackupError):
    click.echo(str(error), err=True)
    sys.exit(1)


def _settings() -> tuple[str, Path, int]:
    config = current_app.config
    return config["SQLALCHEMY_DATABASE_URI"], Path(config["BACKUP_DIR"]), config["BACKUP_KEEP"]


@backup.command("create", help="Sauvegarde la base dans BACKUP_DIR et supprime les plus anciennes "
                               "au-delà de BACKUP_KEEP.")
def backup_create():
    url, folder, keep = _settings()
    try:
        path, removed = backups.create(url, folder, keep)
    except backups.BackupError as error:
        _fail(error)
    click.echo(f"Sauvegarde créée : {path} ({_size(path.stat().st_size)}).")
    for old in removed:
        click.echo(f"Ancienne sauvegarde supprimée (on en garde {keep}) : {old.name}")


@backup.command("list", help="Liste les sauvegardes de BACKUP_DIR, les plus récentes d'abord.")
def backup_list():
    _, folder, keep = _settings()
    found = backups.list_backups(folder)
    if not found:
        click.echo(f"Aucune sauvegarde dans {folder}. `flask backup create` en fait une.")
        return
    click.echo(f"{len(found)} sauvegarde(s) dans {folder} (on en garde {keep}) :")
    for item in found:
        click.echo(f"  {item.path.name}  {item.created_at:%d/%m/%Y %H:%M:%S} UTC  "
                   f"{_size(item.size)}")


@backup.command("restore", help="Remplace toutes les données de la base par la sauvegarde FILE "
                                "(un chemin, ou un nom affiché par `flask backup list`).")
@click.argument("file")
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
def backup_restore(file: str, yes: bool):
    url, folder, _ = _settings()
    path = Path(file)
    if not path.exists() and (folder / file).exists():
        path = folder / file
    try:
        backups.check(url, path)
    except backups.BackupError as error:
        _fail(error)
    if not yes and not click.confirm(
            f"Toutes les données actuelles de {backups.shown(url)} vont être remplacées par "
            f"celles de {path.name}. Continuer ?"):
        click.echo("Restauration annulée : la base n'a pas changé.")
        sys.exit(1)
    register = _erasure_register()
    # Our own pooled connections would hold locks that the restore waits for.
    db.session.remove()
    db.engine.dispose()
    try:
        safety = _safety_copy(url, folder)
        backups.restore(url, path)
    except backups.BackupError as error:
        _fail(error)
    finally:
        db.engine.dispose()
    if safety:
        click.echo(f"État d'avant la restauration sauvegardé dans {safety}.")
    click.echo(f"Base restaurée depuis {path.name}. Si cette sauvegarde vient d'une version "
               "antérieure du service, lancez `flask db upgrade`.")
    if register:
        _erase_again(register, folder)


def _erasure_register() -> list[dict]:
    """The erasure register of the database about to be replaced (empty if it has none)."""
    if backups.kind_of(current_app.config["SQLALCHEMY_DATABASE_URI"]) == "sqlite" and not \
            backups.sqlite_file(current_app.config["SQLALCHEMY_DATABASE_URI"],
                                must_exist=False).exists():
        return []
    try:
        return erasures.entries() if erasures.has_register() else []
    finally:
        db.session.remove()


def _erase_again(register: list[dict], folder: Path) -> None:
    """Apply the register of before the restore to the restored data (docs/privacy.md)."""
    kept = erasures.save(register, folder / f"registre-effacements-{utcnow():%Y%m%d-%H%M%S}.json")
    if not erasures.has_register():
        db.engine.dispose()
        click.echo(f"Cette sauvegarde précède le registre des effacements : lancez `flask db "
                   f"upgrade`, puis `flask privacy reapply-erasures {kept}` pour effacer à "
                   "nouveau les personnes effacées depuis.", err=True)
        return
    again = erasures.reapply(register, utcnow())
    db.session.commit()
    db.engine.dispose()
    click.echo(f"Registre des effacements réappliqué ({len(register)} ligne(s), copie dans "
               f"{kept}) : {again} personne(s) revenue(s) avec la sauvegarde de nouveau effacée(s).")


def _safety_copy(url: str, folder: Path) -> Path | None:
    """A backup of what is about to be replaced, so a restore can itself be undone.

    No rotation here: it could delete the very backup being restored. A database without our
    tables (a new machine, a fresh `createdb`) has nothing to keep.
    """
    if backups.kind_of(url) == "sqlite" and not backups.sqlite_file(url, must_exist=False).exists():
        return None
    try:
        empty = not inspect(db.engine).has_table(backups.MARKER_TABLE)
    finally:
        db.engine.dispose()
    if empty:
        return None
    path, _ = backups.create(url, folder, keep=None)
    return path
