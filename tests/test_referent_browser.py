"""The referent's 3-month follow-up page in a real Chromium (Debian's package, driven by Playwright).

A referent opens the personal link of their invitation at phone size (390×844, touch) and
laptop size (1280×800, mouse), answers part A for one participant, loses and gets back the
connection, then sends the card. After each step the test reads the database to check what
the server really holds. Screenshots go to tests/artifacts/referent-<size>-<step>.png.
"""
import pytest
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.followups import progress
from questionnaires.models import FollowupInvitation, Participant, Referent, Response
from tests.support.browser import ARTIFACTS, SAVED, TIMEOUT_MS, focused_question, poll

pytestmark = pytest.mark.browser
#: The first tests run on a phone and a laptop; the round-two ones on the phone the referent
#: uses between two appointments
BOTH = pytest.mark.parametrize("screen", ["phone-390x844", "laptop-1280x800"], indirect=True)
PHONE = pytest.mark.parametrize("screen", ["phone-390x844"], indirect=True)

#: Part A of one participant, as the referent gives it (echelle4 answers are stored as ints).
PART_A = {"nouvelles": "oui", "situation": "formation", "apport_stage": 4,
          "confiance_observee": 3, "mobilite_observee": 2}
#: Bounded wait for the offline answer to reach the server once back online (the page retries
#: every 5 s and also on the "online" event).
BACK_ONLINE_SECONDS = 15


class Referent_:
    """Nadia's link for the accueil stage, and the ids of the people on the page."""

    def __init__(self, app, site, screen):
        self.app = app
        self.size = "{width}x{height}".format(**screen["viewport"])
        self.touch = screen["has_touch"]
        with app.app_context():
            invitation = db.session.scalar(
                select(FollowupInvitation).join(Referent)
                .where(Referent.email == "nadia@example.org")
                .where(FollowupInvitation.stage.has(theme="accueil-billetterie"))
                .order_by(FollowupInvitation.id))
            assert invitation is not None, "no invitation planned for Nadia"
            self.link = f"{site}/suivi/{progress.link_token(invitation)}"
            self.ids = {p.first_name: p.id for p in db.session.scalars(select(Participant))}

    # The page ---------------------------------------------------------------------------------

    def shot(self, page, step: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"referent-{self.size}-{step}.png"), full_page=True)

    def press(self, locator) -> None:
        """A tap on the phone, a click on the laptop."""
        locator.tap() if self.touch else locator.click()

    def card(self, page, first_name: str):
        return page.locator(f'[data-card="{self.ids[first_name]}"]')

    def answer(self, page, first_name: str, question: str, value) -> None:
        box = self.card(page, first_name).locator(f'fieldset[data-question="{question}"]')
        self.press(box.locator(f'label:has(input[value="{value}"])'))
        assert box.locator(f'input[value="{value}"]').is_checked()

    def wait_status(self, page, state: str, text: str | None = None) -> None:
        page.wait_for_function(
            """([state, text]) => {
                const s = document.getElementById('save-status');
                return s && s.dataset.state === state
                    && (text === null || s.textContent.trim() === text);
            }""", arg=[state, text], timeout=TIMEOUT_MS)

    # The database -----------------------------------------------------------------------------

    def part_a(self, first_name: str):
        """(answers, submitted_at, referent email) of the part A, or None."""
        with self.app.app_context():
            response = db.session.scalar(
                select(Response).where(Response.participant_id == self.ids[first_name],
                                       Response.questionnaire == progress.QUESTIONNAIRE))
            if response is None:
                return None
            return dict(response.answers), response.submitted_at, response.referent.email

    def holds(self, first_name: str, expected: dict):
        """The part A when it holds every expected answer, else None."""
        found = self.part_a(first_name)
        if found and all(found[0].get(k) == v for k, v in expected.items()):
            return found
        return None


@pytest.fixture
def nadia(sent, site, screen):
    return Referent_(sent, site, screen)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


# Tests ----------------------------------------------------------------------------------------

@BOTH
def test_answers_are_autosaved_as_a_draft_and_only_her_people_are_shown(tab, nadia):
    tab.goto(nadia.link)
    nadia.shot(tab, "1-opened")
    text = tab.locator("body").inner_text()
    assert "Bonjour" in text and "Métiers de l'accueil et de la billetterie" in text
    assert "Alex" in text and "Sam" in text
    assert "Inès" not in text, "another referent's participant is shown"
    assert "Autrestage" not in text, "a participant of another stage is shown"
    # One person at a time: Alex's questions, with who is done at the top.
    assert tab.locator("[data-card]:not([data-card=b])").count() == 1
    assert tab.locator(".people-step-name").all_inner_texts() == ["Alex", "Sam", "Votre avis"]
    _no_sideways_scroll(tab)

    for question, value in PART_A.items():
        nadia.answer(tab, "Alex", question, value)
    # "formation" shows the conditional question about the sector.
    assert nadia.card(tab, "Alex").locator('fieldset[data-question="secteur_stage"]').is_visible()
    nadia.wait_status(tab, "saved", SAVED)
    found = poll(lambda: nadia.holds("Alex", PART_A), 5)
    assert found, f"the server holds {nadia.part_a('Alex')}"
    answers, submitted_at, email = found
    assert submitted_at is None  # a draft
    assert email == "nadia@example.org"
    assert nadia.part_a("Sam") is None and nadia.part_a("Inès") is None
    nadia.shot(tab, "2-saved")

    # The draft comes back on a fresh load of the same link.
    tab.reload()
    card = nadia.card(tab, "Alex")
    assert card.locator('fieldset[data-question="situation"] input[value="formation"]').is_checked()
    assert card.locator('fieldset[data-question="apport_stage"] input[value="4"]').is_checked()


@BOTH
def test_an_answer_given_offline_reaches_the_server_once_back_online(tab, tab_context, nadia):
    tab.goto(nadia.link)
    nadia.answer(tab, "Alex", "nouvelles", "oui")
    nadia.wait_status(tab, "saved", SAVED)
    assert poll(lambda: nadia.holds("Alex", {"nouvelles": "oui"}), 5)

    tab_context.set_offline(True)
    nadia.answer(tab, "Alex", "apport_stage", 2)
    nadia.wait_status(tab, "offline")
    assert "Pas de connexion" in tab.locator("#save-status").inner_text()
    nadia.shot(tab, "3-offline")
    answers = nadia.part_a("Alex")[0]
    assert "apport_stage" not in answers, "saved although the browser is offline?"

    tab_context.set_offline(False)
    found = poll(lambda: nadia.holds("Alex", {"nouvelles": "oui", "apport_stage": 2}),
                 BACK_ONLINE_SECONDS)
    assert found, f"still not on the server after {BACK_ONLINE_SECONDS} s: {nadia.part_a('Alex')}"
    assert found[1] is None
    nadia.wait_status(tab, "saved", SAVED)
    nadia.shot(tab, "4-back-online")


@BOTH
def test_sending_the_card_submits_part_a_and_a_reload_shows_it_sent(tab, nadia):
    tab.goto(nadia.link)
    for question, value in PART_A.items():
        nadia.answer(tab, "Alex", question, value)
    nadia.wait_status(tab, "saved", SAVED)
    assert poll(lambda: nadia.holds("Alex", PART_A), 5)

    send = nadia.card(tab, "Alex").get_by_role("button", name="Envoyer pour Alex")
    with tab.expect_navigation():
        nadia.press(send)
    found = poll(lambda: (nadia.part_a("Alex") or (None, None, None))[1] is not None, 5)
    assert found, f"part A not submitted: {nadia.part_a('Alex')}"
    answers, submitted_at, _ = nadia.part_a("Alex")
    assert submitted_at is not None
    assert all(answers.get(k) == v for k, v in PART_A.items()), answers
    # Only the card that was sent: Sam's untouched card (an empty comment box in the form)
    # creates no draft.
    assert nadia.part_a("Sam") is None
    nadia.shot(tab, "5-sent")

    # Sent: the page goes on to Sam; Alex is done in the summary, and his card says so.
    assert tab.url.endswith(f"?personne={nadia.ids['Sam']}")
    assert nadia.card(tab, "Sam").get_by_role("button", name="Envoyer pour Sam").count() == 1
    tab.locator(f'[data-person="{nadia.ids["Alex"]}"]').click()
    tab.reload()
    card = nadia.card(tab, "Alex")
    assert "card-suivi--done" in (card.get_attribute("class") or "")
    assert card.locator(".status").inner_text().strip() == "Envoyé"
    assert "Réponses envoyées." in card.inner_text()
    assert card.get_by_role("button", name="Envoyer pour Alex").count() == 0
    assert card.get_by_role("link", name="Modifier les réponses pour Alex").is_visible()
    nadia.shot(tab, "6-reloaded")


# Round two: five taps, "perdu de vue", answers kept offline, a person moved away, errors ----

@PHONE
def test_a_positive_outcome_takes_five_taps(tab, nadia):
    tab.goto(nadia.link)
    taps = []

    def tap(question, value):
        nadia.answer(tab, "Alex", question, value)
        taps.append(question)

    tap("situation", "emploi")
    # A known situation answers "des nouvelles ?" (it can still be changed).
    news = nadia.card(tab, "Alex").locator('fieldset[data-question="nouvelles"]')
    assert news.locator('input[value="oui"]').is_checked()
    for question, value in (("apport_stage", 4), ("confiance_observee", 3),
                            ("mobilite_observee", 3)):
        tap(question, value)
    with tab.expect_navigation():
        nadia.press(nadia.card(tab, "Alex").get_by_role("button", name="Envoyer pour Alex"))
    taps.append("envoyer")
    assert len(taps) <= 5, taps
    found = poll(lambda: (nadia.part_a("Alex") or (None, None, None))[1] is not None, 5)
    assert found, nadia.part_a("Alex")
    answers = nadia.part_a("Alex")[0]
    assert answers == {"situation": "emploi", "nouvelles": "oui", "apport_stage": 4,
                       "confiance_observee": 3, "mobilite_observee": 3}
    assert tab.url.endswith(f"?personne={nadia.ids['Sam']}")  # on to the next person
    nadia.shot(tab, "7-five-taps")


@PHONE
def test_lost_from_sight_hides_the_observations(tab, nadia):
    tab.goto(nadia.link)
    card = nadia.card(tab, "Alex")
    observations = ("apport_stage", "confiance_observee", "mobilite_observee")
    for question in observations:
        assert card.locator(f'fieldset[data-question="{question}"]').is_visible()
    nadia.answer(tab, "Alex", "situation", "perdu_de_vue")
    for question in observations:
        assert card.locator(f'fieldset[data-question="{question}"]').is_hidden()
    assert card.locator('fieldset[data-question="nouvelles"] input[value="non"]').is_checked()
    assert card.locator('fieldset[data-question="commentaire"]').is_visible()
    assert card.get_by_role("button", name="Perdu·e de vue").count() == 0  # the choice, once
    nadia.shot(tab, "8-perdu-de-vue")
    with tab.expect_navigation():
        nadia.press(card.get_by_role("button", name="Envoyer pour Alex"))
    assert poll(lambda: (nadia.part_a("Alex") or (None, None, None))[1] is not None, 5)
    assert nadia.part_a("Alex")[0] == {"situation": "perdu_de_vue", "nouvelles": "non"}


@PHONE
def test_answers_given_offline_stay_on_the_device_until_sent(tab, tab_context, nadia):
    tab.goto(nadia.link)
    tab_context.set_offline(True)
    nadia.answer(tab, "Alex", "situation", "formation")
    nadia.answer(tab, "Alex", "apport_stage", 2)
    nadia.wait_status(tab, "offline")
    assert "gardées sur cet appareil" in tab.locator("#save-status").inner_text()
    kept = tab.evaluate("""() => Object.keys(localStorage).filter(k => k.startsWith('suivi-pending:'))
                                   .map(k => JSON.parse(localStorage.getItem(k)))""")
    assert kept == [{str(nadia.ids["Alex"]): {"situation": "formation", "nouvelles": "oui",
                                              "apport_stage": 2}}]
    nadia.shot(tab, "9-offline-kept")
    tab.close()  # the phone's browser is closed before the network returns
    assert nadia.part_a("Alex") is None

    tab_context.set_offline(False)
    again = tab_context.new_page()
    again.goto(nadia.link)
    card = nadia.card(again, "Alex")
    assert card.locator('fieldset[data-question="apport_stage"] input[value="2"]').is_checked()
    found = poll(lambda: nadia.holds("Alex", {"situation": "formation", "apport_stage": 2}),
                 BACK_ONLINE_SECONDS)
    assert found, nadia.part_a("Alex")
    again.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('suivi-pending:'))")
    again.close()


@PHONE
def test_a_person_moved_to_another_referent_is_skipped_and_named(tab, nadia):
    tab.goto(nadia.link)
    nadia.answer(tab, "Alex", "nouvelles", "oui")
    nadia.wait_status(tab, "saved", SAVED)
    with nadia.app.app_context():
        alex = db.session.get(Participant, nadia.ids["Alex"])
        alex.referent = db.session.scalar(select(Referent).where(
            Referent.email == "paul@example.org"))
        db.session.commit()
    nadia.answer(tab, "Alex", "situation", "emploi")
    nadia.wait_status(tab, "error")
    message = tab.locator("#save-status").inner_text()
    assert message.startswith("Alex n'est plus dans votre liste"), message
    assert "n'est plus dans votre liste" in nadia.card(tab, "Alex").inner_text()
    nadia.shot(tab, "10-moved-away")
    assert nadia.part_a("Alex")[0] == {"nouvelles": "oui"}  # the later answer was not taken
    # Sam's card still saves.
    with tab.expect_navigation():
        tab.locator(f'[data-person="{nadia.ids["Sam"]}"]').click()
    nadia.answer(tab, "Sam", "nouvelles", "non")
    nadia.wait_status(tab, "saved", SAVED)
    assert poll(lambda: nadia.holds("Sam", {"nouvelles": "non"}), 5)


@PHONE
def test_sending_with_a_missing_answer_brings_it_into_view(tab, nadia):
    tab.goto(nadia.link)
    nadia.answer(tab, "Alex", "situation", "stage")
    nadia.answer(tab, "Alex", "apport_stage", 3)
    nadia.wait_status(tab, "saved", SAVED)
    tab.evaluate("() => window.scrollTo(0, 0)")
    with tab.expect_navigation():
        nadia.press(nadia.card(tab, "Alex").get_by_role("button", name="Envoyer pour Alex"))
    assert focused_question(tab) == "confiance_observee"
    box = nadia.card(tab, "Alex").locator('fieldset[data-question="confiance_observee"]')
    top = box.bounding_box()["y"]
    assert 0 <= top < tab.viewport_size["height"] / 2, top
    nadia.shot(tab, "11-first-error")
