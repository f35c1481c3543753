"""Per-stage variants: the team chooses which published version of each questionnaire a
stage's tablets, referents and team open (rules in stages/variants.py)."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from questionnaires import clock
from questionnaires.extensions import db
from questionnaires.models.values import QUESTIONNAIRES
from questionnaires.privacy.audit import record
from questionnaires.stages.variants import assign, plan_move, published_versions, stage_versions
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import VariantForm
from questionnaires.team.lookup import stage_or_404


def variant_rows(stage) -> list[tuple[str, str, int, list[int]]]:
    """(questionnaire, its name, the stage's version, the versions it may choose)."""
    return [(q, QUESTIONNAIRES[q], version, published_versions(q))
            for q, version in stage_versions(stage).items()]


@bp.route("/stages/<int:stage_id>/questionnaires", methods=["POST"])
def stage_questionnaires(stage_id: int):
    """Give the stage another version of a questionnaire; when answers were already given in
    another version, first say what becomes of them and let the team choose."""
    stage = stage_or_404(stage_id)
    form = VariantForm()
    back = redirect(url_for("team.stage", stage_id=stage.id) + "#questionnaires")
    if not form.validate_on_submit():
        flash("Le choix de version n'a pas pu être lu : rechargez la page et recommencez.",
              "error")
        return back
    questionnaire, version = form.questionnaire.data, form.version.data
    name = QUESTIONNAIRES[questionnaire]
    if version not in published_versions(questionnaire):
        flash(f"La version {version} de « {name} » n'existe pas (ou n'est pas publiée) : "
              "choisissez une version de la liste.", "error")
        return back
    move = plan_move(stage, questionnaire, version)
    touched = len(move.converted) + len(move.kept)
    if touched and not form.mode.data:
        return render_template("team/stage_variant.html", stage=stage, form=form, move=move,
                               name=name)
    move = assign(stage, questionnaire, version, current_user.id, clock.utcnow(),
                  convert_answers=form.mode.data == "convertir")
    record("changed", target_type="questionnaire", target_id=questionnaire, stage_id=stage.id,
           detail=f"{questionnaire} : version {move.current} → {version} ; "
                  f"{len(move.converted)} réponse(s) convertie(s), "
                  f"{len(move.kept)} gardée(s) sur leur version")
    db.session.commit()
    said = f"« {name} » : ce stage utilise maintenant la version {version}."
    if move.converted:
        said += f" {len(move.converted)} réponse(s) converties vers cette version."
    if move.kept:
        said += f" {len(move.kept)} réponse(s) restent sur leur version, complètes."
    flash(said, "success")
    return back
