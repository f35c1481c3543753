"""The team's side of the bilans: status, read-only view, links sheet, lock, collective bilan."""
import html as html_lib
import re

from sqlalchemy import select

from questionnaires.participant import bilan
from questionnaires.extensions import db
from questionnaires.models import Participant, Response, Stage
from questionnaires.stages import collective
from tests.support.forms import csrf_token, post_form


def test_status_of_each_bilan(demo, team):
    with demo.app_context():
        people = db.session.scalars(select(Participant).where(Participant.stage_id == 2)
                                    .order_by(Participant.id)).all()
        bilan.draft_for(people[1]).answers = {"satisfaction_globale": 3}
        done = bilan.draft_for(people[2])
        done.answers = {"satisfaction_globale": 3}
        done.submitted_at = db.func.now()
        db.session.commit()
    page = team.get("/equipe/stages/2/bilans").get_data(as_text=True)
    assert "1 bilan envoyé sur 8" in page
    assert page.count("Pas commencé") == 6 and page.count("En cours") == 1 and page.count("Envoyé") == 1


def test_read_only_bilan_shows_labels_not_codes(demo, team):
    client = team
    with demo.app_context():
        response = db.session.scalar(select(Response).where(
            Response.stage_id == 1, Response.questionnaire == "bilan-individuel"))
        participant_id, answers = response.participant_id, response.answers
    page = client.get(f"/equipe/stages/1/bilans/{participant_id}").get_data(as_text=True)
    assert "Dans l&#39;ensemble, la semaine vous a plu ?" in page
    assert {3: "Plutôt oui", 4: "Tout à fait"}[answers["satisfaction_globale"]] in page
    answers_part = page.split('<dl class="answers">')[1].split("Rempli avec l")[0]
    assert "<input" not in answers_part and "<textarea" not in answers_part


def test_links_sheet_has_one_qr_code_per_participant(demo, team):
    page = team.get("/equipe/stages/2/liens").get_data(as_text=True)
    assert page.count("<svg") >= 8 and page.count('class="link-card"') == 8
    assert "http://localhost/b/" in page
    assert "cdn" not in page.lower()


def test_regenerating_a_link_kills_the_old_one(demo, team):
    client = team
    with demo.app_context():
        person = db.session.scalar(select(Participant).where(Participant.stage_id == 2))
        old, person_id = bilan.link_token(person), person.id
    post_form(client, f"/equipe/stages/2/bilans/{person_id}/nouveau-lien",
              page_url=f"/equipe/stages/2/bilans/{person_id}")
    assert demo.test_client().get(f"/b/{old}").status_code == 404
    with demo.app_context():
        new = bilan.link_token(db.session.get(Participant, person_id))
    assert new != old and demo.test_client().get(f"/b/{new}").status_code == 302


def test_lock_toggles(demo, team):
    client = team
    post_form(client, "/equipe/stages/2/bilans/verrou", page_url="/equipe/stages/2/bilans")
    with demo.app_context():
        assert db.session.get(Stage, 2).bilans_locked_at is not None
    post_form(client, "/equipe/stages/2/bilans/verrou", page_url="/equipe/stages/2/bilans")
    with demo.app_context():
        assert db.session.get(Stage, 2).bilans_locked_at is None


def test_team_sets_the_helper_marker(demo, team):
    client = team
    with demo.app_context():
        person = db.session.scalar(select(Participant).where(Participant.stage_id == 2))
        person_id, referent_id = person.id, person.referent_id
    post_form(client, f"/equipe/stages/2/bilans/{person_id}/aide", {"referent_id": str(referent_id)},
              page_url=f"/equipe/stages/2/bilans/{person_id}")
    with demo.app_context():
        assert bilan.response_of(db.session.get(Participant, person_id)).assisted_by_id == referent_id


def test_collective_bilan_draft_then_validation(demo, team):
    client = team
    page = client.get("/equipe/stages/2/bilan-collectif")
    assert "Mercredi après-midi" in page.get_data(as_text=True)  # the stage's own programme
    response = post_form(client, "/equipe/stages/2/bilan-collectif", {
        "action": "valider", "points_ameliorer": "Plus de pauses"})
    assert response.status_code == 200
    assert "Cette question attend une réponse." in response.get_data(as_text=True)
    assert "Plus de pauses" in response.get_data(as_text=True)
    post_form(client, "/equipe/stages/2/bilan-collectif", {
        "action": "brouillon", "points_forts": "L'entraide"})
    post_form(client, "/equipe/stages/2/bilan-collectif", {
        "action": "valider", "points_forts": "L'entraide", "ambiance": "4",
        "activites_plebiscitees": ["mer-pm"]})
    with demo.app_context():
        response = db.session.scalar(select(Response).where(
            Response.stage_id == 2, Response.questionnaire == "bilan-collectif"))
        assert response.submitted_at is not None
        assert response.answers == {"points_forts": "L'entraide", "ambiance": 4,
                                    "activites_plebiscitees": ["mer-pm"]}


def _seen(page) -> str:
    """The answers the collective bilan page showed (its hidden field), as it posts them back."""
    html = page.get_data(as_text=True)
    return html_lib.unescape(re.search(r'name="reponses_vues" value="([^"]*)"', html).group(1))


def test_collective_bilan_keeps_a_colleagues_answer_saved_while_the_page_was_open(demo, team,
                                                                                auth):
    url = "/equipe/stages/2/bilan-collectif"
    mine = team.get(url)  # opened before the colleague saves
    colleague = demo.test_client()
    auth.login(client=colleague)
    theirs = colleague.get(url)
    assert colleague.post(url, data={"csrf_token": csrf_token(theirs), "action": "brouillon",
                                     "reponses_vues": _seen(theirs),
                                     "points_ameliorer": "Plus de pauses"}).status_code == 302
    # My page still shows "points à améliorer" empty: posting it empty is no change of mine
    assert team.post(url, data={"csrf_token": csrf_token(mine), "action": "brouillon",
                                "reponses_vues": _seen(mine), "points_forts": "L'entraide",
                                "points_ameliorer": ""}).status_code == 302
    with demo.app_context():
        stored = collective.response_of(db.session.get(Stage, 2)).answers
    assert stored == {"points_forts": "L'entraide", "points_ameliorer": "Plus de pauses"}
    # An unreadable hidden field: the page is written as posted (nothing refused, no 500)
    page = team.get(url)
    assert team.post(url, data={"csrf_token": csrf_token(page), "action": "brouillon",
                                "reponses_vues": "{pas du json", "points_forts": "L'entraide",
                                "points_ameliorer": ""}).status_code == 302
    with demo.app_context():
        assert collective.response_of(db.session.get(Stage, 2)).answers == {
            "points_forts": "L'entraide"}
