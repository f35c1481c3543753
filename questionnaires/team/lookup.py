"""Fetching what a team URL names, or a French 404."""
from flask import abort

from questionnaires.extensions import db
from questionnaires.models import Stage


def stage_or_404(stage_id: int) -> Stage:
    """The stage with this id, or the French 404 page."""
    return db.get_or_404(Stage, stage_id, description="Ce stage n'existe pas ou a été supprimé.")


def object_or_404(model, object_id: int, what: str):
    """Any object by id, or a 404 naming what was looked for ("Ce lieu")."""
    return db.get_or_404(model, object_id, description=f"{what} n'existe pas ou a été supprimé.")


def in_stage_or_404(model, object_id: int, stage: Stage):
    """An object that must belong to `stage`: a URL mixing two stages is a 404."""
    found = db.session.get(model, object_id)
    if found is None or found.stage_id != stage.id:
        abort(404, description=f"Cet élément n'existe pas dans le stage « {stage.title} ».")
    return found
