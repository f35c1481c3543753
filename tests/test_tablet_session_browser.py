"""The tablet's session in a real Chromium: "Changer de personne" asks first, a tablet left alone
asks "Vous êtes toujours là ?" then ends the session, answers left offline by someone reach the
server from the next session, the first question in error comes into view, "Écouter" reads the
choices, the activities are cards, and the words are plain.

As in test_tablet_browser.py: participants of the demo sport stage, the database read back,
screenshots in tests/artifacts/ (portrait tablet).
"""
import re

import pytest
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.clock import utcnow
from questionnaires.models import Response, Stage
from questionnaires.participant import bilan
from questionnaires.stages.programme import activity_cards
from tests.support.browser import (
    answer, fieldset, focused_question, pending_keys, poll, wait_saved,
)
from tests.support.tablet import (
    SPORT_STAGE_ID, at_step, change_person, finish_button, next_step, send_bilan, start,
    step_path, wait_status,
)

pytestmark = pytest.mark.browser

#: The idle timer of these tests (4 s idle + 2 s warning: room to answer a question first, on a
#: busy machine) and how long a test waits for what it does
IDLE, WARNING, ROOM = 4, 2, 12
#: Records what "Écouter" would say, where a headless browser has no voice
FAKE_VOICE = """
    window.__said = [];
    Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
        speak: (utterance) => window.__said.push(utterance.text), cancel: () => {}}});
"""
#: What participant pages must not show: inclusive dots, "(e)" endings, jargon
NOT_PLAIN = re.compile(r"·|\(e\)|facultatif", re.IGNORECASE)


@pytest.fixture
def short_idle(demo):
    demo.config.update(TABLET_IDLE_SECONDS=IDLE, TABLET_IDLE_WARNING_SECONDS=WARNING)
    return demo


def _idle_dialog(page):
    return page.get_by_role("dialog", name="Vous êtes toujours là ?")


# "Changer de personne" ------------------------------------------------------------------------

def test_changing_person_asks_first_while_the_bilan_is_not_sent(tab, person, shots):
    someone = person(0)
    start(tab, someone)
    answer(tab, "satisfaction_globale", 4)
    wait_saved(tab)
    finish_button(tab).tap()
    dialog = tab.get_by_role("dialog", name="Votre bilan n'est pas envoyé.")
    assert dialog.is_visible()
    assert "Arrêter quand même ?" in dialog.inner_text()
    shots.take(tab, "1-arreter-quand-meme")
    # The two choices are big buttons; the safe one comes first, with the focus.
    keep_on = dialog.get_by_role("button", name="Non, je continue")
    stop = dialog.get_by_role("button", name="Oui, arrêter")
    for button in (keep_on, stop):
        assert button.bounding_box()["height"] >= 60
    assert keep_on.evaluate("b => b === document.activeElement")
    keep_on.tap()
    assert not dialog.is_visible()
    assert tab.url.endswith(step_path(1))
    assert fieldset(tab, "satisfaction_globale").locator("input:checked").count() == 1

    change_person(tab)
    tab.wait_for_url("**/bilan/au-revoir")
    shots.take(tab, "2-au-revoir")
    assert someone.first_name not in tab.content()
    assert tab.goto(tab.url.replace("/bilan/au-revoir", step_path(1))).status == 404
    assert someone.answers() == {"satisfaction_globale": 4}


# The inactivity wipe ----------------------------------------------------------------------------

def test_a_tablet_left_alone_asks_then_ends_the_session(short_idle, tab, person, shots):
    someone = person(1)
    start(tab, someone)
    answer(tab, "satisfaction_globale", 2)
    wait_saved(tab)
    dialog = _idle_dialog(tab)
    dialog.wait_for(state="visible", timeout=ROOM * 1000)
    assert "Vos réponses restent gardées." in dialog.inner_text()
    shots.take(tab, "1-toujours-la")
    dialog.get_by_role("button", name="Oui, je suis là").tap()
    assert not dialog.is_visible()
    assert tab.url.endswith(step_path(1))

    # Nobody answers the second time: the session ends as "Changer de personne" does.
    dialog.wait_for(state="visible", timeout=ROOM * 1000)
    tab.wait_for_url("**/bilan/au-revoir", timeout=ROOM * 1000)
    shots.take(tab, "2-remise-a-zero")
    assert someone.first_name not in tab.content()
    assert tab.goto(tab.url.replace("/bilan/au-revoir", step_path(1))).status == 404
    assert someone.answers() == {"satisfaction_globale": 2}


def test_a_tablet_left_alone_offline_hides_the_bilan_and_loses_nothing(
        short_idle, tab, tab_context, person, shots):
    someone = person(2)
    start(tab, someone)
    answer(tab, "satisfaction_globale", 3)
    wait_saved(tab)
    tab_context.set_offline(True)
    answer(tab, "experience_groupe", "non")
    wait_status(tab, "offline", "Hors ligne")
    _idle_dialog(tab).wait_for(state="visible", timeout=ROOM * 1000)
    tab.get_by_role("heading", name="La tablette est prête pour la personne suivante.").wait_for(
        timeout=ROOM * 1000)
    shots.take(tab, "1-hors-ligne-page-vide")
    # Nothing of the participant shows, yet their answer waits on the tablet under their name.
    assert tab.locator("fieldset[data-question]").count() == 0
    assert someone.first_name not in tab.locator("body").inner_text()
    assert pending_keys(tab) == ["experience_groupe"]
    assert someone.answers() == {"satisfaction_globale": 3}

    tab_context.set_offline(False)
    tab.wait_for_url("**/bilan/au-revoir", timeout=ROOM * 1000 * 2)
    assert poll(lambda: someone.answers() == {"satisfaction_globale": 3,
                                              "experience_groupe": "non"}, ROOM)
    tab.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('bilan-pending:'))")
    assert tab.goto(tab.url.replace("/bilan/au-revoir", step_path(1))).status == 404


def test_the_privacy_notice_opened_from_the_bilan_ends_an_idle_session_too(short_idle, tab,
                                                                          person):
    someone = person(2)
    tab.goto(someone.link)
    tab.wait_for_url("**/bilan/etape/0")
    tab.get_by_role("link", name="Tout savoir sur mes informations").tap()
    tab.wait_for_url("**/confidentialite?depuis=bilan")
    _idle_dialog(tab).wait_for(state="visible", timeout=ROOM * 1000)
    tab.wait_for_url("**/bilan/au-revoir", timeout=ROOM * 1000)
    assert tab.goto(tab.url.replace("/bilan/au-revoir", step_path(0))).status == 404


# Answers someone left on the tablet -------------------------------------------------------------

def test_answers_left_offline_are_sent_by_the_next_session(tab, tab_context, person, shots):
    first, second = person(3), person(4)
    start(tab, first)
    answer(tab, "satisfaction_globale", 4)
    wait_saved(tab)
    tab_context.set_offline(True)
    answer(tab, "demarche_active", "oui")
    wait_status(tab, "offline", "Hors ligne")
    tab.close()  # the tablet is switched off: no "Changer de personne", no network
    assert first.answers() == {"satisfaction_globale": 4}

    tab_context.set_offline(False)
    page = tab_context.new_page()
    page.goto(second.link)  # the next participant, another day
    page.wait_for_url("**/bilan/etape/0")
    assert poll(lambda: first.answers() == {"satisfaction_globale": 4, "demarche_active": "oui"},
                10), first.answers()
    page.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('bilan-pending:'))")
    shots.take(page, "1-session-suivante")
    assert first.first_name not in page.content()
    assert second.answers() == {}
    page.close()


# Errors, read-aloud, cards, plain words -------------------------------------------------------

def test_a_missing_answer_brings_its_question_into_view_with_the_focus(tab, person, shots):
    someone = person(5)
    start(tab, someone)
    next_step(tab)  # step 1 without its required answers
    assert focused_question(tab) == "satisfaction_globale"
    for answers in ({"satisfaction_globale": 3, "experience_groupe": "oui", "demarche_active": "oui"},):
        for question_id, value in answers.items():
            answer(tab, question_id, value)
    next_step(tab)
    at_step(tab, 2)
    # Only the last objective left out: the red question is far below the top of the page.
    for question_id in ("obj_possibles", "obj_competences", "obj_remobilisation", "obj_confiance",
                        "obj_territoire"):
        answer(tab, question_id, 3)
    wait_saved(tab)
    tab.evaluate("() => window.scrollTo(0, 0)")
    next_step(tab)
    assert focused_question(tab) == "isolement_rompu"
    box = fieldset(tab, "isolement_rompu").bounding_box()
    assert box["y"] > 1000 or tab.evaluate("() => window.scrollY") > 0  # it had to scroll
    assert 0 <= box["y"] < tab.viewport_size["height"] / 2, box
    shots.take(tab, "1-premiere-erreur")


def test_listen_reads_the_choices_and_exists_on_welcome_and_thanks(tab, person, shots, demo):
    tab.add_init_script(FAKE_VOICE)
    someone = person(6)
    tab.goto(someone.link)
    tab.wait_for_url("**/bilan/etape/0")
    tab.get_by_role("button", name="Écouter").tap()
    said = tab.evaluate("() => window.__said")
    assert said and said[-1].startswith(f"Bonjour {someone.first_name}.") and "Commencer" in said[-1]
    tab.get_by_role("button", name="Commencer →").tap()
    at_step(tab, 1)
    fieldset(tab, "experience_groupe").get_by_role("button", name="Écouter").tap()
    assert tab.evaluate("() => window.__said")[-1] == (
        "Avez-vous aimé vivre cette semaine en groupe ? Les réponses : Oui. Non. "
        "Je ne sais pas.")
    fieldset(tab, "activites_preferees").get_by_role("button", name="Écouter").tap()
    activities = tab.evaluate("() => window.__said")[-1]
    with demo.app_context():
        cards = activity_cards(db.session.get(Stage, SPORT_STAGE_ID))
    for _, when, title, _ in cards:
        assert f"{when} : {title}" in activities  # whole titles, even those cut on screen
    send_bilan(demo, someone.id)
    tab.goto(tab.url.replace(step_path(1), "/bilan/envoye"))
    tab.get_by_role("button", name="Écouter").tap()
    assert tab.evaluate("() => window.__said")[-1].startswith(f"Merci {someone.first_name}.")
    shots.take(tab, "1-merci")


def test_activities_are_cards_with_their_day_and_kind(tab, person, shots, demo):
    someone = person(7)
    start(tab, someone)
    with demo.app_context():
        cards = activity_cards(db.session.get(Stage, SPORT_STAGE_ID))
    box = fieldset(tab, "activites_preferees")
    assert box.locator("label.activity").count() == len(cards)
    assert box.locator("svg.picto--kind").count() == len(cards)
    longest = max(cards, key=lambda card: len(card[2]))
    key, when, title, _ = longest
    card = box.locator(f'label:has(input[value="{key}"])')
    assert card.locator(".activity-when").inner_text() == when
    cut = card.locator(".activity-title")
    assert cut.evaluate("e => e.scrollHeight > e.clientHeight + 1"), "the long title is not cut"
    assert box.get_by_role("checkbox", name=f"{when} {title}").count() == 1  # read whole
    # Two cards side by side in portrait: the list takes half the height of one per line.
    first, second = (box.locator("label.activity").nth(i).bounding_box() for i in (0, 1))
    assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"] / 2
    answer(tab, "activites_preferees", [key])
    wait_saved(tab)
    shots.take(tab, "1-activites")
    assert someone.answers() == {"activites_preferees": [key]}


def test_participant_pages_use_plain_words(tab, person, shots):
    someone = person(0)
    tab.goto(someone.link)
    tab.wait_for_url("**/bilan/etape/0")
    welcome = tab.locator("section.sheet").first
    words = len(welcome.inner_text().split())
    assert words < 60, (words, welcome.inner_text())
    privacy = tab.locator("aside.privacy-short")
    sentences = privacy.locator("p").all_inner_texts()
    assert len(sentences) == 2 and sentences[0].count(".") == 1  # one sentence, then the link
    assert privacy.get_by_role("link").count() == 1
    # Nothing looks chosen before the participant chooses.
    assert tab.locator("input[name=aide]:checked").count() == 0
    shots.take(tab, "1-accueil")
    pages = [tab.locator("body").inner_text()]
    tab.get_by_role("button", name="Commencer →").tap()
    for number in range(1, 6):
        at_step(tab, number)
        pages.append(tab.locator("body").inner_text())
        if number < 5:
            tab.goto(tab.url.replace(step_path(number), step_path(number + 1)))
    finish_button(tab).tap()
    pages.append(tab.get_by_role("dialog").inner_text())
    tab.get_by_role("button", name="Oui, arrêter").tap()
    tab.wait_for_url("**/bilan/au-revoir")
    pages.append(tab.locator("body").inner_text())
    for text in pages:
        assert not NOT_PLAIN.search(text), NOT_PLAIN.search(text)


def test_the_team_sees_answers_waiting_on_a_tablet(demo, team):
    """Kept answers of a locked stage: the tablet keeps them, the team's bilans page says so."""
    with demo.app_context():
        stage = db.session.get(Stage, SPORT_STAGE_ID)
        person = sorted(stage.participants, key=lambda p: p.id)[0]
        bilan.answers_waiting(bilan.draft_for(person), utcnow())
        db.session.commit()
        assert db.session.scalar(select(Response.waiting_on_tablet_since).where(
            Response.participant_id == person.id)) is not None
    page = team.get(f"/equipe/stages/{SPORT_STAGE_ID}/bilans").get_data(as_text=True)
    assert "Réponses en attente sur une tablette depuis le" in page
    summary = team.get(f"/equipe/stages/{SPORT_STAGE_ID}").get_data(as_text=True)
    assert "1 en attente sur une tablette" in summary
