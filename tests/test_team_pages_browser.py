"""The team's pages in a real Chromium at 1366×768 (a desk): a stage opens on what is next, the
attendance grid fits (or says it scrolls), tabs stay on one line, charts take their card's
width with whole labels, the outbox's addresses stay apart, the favicon, and the
accessibility statement in every footer. Screenshots in tests/artifacts/team-<step>.png."""
import pytest
from sqlalchemy import select

from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.followups.actions import send_now
from questionnaires.models import FollowupInvitation, OutboxMail
from tests.support.browser import ARTIFACTS, TIMEOUT_MS, log_in

pytestmark = pytest.mark.browser

DESK = {"width": 1366, "height": 768}
SPORT, ACCUEIL = 2, 1


@pytest.fixture
def desk(chromium, demo, auth, site):
    """A logged-in team member's page at 1366×768."""
    auth.create()
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=DESK)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, site, "camille@example.org", "mot-de-passe-1")
    page.site = site
    yield page
    context.close()
    assert not errors, errors


def _shot(page, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"team-{step}.png"), full_page=True)


def test_a_stage_opens_on_what_is_next(desk):
    row = desk.get_by_role("row").filter(has_text="Métiers du sport")
    next_step = row.get_by_role("link", name="Recevoir les bilans individuels : 0 sur 8.")
    assert next_step.is_visible()
    _shot(desk, "1-stages")
    row.get_by_role("link", name="Métiers du sport et de l'événementiel").click()
    summary = desk.locator(".stage-summary")
    assert summary.is_visible()
    # The summary comes before the programme, in the first screen.
    assert summary.bounding_box()["y"] < DESK["height"]
    cards = summary.locator(".step-cards li")
    assert cards.all_inner_texts()[0].startswith("Bilans individuels")
    assert cards.count() == 5
    _shot(desk, "2-stage-summary")
    summary.get_by_role("link", name="Recevoir les bilans individuels : 0 sur 8.").click()
    desk.wait_for_url(f"**/equipe/stages/{SPORT}/bilans")


@pytest.mark.parametrize("stage_id", [SPORT, ACCUEIL])
def test_the_attendance_grid_fits_a_desk_screen(desk, stage_id):
    desk.goto(f"{desk.site}/equipe/stages/{stage_id}/presences")
    grid = desk.locator(".table-wrap").filter(has=desk.locator("table.attendance"))
    fits = grid.evaluate("box => box.scrollWidth <= box.clientWidth + 1")
    assert fits, grid.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert desk.locator("#attendance-scroll").is_hidden()
    # "Tous présents" is named by its own words, then which half-day.
    first = desk.locator("button[name=column]").first
    assert first.get_attribute("aria-label").startswith("Tous présents le ")
    _shot(desk, f"3-presences-{stage_id}")
    # Narrower, the grid scrolls inside its box and says so above it.
    desk.set_viewport_size({"width": 1000, "height": 768})
    desk.wait_for_function("() => !document.getElementById('attendance-scroll').hidden")
    assert "faites défiler le tableau vers la droite" in desk.locator("#attendance-scroll").inner_text()
    assert desk.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_stage_tabs_stay_on_one_line(desk):
    for width in (1366, 1024):
        desk.set_viewport_size({"width": width, "height": 768})
        desk.goto(f"{desk.site}/equipe/stages/{SPORT}/impact")
        tops = desk.locator("nav.tabs a").evaluate_all("links => links.map(a => a.offsetTop)")
        assert len(set(tops)) == 1, (width, tops)
        current = desk.locator('nav.tabs a[aria-current="page"]')
        assert current.inner_text() == "Bilan chiffré" and current.is_visible()


def test_charts_take_their_card_width_with_whole_labels(desk):
    desk.goto(f"{desk.site}/equipe/stages/{ACCUEIL}/impact")
    blocks = desk.locator("figure.chart-block")
    assert blocks.count() >= 3  # situations, objectives, outings, and the referents' observations once due
    for index in range(blocks.count()):
        block = blocks.nth(index)
        inner = block.evaluate("b => b.clientWidth - parseFloat(getComputedStyle(b).paddingLeft)"
                               " - parseFloat(getComputedStyle(b).paddingRight)")
        width = block.locator("svg.chart").bounding_box()["width"]
        assert width >= inner - 2, (index, width, inner)
        # Every line of text (labels wrap onto lines of their own) is whole and inside the picture
        lines = block.locator("svg.chart").evaluate("""svg => [...svg.querySelectorAll('text')]
            .map(t => [t.textContent, t.getBBox().x, t.getBBox().x + t.getBBox().width,
                       svg.viewBox.baseVal.width])""")
        assert lines
        for text, left, right, picture in lines:
            assert "…" not in text and left >= 0 and right <= picture, (text, left, right)
    objectives = blocks.nth(1).locator("svg.chart").evaluate(
        "svg => [...svg.querySelectorAll('text')].map(t => t.textContent)")
    assert "Ouvrir le champ des possibles professionnels" in objectives
    _shot(desk, "4-charts")


def test_the_outbox_mail_keeps_addresses_apart(desk, demo):
    with demo.app_context():
        invitation = db.session.scalar(select(FollowupInvitation).where(
            FollowupInvitation.stage_id == SPORT).order_by(FollowupInvitation.id))
        send_now(invitation, utcnow())
        db.session.commit()
        mail_id = db.session.scalar(select(OutboxMail.id))
    desk.goto(f"{desk.site}/equipe/boite-d-envoi?mail={mail_id}")
    heads = desk.locator("dl.mail-head dd")
    boxes = [heads.nth(i).bounding_box() for i in range(heads.count())]
    assert len(boxes) == 4
    for upper, lower in zip(boxes, boxes[1:]):
        assert lower["y"] >= upper["y"] + upper["height"] - 1  # one per line, never side by side
    _shot(desk, "5-outbox-mail")


def test_favicon_and_the_statement_in_every_footer(desk):
    icon = desk.locator('link[rel="icon"]').get_attribute("href")
    answer = desk.request.get(desk.site + icon)
    assert answer.ok and answer.headers["content-type"].startswith("image/svg+xml")
    for path in ("/equipe/stages", f"/equipe/stages/{SPORT}/presences", "/connexion"):
        desk.goto(desk.site + path)
        link = desk.locator("footer").get_by_role("link", name="Accessibilité : non conforme")
        assert link.is_visible(), path
    link.click()
    desk.wait_for_url("**/accessibilite")
    headings = desk.get_by_role("heading", level=2).all_inner_texts()
    for section in ("État de conformité", "Contenus non accessibles", "Signaler un problème",
                    "Voies de recours"):
        assert section in headings, headings
    assert "Défenseur des droits" in desk.locator("main").inner_text()
    _shot(desk, "6-accessibilite")
