"""The model's constraints make impossible states unstorable, in the database itself."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from questionnaires.extensions import db
from questionnaires.models import (
    Attendance,
    Participant,
    Referent,
    Response,
    Slot,
    Stage,
    Structure,
    Venue,
)


def _stage(**overrides) -> Stage:
    values = dict(title="Stage test", theme="test", start_date=date(2024, 3, 4),
                  end_date=date(2024, 3, 8))
    return Stage(**{**values, **overrides})


def _rejected(app, *objects) -> None:
    """Adding `objects` must fail in the database."""
    with app.app_context():
        db.session.add_all(objects)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_defaults(app):
    with app.app_context():
        stage = _stage()
        db.session.add(stage)
        db.session.commit()
        assert (stage.capacity, stage.followup_months) == (10, 3)
        person = Participant(stage=stage, first_name="Léa")
        db.session.add(person)
        db.session.commit()
        assert (person.gender, person.qpv, person.status, person.pmsmp) == \
            ("X", "inconnu", "inscrit", "a_faire")


@pytest.mark.parametrize("overrides", [
    {"end_date": date(2024, 3, 1)}, {"capacity": 0}, {"capacity": 101},
    {"followup_months": 0}, {"title": "  "},
])
def test_stage_checks(app, overrides):
    _rejected(app, _stage(**overrides))


@pytest.mark.parametrize("field, value", [
    ("gender", "M"), ("qpv", "peut-être"), ("status", "parti"), ("pmsmp", "faite"), ("first_name", ""),
])
def test_participant_value_sets(app, field, value):
    with app.app_context():
        stage = _stage()
        db.session.add(stage)
        db.session.commit()
        stage_id = stage.id
    _rejected(app, Participant(**{"stage_id": stage_id, "first_name": "Léa", field: value}))


def test_slot_kind_period_and_one_per_cell(app):
    with app.app_context():
        stage = _stage()
        db.session.add(stage)
        db.session.commit()
        stage_id = stage.id
    cell = dict(stage_id=stage_id, date=date(2024, 3, 4), title="Visite")
    _rejected(app, Slot(key="a", period="nuit", kind="visite", **cell))
    _rejected(app, Slot(key="a", period="matin", kind="fete", **cell))
    _rejected(app, Slot(key="a", period="matin", kind="visite", **cell),
              Slot(key="b", period="matin", kind="visite", **cell))


def test_attendance_cannot_cross_stages(app):
    with app.app_context():
        one, two = _stage(), _stage(title="Autre")
        slot = Slot(stage=two, key="lun-am", date=date(2024, 3, 4), period="matin",
                    title="Accueil", kind="atelier")
        person = Participant(stage=one, first_name="Léa")
        db.session.add_all([one, two, slot, person])
        db.session.commit()
        for stage_id in (one.id, two.id):
            with pytest.raises(IntegrityError):
                db.session.execute(insert(Attendance).values(
                    participant_id=person.id, slot_id=slot.id, stage_id=stage_id,
                    status="present"))
            db.session.rollback()


def test_attendance_status_value_set(app):
    with app.app_context():
        stage = _stage()
        slot = Slot(stage=stage, key="lun-am", date=date(2024, 3, 4), period="matin",
                    title="Accueil", kind="atelier")
        person = Participant(stage=stage, first_name="Léa")
        db.session.add_all([stage, slot, person])
        db.session.commit()
        ids = dict(participant_id=person.id, slot_id=slot.id, stage_id=stage.id)
    _rejected(app, Attendance(status="en retard", **ids))


def test_referent_email_must_be_lowercase_and_unique(app):
    with app.app_context():
        structure = Structure(name="Mission locale")
        db.session.add(structure)
        db.session.commit()
        structure_id = structure.id
    _rejected(app, Referent(name="A", email="Nadia@Example.org", structure_id=structure_id))
    _rejected(app, Referent(name="A", email="nadia@example.org", structure_id=structure_id),
              Referent(name="B", email="nadia@example.org", structure_id=structure_id))


def test_venue_unique_by_name_and_city(app):
    _rejected(app, Venue(name="Anis Gras", city="Arcueil"), Venue(name="Anis Gras", city="Arcueil"))


def _people(app):
    with app.app_context():
        stage = _stage()
        structure = Structure(name="PLIE")
        referent = Referent(name="Nadia", email="nadia@example.org", structure=structure)
        person = Participant(stage=stage, first_name="Léa", referent=referent)
        db.session.add_all([stage, structure, referent, person])
        db.session.commit()
        return stage.id, person.id, referent.id


def test_response_shapes_follow_the_questionnaire(app):
    stage_id, person_id, referent_id = _people(app)
    _rejected(app, Response(stage_id=stage_id, questionnaire="bilan-individuel"))
    _rejected(app, Response(stage_id=stage_id, questionnaire="bilan-collectif",
                            participant_id=person_id))
    # A part A may come from the team (no referent); a part B never does
    _rejected(app, Response(stage_id=stage_id, questionnaire="suivi-referent"))
    _rejected(app, Response(stage_id=stage_id, questionnaire="autre"))
    _rejected(app, Response(stage_id=stage_id, questionnaire="bilan-collectif", version=0))


def test_one_response_per_participant_collective_and_referent(app):
    stage_id, person_id, referent_id = _people(app)
    individual = dict(stage_id=stage_id, questionnaire="bilan-individuel", participant_id=person_id)
    _rejected(app, Response(**individual), Response(**individual))
    collective = dict(stage_id=stage_id, questionnaire="bilan-collectif")
    _rejected(app, Response(**collective), Response(**collective))
    part_b = dict(stage_id=stage_id, questionnaire="suivi-referent", referent_id=referent_id)
    _rejected(app, Response(**part_b), Response(**part_b))
    team = dict(stage_id=stage_id, questionnaire="suivi-referent", participant_id=person_id)
    _rejected(app, Response(**team), Response(**team))  # the team's own answer: one per person
    with app.app_context():
        db.session.add_all([Response(**individual), Response(**collective), Response(**part_b),
                            Response(**part_b, participant_id=person_id), Response(**team)])
        db.session.commit()


def test_submitted_at_comes_back_aware_in_utc(app):
    stage_id, person_id, _ = _people(app)
    with app.app_context():
        moment = datetime(2021, 12, 1, 10, 12, tzinfo=timezone.utc)
        response = Response(stage_id=stage_id, questionnaire="bilan-individuel",
                            participant_id=person_id, submitted_at=moment, answers={"a": 1})
        db.session.add(response)
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Response, response.id).submitted_at == moment
        assert db.session.get(Response, response.id).is_submitted


def test_deleting_a_stage_removes_its_content(demo):
    with demo.app_context():
        db.session.delete(db.session.get(Stage, 1))
        db.session.commit()
        for model in (Participant, Slot, Attendance, Response):
            assert db.session.query(model).filter_by(stage_id=1).count() == 0


def test_sqlite_files_use_the_write_ahead_log_and_foreign_keys(app):
    """WAL: one fsync per commit and readers that never wait for a writer (bench/README.md)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
