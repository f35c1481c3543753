""""Aujourd'hui": the half-day of the moment on a phone, one tap per person, absences to call."""
from zoneinfo import ZoneInfo

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import Length

from questionnaires import clock
from questionnaires.extensions import db
from questionnaires.models import Attendance, Participant, Slot
from questionnaires.stages.week import flags_to_show, is_past, note_call, slot_of_the_moment
from questionnaires.team.attendance import fill_column, is_id, set_cell
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ConfirmForm
from questionnaires.team.lookup import in_stage_or_404, stage_or_404
from questionnaires.web.filters import label, long_date
from questionnaires.web.forms import FrenchForm

#: Where the call form sends the team back: the page it was filled on
RETURNS = {"aujourdhui": "team.today", "stage": "team.stage", "participants": "team.participants"}


class CallForm(FrenchForm):
    note = StringField("Ce qu'il ou elle a dit (facultatif)", validators=[Length(max=200)])


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _chosen_slot(stage) -> Slot | None:
    """The slot named by ?creneau=ID, else the one of the moment."""
    wanted = request.args.get("creneau", type=int)
    slot = next((s for s in stage.slots if s.id == wanted), None) if wanted else None
    return slot or slot_of_the_moment(stage.slots, clock.utcnow(), _zone())


@bp.route("/stages/<int:stage_id>/aujourdhui")
def today(stage_id: int):
    """The half-day of the moment (or the one asked for): where, when, who; one tap per person."""
    stage = stage_or_404(stage_id)
    slot = _chosen_slot(stage)
    marks = {}
    if slot is not None:
        marks = {a.participant_id: a.status for a in db.session.scalars(
            select(Attendance).where(Attendance.slot_id == slot.id))}
    slots = stage.slots
    index = slots.index(slot) if slot is not None else 0
    now = clock.utcnow()
    flags = flags_to_show(stage, clock.today())
    return render_template(
        "team/today.html", stage=stage, slot=slot, marks=marks, now=now,
        people=[p for p in stage.participants if p.status != "desiste"],
        previous=slots[index - 1] if slot is not None and index > 0 else None,
        following=slots[index + 1] if slot is not None and index + 1 < len(slots) else None,
        past=slot is not None and is_past(slot, now, _zone()), flags=flags,
        flagged={f.participant.id for f in flags}, form=ConfirmForm(), call_form=CallForm(),
    )


def _what_was_marked(cell: str, now) -> str:
    """"Alex : absent·e — lundi 22 novembre 2021, matin", and whether it was marked late."""
    participant_id, slot_id, status = cell.split(":")
    person = db.session.get(Participant, int(participant_id))
    slot = db.session.get(Slot, int(slot_id))
    what = label(status, "ATTENDANCE").lower() if status else "non noté·e"
    text = f"{person.display_name} : {what} — {long_date(slot.date)}, " \
           f"{label(slot.period, 'PERIODS').lower()}"
    if is_past(slot, now, _zone()):
        text += " (créneau passé : noté après coup)"
    return text + "."


@bp.route("/stages/<int:stage_id>/aujourdhui", methods=["POST"])
def today_mark(stage_id: int):
    """Mark one person ("cell" = participant:slot:status) or everyone not yet noted ("column")."""
    stage = stage_or_404(stage_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    cell, column = request.form.get("cell", ""), request.form.get("column")
    if not ConfirmForm().validate_on_submit():
        error = "La page a expiré. Rechargez-la puis recommencez."
    elif column is not None:
        error = fill_column(stage, column)
    else:
        error = set_cell(stage, cell)
    raw_slot = column if column is not None else (cell.split(":") + ["", ""])[1]
    back = url_for("team.today", stage_id=stage.id,
                   creneau=int(raw_slot) if is_id(raw_slot) else None)
    if error:
        db.session.rollback()
        if wants_json:
            return jsonify(error=error), 400
        flash(error, "error")
        return redirect(back)
    db.session.commit()
    message = _what_was_marked(cell, clock.utcnow()) if column is None \
        else "Tout le monde non noté est marqué présent·e."
    if wants_json:
        return jsonify(ok=True, message=message, flagged=sorted(
            f.participant.id for f in flags_to_show(stage, clock.today())))
    flash(message, "success")
    anchor = f"p-{cell.split(':')[0]}" if column is None else None
    return redirect(back + (f"#{anchor}" if anchor else ""))


@bp.route("/stages/<int:stage_id>/absences/<int:participant_id>/appel", methods=["POST"])
def absence_call(stage_id: int, participant_id: int):
    """Note that the team called a participant about their absences, with a short comment."""
    stage = stage_or_404(stage_id)
    participant = in_stage_or_404(Participant, participant_id, stage)
    form = CallForm()
    endpoint = RETURNS.get(request.form.get("retour", ""), "team.stage")
    back = url_for(endpoint, stage_id=stage.id)
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors)
              or "La page a expiré. Rechargez-la puis recommencez.", "error")
        return redirect(back)
    note = (form.note.data or "").strip() or None
    if note_call(stage, participant, clock.utcnow(), note):
        db.session.commit()
        flash(f"Appel à {participant.display_name} noté.", "success")
    else:
        flash(f"{participant.display_name} n'a plus d'absences de suite à signaler : rien à "
              "noter.", "info")
    return redirect(back)
