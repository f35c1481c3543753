"""The referent's follow-up page over HTTP: only their participants, autosave, submit, bad input."""
import html as html_lib
import re
from datetime import timedelta

from sqlalchemy import event, func, select, update

from questionnaires.followups import progress
from questionnaires.extensions import db
from questionnaires.models import (
    FollowupHandover,
    FollowupInvitation,
    Participant,
    Referent,
    Response,
)
from questionnaires.clock import utcnow
from tests.support.forms import csrf_token, post_form

COMPLETE = {"nouvelles": "oui", "situation": "formation", "secteur_stage": "oui",
            "apport_stage": "4", "confiance_observee": "3", "mobilite_observee": "3",
            "commentaire": "Entrée en CAP."}


def _link(app, email, title="accueil"):
    with app.app_context():
        invitation = db.session.scalar(
            select(FollowupInvitation).join(Referent).where(Referent.email == email)
            .where(FollowupInvitation.stage.has(title=title) if title != "accueil"
                   else FollowupInvitation.stage.has(theme="accueil-billetterie"))
            .order_by(FollowupInvitation.id))
        return f"/suivi/{progress.link_token(invitation)}", invitation.id


def _pid(app, first_name):
    with app.app_context():
        return db.session.scalar(select(Participant.id).where(Participant.first_name == first_name))


def _part_a(app, first_name):
    with app.app_context():
        return db.session.scalar(select(Response).join(Participant, Response.participant_id == Participant.id)
                                 .where(Participant.first_name == first_name,
                                        Response.questionnaire == "suivi-referent"))


def _text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def _post(client, url, data, action):
    """Post the referent's page with the button `action`."""
    return post_form(client, url, {**data, "action": action})


def test_the_referent_sees_only_their_participants_of_this_stage(sent):
    url, _ = _link(sent, "nadia@example.org")
    page = sent.test_client().get(url)
    html = _text(page)
    assert page.status_code == 200
    assert "Alex" in html and "Sam" in html
    assert "Inès" not in html and "Autrestage" not in html and "paul@example.org" not in html
    assert "Métiers de l'accueil et de la billetterie" in html and "Métiers du sport" not in html
    assert page.headers["Referrer-Policy"] == "same-origin"
    with sent.app_context():
        assert db.session.scalar(select(func.count()).where(
            FollowupInvitation.opened_at.isnot(None))) == 1


def test_reloads_within_a_minute_write_nothing_then_the_latest_opening_moves(sent):
    url, invitation_id = _link(sent, "nadia@example.org")
    client = sent.test_client()
    assert client.get(url).status_code == 200
    with sent.app_context():
        first = db.session.get(FollowupInvitation, invitation_id)
        opened, last = first.opened_at, first.last_opened_at
        counter = {"n": 0}

        def count_writes(conn, cursor, statement, *args):
            counter["n"] += statement.lstrip().upper().startswith("UPDATE")

        event.listen(db.engine, "before_cursor_execute", count_writes)
        try:
            assert client.get(url).status_code == 200  # a reload: nothing to write
        finally:
            event.remove(db.engine, "before_cursor_execute", count_writes)
        assert counter["n"] == 0
        # Two minutes later (moved back in the table), the next opening is recorded.
        db.session.execute(update(FollowupInvitation).where(FollowupInvitation.id == invitation_id)
                           .values(last_opened_at=last - timedelta(minutes=2)))
        db.session.commit()
    assert client.get(url).status_code == 200
    with sent.app_context():
        again = db.session.get(FollowupInvitation, invitation_id)
        assert again.opened_at == opened
        assert again.last_opened_at > last


def test_autosave_then_resume_from_the_same_link(sent):
    url, _ = _link(sent, "nadia@example.org")
    client = sent.test_client()
    alex = str(_pid(sent, "Alex"))
    token = csrf_token(client.get(url))
    saved = client.post(f"{url}/brouillon", headers={"X-CSRFToken": token},
                        json={"cards": {alex: {"situation": "emploi", "apport_stage": 3}},
                              "referent": {"suggestions": "Plus de visites."}})
    assert saved.status_code == 200 and saved.get_json() == {"errors": {}, "gone": []}
    again = _text(sent.test_client().get(url))  # another device, same link
    assert f'name="p{alex}-situation" value="emploi" checked' in again
    assert "Plus de visites." in _text(sent.test_client().get(f"{url}?personne=avis"))
    assert _part_a(sent, "Alex").submitted_at is None


def test_submit_one_card_then_everything_then_thanks(sent):
    url, _ = _link(sent, "nadia@example.org")
    client = sent.test_client()
    alex, sam = _pid(sent, "Alex"), _pid(sent, "Sam")
    missing = _post(client, url, {f"p{alex}-situation": "emploi"}, f"envoyer-{alex}")
    assert missing.status_code == 422
    assert "Cette question attend une réponse." in _text(missing)
    assert _part_a(sent, "Alex").submitted_at is None
    done = _post(client, url, {f"p{alex}-{k}": v for k, v in COMPLETE.items()}, f"envoyer-{alex}")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"?personne={sam}")
    assert _part_a(sent, "Alex").answers["apport_stage"] == 4
    lost = _post(client, url, {}, f"perdu-{sam}")
    assert lost.status_code == 302 and lost.headers["Location"].endswith("?personne=avis")
    assert _part_a(sent, "Sam").answers == {"situation": "perdu_de_vue"}
    final = _post(client, url, {"b-nouvelles_methodes": "oui", "b-participer_prochain": "non"}, "tout")
    assert final.status_code == 302 and final.headers["Location"].endswith("/merci")
    thanks = _text(client.get(final.headers["Location"]))
    assert "Merci" in thanks and "perdu de vue" in thanks
    with sent.app_context():
        part_b = db.session.scalar(select(Response).where(Response.participant_id.is_(None),
                                                          Response.questionnaire == "suivi-referent"))
        assert part_b.submitted_at is not None and part_b.referent.email == "nadia@example.org"


def test_no_longer_their_referent_skips_the_card_and_tells_the_team(sent, auth, client):
    url, invitation_id = _link(sent, "nadia@example.org")
    alex = _pid(sent, "Alex")
    assert _post(sent.test_client(), url, {}, f"plus-referent-{alex}").status_code == 302
    with sent.app_context():
        assert db.session.scalar(select(func.count(FollowupHandover.id))) == 1
        assert _part_a(sent, "Alex") is None  # nothing counted as an answer
    auth.login()
    page = _text(client.get("/equipe/stages/1/suivi"))
    assert "<strong>Alex</strong> — <span class=\"warning-text\">n'est plus son référent·e" \
        in " ".join(page.split())


def test_tampered_participant_ids_are_refused_and_nothing_is_stored(sent):
    url, _ = _link(sent, "nadia@example.org")
    client = sent.test_client()
    ines, other_stage = _pid(sent, "Inès"), _pid(sent, "Autrestage")
    alex = _pid(sent, "Alex")
    for data, action in [({f"p{ines}-situation": "emploi", f"p{alex}-situation": "emploi"}, "enregistrer"),
                         ({f"p{alex}-situation": "emploi"}, f"perdu-{ines}"),
                         ({f"p{other_stage}-situation": "emploi"}, f"envoyer-{other_stage}")]:
        refused = _post(client, url, data, action)
        assert refused.status_code == 400
        assert "Rien n'a été enregistré" in _text(refused)
    token = csrf_token(client.get(url))
    refused = client.post(f"{url}/brouillon", headers={"X-CSRFToken": token},
                          json={"cards": {str(alex): {"situation": "emploi"},
                                          str(ines): {"situation": "emploi"}}})
    assert refused.status_code == 400 and "Rien n'a été enregistré" in refused.get_json()["error"]
    with sent.app_context():
        assert db.session.scalar(select(func.count(Response.id)).where(
            Response.questionnaire == "suivi-referent")) == 0
        assert db.session.scalar(select(func.count(FollowupHandover.id))) == 0


def test_values_outside_the_choices_get_a_message_by_the_question(sent):
    url, _ = _link(sent, "nadia@example.org")
    client = sent.test_client()
    alex = _pid(sent, "Alex")
    page = _post(client, url, {f"p{alex}-situation": "millionnaire", f"p{alex}-apport_stage": "9",
                               f"p{alex}-nouvelles": "oui"}, "enregistrer")
    html = _text(page)
    assert page.status_code == 422
    assert "Choisissez une réponse dans la liste." in html and \
        "Choisissez une des quatre réponses ou « Je ne sais pas »." in html
    assert _part_a(sent, "Alex").answers == {"nouvelles": "oui"}  # the valid answer is kept
    token = csrf_token(client.get(url))
    for answers in ({"situation": ["emploi"]}, {"apport_stage": {"a": 1}}, {"nouvelles": 3.5},
                    {"commentaire": "x" * 6000}, {"inconnue": "oui"}):
        saved = client.post(f"{url}/brouillon", headers={"X-CSRFToken": token},
                            json={"cards": {str(alex): answers}})
        assert saved.status_code == 200, answers
        assert saved.get_json()["errors"][str(alex)], answers
    for body in ("pas du json", "[1, 2]", '{"cards": [1]}', '{"cards": {"1": "x"}}',
                 '{"referent": "x"}', "[" * 100_000):
        bad = client.post(f"{url}/brouillon", data=body, headers={"X-CSRFToken": token,
                                                                  "Content-Type": "application/json"})
        assert bad.status_code == 400, body


def test_unknown_link_is_a_french_404_and_expired_a_410_until_reopened(sent, auth, client):
    url, invitation_id = _link(sent, "nadia@example.org")
    for bad in ("/suivi/nope", "/suivi/abc.def", "/suivi/" + "x" * 300, url[:-3] + "AAA"):
        page = client.get(bad)
        assert page.status_code == 404 and "Lien inconnu" in _text(page)
    with sent.app_context():
        invitation = db.session.get(FollowupInvitation, invitation_id)
        invitation.first_sent_at = utcnow() - timedelta(days=61)
        db.session.commit()
    expired = client.get(url)
    text = _text(expired)
    assert expired.status_code == 410 and "Lien expiré" in text and "rouvrir" in text
    assert client.post(f"{url}/brouillon", json={}).status_code in (400, 410)
    auth.login()
    reopen = post_form(client, f"/equipe/stages/1/suivi/{invitation_id}/rouvrir",
                       page_url="/equipe/stages/1/suivi")
    assert reopen.status_code == 302
    assert client.get(url).status_code == 200


def test_one_person_at_a_time_with_who_is_done_at_the_top(sent):
    url, _ = _link(sent, "nadia@example.org")
    client = sent.test_client()
    alex, sam = _pid(sent, "Alex"), _pid(sent, "Sam")
    first = _text(client.get(url))
    # The summary names everyone; only the first person still to answer has questions.
    for name in ("Alex", "Sam", "Votre avis"):
        assert f'<span class="people-step-name">{name}</span>' in first
    assert f'name="p{alex}-situation"' in first and f'name="p{sam}-situation"' not in first
    assert 'name="b-suggestions"' not in first
    assert first.index(f'name="p{alex}-situation"') < first.index(f'name="p{alex}-nouvelles"')
    assert "Perdu·e de vue" in first and first.count("Perdu·e de vue") == 1  # once: a situation
    other = _text(client.get(f"{url}?personne={sam}"))
    assert f'name="p{sam}-situation"' in other and f'name="p{alex}-situation"' not in other
    assert 'name="b-suggestions"' in _text(client.get(f"{url}?personne=avis"))
    assert f'name="p{alex}-situation"' in _text(client.get(f"{url}?personne=nimporte"))


def test_lost_from_sight_drops_the_observations_and_sends_with_the_situation_alone(sent):
    url, _ = _link(sent, "nadia@example.org")
    client = sent.test_client()
    alex = _pid(sent, "Alex")
    observed = {f"p{alex}-{k}": v for k, v in COMPLETE.items()}
    assert _post(client, url, observed, "enregistrer").status_code == 302
    page = _text(client.get(url))
    assert page.count("data-unless-lost hidden") == 0
    lost = _post(client, url, {f"p{alex}-situation": "perdu_de_vue", f"p{alex}-nouvelles": "non"},
                 f"envoyer-{alex}")
    assert lost.status_code == 302
    response = _part_a(sent, "Alex")
    assert response.submitted_at is not None
    assert response.answers == {"situation": "perdu_de_vue", "nouvelles": "non",
                                "commentaire": "Entrée en CAP."}
    again = _text(client.get(f"{url}?modifier={alex}"))
    assert again.count("data-unless-lost hidden") == 4  # sector and the three observations


def _move_to_paul(app, first_name):
    with app.app_context():
        person = db.session.scalar(select(Participant).where(Participant.first_name == first_name))
        person.referent = db.session.scalar(select(Referent).where(
            Referent.email == "paul@example.org"))
        db.session.commit()


def test_a_person_moved_to_another_referent_is_skipped_and_the_rest_saved(sent):
    url, _ = _link(sent, "nadia@example.org")
    client = sent.test_client()
    alex, sam = str(_pid(sent, "Alex")), str(_pid(sent, "Sam"))
    page = client.get(url)
    shown = html_lib.unescape(re.search(r'name="cartes" value="([^"]+)"', _text(page)).group(1))
    token = csrf_token(page)
    _move_to_paul(sent, "Alex")  # the team changes Alex's referent while the page is open
    saved = client.post(f"{url}/brouillon", headers={"X-CSRFToken": token},
                        json={"cards": {alex: {"situation": "emploi"}, sam: {"situation": "stage"}},
                              "cartes": shown})
    assert saved.status_code == 200 and saved.get_json()["gone"] == [alex]
    assert _part_a(sent, "Sam").answers == {"situation": "stage"}
    assert _part_a(sent, "Alex") is None
    # The same through the form: Alex's fields are skipped and the referent is told.
    posted = _post(client, url, {"cartes": shown, f"p{alex}-situation": "emploi",
                                 f"p{sam}-nouvelles": "oui"}, f"envoyer-{alex}")
    assert posted.status_code == 302
    told = _text(client.get(posted.headers["Location"]))
    assert "n'est plus dans votre liste" in told
    assert _part_a(sent, "Sam").answers == {"situation": "stage", "nouvelles": "oui"}
    assert _part_a(sent, "Alex") is None
    # Without the page's list, or with one the page never gave, it is tampering: nothing stored.
    for cartes in (None, shown.replace("~", "0~"), f"{alex}~" + "A" * 22):
        body = {"cards": {alex: {"situation": "emploi"}, sam: {"situation": "emploi"}}}
        if cartes:
            body["cartes"] = cartes
        refused = client.post(f"{url}/brouillon", headers={"X-CSRFToken": token}, json=body)
        assert refused.status_code == 400, cartes
    assert _part_a(sent, "Sam").answers == {"situation": "stage", "nouvelles": "oui"}
