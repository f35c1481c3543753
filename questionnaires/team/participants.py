"""Participants of a stage: list, add, edit, remove; capacity enforced."""
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wtforms.fields.choices import SelectChoice

from questionnaires import clock
from questionnaires.stages.enrolment import capacity_message
from questionnaires.stages.evening_mails import plan_for
from questionnaires.stages.week import latest_calls
from questionnaires.extensions import db
from questionnaires.models import Participant, Referent, Stage, Structure
from questionnaires.privacy.anonymise import register_erasure
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ConfirmForm, ParticipantForm
from questionnaires.team.lookup import in_stage_or_404, stage_or_404


def referent_choices() -> list[SelectChoice]:
    """Referents grouped by structure, as the team thinks of them ("picked from the structures")."""
    structures = db.session.scalars(select(Structure).order_by(Structure.name)).all()
    return [SelectChoice(0, "— Aucun·e référent·e —")] + [
        SelectChoice(r.id, r.name, optgroup=s.name) for s in structures for r in s.referents
    ]


def _save(form: ParticipantForm, participant: Participant) -> None:
    """Copy the form into the participant, normalising blanks to None.

    An anonymised person's identity stays erased: only the coded facts can still be corrected.
    """
    if participant.anonymised_at is None:
        participant.first_name = form.first_name.data.strip()
        participant.last_name = (form.last_name.data or "").strip() or None
        participant.birth_date = form.birth_date.data
        participant.city = (form.city.data or "").strip() or None
        participant.phone = form.phone.data or None
        participant.email = form.email.data or None
    participant.gender = form.gender.data
    participant.qpv = form.qpv.data
    participant.referent_id = form.referent_id.data or None
    participant.status = form.status.data
    participant.pmsmp = form.pmsmp.data


def _form(stage: Stage, participant: Participant | None) -> ParticipantForm:
    form = ParticipantForm(obj=participant)
    form.referent_id.choices = referent_choices()
    if request.method == "GET" and participant is not None:
        form.referent_id.data = participant.referent_id or 0
    return form


def _full(stage: Stage, form: ParticipantForm, participant: Participant | None) -> bool:
    """Whether saving would exceed capacity; the message goes next to the status."""
    if form.status.data == "desiste":
        return False
    message = capacity_message(stage, excluding=participant)
    if message:
        form.status.errors.append(message)
    return message is not None


@bp.route("/stages/<int:stage_id>/participants")
def participants(stage_id: int):
    """The stage's participants with their referent and convention."""
    stage = stage_or_404(stage_id)
    people = db.session.scalars(
        select(Participant).where(Participant.stage_id == stage.id).order_by(Participant.id)
        .options(selectinload(Participant.referent).selectinload(Referent.structure))).all()
    return render_template("team/participants.html", stage=stage, people=people,
                           delete_form=ConfirmForm(), calls=latest_calls(stage))


@bp.route("/stages/<int:stage_id>/participants/nouveau", methods=["GET", "POST"])
def participant_new(stage_id: int):
    """Enrol a participant, within the stage's capacity."""
    stage = stage_or_404(stage_id)
    form = _form(stage, None)
    if request.method == "GET" and (message := capacity_message(stage)):
        flash(message, "warning")
    if form.validate_on_submit() and not _full(stage, form, None):
        participant = Participant(stage=stage)
        _save(form, participant)
        db.session.add(participant)
        db.session.commit()
        plan_for(participant, clock.utcnow())
        flash(f"{participant.display_name} est inscrit·e au stage.", "success")
        return redirect(url_for("team.participants", stage_id=stage.id))
    return render_template("team/participant_form.html", stage=stage, form=form,
                           participant=None)


@bp.route("/stages/<int:stage_id>/participants/<int:participant_id>", methods=["GET", "POST"])
def participant_edit(stage_id: int, participant_id: int):
    """Edit a participant; re-enrolling someone who had withdrawn checks capacity again."""
    stage = stage_or_404(stage_id)
    participant = in_stage_or_404(Participant, participant_id, stage)
    form = _form(stage, participant)
    if form.validate_on_submit() and not _full(stage, form, participant):
        _save(form, participant)
        db.session.commit()
        plan_for(participant, clock.utcnow())  # an "abandon" stops the evening messages now
        flash(f"Fiche de {participant.display_name} enregistrée.", "success")
        return redirect(url_for("team.participants", stage_id=stage.id))
    return render_template("team/participant_form.html", stage=stage, form=form,
                           participant=participant)


@bp.route("/stages/<int:stage_id>/participants/<int:participant_id>/supprimer",
          methods=["GET", "POST"])
def participant_delete(stage_id: int, participant_id: int):
    """Remove a participant and everything about them, after a confirmation."""
    stage = stage_or_404(stage_id)
    participant = in_stage_or_404(Participant, participant_id, stage)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = participant.display_name
        # Kept in the erasure register, so a backup restore does not bring the person back
        register_erasure("participant_deleted", participant.id, clock.utcnow())
        db.session.delete(participant)
        db.session.commit()
        flash(f"{name} a été retiré·e du stage.", "success")
        return redirect(url_for("team.participants", stage_id=stage.id))
    return render_template("team/participant_delete.html", stage=stage,
                           participant=participant, form=form)
