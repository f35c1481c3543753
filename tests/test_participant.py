"""The participant's bilan over HTTP: links, autosave, validation, submit once, lock, finish."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from questionnaires.participant import bilan
from questionnaires.extensions import db
from questionnaires.models import Participant, Response, Stage
from tests.support.forms import csrf_token, post_form
from tests.support.security import csrf_for

COMPLETE = {
    1: {"satisfaction_globale": "4", "activites_preferees": ["lun-am"], "experience_groupe": "oui",
        "demarche_active": "oui"},
    2: {"obj_possibles": "4", "obj_competences": "3", "obj_remobilisation": "3",
        "obj_confiance": "2", "obj_territoire": "4", "isolement_rompu": "nsp"},
    3: {"talents": ["accueillir", "calme"], "talents_autres": "La patience"},
    4: {"projet_plus_precis": "oui", "orientation": ["formation"], "projet_detail": "Un CAP"},
    5: {"temoignage": "J'ai aimé la billetterie.", "consentement_publication": "y"},
}


def _participant(app, stage_id=2, index=0):
    with app.app_context():
        person = db.session.scalars(select(Participant).where(Participant.stage_id == stage_id)
                                    .order_by(Participant.id)).all()[index]
        return person.id, bilan.link_token(person)


def _response(app, participant_id):
    with app.app_context():
        return db.session.scalar(select(Response).where(Response.participant_id == participant_id,
                                                        Response.questionnaire == "bilan-individuel"))


@pytest.fixture
def tablet(demo):
    """A client that opened the first sport-stage participant's link."""
    client = demo.test_client()
    participant_id, token = _participant(demo)
    response = client.get(f"/b/{token}")
    assert response.status_code == 302
    client.participant_id = participant_id
    return client


def _post_step(client, number, data, action="suivant"):
    return post_form(client, f"/bilan/etape/{number}", {**data, "action": action})


def _autosave(client, answers):
    token = csrf_token(client.get("/bilan/etape/1"))
    return client.post("/bilan/brouillon", json={"answers": answers}, headers={"X-CSRFToken": token})


def test_unknown_link_is_a_french_404(demo):
    client = demo.test_client()
    for token in ("nope", "abc.def", "x" * 500, _participant(demo)[1][:-2] + "AA"):
        response = client.get(f"/b/{token}")
        assert response.status_code == 404
        assert "Lien inconnu" in response.get_data(as_text=True)
    assert client.get("/bilan/etape/1").status_code == 404


def test_expired_link_is_a_french_410_and_a_new_link_works(demo):
    participant_id, token = _participant(demo, stage_id=1)  # the 2021 stage ended long ago
    response = demo.test_client().get(f"/b/{token}")
    assert response.status_code == 410
    assert "Demandez un nouveau lien" in response.get_data(as_text=True)
    with demo.app_context():
        person = db.session.get(Participant, participant_id)
        bilan.renew_link(person)
        db.session.commit()
        new_token = bilan.link_token(person)
    assert demo.test_client().get(f"/b/{new_token}").status_code == 302
    assert demo.test_client().get(f"/b/{token}").status_code == 404


def test_link_expiry_counts_days_after_the_stage(demo):
    with demo.app_context():
        person = db.session.get(Participant, _participant(demo)[0])
        person.bilan_link_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
        end = person.stage.end_date
        assert bilan.link_expires_on(person, 30) == end + timedelta(days=30)
        assert not bilan.find_by_token(bilan.link_token(person), end + timedelta(days=30), 30).expired
        assert bilan.find_by_token(bilan.link_token(person), end + timedelta(days=31), 30).expired


def test_the_link_opens_only_that_participants_bilan(tablet, demo):
    other_id, _ = _participant(demo, index=1)
    page = tablet.get("/bilan/etape/0").get_data(as_text=True)
    with demo.app_context():
        me, other = db.session.get(Participant, tablet.participant_id), db.session.get(Participant, other_id)
        assert f"Bonjour {me.first_name}" in page and other.first_name not in page
    assert tablet.get("/equipe/stages").status_code == 302  # nothing of the team side


def test_full_bilan_by_form_posts_is_stored_and_sent_once(tablet, demo):
    for number in range(1, 6):
        response = _post_step(tablet, number, COMPLETE[number])
        assert response.status_code == 302, (number, response.get_data(as_text=True)[:500])
    assert response.headers["Location"].endswith("/bilan/envoye")
    stored = _response(demo, tablet.participant_id)
    assert stored.submitted_at is not None
    assert stored.answers["satisfaction_globale"] == 4
    assert stored.answers["orientation"] == ["formation"]
    assert stored.answers["consentement_publication"] is True
    first = stored.submitted_at
    # A second send (double tap, retry after a timeout) keeps one response, sent once.
    assert _post_step(tablet, 5, COMPLETE[5]).status_code == 302
    with demo.app_context():
        assert db.session.scalar(select(func.count(Response.id)).where(
            Response.participant_id == tablet.participant_id)) == 1
    assert _response(demo, tablet.participant_id).submitted_at == first
    assert "Merci" in tablet.get("/bilan/envoye").get_data(as_text=True)


def test_missing_required_answers_are_shown_next_to_the_question_and_the_rest_kept(tablet, demo):
    response = _post_step(tablet, 1, {"satisfaction_globale": "3", "demarche_active": "oui"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="erreur-experience_groupe"' in html and "Cette question attend une réponse." in html
    assert _response(demo, tablet.participant_id).answers == {
        "satisfaction_globale": 3, "demarche_active": "oui"}


@pytest.mark.parametrize("data, question", [
    ({"satisfaction_globale": "7"}, "satisfaction_globale"),
    ({"experience_groupe": "<script>"}, "experience_groupe"),
    ({"activites_preferees": ["lun-am", "pas-un-creneau"]}, "activites_preferees"),
])
def test_values_outside_the_choices_get_a_message_by_the_question(tablet, demo, data, question):
    response = _post_step(tablet, 1, {**COMPLETE[1], **data})
    assert response.status_code == 422
    assert f'id="erreur-{question}"' in response.get_data(as_text=True)
    stored = _response(demo, tablet.participant_id).answers
    assert question not in stored and stored["demarche_active"] == "oui"


def test_text_over_the_limit_is_kept_on_screen_with_a_message(tablet):
    response = _post_step(tablet, 3, {"talents_autres": "é" * 250})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Réponse trop longue : 250 caractères pour 200 au plus" in html
    assert "é" * 250 in html


def test_autosave_keeps_valid_answers_and_reports_the_others(tablet, demo):
    response = _autosave(tablet, {"satisfaction_globale": 2, "obj_confiance": 9,
                                  "hack": "x", "temoignage": "Bien"})
    body = response.get_json()
    assert body["saved"] == ["satisfaction_globale", "temoignage"]
    assert set(body["errors"]) == {"obj_confiance", "_form"}
    assert _response(demo, tablet.participant_id).answers == {
        "satisfaction_globale": 2, "temoignage": "Bien"}


def test_autosave_writes_the_fact_columns_and_nothing_when_nothing_changed(tablet, demo):
    """The autosave's one-statement write keeps what the ORM write kept: facts, updated_at."""
    _autosave(tablet, {"satisfaction_globale": 3, "experience_groupe": "non"})
    first = _response(demo, tablet.participant_id)
    assert (first.fact_satisfaction_globale, first.fact_experience_groupe) == (3, "non")
    _autosave(tablet, {"satisfaction_globale": 3})
    assert _response(demo, tablet.participant_id).updated_at == first.updated_at
    _autosave(tablet, {"satisfaction_globale": None, "demarche_active": "oui"})
    last = _response(demo, tablet.participant_id)
    assert last.answers == {"experience_groupe": "non", "demarche_active": "oui"}
    assert (last.fact_satisfaction_globale, last.fact_demarche_active) == (None, "oui")
    assert last.updated_at > first.updated_at


def test_autosave_with_values_of_the_wrong_shape_is_answered_not_crashed(tablet, demo):
    body = _autosave(tablet, {"experience_groupe": ["oui"], "satisfaction_globale": {"x": 1},
                              "talents": "accueillir", "temoignage": ["a"]}).get_json()
    assert set(body["errors"]) == {"experience_groupe", "satisfaction_globale", "temoignage"}
    assert _response(demo, tablet.participant_id).answers == {"talents": ["accueillir"]}


@pytest.mark.parametrize("payload", [None, [], {"answers": "x"}, {"answers": [1]}])
def test_autosave_refuses_garbage_in_french(tablet, payload):
    token = csrf_token(tablet.get("/bilan/etape/1"))
    response = tablet.post("/bilan/brouillon", json=payload, headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert "illisibles" in response.get_json()["error"]


def test_autosave_without_csrf_is_refused(tablet, demo):
    response = tablet.post("/bilan/brouillon", json={"answers": {"satisfaction_globale": 2}})
    assert response.status_code == 400
    assert _response(demo, tablet.participant_id).answers == {}


def test_reopening_the_link_resumes_where_the_participant_left(demo):
    participant_id, token = _participant(demo)
    client = demo.test_client()
    client.get(f"/b/{token}")
    _post_step(client, 1, COMPLETE[1])
    _post_step(client, 2, COMPLETE[2])
    fresh = demo.test_client()
    assert fresh.get(f"/b/{token}").headers["Location"].endswith("/bilan/etape/3")


def test_lock_stops_changes_but_keeps_reading(tablet, demo):
    _post_step(tablet, 1, COMPLETE[1])
    with demo.app_context():
        db.session.get(Stage, 2).bilans_locked_at = datetime.now(timezone.utc)
        db.session.commit()
    assert _post_step(tablet, 1, {**COMPLETE[1], "satisfaction_globale": "1"}).status_code == 409
    assert _autosave(tablet, {"satisfaction_globale": 1}).status_code == 409
    page = tablet.get("/bilan/etape/1").get_data(as_text=True)
    assert "Les bilans sont fermés" in page and "disabled" in page
    assert _response(demo, tablet.participant_id).answers["satisfaction_globale"] == 4
    # The tablet keeps the refused answer: the team is told one is waiting there.
    assert _response(demo, tablet.participant_id).waiting_on_tablet_since is not None


def test_helper_marker_set_from_the_tablet(tablet, demo):
    post_form(tablet, "/bilan/aide", {"aide": "oui", "suite": "1"}, page_url="/bilan/etape/0")
    stored = _response(demo, tablet.participant_id)
    with demo.app_context():
        person = db.session.get(Participant, tablet.participant_id)
        assert stored.assisted_by_id == person.referent_id is not None
    post_form(tablet, "/bilan/aide", {"aide": "non"}, page_url="/bilan/etape/0")
    assert _response(demo, tablet.participant_id).assisted_by_id is None


def test_changing_person_asks_first_while_the_bilan_is_not_sent(tablet):
    asked = post_form(tablet, "/bilan/terminer", page_url="/bilan/etape/1")
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Votre bilan n'est pas envoyé." in text and "Arrêter quand même ?" in text
    assert 'name="confirme" value="oui"' in text and "Non, je continue" in text
    assert tablet.get("/bilan/etape/1").status_code == 200  # nothing ended yet
    response = post_form(tablet, "/bilan/terminer", {"confirme": "oui"}, page_url="/bilan/etape/1")
    assert response.headers["Location"].endswith("/bilan/au-revoir")
    assert tablet.get("/bilan/etape/1").status_code == 404


def test_changing_person_after_sending_ends_at_once(tablet):
    for number in range(1, 6):
        _post_step(tablet, number, COMPLETE[number])
    response = post_form(tablet, "/bilan/terminer", page_url="/bilan/envoye")
    assert response.headers["Location"].endswith("/bilan/au-revoir")
    assert tablet.get("/bilan/envoye").status_code == 404


def test_out_of_range_step_is_a_404(tablet):
    assert tablet.get("/bilan/etape/6").status_code == 404
    assert tablet.get("/bilan/etape/-1").status_code == 404


def test_a_sent_bilan_cannot_be_emptied_of_a_required_answer(tablet, demo):
    for number in range(1, 6):
        _post_step(tablet, number, COMPLETE[number])
    body = _autosave(tablet, {"satisfaction_globale": None, "temoignage": ""}).get_json()
    assert "satisfaction_globale" in body["errors"]
    stored = _response(demo, tablet.participant_id).answers
    assert stored["satisfaction_globale"] == 4 and "temoignage" not in stored


def test_a_json_bomb_in_the_autosave_is_a_400_not_a_500(tablet):
    token = csrf_token(tablet.get("/bilan/etape/1"))
    response = tablet.post("/bilan/brouillon", data="[" * 100_000, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400


def test_the_helper_marker_cannot_change_once_locked(tablet, demo):
    token = csrf_token(tablet.get("/bilan/etape/0"))  # the page was open before the lock
    with demo.app_context():
        db.session.get(Stage, 2).bilans_locked_at = datetime.now(timezone.utc)
        db.session.commit()
    response = tablet.post("/bilan/aide", data={"csrf_token": token, "aide": "oui"})
    assert response.status_code == 409
    assert _response(demo, tablet.participant_id).assisted_by_id is None


# Answers a tablet kept offline for someone whose session is over ----------------------------

def _keep(client, owner, answers):
    """What tablet.js sends for answers it kept: from any page, with its own session's token."""
    assert 'name="csrf-token"' in client.get("/bilan/au-revoir").get_data(as_text=True)
    return client.post("/bilan/reponses-gardees", json={"owner": owner, "answers": answers},
                       headers={"X-CSRFToken": csrf_for(client)})


def test_kept_answers_reach_their_owner_from_any_session(demo):
    participant_id, _ = _participant(demo, index=3)
    with demo.app_context():
        owner = bilan.keeper_token(db.session.get(Participant, participant_id))
    tablet = demo.test_client()  # no bilan open: the goodbye page of a shared tablet
    saved = _keep(tablet, owner, {"satisfaction_globale": 2, "talents": ["calme", "inconnu"]})
    assert saved.status_code == 200
    assert list(saved.get_json()["errors"]) == ["talents"]  # refused for good, not retried
    assert _response(demo, participant_id).answers == {"satisfaction_globale": 2}


def test_kept_answers_with_a_forged_or_stale_owner_store_nothing(demo):
    participant_id, _ = _participant(demo, index=3)
    with demo.app_context():
        owner = bilan.keeper_token(db.session.get(Participant, participant_id))
    tablet = demo.test_client()
    forged = [owner[:-2] + ("AA" if not owner.endswith("AA") else "BB"),
              f"{participant_id + 1}-{owner.split('-', 1)[1]}", "12", "x-y", "9" * 40 + "-a",
              "1-\udcff" * 3, owner + "x"]
    for bad in forged:
        refused = _keep(tablet, bad, {"satisfaction_globale": 2})
        assert refused.status_code == 404, bad
        assert "rien n'a été enregistré" in refused.get_json()["error"]
    for body in ({"owner": owner}, {"owner": 3, "answers": {}}, {"answers": {}}, [owner]):
        assert tablet.post("/bilan/reponses-gardees", json=body,
                           headers={"X-CSRFToken": csrf_for(tablet)}).status_code == 400
    assert _response(demo, participant_id) is None


def test_kept_answers_of_a_locked_stage_wait_and_the_team_is_told(demo, team):
    participant_id, _ = _participant(demo, index=3)
    with demo.app_context():
        person = db.session.get(Participant, participant_id)
        owner = bilan.keeper_token(person)
        person.stage.bilans_locked_at = datetime.now(timezone.utc)
        db.session.commit()
    tablet = demo.test_client()
    assert _keep(tablet, owner, {"satisfaction_globale": 2}).status_code == 409
    waiting = _response(demo, participant_id)
    assert waiting.answers == {} and waiting.waiting_on_tablet_since is not None
    page = team.get("/equipe/stages/2/bilans").get_data(as_text=True)
    assert "1 bilan a des réponses en attente sur une tablette" in page
    assert "Réponses en attente sur une tablette" in page
    with demo.app_context():
        db.session.get(Stage, 2).bilans_locked_at = None
        db.session.commit()
    assert _keep(tablet, owner, {"satisfaction_globale": 2}).status_code == 200
    arrived = _response(demo, participant_id)
    assert arrived.answers == {"satisfaction_globale": 2}
    assert arrived.waiting_on_tablet_since is None
    assert "en attente sur une tablette" not in team.get("/equipe/stages/2/bilans").get_data(as_text=True)


def test_sent_back_for_a_missing_answer_the_step_shows_it_in_red(tablet):
    for number in range(1, 5):
        _post_step(tablet, number, COMPLETE[number])
    _autosave(tablet, {"isolement_rompu": None})  # emptied since, from another page
    refused = _post_step(tablet, 5, COMPLETE[5])
    assert refused.headers["Location"].endswith("/bilan/etape/2?manque=1")
    page = tablet.get("/bilan/etape/2?manque=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Il manque encore des réponses ici." in html
    assert html.count("question--error") == 1 and 'id="question-isolement_rompu"' in html
    assert 'class="question question--error" id="question-isolement_rompu"' in html
