"""The programme as the report's calendar grid (days × matin / après-midi / soirée)."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from wtforms.fields.choices import SelectChoice

from questionnaires.clock import french_hour
from questionnaires.extensions import db
from questionnaires.models import Professional, Slot, Stage, Venue
from questionnaires.models.stage import PERIOD_HOURS
from questionnaires.models.values import PERIODS
from questionnaires.stages.programme import new_slot_key
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ConfirmForm, ProfessionalForm, SlotForm
from questionnaires.team.lookup import in_stage_or_404, stage_or_404


def venue_choices() -> list[SelectChoice]:
    venues = db.session.scalars(select(Venue).order_by(Venue.name)).all()
    return [SelectChoice(0, "— Aucun lieu —")] + [SelectChoice(v.id, str(v)) for v in venues]


def _cell_or_404(stage: Stage, day_iso: str, period: str) -> tuple[date, Slot | None]:
    """The grid cell a URL names; dates outside the stage are a 404."""
    try:
        day = date.fromisoformat(day_iso)
    except ValueError:
        abort(404, description="Cette case du programme n'existe pas.")
    if period not in PERIODS or day not in stage.days:
        abort(404, description="Cette case du programme n'existe pas.")
    slot = next((s for s in stage.slots if s.date == day and s.period == period), None)
    return day, slot


@bp.route("/stages/<int:stage_id>/programme/<day_iso>/<period>", methods=["GET", "POST"])
def slot_edit(stage_id: int, day_iso: str, period: str):
    """Fill or change one cell of the programme grid."""
    stage = stage_or_404(stage_id)
    day, slot = _cell_or_404(stage, day_iso, period)
    form = SlotForm(obj=slot)
    form.venue_id.choices = venue_choices()
    form.professional_ids.choices = [SelectChoice(p.id, str(p)) for p in stage.professionals]
    if request.method == "GET" and slot is not None:
        form.venue_id.data = slot.venue_id or 0
        form.professional_ids.data = [p.id for p in slot.professionals]
    if form.validate_on_submit():
        if slot is None:
            slot = Slot(stage=stage, date=day, period=period, key=new_slot_key(stage, day, period))
            db.session.add(slot)
        slot.title = form.title.data.strip()
        slot.kind = form.kind.data
        slot.venue_id = form.venue_id.data or None
        slot.start_time, slot.end_time = form.start_time.data, form.end_time.data
        chosen = set(form.professional_ids.data or [])
        slot.professionals = [p for p in stage.professionals if p.id in chosen]
        db.session.commit()
        flash("Créneau enregistré.", "success")
        return redirect(url_for("team.stage", stage_id=stage.id) + "#programme")
    start, end = PERIOD_HOURS[period]
    return render_template(
        "team/slot_form.html", stage=stage, day=day, period=period, slot=slot, form=form,
        delete_form=ConfirmForm(), usual_hours=f"{french_hour(start)} – {french_hour(end)}",
    )


@bp.route("/stages/<int:stage_id>/programme/<day_iso>/<period>/supprimer", methods=["POST"])
def slot_delete(stage_id: int, day_iso: str, period: str):
    """Empty a cell of the grid (its attendance goes with it)."""
    stage = stage_or_404(stage_id)
    _, slot = _cell_or_404(stage, day_iso, period)
    if ConfirmForm().validate_on_submit() and slot is not None:
        db.session.delete(slot)
        db.session.commit()
        flash(f"Créneau « {slot.title} » supprimé.", "success")
    return redirect(url_for("team.stage", stage_id=stage.id) + "#programme")


@bp.route("/stages/<int:stage_id>/professionnels", methods=["GET", "POST"])
def professionals(stage_id: int):
    """The professionals met during the stage, and a form to add one."""
    stage = stage_or_404(stage_id)
    form = ProfessionalForm()
    form.venue_id.choices = venue_choices()
    if form.validate_on_submit():
        db.session.add(Professional(
            stage=stage, role=form.role.data.strip(), venue_id=form.venue_id.data or None
        ))
        db.session.commit()
        flash("Professionnel·le ajouté·e. Reliez-le·la aux créneaux dans le programme.", "success")
        return redirect(url_for("team.professionals", stage_id=stage.id))
    return render_template("team/professionals.html", stage=stage, form=form,
                           delete_form=ConfirmForm())


@bp.route("/stages/<int:stage_id>/professionnels/<int:professional_id>", methods=["GET", "POST"])
def professional_edit(stage_id: int, professional_id: int):
    """Change a professional's role or venue."""
    stage = stage_or_404(stage_id)
    professional = in_stage_or_404(Professional, professional_id, stage)
    form = ProfessionalForm(obj=professional)
    form.venue_id.choices = venue_choices()
    if request.method == "GET":
        form.venue_id.data = professional.venue_id or 0
    if form.validate_on_submit():
        professional.role = form.role.data.strip()
        professional.venue_id = form.venue_id.data or None
        db.session.commit()
        flash("Professionnel·le enregistré·e.", "success")
        return redirect(url_for("team.professionals", stage_id=stage.id))
    return render_template("team/simple_form.html", form=form, stage=stage,
                           title="Modifier un·e professionnel·le",
                           back=url_for("team.professionals", stage_id=stage.id))


@bp.route("/stages/<int:stage_id>/professionnels/<int:professional_id>/supprimer",
          methods=["POST"])
def professional_delete(stage_id: int, professional_id: int):
    """Remove a professional from the stage (and from its slots)."""
    stage = stage_or_404(stage_id)
    professional = in_stage_or_404(Professional, professional_id, stage)
    if ConfirmForm().validate_on_submit():
        db.session.delete(professional)
        db.session.commit()
        flash("Professionnel·le retiré·e du stage.", "success")
    return redirect(url_for("team.professionals", stage_id=stage.id))
