"""The axe-core sweep: every page of the team, the tablet and the referent, in Chromium, fails on
any serious or critical violation (tests/support/axe.py).

Pages are found, not listed: every GET route of the team's and the admins' blueprints is opened
with the demo's ids (as test_hostile_input.py does), so a new page is swept without touching
this file. The tablet and the referent's page are walked through their states: each step, a
step with missing answers, the "are you still there?" and "stop anyway?" dialogs, the thanks
pages. Each side at its own screen: the team at 1366×768, the tablet at 810×1080, the referent
on a phone (390×844).
"""
import pytest
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.clock import utcnow
from questionnaires.followups import progress
from questionnaires.followups.actions import send_now
from questionnaires.models import FollowupInvitation, OutboxMail, Participant
from tests.support.axe import blocking
from tests.support.browser import SCREENS, TIMEOUT_MS, log_in, serve
from tests.support.security import build_world, url_of
from tests.support.tablet import send_bilan

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1366, "height": 768}}
#: Blueprints whose every GET page the team (as an admin, who sees them all) is swept on
TEAM_BLUEPRINTS = ("team", "admin")
#: Public pages anyone may land on
PUBLIC_PAGES = ("/connexion", "/confidentialite", "/confidentialite?depuis=bilan", "/accessibilite",
                "/page-qui-n-existe-pas")


@pytest.fixture
def world(app):
    """The demo data with its actors, and one mail in the outbox (its page is swept too)."""
    world = build_world(app)
    with app.app_context():
        invitation = db.session.get(FollowupInvitation, world.params["invitation_id"])
        send_now(invitation, utcnow())
        db.session.commit()
        world.params["mail"] = db.session.scalar(select(OutboxMail.id).order_by(OutboxMail.id))
    return world


@pytest.fixture
def site(world):
    with serve(world.app) as base_url:
        yield base_url


@pytest.fixture
def open_page(chromium):
    """open_page(screen) → a page in a context that lets axe's script in (bypass_csp)."""
    contexts = []

    def open_(screen: dict):
        context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                       bypass_csp=True, **screen)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def _sweep(page, urls) -> list[str]:
    """Open each URL that answers with a page (not a download) and collect what axe blocks on."""
    problems = []
    for url in urls:
        kind = page.request.get(url).headers.get("content-type", "")
        if not kind.startswith("text/html"):
            continue
        page.goto(url)
        where = "/" + url.split("/", 3)[-1]
        problems += blocking(page, where)
        # Every page's footer links the accessibility statement, its state in the link.
        if not page.locator('footer a[href^="/accessibilite"]').filter(
                has_text="Accessibilité : ").count():
            problems.append(f"{where}: no link to the accessibility statement in the footer")
    return problems


def team_urls(world, site) -> list[str]:
    """Every team and admin page with the demo's ids; a stage's own pages for both stages (the
    recent one, still being filled in, and the 2021 one, complete with its follow-up)."""
    with world.app.app_context():
        old_stage = db.session.scalar(select(Participant.stage_id).where(
            Participant.stage_id != world.stage_id))
    urls = []
    for rule in sorted(world.app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.split(".")[0] in TEAM_BLUEPRINTS and "GET" in rule.methods:
            urls.append(site + url_of(rule, world, "admin"))
            if set(rule.arguments) == {"stage_id"}:
                with world.app.test_request_context():
                    urls.append(site + rule.build({"stage_id": old_stage})[1])
    urls.append(f"{site}/equipe/boite-d-envoi?mail={world.params['mail']}")
    return urls


def test_every_team_page_has_no_serious_violation(world, site, open_page):
    page = open_page(DESKTOP)
    log_in(page, site, "admin@example.org", "mot-de-passe-1")
    urls = team_urls(world, site)
    assert len(urls) > 40, urls
    problems = _sweep(page, urls)
    assert not problems, "\n".join(problems)


def test_public_pages_have_no_serious_violation(site, open_page):
    page = open_page(DESKTOP)
    problems = _sweep(page, [site + path for path in PUBLIC_PAGES])
    phone = open_page(SCREENS["phone-390x844"])
    problems += _sweep(phone, [site + path for path in PUBLIC_PAGES])
    assert not problems, "\n".join(problems)


def test_every_tablet_page_has_no_serious_violation(world, site, open_page):
    page = open_page(SCREENS["portrait-810x1080"])
    page.goto(f"{site}/b/{world.token_a}")
    page.wait_for_url("**/bilan/etape/*")
    problems = _sweep(page, [f"{site}/bilan/etape/{n}" for n in range(0, 6)])

    # A step sent with missing answers: the questions in red.
    page.goto(f"{site}/bilan/etape/2")
    page.get_by_role("button", name="Suivant →").click()
    page.wait_for_selector(".question--error")
    problems += blocking(page, "step 2 with errors")
    # The two dialogs: "stop anyway?" and "are you still there?".
    page.get_by_role("button", name="Changer de personne").click()
    page.get_by_role("dialog", name="Votre bilan n'est pas envoyé.").wait_for()
    problems += blocking(page, "dialog: Arrêter quand même ?")
    page.get_by_role("button", name="Non, je continue").click()
    page.evaluate("() => document.getElementById('idle-check').showModal()")
    problems += blocking(page, "dialog: Vous êtes toujours là ?")
    # Without script, the question is a page of its own.
    page.goto(f"{site}/bilan/etape/1")
    with page.expect_navigation():
        page.evaluate("() => document.querySelector('form[data-finish]').submit()")
    assert "Arrêter quand même ?" in page.content()
    problems += blocking(page, "page: Arrêter quand même ?")
    problems += _sweep(page, [f"{site}/confidentialite?depuis=bilan",
                              f"{site}/accessibilite?depuis=bilan"])

    # The bilan sent: the thanks page.
    send_bilan(world.app, world.participant_a)
    problems += _sweep(page, [f"{site}/bilan/envoye", f"{site}/bilan/au-revoir",
                              f"{site}/b/lien-inconnu"])
    assert not problems, "\n".join(problems)


def page_ids(world) -> list[int]:
    """The participants on the referent's page of the world."""
    with world.app.app_context():
        invitation = db.session.get(FollowupInvitation, world.params["invitation_id"])
        return [card.participant.id for card in progress.cards(invitation)]


def test_every_referent_page_has_no_serious_violation(world, site, open_page):
    page = open_page(SCREENS["phone-390x844"])
    link = f"{site}/suivi/{world.referent_token}"
    people = [f"{link}?personne={pid}" for pid in page_ids(world)] + [f"{link}?personne=avis"]
    problems = _sweep(page, [link, *people, f"{link}/merci", f"{site}/suivi/lien-inconnu",
                             f"{site}/suivi/{world.expired_referent_token}"])
    page.goto(link)
    page.locator("button.nav-next").first.click()
    page.wait_for_selector(".question--error")
    problems += blocking(page, "referent page with errors")
    assert not problems, "\n".join(problems)
