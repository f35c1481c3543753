"""The strict Content-Security-Policy in a real Chromium: the tablet bilan, the referent page
and the team's impact charts work and report no violation in the console."""
import pytest
from sqlalchemy import select

from questionnaires.participant import bilan
from questionnaires.followups import progress
from questionnaires.extensions import db
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.models import FollowupInvitation, Participant
from tests.browser_support import (
    answer, french_context, launch_chromium, page_without_js_errors, serve, wait_saved,
)
from tests.conftest import REQUIRE_SYSTEM_PARTS, AuthActions
from tests.followup_support import DUE, make_stage

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    yield from launch_chromium(REQUIRE_SYSTEM_PARTS)


@pytest.fixture
def context(chromium):
    yield from french_context(chromium, viewport={"width": 810, "height": 1080}, has_touch=True)


@pytest.fixture
def page(context):
    yield from page_without_js_errors(context)


@pytest.fixture
def violations(page):
    """Every CSP violation Chromium reports in the console of `page`."""
    seen = []
    page.on("console", lambda message: seen.append(message.text)
            if "Content Security Policy" in message.text else None)
    return seen


@pytest.fixture
def site(demo):
    """The demo, a referent's sent invitation, a team account, and a page that breaks the CSP
    on purpose (to show that the console check does catch violations)."""
    with demo.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        dispatch_due(DUE)
    AuthActions(demo, demo.test_client()).create()
    demo.add_url_rule("/essai-csp", "csp_probe",
                      lambda: '<p style="color: red">x</p><script>document.title = "x"</script>')
    with serve(demo) as base_url:
        yield base_url


def test_the_console_check_catches_a_violation(page, violations, site):
    page.goto(f"{site}/essai-csp")
    page.wait_for_timeout(300)
    assert any("inline style" in v for v in violations)
    assert any("inline script" in v for v in violations)
    assert page.title() != "x"


def test_tablet_bilan_runs_under_the_csp(demo, page, violations, site):
    with demo.app_context():
        person = db.session.scalars(select(Participant).where(Participant.stage_id == 2)).first()
        token = bilan.link_token(person)
    page.goto(f"{site}/b/{token}")
    page.goto(f"{site}/bilan/etape/1")
    assert page.locator(".progress rect").get_attribute("width") is not None
    assert page.locator(".progress rect").bounding_box()["width"] > 0
    answer(page, "satisfaction_globale", "4")  # the autosave script runs and saves
    wait_saved(page)
    assert violations == []


def test_referent_page_runs_under_the_csp(demo, page, violations, site):
    with demo.app_context():
        invitation = db.session.scalar(select(FollowupInvitation).where(
            FollowupInvitation.email == "nadia@example.org"))
        token = progress.link_token(invitation)
    response = page.goto(f"{site}/suivi/{token}")
    assert response.status == 200
    card = page.locator("[data-card]:not([data-card=b])").first
    card.locator('fieldset[data-question="nouvelles"] label:has(input[value="oui"])').tap()
    page.wait_for_function("() => document.getElementById('save-status')"
                           " && document.getElementById('save-status').dataset.state === 'saved'")
    assert violations == []


def test_team_impact_charts_render_under_the_csp(page, violations, site):
    page.goto(f"{site}/connexion")
    page.fill("#email", "camille@example.org")
    page.fill("#password", "mot-de-passe-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/equipe/stages")
    for path in ("/equipe/stages/2/impact", "/equipe/impact", "/equipe/stages/2/presences"):
        page.goto(f"{site}{path}")
        assert page.locator("svg").count() > 0 or path.endswith("presences")
    charts = page.goto(f"{site}/equipe/stages/2/impact")
    assert charts.status == 200
    assert page.locator("svg.chart rect").first.bounding_box()["width"] > 0
    assert violations == []
