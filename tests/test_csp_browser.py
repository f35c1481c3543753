"""The strict Content-Security-Policy in a real Chromium: the tablet bilan, the referent page
and the team's impact charts work and report no violation in the console."""
import pytest
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.followups import progress
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.models import FollowupInvitation, Participant
from questionnaires.participant import bilan
from tests.support.browser import answer, wait_saved
from tests.support.factories import DUE, make_stage

pytestmark = pytest.mark.browser


@pytest.fixture
def violations(tab):
    """Every CSP violation Chromium reports in the console of `tab`."""
    seen = []
    tab.on("console", lambda message: seen.append(message.text)
            if "Content Security Policy" in message.text else None)
    return seen


@pytest.fixture
def probe(demo, auth):
    """The demo, a referent's sent invitation, a team account, and a page that breaks the CSP
    on purpose (to show that the console check does catch violations)."""
    with demo.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        dispatch_due(DUE)
    auth.create()
    demo.add_url_rule("/essai-csp", "csp_probe",
                      lambda: '<p style="color: red">x</p><script>document.title = "x"</script>')
    return demo


def test_the_console_check_catches_a_violation(probe, tab, violations, site):
    tab.goto(f"{site}/essai-csp")
    tab.wait_for_timeout(300)
    assert any("inline style" in v for v in violations)
    assert any("inline script" in v for v in violations)
    assert tab.title() != "x"


def test_tablet_bilan_runs_under_the_csp(probe, tab, violations, site):
    with probe.app_context():
        person = db.session.scalars(select(Participant).where(Participant.stage_id == 2)).first()
        token = bilan.link_token(person)
    tab.goto(f"{site}/b/{token}")
    tab.goto(f"{site}/bilan/etape/1")
    assert tab.locator(".progress rect").get_attribute("width") is not None
    assert tab.locator(".progress rect").bounding_box()["width"] > 0
    answer(tab, "satisfaction_globale", "4")  # the autosave script runs and saves
    wait_saved(tab)
    assert violations == []


def test_referent_page_runs_under_the_csp(probe, tab, violations, site):
    with probe.app_context():
        invitation = db.session.scalar(select(FollowupInvitation).where(
            FollowupInvitation.email == "nadia@example.org"))
        token = progress.link_token(invitation)
    response = tab.goto(f"{site}/suivi/{token}")
    assert response.status == 200
    card = tab.locator("[data-card]:not([data-card=b])").first
    card.locator('fieldset[data-question="nouvelles"] label:has(input[value="oui"])').tap()
    tab.wait_for_function("() => document.getElementById('save-status')"
                           " && document.getElementById('save-status').dataset.state === 'saved'")
    assert violations == []


def test_team_impact_charts_render_under_the_csp(probe, tab, violations, site):
    tab.goto(f"{site}/connexion")
    tab.fill("#email", "camille@example.org")
    tab.fill("#password", "mot-de-passe-1")
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{site}/equipe/stages")
    for path in ("/equipe/stages/2/impact", "/equipe/impact", "/equipe/stages/2/presences"):
        tab.goto(f"{site}{path}")
        assert tab.locator("svg").count() > 0 or path.endswith("presences")
    charts = tab.goto(f"{site}/equipe/stages/2/impact")
    assert charts.status == 200
    assert tab.locator("svg.chart rect").first.bounding_box()["width"] > 0
    assert violations == []
