"""The demo's 2021 stage holds the raw data behind the report's "Bilan chiffré"."""
from datetime import date, timedelta

from sqlalchemy import select

from questionnaires.demo import read, sport_archive
from questionnaires.extensions import db
from questionnaires.models import Attendance, Response, Stage
from tests.support.system import SEED

#: The first names the seed report publishes with their testimonies (issue 13: the demo's 2021
#: stage reproduces the seed, names included); nowhere else, and never with anything else
REPORT_NAMES = {"Brigitte", "Ella-Sue", "Mikael", "Fabien", "Cyril", "Soufiane"}


def _answers(stage):
    return {r.participant_id: r.answers for r in stage.responses
            if r.questionnaire == "bilan-individuel" and r.is_submitted}


def test_demo_2021_reproduces_the_report_counts(demo):
    with demo.app_context():
        stage = db.session.get(Stage, 1)
        assert stage.title == "Métiers de l'accueil et de la billetterie"
        people = stage.enrolled
        ages = [p.age_on(stage.start_date) for p in people]
        assert len(people) == 10
        assert sum(p.gender == "H" for p in people) == 6
        assert sum(p.gender == "F" for p in people) == 4
        assert (min(ages), max(ages)) == (18, 60)
        assert sum(age < 26 for age in ages) == 6
        assert sum(p.qpv in ("oui", "veille") for p in people) == 6
        assert len({p.referent.structure_id for p in people}) == 8
        assert len({s.venue_id for s in stage.slots if s.venue and s.venue.kind == "culturel"}) == 4
        assert len({pro.id for s in stage.slots for pro in s.professionals}) == 10

        present = {(a.participant_id, a.slot_id) for a in db.session.scalars(
            select(Attendance).where(Attendance.stage_id == stage.id,
                                     Attendance.status == "present"))}
        outings = [s.id for s in stage.slots if s.kind == "sortie_culturelle"]
        last_day = [s.id for s in stage.slots if s.date == stage.end_date]
        assert len(outings) == 2
        assert sum(any((p.id, s) in present for s in outings) for p in people) == 9

        answers = _answers(stage)
        assert len(answers) == 10
        stayed = [p for p in people if any((p.id, s) in present for s in last_day)]
        assert sum(answers[p.id]["satisfaction_globale"] >= 3 for p in stayed) == 9
        assert sum(a["projet_plus_precis"] == "oui" for a in answers.values()) == 7
        assert sum(a["isolement_rompu"] == "oui" for a in answers.values()) == 4
        assert sum(a["experience_groupe"] == "oui" and a["demarche_active"] == "oui"
                   for a in answers.values()) == 10


def test_demo_programme_is_the_printed_calendar(demo):
    with demo.app_context():
        stage = db.session.get(Stage, 1)
        cells = {(s.date.isoformat(), s.period): s for s in stage.slots}
        assert len(cells) == 11
        evening = cells[("2021-11-23", "soiree")]
        assert "cirque" in evening.title.lower() and evening.kind == "sortie_culturelle"
        assert cells[("2021-11-22", "matin")].venue.name == "Théâtre Jacques Carat"
        assert cells[("2021-11-23", "matin")].venue.name == "Cité des Métiers"
        assert cells[("2021-11-23", "matin")].venue.kind == "autre"
        assert cells[("2021-11-26", "apres-midi")].kind == "bilan"


def test_demo_participants_are_fictional_but_the_seeds_published_testimonies(demo):
    """The seed's six first names appear in the 2021 stage only, each on the testimony the seed
    publishes with it; everybody else, and every referent, is invented."""
    with demo.app_context():
        for stage in db.session.scalars(select(Stage)):
            for person in stage.participants:
                if person.first_name in REPORT_NAMES:
                    assert stage.start_date.year == 2021
                    bilan = db.session.scalar(select(Response).where(
                        Response.participant_id == person.id,
                        Response.questionnaire == "bilan-individuel"))
                    assert bilan.answers["consentement_publication"] is True
                    assert bilan.answers["temoignage"] in SEED.read_text(encoding="utf-8")
                if person.referent:
                    assert person.referent.email.endswith("@example.org")
        named = db.session.scalars(select(Response.participant_id).where(
            Response.questionnaire == "bilan-individuel", Response.stage_id == 1)).all()
        assert len(named) == 10


def test_demo_has_collective_bilan_and_followups(demo):
    with demo.app_context():
        kinds = [r.questionnaire for r in db.session.scalars(
            select(Response).where(Response.stage_id == 1))]
        assert kinds.count("bilan-collectif") == 1
        assert kinds.count("suivi-referent") > 0


def test_sport_stage_ends_a_few_days_before_loading():
    for offset in range(14):
        today = date(2026, 11, 27) + timedelta(days=offset)
        archive = sport_archive(today)
        end = date.fromisoformat(archive["stage"]["end"])
        assert 4 <= (today - end).days <= 10
        assert end.weekday() == date.fromisoformat(read("stage-sport.json")["stage"]["end"]).weekday()
        assert all(archive["stage"]["start"] <= s["date"] <= archive["stage"]["end"]
                   for s in archive["slots"])


def test_demo_link_opens_a_recent_participants_bilan(demo):
    output = demo.test_cli_runner().invoke(args=["demo", "link"]).output
    assert "Métiers du sport" in output
    path = output.strip().split("http://127.0.0.1:5000")[1]
    response = demo.test_client().get(path)
    assert response.status_code == 302 and "/bilan/etape/" in response.headers["Location"]


def test_demo_load_refuses_a_database_that_has_stages(demo):
    output = demo.test_cli_runner().invoke(args=["demo", "load"]).output
    assert "déjà des stages" in output
    with demo.app_context():
        assert db.session.scalar(select(db.func.count(Stage.id))) == 2
