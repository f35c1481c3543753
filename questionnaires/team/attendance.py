"""The week's attendance grid: one tap per cell, on a tablet."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.models import Attendance, Participant, Slot
from questionnaires.models.values import ATTENDANCE
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ConfirmForm
from questionnaires.team.lookup import stage_or_404

#: Tapping a cell moves it along this cycle; "" is "not recorded".
CYCLE = ["", "present", "absent", "excuse"]


def next_status(current: str | None) -> str:
    """The status a tap gives after `current`."""
    return CYCLE[(CYCLE.index(current or "") + 1) % len(CYCLE)]


@bp.route("/stages/<int:stage_id>/presences")
def attendance(stage_id: int):
    """Participants × slots; each cell shows and changes one attendance."""
    stage = stage_or_404(stage_id)
    rows = db.session.scalars(select(Attendance).where(Attendance.stage_id == stage.id)).all()
    marks = {(a.participant_id, a.slot_id): a.status for a in rows}
    people = [p for p in stage.participants if p.status != "desiste"]
    return render_template(
        "team/attendance.html", stage=stage, people=people, marks=marks,
        next_status=next_status, form=ConfirmForm(),
    )


def _set(stage_id: int, participant_id: int, slot_id: int, status: str) -> None:
    """Record one cell; an empty status removes the record (back to unknown)."""
    row = db.session.get(Attendance, (participant_id, slot_id))
    if not status:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(Attendance(participant_id=participant_id, slot_id=slot_id,
                                  stage_id=stage_id, status=status))
    else:
        row.status = status


@bp.route("/stages/<int:stage_id>/presences", methods=["POST"])
def attendance_set(stage_id: int):
    """Set one cell ("cell" = participant:slot:status) or a whole column ("column" = slot)."""
    stage = stage_or_404(stage_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    error = None
    if not ConfirmForm().validate_on_submit():
        error = "La page a expiré. Rechargez-la puis recommencez."
    elif "column" in request.form:
        error = fill_column(stage, request.form["column"])
    else:
        error = set_cell(stage, request.form.get("cell", ""))
    if error:
        db.session.rollback()
        if wants_json:
            return jsonify(error=error), 400
        flash(error, "error")
    else:
        db.session.commit()
        if wants_json:
            return jsonify(ok=True)
    return redirect(url_for("team.attendance", stage_id=stage.id))


def set_cell(stage, cell: str) -> str | None:
    """Parse and apply "participant:slot:status"; a French error if it names nothing valid."""
    parts = cell.split(":")
    if len(parts) != 3 or not is_id(parts[0]) or not is_id(parts[1]):
        return "Case de présence invalide. Rechargez la page."
    participant_id, slot_id, status = int(parts[0]), int(parts[1]), parts[2]
    participant = db.session.get(Participant, participant_id)
    slot = db.session.get(Slot, slot_id)
    if (status and status not in ATTENDANCE) or participant is None or slot is None \
            or participant.stage_id != stage.id or slot.stage_id != stage.id:
        return "Case de présence invalide. Rechargez la page."
    _set(stage.id, participant_id, slot_id, status)
    return None


def is_id(text: str) -> bool:
    """Plain ASCII digits of a sane length ("²".isdigit() is True, and int() refuses it)."""
    return text.isascii() and text.isdigit() and len(text) <= 12


def fill_column(stage, slot_value: str) -> str | None:
    """Mark "present" everyone of a slot who has no mark yet."""
    slot = db.session.get(Slot, int(slot_value)) if is_id(slot_value) else None
    if slot is None or slot.stage_id != stage.id:
        return "Créneau invalide. Rechargez la page."
    marked = set(db.session.scalars(
        select(Attendance.participant_id).where(Attendance.slot_id == slot.id)
    ))
    for person in stage.participants:
        if person.status != "desiste" and person.id not in marked:
            _set(stage.id, person.id, slot.id, "present")
    return None
