"""The attendance summary on each participant row follows every write it depends on."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.models import Attendance, Participant, Slot, Stage
from questionnaires.stages.attendance import refresh_attendance_summary
from tests.support.forms import post_form


def _from_marks() -> dict[int, tuple[bool, bool, bool]]:
    """The summary recomputed in Python from every attendance mark."""
    marks = db.session.execute(
        select(Attendance.participant_id, Attendance.status, Slot.kind, Slot.date, Stage.end_date)
        .join(Slot, Slot.id == Attendance.slot_id).join(Stage, Stage.id == Slot.stage_id)).all()
    summary = {p: [False, False, False] for p in db.session.scalars(select(Participant.id))}
    for person, status, kind, day, last_day in marks:
        flags = summary[person]
        flags[0] |= kind == "sortie_culturelle" and status == "present"
        flags[1] |= day == last_day and status == "present"
        flags[2] |= day == last_day
    return {p: tuple(flags) for p, flags in summary.items()}


def _stored() -> dict[int, tuple[bool, bool, bool]]:
    rows = db.session.execute(select(Participant.id, Participant.went_out,
                                     Participant.present_last_day, Participant.marked_last_day))
    return {row[0]: tuple(bool(v) for v in row[1:]) for row in rows}


def _assert_in_step():
    db.session.expire_all()
    assert _stored() == _from_marks()


def test_the_imported_demo_has_its_summary(demo):
    with demo.app_context():
        _assert_in_step()
        assert sum(flags[0] for flags in _stored().values() if flags) >= 9  # 9 of 10 went out in 2021


def test_a_mark_set_in_the_attendance_grid_updates_the_summary(demo, team):
    with demo.app_context():
        last_day = select(Slot.id).join(Stage).where(Stage.id == 1, Slot.date == Stage.end_date)
        slot_ids = list(db.session.scalars(last_day))
        person_id = db.session.scalar(select(Participant.id).where(Participant.stage_id == 1,
                                                                   Participant.present_last_day))

    def mark_last_day(status: str) -> tuple[bool, bool]:
        for slot_id in slot_ids:
            response = post_form(team, "/equipe/stages/1/presences",
                                 {"cell": f"{person_id}:{slot_id}:{status}"},
                                 headers={"Accept": "application/json"})
            assert response.status_code == 200, response.get_data(as_text=True)
        with demo.app_context():
            _assert_in_step()
            person = db.session.get(Participant, person_id)
            return person.present_last_day, person.marked_last_day

    assert mark_last_day("absent") == (False, True)
    assert mark_last_day("") == (False, False)  # no mark: "non renseigné"
    assert mark_last_day("present") == (True, True)


def test_slot_and_stage_changes_through_the_orm_update_the_summary(demo):
    with demo.app_context():
        outing = db.session.scalar(select(Slot).where(Slot.stage_id == 1,
                                                      Slot.kind == "sortie_culturelle"))
        outing.kind = "visite"
        db.session.commit()
        _assert_in_step()
        stage = db.session.get(Stage, 1)
        stage.end_date = stage.end_date - timedelta(days=1)  # another day becomes the last one
        db.session.commit()
        _assert_in_step()
        db.session.delete(db.session.scalar(select(Slot).where(Slot.stage_id == 1,
                                                               Slot.date == stage.end_date)))
        db.session.commit()
        _assert_in_step()


def test_bulk_updates_and_deletes_recompute_every_summary(demo):
    with demo.app_context():
        db.session.execute(db.update(Attendance).values(status="absent"))
        db.session.commit()
        _assert_in_step()
        assert not any(flags[0] or flags[1] for flags in _stored().values())
        db.session.execute(db.delete(Attendance).where(Attendance.stage_id == 1))
        db.session.commit()
        _assert_in_step()


@pytest.mark.parametrize("seed", range(3))
def test_random_marks_keep_the_summary_in_step(demo, seed):
    """Random sequences of marks set, changed and removed, flushed in random batches."""
    rng = random.Random(seed)
    with demo.app_context():
        slots = db.session.execute(select(Slot.id, Slot.stage_id)).all()
        people = db.session.execute(select(Participant.id, Participant.stage_id)).all()
        for _ in range(40):
            person, stage_id = rng.choice(people)
            slot_id = rng.choice([s for s, st in slots if st == stage_id])
            row = db.session.get(Attendance, (person, slot_id))
            status = rng.choice(["present", "absent", "excuse", None])
            if status is None and row is not None:
                db.session.delete(row)
            elif status and row is None:
                db.session.add(Attendance(participant_id=person, slot_id=slot_id,
                                          stage_id=stage_id, status=status))
            elif status:
                row.status = status
            if rng.random() < 0.3:
                db.session.commit()
                _assert_in_step()
        db.session.commit()
        _assert_in_step()


def test_refresh_presence_repairs_rows_written_around_the_orm(demo):
    with demo.app_context():
        db.session.connection().execute(db.update(Participant.__table__).values(went_out=False))
        assert _stored() != _from_marks()
        refresh_attendance_summary(db.session)
        db.session.commit()
        _assert_in_step()
