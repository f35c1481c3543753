"""The team's candidate list (recrutement.md): one action per state change, `retenu` making
the participant with the proposing referent (never a duplicate), `non_retenu` with its reason,
the referent's mails through the scheduled-mail queue, and the information session."""
from datetime import datetime, timezone

from sqlalchemy import func, select

from questionnaires.extensions import db
from questionnaires.mail_queue import send_due
from questionnaires.models import (
    Candidate, OutboxMail, Participant, Referent, ScheduledMail, Stage, Structure, Venue,
)
from questionnaires.recruitment import rules
from tests.support.factories import make_stage
from tests.support.forms import post_form

NOW = datetime(2030, 10, 1, 8, tzinfo=timezone.utc)
LATER = datetime(2030, 10, 2, 8, tzinfo=timezone.utc)


def person(n: int = 1, email: str = "nadia@ml.example.org", structure: str = "Mission locale"):
    return dict(referent_name="Nadia Benali", referent_email=email, structure_name=structure,
                first_name=f"Personne{n}", last_name="Martin", city="Cachan",
                phone="06 12 34 56 7" + str(n % 10), qpv="oui", motivation="Découvrir.")


def setup(app, count: int = 1, **kinds) -> tuple[int, list[int]]:
    with app.app_context():
        stage = db.session.get(Stage, make_stage({}))
        page = rules.page_for(stage)
        ids = [rules.propose(page, person(n, **kinds), NOW).id for n in range(count)]
        db.session.commit()
        return stage.id, ids


def move(client, stage_id, candidate_id, step, **data):
    return post_form(client, f"/equipe/stages/{stage_id}/candidats/{candidate_id}/{step}", data,
                     page_url=f"/equipe/stages/{stage_id}/candidats", follow_redirects=True)


def state_of(app, candidate_id) -> Candidate:
    with app.app_context():
        candidate = db.session.get(Candidate, candidate_id)
        db.session.expunge(candidate)
        return candidate


def test_each_state_change_up_to_retenu_makes_the_participant(app, auth, client):
    auth.login()
    stage_id, [cid] = setup(app)
    page = client.get(f"/equipe/stages/{stage_id}/candidats").get_data(as_text=True)
    assert "Personne0 Martin" in page and "/proposer/" in page
    # A step out of order is refused, nothing changes.
    assert "plus possible" in move(client, stage_id, cid, "retenu").get_data(as_text=True)
    assert state_of(app, cid).state == "propose"
    # The interview needs its date.
    assert "Indiquez la date" in move(client, stage_id, cid, "entretien").get_data(as_text=True)
    move(client, stage_id, cid, "entretien", when="2030-10-05T14:30")
    candidate = state_of(app, cid)
    assert candidate.state == "entretien"
    assert candidate.interview_at == datetime(2030, 10, 5, 12, 30, tzinfo=timezone.utc)
    move(client, stage_id, cid, "info_collective", when="2030-10-12T10:00")
    assert state_of(app, cid).state == "info_collective"
    html = move(client, stage_id, cid, "retenu").get_data(as_text=True)
    assert "retenu·e" in html
    candidate = state_of(app, cid)
    assert candidate.state == "retenu" and candidate.participant_id is not None
    with app.app_context():
        participant = db.session.get(Participant, candidate.participant_id)
        assert (participant.first_name, participant.stage_id, participant.pmsmp) == (
            "Personne0", stage_id, "a_faire")
        assert participant.referent.email == "nadia@ml.example.org"
        assert participant.referent.structure.name == "Mission locale"
        [sent] = send_due(LATER)
        assert sent.to == "nadia@ml.example.org"
        mail = db.session.scalar(select(OutboxMail))
        assert "Bonne nouvelle : Personne0 Martin est retenu·e" in mail.body_text
        assert send_due(LATER) == []


def test_same_email_is_the_same_referent_and_a_known_structure_is_reused(app, auth, client):
    auth.login()
    with app.app_context():
        db.session.add(Structure(name="Mission locale"))
        db.session.commit()
    stage_id, ids = setup(app, count=2, email="NADIA@ml.example.org".lower())
    for cid in ids:
        move(client, stage_id, cid, "entretien", when="2030-10-05T14:30")
        move(client, stage_id, cid, "info_collective", when="2030-10-12T10:00")
        move(client, stage_id, cid, "retenu")
    with app.app_context():
        assert db.session.scalar(select(func.count(Referent.id))) == 1
        assert db.session.scalar(select(func.count(Structure.id))) == 1
        referents = set(db.session.scalars(select(Participant.referent_id)))
        assert len(referents) == 1


def test_non_retenu_needs_the_reason_and_mails_it(app, auth, client):
    auth.login()
    stage_id, [cid] = setup(app)
    html = move(client, stage_id, cid, "non_retenu", reason="  ").get_data(as_text=True)
    assert "Indiquez la raison" in html and state_of(app, cid).state == "propose"
    move(client, stage_id, cid, "non_retenu", reason="Le stage tombe pendant sa formation.")
    candidate = state_of(app, cid)
    assert (candidate.state, candidate.reason) == ("non_retenu",
                                                   "Le stage tombe pendant sa formation.")
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 0
        send_due(LATER)
        mail = db.session.scalar(select(OutboxMail))
        assert "La raison : Le stage tombe pendant sa formation." in mail.body_text
    # A final state takes no more action.
    assert "plus possible" in move(client, stage_id, cid, "desiste").get_data(as_text=True)


def test_desiste_and_notes(app, auth, client):
    auth.login()
    stage_id, [cid] = setup(app)
    post_form(client, f"/equipe/stages/{stage_id}/candidats/{cid}/notes",
              {"notes": "Rappeler lundi."}, page_url=f"/equipe/stages/{stage_id}/candidats")
    move(client, stage_id, cid, "desiste")
    candidate = state_of(app, cid)
    assert (candidate.state, candidate.notes) == ("desiste", "Rappeler lundi.")
    with app.app_context():
        assert db.session.scalar(select(func.count(ScheduledMail.id))) == 0  # no mail


def test_retenu_respects_the_stage_capacity(app, auth, client):
    auth.login()
    stage_id, ids = setup(app, count=2)
    with app.app_context():
        db.session.get(Stage, stage_id).capacity = 1
        db.session.commit()
    for cid in ids:
        move(client, stage_id, cid, "entretien", when="2030-10-05T14:30")
        move(client, stage_id, cid, "info_collective", when="2030-10-12T10:00")
    move(client, stage_id, ids[0], "retenu")
    assert "complet" in move(client, stage_id, ids[1], "retenu").get_data(as_text=True)
    assert state_of(app, ids[1]).state == "info_collective"


def test_information_session_list_and_invitations_once(app, auth, client):
    auth.login()
    stage_id, ids = setup(app, count=2)
    url = f"/equipe/stages/{stage_id}/candidats/information-collective"
    for cid in ids:
        move(client, stage_id, cid, "entretien", when="2030-10-05T14:30")
        move(client, stage_id, cid, "info_collective", when="2030-10-12T10:00")
    html = post_form(client, url, follow_redirects=True).get_data(as_text=True)
    assert "Indiquez d&#39;abord la date" in html
    with app.app_context():
        venue = Venue(name="Cité des métiers", city="Choisy-le-Roi", address="14 rue Waldeck")
        db.session.add(venue)
        db.session.commit()
        venue_id = venue.id
    post_form(client, f"/equipe/stages/{stage_id}/candidats/reglages",
              {"session_at": "2030-10-12T10:00", "session_venue_id": venue_id,
               "session_bring": "Une pièce d'identité"},
              page_url=f"/equipe/stages/{stage_id}/candidats")
    page = client.get(url).get_data(as_text=True)
    assert "Personne0 Martin" in page and "Personne1 Martin" in page and "Cité des métiers" in page
    post_form(client, url, follow_redirects=True)
    post_form(client, url, follow_redirects=True)  # twice: still one mail per person
    with app.app_context():
        assert len(send_due(LATER)) == 2
        bodies = [m.body_text for m in db.session.scalars(select(OutboxMail))]
        assert all("samedi 12 octobre 2030 à 10 h, Cité des métiers, 14 rue Waldeck, "
                   "Choisy-le-Roi" in b for b in bodies)
        assert all("À apporter : Une pièce d'identité" in b for b in bodies)


def test_the_team_rewords_the_recruitment_mails_like_the_follow_up_ones(app, auth, client):
    """recrutement.md's mails join the editable texts: a stage's own wording is what the
    referent gets, filled with the candidate's values; the preview names nobody real."""
    auth.login()
    stage_id, [cid] = setup(app)
    url = f"/equipe/stages/{stage_id}/suivi/textes/recrutement_retenu"
    assert "{person}" in client.get(url).get_data(as_text=True)
    refused = post_form(client, url, {"subject": "Retenu : {personne}", "body": "Bonjour",
                                      "action": "enregistrer"})
    assert "Code inconnu : {personne}" in refused.get_data(as_text=True)
    saved = post_form(client, url, {
        "subject": "Oui pour {person} ({stage})",
        "body": "Bonjour {referent},\n\n{person} vient au stage {dates}.",
        "action": "enregistrer"})
    assert saved.status_code == 302
    preview = client.get(url).get_data(as_text=True)
    assert "Alex Martin" in preview and "Personne0" not in preview
    move(client, stage_id, cid, "entretien", when="2030-10-05T14:30")
    move(client, stage_id, cid, "info_collective", when="2030-10-12T10:00")
    move(client, stage_id, cid, "retenu")
    with app.app_context():
        stage = db.session.get(Stage, stage_id)
        [sent] = send_due(LATER)
        assert sent.to == "nadia@ml.example.org"
        mail = db.session.scalar(select(OutboxMail))
        assert mail.subject == f"Oui pour Personne0 Martin ({stage.title})"
        body = mail.body_text
        assert "Bonjour Nadia Benali," in body and "Personne0 Martin vient au stage le " in body
