"""Referents in the week: invited to chosen slots by mail (slot, place, time), answering yes or
no by their link, the programme showing who comes, and the referents suggested from the last
stage's follow-up (participer_prochain = oui)."""
import re
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from questionnaires.extensions import db
from questionnaires.mail_queue import send_due
from questionnaires.models import (
    OutboxMail, Referent, Response, ScheduledMail, Slot, Stage, Structure, WeekGuest,
)
from tests.support.factories import make_week
from tests.support.forms import post_form

MONDAY = date(2030, 1, 7)
LATER = datetime(2031, 1, 1, tzinfo=timezone.utc)
LINK = re.compile(r"/invitation/([A-Za-z0-9_-]{16,})")


def test_invite_answer_and_the_programme_shows_who_comes(app, auth, client):
    auth.login()
    with app.app_context():
        stage_id = make_week(MONDAY)
        referent_id = db.session.scalar(select(Referent.id))
        slots = db.session.scalars(select(Slot.id).where(Slot.stage_id == stage_id)
                                   .order_by(Slot.date, Slot.id)).all()[:2]
    url = f"/equipe/stages/{stage_id}/referents-semaine"
    response = post_form(client, url, {"referent_id": referent_id, "slot_ids": slots},
                         follow_redirects=True)
    assert "2 invitation(s) envoyée(s) à Nadia Référente" in response.get_data(as_text=True)
    again = post_form(client, url, {"referent_id": referent_id, "slot_ids": slots},
                      follow_redirects=True)
    assert "déjà invité·e" in again.get_data(as_text=True)
    with app.app_context():
        planned = db.session.scalars(select(ScheduledMail).order_by(ScheduledMail.id)).all()
        assert len(planned) == 2
        # The link is made on PUBLIC_URL; it waits in the queue only until the mail leaves
        assert planned[0].context["link"].startswith(app.config["PUBLIC_URL"].rstrip("/"))
        token = LINK.search(planned[0].context["link"]).group(1)
        assert len(send_due(LATER)) == 2
        bodies = [m.body_text for m in db.session.scalars(select(OutboxMail).order_by(OutboxMail.id))]
        db.session.expire_all()
        kept = [m.context["link"] for m in db.session.scalars(
            select(ScheduledMail).order_by(ScheduledMail.id))]
    assert "Atelier du jour 1" in bodies[0] and "lundi 7 janvier 2030, matin, de 10 h à 12 h 30" in bodies[0]
    assert "Théâtre de la Semaine, 21 avenue Louis Georgeon, 94230, Cachan" in bodies[0]
    # Nothing kept at rest opens the page: the outbox copy and the sent row are masked
    assert token not in bodies[0] and "/invitation/***" in bodies[0]
    assert all(link.endswith("/invitation/***") for link in kept)
    page = client.get(f"/invitation/{token}")
    assert page.status_code == 200 and "Atelier du jour 1" in page.get_data(as_text=True)
    answered = post_form(client, f"/invitation/{token}", {"reponse": "oui"})
    assert "vous venez" in answered.get_data(as_text=True)
    with app.app_context():
        assert sorted(g.answer or "-" for g in db.session.scalars(select(WeekGuest))) == ["-", "oui"]
    programme = client.get(url).get_data(as_text=True)
    assert "Nadia Référente : <strong>vient</strong>" in programme
    assert "pas encore répondu" in programme
    assert client.get("/invitation/pas-un-lien").status_code == 404


def test_referents_who_want_to_take_part_are_suggested(app, auth, client):
    auth.login()
    with app.app_context():
        before = Stage(title="Stage d'avant", theme="avant", start_date=date(2029, 6, 3),
                       end_date=date(2029, 6, 7))
        structure = Structure(name="PLIE du Val")
        keen = Referent(name="Karim Partant", email="karim@example.org", structure=structure)
        shy = Referent(name="Léa Réservée", email="lea@example.org", structure=structure)
        db.session.add_all([before, keen, shy])
        db.session.flush()
        for referent, said in ((keen, "oui"), (shy, "non")):
            db.session.add(Response(stage_id=before.id, questionnaire="suivi-referent",
                                    referent_id=referent.id, answers={"participer_prochain": said},
                                    submitted_at=LATER))
        db.session.commit()
        stage_id = make_week(MONDAY)
    page = client.get(f"/equipe/stages/{stage_id}/referents-semaine").get_data(as_text=True)
    assert "Karim Partant — PLIE du Val (suggéré·e)" in page
    assert "Léa Réservée" not in page


def test_a_slot_box_that_is_no_slot_gets_a_french_message(app, auth, client):
    auth.login()
    with app.app_context():
        stage_id = make_week(MONDAY)
        referent_id = db.session.scalar(select(Referent.id))
    response = post_form(client, f"/equipe/stages/{stage_id}/referents-semaine",
                         {"referent_id": referent_id, "slot_ids": "<script>x()</script>"})
    assert response.status_code == 422
    assert "Une des cases cochées n&#39;existe plus. Rechargez la page." in response.get_data(as_text=True)
