"""The public proposal page (recrutement.md): what a prescriber sends, what is stored (nothing
without consent, nothing from a robot), size limits, floods, closed pages, and the receipt
sent once through the scheduled-mail queue."""
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from questionnaires.extensions import db
from questionnaires.mail_queue import send_due
from questionnaires.models import Candidate, OutboxMail, Participant, ScheduledMail, Stage
from questionnaires.recruitment import rules
from tests.support.factories import database_for, dispose, make_app, make_stage
from tests.support.forms import post_form

LATER = datetime(2030, 12, 1, 9, tzinfo=timezone.utc)


def proposal(**changes) -> dict:
    data = dict(referent_name="Nadia Benali", structure_name="Mission locale de Cachan",
                referent_email="Nadia.Benali@ML-Cachan.example.org", first_name="Yanis",
                last_name="Martin", birth_date="2001-04-12", city="Cachan",
                phone="06.12.34.56.78", email="", qpv="oui",
                motivation="Il veut découvrir les métiers de l'accueil.", consent="y")
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def open_page(app, **settings) -> str:
    """A stage in 2030 with its proposal page; returns the page's address."""
    with app.app_context():
        stage = db.session.get(Stage, make_stage({}))
        page = rules.page_for(stage)
        for name, value in settings.items():
            setattr(page, name, value)
        db.session.commit()
        return f"/proposer/{page.token}"


def candidates(app) -> list[Candidate]:
    with app.app_context():
        rows = db.session.scalars(select(Candidate)).all()
        db.session.expunge_all()
        return rows


def test_a_proposal_is_stored_and_its_receipt_sent_once(app, client):
    url = open_page(app)
    page = client.get(url)
    assert page.status_code == 200
    assert "Proposer une personne" in page.get_data(as_text=True)
    response = post_form(client, url, proposal())
    assert response.status_code == 200
    assert "bien arrivée" in response.get_data(as_text=True)
    [candidate] = candidates(app)
    assert (candidate.state, candidate.first_name, candidate.referent_email) == (
        "propose", "Yanis", "nadia.benali@ml-cachan.example.org")
    assert candidate.phone == "06 12 34 56 78" and candidate.consent_at is not None
    with app.app_context():
        assert [o.to for o in send_due(LATER)] == ["nadia.benali@ml-cachan.example.org"]
        assert send_due(LATER) == []  # a second pass sends nothing
        [mail] = db.session.scalars(select(OutboxMail)).all()
        assert "Yanis Martin" in mail.body_text and "Proposition reçue" in mail.subject
        assert db.session.scalar(select(ScheduledMail.kind)) == "recrutement_recu"


def test_without_consent_nothing_is_stored(app, client):
    url = open_page(app)
    response = post_form(client, url, proposal(consent=None))
    assert response.status_code == 422
    assert "Sans l&#39;accord de la personne" in response.get_data(as_text=True)
    assert candidates(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(ScheduledMail.id))) == 0


def test_over_long_fields_and_missing_contact_get_french_messages(app, client):
    url = open_page(app)
    response = post_form(client, url, proposal(motivation="x" * 2001, first_name="a" * 81))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Trop long : 2000 caractères au plus." in html
    assert "Trop long : 80 caractères au plus." in html
    response = post_form(client, url, proposal(phone="", email=""))
    assert "Donnez son téléphone ou son e-mail" in response.get_data(as_text=True)
    response = post_form(client, url, proposal(phone="12", referent_email="pas-une-adresse"))
    assert "Numéro de téléphone invalide" in response.get_data(as_text=True)
    assert "Adresse e-mail invalide" in response.get_data(as_text=True)
    assert candidates(app) == []


def test_a_post_without_csrf_is_refused(app, client):
    url = open_page(app)
    client.get(url)
    assert client.post(url, data=proposal()).status_code == 400
    assert candidates(app) == []


def test_the_honeypot_thanks_a_robot_and_stores_nothing(app, client):
    url = open_page(app)
    response = post_form(client, url, proposal(site_web="http://spam.example.com"))
    assert response.status_code == 200 and "bien arrivée" in response.get_data(as_text=True)
    assert candidates(app) == []


def test_closed_page_says_why_and_takes_nothing(app, client):
    url = open_page(app, closes_on=date(2020, 1, 1))
    page = client.get(url)
    assert "closes depuis le 01/01/2020" in page.get_data(as_text=True)
    # A post with a valid token (taken from another page of the session) is refused too.
    response = post_form(client, url, proposal(), page_url="/connexion")
    assert "closes depuis" in response.get_data(as_text=True)
    assert candidates(app) == []


def test_page_closes_when_the_stage_is_full_or_enough_proposals_came(app, client):
    url = open_page(app, max_proposals=1)
    assert post_form(client, url, proposal()).status_code == 200
    assert "assez de propositions" in client.get(url).get_data(as_text=True)
    full = open_page(app)
    with app.app_context():
        stage = db.session.scalars(select(Stage).order_by(Stage.id.desc())).first()
        stage.capacity = 1
        stage.participants.append(Participant(first_name="Déjà"))
        db.session.commit()
    assert "Ce stage est complet" in client.get(full).get_data(as_text=True)


def test_an_unknown_link_is_a_french_404(app, client):
    open_page(app)
    response = client.get("/proposer/pas-un-vrai-lien")
    assert response.status_code == 404
    assert "ne correspond à aucun stage" in response.get_data(as_text=True)


def test_a_flood_from_one_address_is_refused_but_normal_use_goes_through(tmp_path):
    """The default limit: a structure proposing six people in a minute goes through; the
    seventh post from that address is refused in French, another address is not slowed."""
    app = make_app(database_for(tmp_path, "limited.sqlite"), RATELIMIT_ENABLED=True)
    try:
        url = open_page(app)
        client = app.test_client()
        for n in range(6):
            response = post_form(client, url, proposal(first_name=f"Personne{n}"))
            assert response.status_code == 200, n
        flood = post_form(client, url, proposal(first_name="Septième"))
        assert flood.status_code == 429
        assert "Trop de tentatives" in flood.get_data(as_text=True)
        other = app.test_client()
        elsewhere = {"environ_base": {"REMOTE_ADDR": "192.0.2.7"}}
        assert post_form(other, url, proposal(first_name="Ailleurs"), **elsewhere).status_code == 200
        assert len(candidates(app)) == 7
    finally:
        dispose(app)
