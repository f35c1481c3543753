"""Stages: list, create, edit, overview, delete."""
from flask import flash, redirect, render_template, url_for
from sqlalchemy import func, select

from zoneinfo import ZoneInfo

from flask import current_app

from questionnaires import clock
from questionnaires.impact.report.texts import copy_previous
from questionnaires.stages.enrolment import enrolled_count
from questionnaires.stages.week import flags_to_show, in_progress, slot_of_the_moment
from questionnaires.stages.overview import next_step, overviews
from questionnaires.extensions import db
from questionnaires.models import Participant, Stage
from questionnaires.team.blueprint import bp
from questionnaires.stages.variants import start_with_previous
from questionnaires.team.forms import ConfirmForm, StageForm
from questionnaires.team.variants import variant_rows
from questionnaires.team.lookup import stage_or_404
from questionnaires.stages.programme import programme_grid


@bp.route("/stages")
def stages():
    """Every stage, newest first, with its number of enrolled participants."""
    enrolled = (
        select(Participant.stage_id, func.count(Participant.id).label("n"))
        .where(Participant.status != "desiste")
        .group_by(Participant.stage_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Stage, func.coalesce(enrolled.c.n, 0))
        .outerjoin(enrolled, enrolled.c.stage_id == Stage.id)
        .order_by(Stage.start_date.desc(), Stage.id.desc())
    ).all()
    found = overviews([stage for stage, _ in rows])
    return render_template("team/stages.html", rows=rows, overviews=found, today=clock.today(),
                           next_step=next_step)


@bp.route("/stages/nouveau", methods=["GET", "POST"])
def stage_new():
    """Create a stage; its programme and participants come next."""
    form = StageForm()
    if form.validate_on_submit():
        stage = Stage()
        form.populate_obj(stage)
        db.session.add(stage)
        db.session.flush()
        # The report's texts start from the previous stage of the theme, marked "à relire"
        source = copy_previous(stage, clock.utcnow())
        # ... and the questionnaires' versions too (stages/variants.py)
        start_with_previous(stage, clock.utcnow())
        db.session.commit()
        flash("Stage créé. Remplissez maintenant son programme."
              + (f" Les textes du rapport sont repris de « {source.title} », à relire."
                 if source else ""), "success")
        return redirect(url_for("team.stage", stage_id=stage.id))
    return render_template("team/stage_form.html", form=form, stage=None)


@bp.route("/stages/<int:stage_id>")
def stage(stage_id: int):
    """A stage's first page: where it stands and what is next, then its programme grid."""
    stage = stage_or_404(stage_id)
    live = in_progress(stage, clock.today())
    return render_template(
        "team/stage.html", stage=stage, grid=programme_grid(stage),
        enrolled=enrolled_count(stage), flags=flags_to_show(stage, clock.today()), live=live,
        now_slot=slot_of_the_moment(stage.slots, clock.utcnow(),
                                    ZoneInfo(current_app.config["TIMEZONE"])) if live else None,
        overview=overviews([stage])[stage.id], today=clock.today(), next_step=next_step,
        variants=variant_rows(stage),
    )


@bp.route("/stages/<int:stage_id>/modifier", methods=["GET", "POST"])
def stage_edit(stage_id: int):
    """Edit a stage's dates, capacity and follow-up delay."""
    stage = stage_or_404(stage_id)
    form = StageForm(obj=stage)
    if form.validate_on_submit() and _edit_is_consistent(stage, form):
        form.populate_obj(stage)
        db.session.commit()
        flash("Stage enregistré.", "success")
        return redirect(url_for("team.stage", stage_id=stage.id))
    return render_template("team/stage_form.html", form=form, stage=stage)


def _edit_is_consistent(stage: Stage, form: StageForm) -> bool:
    """Refuse dates that would orphan programme slots, or a capacity below the enrolled."""
    ok = True
    outside = [
        slot for slot in stage.slots
        if not form.start_date.data <= slot.date <= form.end_date.data
    ]
    if outside:
        names = ", ".join(f"« {slot.title} »" for slot in outside[:3])
        form.end_date.errors.append(
            f"{len(outside)} créneau(x) du programme tomberaient hors de ces dates ({names}). "
            "Déplacez-les ou supprimez-les d'abord."
        )
        ok = False
    taken = enrolled_count(stage)
    if form.capacity.data < taken:
        form.capacity.errors.append(
            f"{taken} personnes sont déjà inscrites : il faut au moins {taken} places."
        )
        ok = False
    return ok


@bp.route("/stages/<int:stage_id>/supprimer", methods=["GET", "POST"])
def stage_delete(stage_id: int):
    """Delete a stage and everything in it, after a confirmation that says what goes."""
    stage = stage_or_404(stage_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = stage.title
        db.session.delete(stage)
        db.session.commit()
        flash(f"Le stage « {title} » a été supprimé.", "success")
        return redirect(url_for("team.stages"))
    return render_template("team/stage_delete.html", stage=stage, form=form)
