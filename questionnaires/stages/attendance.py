"""Each participant's attendance summary, kept on the participant row for the impact table.

The impact table needs three facts per person: present at a cultural outing, present on the
stage's last day, marked at all on the last day. Aggregating every attendance mark for them
was a third of the across-stages table's time (bench/README.md), so they are stored on
`participant` and recomputed, in the same transaction, whenever a flush touches what they
depend on: an attendance mark, a slot (its kind or date) or a stage (its last day).

An ORM-enabled bulk UPDATE or DELETE of those tables (`session.execute(update(Slot)…)`) cannot
say which stages it touched: every summary is recomputed after it. Writes that bypass the
session altogether (bulk `insert()` in the benchmark) call `refresh_attendance_summary` themselves.
"""
from itertools import chain

from sqlalchemy import and_, event, exists, select, update
from sqlalchemy.orm import Session

from questionnaires.models import Attendance, Participant, Slot, Stage


def _marked(*conditions):
    """Whether the participant has an attendance mark at a slot meeting `conditions`."""
    return exists().where(Attendance.participant_id == Participant.id,
                          Slot.id == Attendance.slot_id, *conditions)


def _on_last_day():
    last_day = select(Stage.end_date).where(Stage.id == Slot.stage_id).scalar_subquery()
    return Slot.date == last_day


def refresh_attendance_summary(session: Session, stage_ids=None) -> None:
    """Recompute the summary of the participants of `stage_ids` (ids or a select; None: all)."""
    present = Attendance.status == "present"
    statement = update(Participant)
    if stage_ids is not None:
        statement = statement.where(Participant.stage_id.in_(stage_ids))
    session.connection().execute(
        statement.values(
            went_out=_marked(Slot.kind == "sortie_culturelle", present),
            present_last_day=_marked(and_(_on_last_day(), present)),
            marked_last_day=_marked(_on_last_day()),
        ).execution_options(synchronize_session=False))


def _touched_stages(session: Session) -> set[int]:
    stage_ids = set()
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, (Attendance, Slot)):
            stage_ids.add(row.stage_id)
        elif isinstance(row, Stage) and row.id is not None:
            stage_ids.add(row.id)
    stage_ids.discard(None)
    return stage_ids


@event.listens_for(Session, "after_flush")
def _refresh_after_flush(session: Session, flush_context) -> None:
    """After a flush that wrote marks, slots or stages, bring their participants' summary in step."""
    stage_ids = _touched_stages(session)
    if stage_ids:
        refresh_attendance_summary(session, sorted(stage_ids))


@event.listens_for(Session, "do_orm_execute")
def _refresh_after_bulk_write(state) -> object:
    """A bulk UPDATE/DELETE of marks, slots or stages: recompute every summary afterwards."""
    if not (state.is_update or state.is_delete):
        return None
    if not any(mapper.class_ in (Attendance, Slot, Stage) for mapper in state.all_mappers):
        return None
    result = state.invoke_statement()
    refresh_attendance_summary(state.session)
    return result
