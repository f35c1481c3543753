"""Where a stage stands and what is next (stages/overview.py), and the team's pages that show it."""
from datetime import date, timedelta

from sqlalchemy import select

from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.models import Attendance, Participant, Response, Slot, Stage
from questionnaires.stages.overview import next_step, overviews
from tests.support.factories import END, make_stage
from tests.support.queries import count_queries


def _stage_with_week(app) -> int:
    """Nadia follows Alex and Sam, Paul follows Inès; one withdrew; two half-days."""
    with app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex", "Sam", "-Zoé"],
                               "paul@example.org": ["Inès"]})
        for period in ("matin", "apres-midi"):
            db.session.add(Slot(stage_id=stage_id, key=f"k-{period}", date=END, period=period,
                                title="Atelier"))
        db.session.commit()
        return stage_id


def test_counts_of_a_stage_in_progress(app):
    stage_id = _stage_with_week(app)
    with app.app_context():
        stage = db.session.get(Stage, stage_id)
        people = {p.first_name: p for p in stage.participants}
        slot = stage.slots[0]
        for name, status in (("Alex", "present"), ("Sam", "absent"), ("Zoé", "present")):
            db.session.add(Attendance(participant_id=people[name].id, slot_id=slot.id,
                                      stage_id=stage_id, status=status))
        people["Alex"].pmsmp, people["Sam"].pmsmp = "signee", "envoyee"
        db.session.add(Response(stage_id=stage_id, participant_id=people["Alex"].id,
                                questionnaire="bilan-individuel", answers={"x": 1},
                                submitted_at=utcnow()))
        db.session.add(Response(stage_id=stage_id, participant_id=people["Sam"].id,
                                questionnaire="bilan-individuel", answers={},
                                waiting_on_tablet_since=utcnow()))
        db.session.add(Response(stage_id=stage_id, questionnaire="bilan-collectif", answers={}))
        db.session.commit()

        found = overviews([stage])[stage_id]
        # Zoé withdrew before the start: she counts nowhere, not even her attendance mark.
        assert (found.enrolled, found.slots, found.cells, found.marks) == (3, 2, 6, 2)
        assert (found.bilans_sent, found.bilans_waiting, found.collective) == (1, 1, "brouillon")
        assert found.pmsmp == {"signee": 1, "envoyee": 1, "a_faire": 1} and found.pmsmp_open == 2
        assert (found.followed, found.answered, found.invitations) == (3, 0, 0)
        assert found.followup_due == date(2031, 2, 26)

        # The day of the stage: attendance first. Afterwards, the bilans waiting on a tablet.
        assert next_step(found, END) == ("Noter les présences : 2 cases sur 6.", "attendance")
        text, section = next_step(found, END + timedelta(days=1))
        assert section == "bilans" and "en attente sur une tablette" in text


def test_next_step_follows_the_stage_through_its_life(app):
    stage_id = _stage_with_week(app)
    with app.app_context():
        stage = db.session.get(Stage, stage_id)
        found = overviews([stage])[stage_id]
        before = END - timedelta(days=10)
        assert next_step(found, before) == ("Inscrire les participants : 3 sur 50 places.",
                                            "participants")
        after = END + timedelta(days=1)
        assert next_step(found, after) == ("Recevoir les bilans individuels : 0 sur 3.", "bilans")
        found.bilans_sent = 3
        assert next_step(found, after) == ("Remplir et valider le bilan collectif.", "collective")
        found.collective = "validé"
        assert next_step(found, after)[1] == "participants"  # three PMSMP still to do
        found.pmsmp = {"sans_objet": 3}
        assert next_step(found, after) == ("Suivi des référents prévu le 26/02/2031.",
                                           "followups")
        due = date(2031, 2, 26)
        assert next_step(found, due)[0] == ("Suivi des référents : réponses pour 0 personne(s) "
                                            "sur 3.")
        found.answered = 3
        assert next_step(found, due) == ("Tout est fait pour ce stage.", None)


def test_the_list_reads_the_same_number_of_queries_for_one_stage_or_many(app):
    first = _stage_with_week(app)
    with app.app_context():
        stages = [db.session.get(Stage, first)]
    with count_queries(app) as one:
        overviews(stages)
    with app.app_context():
        for n in range(5):
            make_stage({f"r{n}@example.org": ["A", "B"]}, title=f"Stage {n}")
        many = db.session.scalars(select(Stage)).all()
        assert len(many) == 6
    with count_queries(app) as six:
        found = overviews(many)
    assert (one["n"], six["n"]) == (8, 8)
    assert {o.enrolled for o in found.values()} == {2, 3}


def test_stage_list_and_first_page_say_what_is_next_with_links(team):
    listing = team.get("/equipe/stages").get_data(as_text=True)
    assert "Où en est-on ?" in listing
    assert "Recevoir les bilans individuels : 0 sur 8." in listing
    assert 'href="/equipe/stages/2/bilans">Bilans 0/8</a>' in listing
    page = team.get("/equipe/stages/2").get_data(as_text=True)
    assert "Où en est le stage ?" in page
    assert '<a href="/equipe/stages/2/bilans">Recevoir les bilans individuels : 0 sur 8.</a>' in page
    for fact in ("0 / 8 envoyés", "cases notées", "Bilan collectif", "Conventions PMSMP",
                 "prévu le 27/02/2027"):
        assert fact in page, fact
    # The programme is still there, below the summary.
    assert page.index("Où en est le stage ?") < page.index('id="programme"')
    with team.application.app_context():
        assert db.session.scalar(select(Participant.id).where(Participant.stage_id == 2))
