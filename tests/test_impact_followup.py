"""The follow-up's figures count people: handovers, observations, team answers, projects realised."""
from datetime import date, datetime, timezone

import pytest

from questionnaires.extensions import db
from questionnaires.followups.team_answers import record, unreachable
from questionnaires.impact.figures import FOLLOWUP_KEYS, stage_table
from questionnaires.impact.totals import across_stages
from questionnaires.models import Participant, Referent, Response, Stage, Structure, User

TODAY = date(2026, 11, 27)
FEB = datetime(2025, 2, 10, 9, tzinfo=timezone.utc)
MARCH = datetime(2025, 3, 10, 9, tzinfo=timezone.utc)
FULL = {"nouvelles": "oui", "apport_stage": 3, "confiance_observee": 3, "mobilite_observee": 3}


@pytest.fixture
def world(app):
    """One stage (ended 29/11/2024, due 28/02/2025), two referents, one team account."""
    with app.app_context():
        structure = Structure(name="Mission locale")
        a = Referent(name="Nadia A", email="a@example.org", structure=structure)
        b = Referent(name="Paul B", email="b@example.org", structure=structure)
        stage = Stage(title="Suivi", theme="test", start_date=date(2024, 11, 25),
                      end_date=date(2024, 11, 29), followup_months=3)
        user = User(email="camille@example.org", name="Camille", role="team")
        user.set_password("mot-de-passe-1")
        db.session.add_all([structure, a, b, stage, user])
        db.session.commit()
        return {"stage": stage.id, "a": a.id, "b": b.id, "user": user.id}


def _person(world, name: str, referent: str | None = "b", **answers) -> int:
    person = Participant(stage_id=world["stage"], first_name=name,
                         referent_id=world[referent] if referent else None)
    db.session.add(person)
    db.session.flush()
    if answers:
        db.session.add(Response(stage_id=world["stage"], participant_id=person.id,
                                questionnaire="bilan-individuel", answers=answers,
                                submitted_at=FEB))
    return person.id


def _part_a(world, person: int, referent: str | None, at, **answers) -> Response:
    response = Response(stage_id=world["stage"], participant_id=person,
                        referent_id=world[referent] if referent else None,
                        questionnaire="suivi-referent", answers={**FULL, **answers},
                        submitted_at=at)
    db.session.add(response)
    db.session.flush()
    return response


def _figures(world, today=TODAY) -> dict:
    return stage_table(db.session.get(Stage, world["stage"]), today).figures


def test_after_a_handover_the_later_part_a_counts_once(app, world):
    with app.app_context():
        ana = _person(world, "Ana")
        first = _part_a(world, ana, "a", FEB, situation="recherche_active")
        _part_a(world, ana, "b", MARCH, situation="emploi")
        f = _figures(world)
        assert f["suivi_reponses"] == {"n": 1, "of": 1}
        assert f["suivi_situation"]["emploi"] == 1 and f["suivi_situation"]["recherche_active"] == 0
        assert sum(f["suivi_situation"].values()) == 1
        assert f["sorties_positives"] == {"n": 1, "of": 1}
        # A correction by A keeps its first submission time: B's later answer still wins
        first.answers = {**first.answers, "situation": "sans_changement"}
        assert _figures(world)["suivi_situation"]["emploi"] == 1


def test_a_tie_goes_to_the_higher_id_and_a_draft_never_wins(app, world):
    with app.app_context():
        ana = _person(world, "Ana")
        _part_a(world, ana, "a", FEB, situation="recherche_active")
        _part_a(world, ana, "b", FEB, situation="formation")
        assert _figures(world)["suivi_situation"]["formation"] == 1
        bob = _person(world, "Bob")
        _part_a(world, bob, "a", FEB, situation="recherche_active")
        _part_a(world, bob, "b", None, situation="emploi")  # B's draft
        f = _figures(world)
        assert f["suivi_situation"]["recherche_active"] == 1 and f["suivi_situation"]["emploi"] == 0
        assert f["suivi_reponses"] == {"n": 2, "of": 2}


def test_observations_leave_the_denominator_when_unknown_or_lost(app, world):
    with app.app_context():
        ana, bob, cy, dan, eve = (_person(world, n) for n in ("Ana", "Bob", "Cy", "Dan", "Eve"))
        _part_a(world, ana, "b", FEB, situation="emploi", apport_stage=4, confiance_observee=2)
        _part_a(world, bob, "b", FEB, situation="formation", apport_stage="nsp")  # a later "nsp"
        _part_a(world, cy, "b", FEB, situation="perdu_de_vue", apport_stage=4)
        response = _part_a(world, dan, "b", FEB, situation="sans_changement", apport_stage=3)
        response.answers = {k: v for k, v in response.answers.items() if k != "mobilite_observee"}
        f = _figures(world)
        table = stage_table(db.session.get(Stage, world["stage"]), TODAY)
    assert f["suivi_apport"] == {"n": 2, "of": 2}  # Ana and Dan; Bob "nsp", Cy lost, Eve none
    assert f["suivi_confiance"] == {"n": 2, "of": 3}
    assert f["suivi_mobilite"] == {"n": 2, "of": 2}  # Dan gave no answer
    assert table.unknown["suivi_apport"] == 1 and table.unknown["suivi_mobilite"] == 1
    # Lost from sight is an outcome: it stays among the answers of sorties_positives
    assert f["sorties_positives"] == {"n": 2, "of": 4}
    assert f["suivi_reponses"] == {"n": 4, "of": 5}


def test_projet_realise_links_each_bilan_to_its_follow_up(app, world):
    with app.app_context():
        match = _person(world, "Ana", projet_plus_precis="oui", orientation=["stage", "emploi"])
        other = _person(world, "Bob", projet_plus_precis="oui", orientation=["autre"])
        lost = _person(world, "Cy", projet_plus_precis="oui", orientation=["emploi"])
        _person(world, "Dan", projet_plus_precis="oui", orientation=["emploi"])  # no part A
        no = _person(world, "Eve", projet_plus_precis="non")
        elsewhere = _person(world, "Fay", projet_plus_precis="oui", orientation=["formation"])
        _part_a(world, match, "b", FEB, situation="emploi")
        _part_a(world, other, "b", FEB, situation="emploi")
        _part_a(world, lost, "b", FEB, situation="perdu_de_vue")
        _part_a(world, no, "b", FEB, situation="emploi")
        _part_a(world, elsewhere, "b", FEB, situation="recherche_active")
        f = _figures(world)
    assert f["projet_realise"] == {"n": 1, "of": 3}  # Ana of {Ana, Bob ("autre"), Fay}
    orientation = f["projet_plus_precis"]["orientation"]
    assert orientation == {"stage": 1, "formation": 1, "benevolat": 0, "emploi": 3, "autre": 1}


def test_referents_idees_counts_part_b_with_nsp_in_the_denominator(app, world):
    with app.app_context():
        for referent, answer, at in (("a", "oui", FEB), ("b", "nsp", FEB)):
            db.session.add(Response(stage_id=world["stage"], referent_id=world[referent],
                                    questionnaire="suivi-referent", submitted_at=at,
                                    answers={"nouvelles_methodes": answer}))
        other = Referent(name="Zoé", email="z@example.org",
                         structure=db.session.get(Referent, world["a"]).structure)
        db.session.add(other)
        db.session.flush()
        db.session.add(Response(stage_id=world["stage"], referent_id=other.id, answers={
            "nouvelles_methodes": "oui"}, questionnaire="suivi-referent"))  # a draft
        assert _figures(world)["referents_idees"] == {"n": 1, "of": 2}


def test_every_follow_up_figure_waits_for_its_date(app, world):
    with app.app_context():
        ana = _person(world, "Ana")
        _part_a(world, ana, "b", FEB, situation="emploi")
        before = _figures(world, today=date(2025, 2, 27))
        assert all(before[key] == "pas encore dû" for key in FOLLOWUP_KEYS)
        assert _figures(world, today=date(2025, 2, 28))["suivi_reponses"] == {"n": 1, "of": 1}


def test_a_team_answer_counts_and_the_latest_answer_wins_both_ways(app, world):
    now = datetime(2025, 4, 1, 10, tzinfo=timezone.utc)
    with app.app_context():
        stage, user = db.session.get(Stage, world["stage"]), db.session.get(User, world["user"])
        ana, bob = _person(world, "Ana", referent=None), _person(world, "Bob")
        answer = {**FULL, "situation": "formation"}
        response, errors = record(stage, db.session.get(Participant, ana), answer,
                                  date(2025, 3, 20), user, now)
        assert errors == {} and response.recorded_by_id == user.id
        f = _figures(world)
        assert f["suivi_reponses"] == {"n": 1, "of": 2} and f["sorties_positives"]["n"] == 1
        # Bob: the referent in February, the team in March → the team's answer counts...
        _part_a(world, bob, "b", FEB, situation="recherche_active")
        record(stage, db.session.get(Participant, bob), {**FULL, "situation": "emploi"},
               date(2025, 3, 1), user, now)
        assert _figures(world)["suivi_situation"]["emploi"] == 1
        # ...until the referent answers again, later (a new referent)
        _part_a(world, bob, "a", datetime(2025, 3, 25, 9, tzinfo=timezone.utc),
                situation="stage")
        f = _figures(world)
        assert (f["suivi_situation"]["emploi"], f["suivi_situation"]["stage"]) == (0, 1)
        assert stage_table(stage, TODAY).notes["par_l_equipe"] == 1


def test_a_team_answer_is_refused_without_a_good_date_or_answers(app, world):
    now = datetime(2025, 4, 1, 10, tzinfo=timezone.utc)
    with app.app_context():
        stage, user = db.session.get(Stage, world["stage"]), db.session.get(User, world["user"])
        ana = db.session.get(Participant, _person(world, "Ana", referent=None))
        answer = {**FULL, "situation": "formation"}
        for day in (None, date(2025, 4, 2), date(2024, 11, 28)):  # none, future, before the end
            response, errors = record(stage, ana, answer, day, user, now)
            assert "date" in errors and response is None
        assert "apport_stage" in record(stage, ana, {"situation": "emploi"}, date(2025, 3, 1),
                                        user, now)[1]
        # Lost from sight: the situation is enough, the observations are dropped
        response, errors = record(stage, ana, {"situation": "perdu_de_vue", "apport_stage": 4},
                                  date(2025, 3, 1), user, now)
        assert errors == {} and response.answers == {"situation": "perdu_de_vue"}
        withdrew = Participant(stage_id=stage.id, first_name="Zed", status="desiste")
        db.session.add(withdrew)
        db.session.flush()
        assert record(stage, withdrew, answer, date(2025, 3, 1), user, now)[1]
        assert db.session.query(Response).filter_by(participant_id=withdrew.id).count() == 0


def test_the_team_never_answers_part_b(app, world):
    from sqlalchemy.exc import IntegrityError
    with app.app_context():
        db.session.add(Response(stage_id=world["stage"], questionnaire="suivi-referent",
                                answers={"nouvelles_methodes": "oui"}, submitted_at=FEB))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_unreachable_lists_who_nobody_will_be_asked_about(app, world):
    from questionnaires.privacy.anonymise import anonymise_referent
    with app.app_context():
        stage = db.session.get(Stage, world["stage"])
        _person(world, "Ana", referent=None)
        _person(world, "Bob", referent="a")
        _person(world, "Cy", referent="b")
        gone = Participant(stage_id=stage.id, first_name="Dan", status="desiste")
        erased = Participant(stage_id=stage.id, first_name="Eve",
                             anonymised_at=FEB)
        db.session.add_all([gone, erased])
        assert anonymise_referent(db.session.get(Referent, world["a"]), FEB)
        db.session.commit()
        found = {u.participant.first_name: u.reason for u in unreachable(stage)}
    assert found == {"Ana": "sans_referent", "Bob": "sans_email"}


def test_a_referent_whose_invitation_could_not_leave_is_unreachable(app, world):
    from questionnaires.models import FollowupInvitation, FollowupMessage
    with app.app_context():
        stage = db.session.get(Stage, world["stage"])
        _person(world, "Cy", referent="b")
        invitation = FollowupInvitation(stage_id=stage.id, referent_id=world["b"],
                                        email="b@example.org", due_at=FEB)
        db.session.add(invitation)
        db.session.flush()
        assert unreachable(stage) == []
        db.session.add(FollowupMessage(invitation_id=invitation.id, kind="invitation",
                                       due_at=FEB, state="failed", attempts=5,
                                       next_attempt_at=None, last_error="550 boîte inconnue"))
        db.session.flush()
        assert [(u.participant.first_name, u.reason) for u in unreachable(stage)] == [("Cy", "echec")]


def test_totals_add_up_the_new_figures(app, world):
    with app.app_context():
        ana = _person(world, "Ana", projet_plus_precis="oui", orientation=["emploi"])
        _part_a(world, ana, "b", FEB, situation="emploi")
        db.session.commit()
        total = across_stages(TODAY).total.figures
    assert total["projet_realise"] == {"n": 1, "of": 1}
    assert total["suivi_apport"] == {"n": 1, "of": 1}
    assert sum(total["suivi_situation"].values()) == total["suivi_reponses"]["n"] == 1


def test_the_demo_2021_follow_up(demo):
    with demo.app_context():
        f = stage_table(db.session.get(Stage, 1), TODAY).figures
    assert f["suivi_reponses"] == {"n": 8, "of": 10}
    assert f["sorties_positives"] == {"n": 5, "of": 8}
    assert (f["suivi_apport"], f["suivi_confiance"], f["suivi_mobilite"]) == (
        {"n": 6, "of": 8}, {"n": 7, "of": 8}, {"n": 7, "of": 8})
    assert f["projet_realise"] == {"n": 4, "of": 7}
    assert f["referents_idees"] == {"n": 4, "of": 7}
    assert f["projet_plus_precis"]["orientation"] == {
        "stage": 2, "formation": 3, "benevolat": 1, "emploi": 4, "autre": 0}


def test_the_team_records_news_through_its_page_and_the_people_list_says_so(demo, team):
    from sqlalchemy import select
    from tests.support.forms import post_form
    with demo.app_context():
        answered = select(Response.participant_id).where(Response.questionnaire == "suivi-referent",
                                                         Response.participant_id.isnot(None))
        person = db.session.scalar(select(Participant).where(
            Participant.stage_id == 1, Participant.status == "inscrit",
            Participant.id.not_in(answered)).order_by(Participant.id))
    url = f"/equipe/stages/1/suivi/equipe/{person.id}"
    page = team.get(url).get_data(as_text=True)
    assert f"Avez-vous eu des nouvelles de {person.first_name} depuis le stage ?" in page
    refused = post_form(team, url, {"day": "2030-01-01", "situation": "emploi"})
    assert refused.status_code == 200 and "futur" in refused.get_data(as_text=True)
    done = post_form(team, url, {"day": "2022-03-20", "nouvelles": "oui", "situation": "emploi",
                                 "apport_stage": "3", "confiance_observee": "4",
                                 "mobilite_observee": "3"})
    assert done.status_code == 302
    with demo.app_context():
        assert stage_table(db.session.get(Stage, 1), TODAY).figures["suivi_reponses"] == \
            {"n": 9, "of": 10}
    people = team.get("/equipe/stages/1/impact/suivi_reponses").get_data(as_text=True)
    assert f"{person.first_name}" in people and "réponse de l'équipe le 20/03/2022" in people
    assert "réponse de Leïla Fontanel" in people
    followups = team.get("/equipe/stages/1/suivi").get_data(as_text=True)
    assert "Personne ne sera interrogé" in followups
