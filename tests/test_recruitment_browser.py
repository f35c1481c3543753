"""The public proposal page in Chromium on a phone: no horizontal scrolling, the consent's
message shown and nothing stored without it, then a proposal sent and stored once."""
import pytest
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.models import Candidate, Stage
from questionnaires.recruitment import rules
from tests.support.factories import make_stage

PHONE = pytest.mark.parametrize("screen", ["phone-390x844"], indirect=True)


def _stored(app) -> list[str]:
    with app.app_context():
        return [c.first_name for c in db.session.scalars(select(Candidate))]


@PHONE
def test_a_prescriber_proposes_a_person_from_a_phone(app, site, tab, shots):
    with app.app_context():
        page = rules.page_for(db.session.get(Stage, make_stage({})))
        db.session.commit()
        url = f"{site}/proposer/{page.token}"
    tab.goto(url)
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The honeypot is not visible to a person
    assert not tab.locator("#site_web").is_visible()
    tab.fill("#referent_name", "Nadia Benali")
    tab.fill("#structure_name", "Mission locale de Cachan")
    tab.fill("#referent_email", "nadia@ml-cachan.example.org")
    tab.fill("#first_name", "Yanis")
    tab.fill("#last_name", "Martin")
    tab.fill("#birth_date", "2001-04-12")
    tab.fill("#city", "Cachan")
    tab.fill("#phone", "06 12 34 56 78")
    tab.select_option("#qpv", "oui")
    tab.fill("#motivation", "Il veut découvrir les métiers de l'accueil.")
    tab.get_by_role("button", name="Envoyer la proposition").click()
    tab.wait_for_load_state()
    assert "Sans l'accord de la personne" in tab.locator("#consent-error").inner_text()
    assert _stored(app) == []
    shots.take(tab, "consent-missing")
    # The typed answers are still there; tick the consent and send
    assert tab.input_value("#first_name") == "Yanis"
    tab.check("#consent")
    tab.get_by_role("button", name="Envoyer la proposition").click()
    tab.wait_for_load_state()
    assert "bien arrivée" in tab.locator("[role=status]").inner_text()
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shots.take(tab, "sent")
    assert _stored(app) == ["Yanis"]
