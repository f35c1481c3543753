"""The tablet bilan in a real Chromium (Debian's package, driven by Playwright).

Each test opens a participant's personal link of the demo sport stage, taps its way through
the bilan at 810×1080 (portrait) and 1080×810 (landscape), and then reads the database to
check what the server really holds. Screenshots go to tests/artifacts/ (git-ignored).
"""
import time
from datetime import datetime

import pytest
from sqlalchemy import select

from questionnaires.participant import bilan
from questionnaires.extensions import db
from questionnaires.models import Participant, Response, Stage
from tests.browser_support import (
    SAVED, Shots, answer, fieldset, french_context, launch_chromium, page_without_js_errors,
    pending_keys, poll, serve, wait_saved,
)
from tests.conftest import REQUIRE_SYSTEM_PARTS

pytestmark = pytest.mark.browser

SPORT_STAGE_ID = 2
VIEWPORTS = {
    "portrait-810x1080": {"width": 810, "height": 1080},
    "landscape-1080x810": {"width": 1080, "height": 810},
}
#: The answers of a whole bilan, step by step, as a participant gives them.
#: "activites_preferees" is filled in from the stage's programme by the test.
STEPS = [
    {"satisfaction_globale": 4, "activites_preferees": None, "experience_groupe": "oui",
     "demarche_active": "nsp"},
    {"obj_possibles": 3, "obj_competences": 4, "obj_remobilisation": 2, "obj_confiance": 3,
     "obj_territoire": 1, "isolement_rompu": "non"},
    {"talents": ["ecouter", "equipe", "calme"], "talents_autres": "Cuisiner pour les autres"},
    {"projet_plus_precis": "oui", "orientation": ["formation", "emploi"],
     "projet_detail": "Une formation d'animateur sportif, puis un emploi au stade."},
    {"temoignage": "J'ai aimé la visite du stade. Je retiens qu'on peut y arriver ensemble.",
     "consentement_publication": True},
]
#: Only what must be answered to send the bilan.
REQUIRED = [
    {"satisfaction_globale": 3, "experience_groupe": "oui", "demarche_active": "oui"},
    {"obj_possibles": 2, "obj_competences": 2, "obj_remobilisation": 3, "obj_confiance": 3,
     "obj_territoire": 2, "isolement_rompu": "nsp"},
    {},
    {"projet_plus_precis": "non"},
    {},
]


# Fixtures -------------------------------------------------------------------------------------
# Named so as not to collide with pytest-playwright's own `browser`/`context`/`page` fixtures,
# whose browser download does not exist here.

@pytest.fixture(scope="module")
def chromium():
    yield from launch_chromium(REQUIRE_SYSTEM_PARTS)


@pytest.fixture(params=list(VIEWPORTS.values()), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def site(demo):
    """The demo app (fresh SQLite file) served to the browser; yields its base URL."""
    with serve(demo) as base_url:
        yield base_url


@pytest.fixture
def tablet_context(chromium, viewport):
    """A tablet: touch screen, French locale, one of the two orientations."""
    yield from french_context(chromium, viewport=viewport, has_touch=True)


@pytest.fixture
def tablet(tablet_context):
    yield from page_without_js_errors(tablet_context)


@pytest.fixture
def shots(request, viewport):
    return Shots(request.node.name, viewport)


class Person:
    """One participant of the sport stage, and what the database holds of their bilan."""

    def __init__(self, app, site, index: int):
        self.app = app
        with app.app_context():
            stage = db.session.get(Stage, SPORT_STAGE_ID)
            people = sorted(stage.participants, key=lambda p: p.id)
            assert len(people) == 8
            person = people[index]
            assert bilan.response_of(person) is None
            self.id, self.first_name = person.id, person.first_name
            self.link = f"{site}/b/{bilan.link_token(person)}"
            self.activities = [key for key, _ in bilan.activity_choices(stage)]

    def responses(self) -> list[tuple[dict, datetime | None]]:
        """Every bilan-individuel row of this participant: (answers, submitted_at)."""
        with self.app.app_context():
            rows = db.session.scalars(select(Response).where(
                Response.participant_id == self.id,
                Response.questionnaire == bilan.QUESTIONNAIRE)).all()
            result = [(dict(r.answers or {}), r.submitted_at) for r in rows]
            db.session.remove()
            return result

    def answers(self) -> dict:
        rows = self.responses()
        assert len(rows) == 1, rows
        return rows[0][0]

    def submitted_at(self):
        rows = self.responses()
        assert len(rows) == 1, rows
        return rows[0][1]

    def resume_section(self) -> int:
        with self.app.app_context():
            person = db.session.get(Participant, self.id)
            value = bilan.response_of(person).resume_section
            db.session.remove()
            return value


@pytest.fixture
def person(demo, site):
    """Participant number `index` (0…7) of the sport stage.

    Each test has a database of its own, so nothing is shared; the tests still mostly take
    different people, which makes a server log easier to tie to its test.
    """
    return lambda index: Person(demo, site, index)


# Moving around ------------------------------------------------------------------------------

def step_path(number: int) -> str:
    return f"/bilan/etape/{number}"


def at_step(page, number: int) -> None:
    page.wait_for_url(f"**{step_path(number)}")
    assert page.locator(".progress-text").inner_text() == f"Étape {number} sur 5"


def start(page, person: Person, shots: Shots | None = None) -> None:
    """Open the personal link; on the welcome screen say who helps; land on step 1."""
    page.goto(person.link)
    page.wait_for_url("**/bilan/etape/0")
    assert page.get_by_role("heading", level=1).inner_text() == f"Bonjour {person.first_name} !"
    if shots:
        shots.take(page, "0-accueil")
    page.get_by_role("button", name="Je remplis seul·e, ou avec l'équipe").tap()
    at_step(page, 1)


def next_step(page) -> None:
    page.get_by_role("button", name="Suivant →").tap()


def answer_all(page, answers: dict) -> None:
    for question_id, value in answers.items():
        answer(page, question_id, value)


def wait_status(page, state: str, start_of_text: str) -> None:
    """Until the status line is in `state` and its text begins with `start_of_text`.

    Both are read at once: a retry may change the line between two separate reads.
    """
    page.wait_for_function(
        """([state, text]) => {
            const status = document.getElementById('save-status');
            return status.dataset.state === state && status.textContent.startsWith(text);
        }""", arg=[state, start_of_text])


def status_text(page) -> str:
    return page.locator("#save-status").inner_text().strip()


def checked_values(page, question_id: str) -> list[str]:
    return fieldset(page, question_id).locator("input:checked").evaluate_all(
        "inputs => inputs.map(i => i.value)")


# The tests ----------------------------------------------------------------------------------

def test_whole_bilan_filled_by_tapping(tablet, person, shots):
    someone = person(0)
    steps = [dict(step) for step in STEPS]
    steps[0]["activites_preferees"] = someone.activities[:3:2]  # the 1st and 3rd slots
    page = tablet
    start(page, someone, shots)

    for number, answers in enumerate(steps, start=1):
        at_step(page, number)
        if number == 4:
            # "Vers quoi voulez-vous aller ?" only appears once the project is clearer.
            assert fieldset(page, "orientation").is_hidden()
            answer(page, "projet_plus_precis", "non")
            assert fieldset(page, "orientation").is_hidden()
        for question_id, value in answers.items():
            if question_id == "orientation":
                assert fieldset(page, "orientation").is_visible()
            answer(page, question_id, value)
        wait_saved(page)
        shots.take(page, f"{number}-etape")
        if number < len(steps):
            next_step(page)
    send = page.get_by_role("button", name="Envoyer mon bilan")
    assert send.is_visible()
    send.tap()
    page.wait_for_url("**/bilan/envoye")
    assert page.get_by_role("heading", level=1).inner_text() == f"Merci {someone.first_name} !"
    assert page.get_by_text("Votre bilan est bien envoyé à l'équipe.").is_visible()
    shots.take(page, "6-merci")

    expected = {key: value for step in steps for key, value in step.items()}
    assert someone.answers() == expected
    assert someone.submitted_at() is not None
    assert pending_keys(page) == []


def test_offline_answers_are_kept_and_sent_when_the_network_returns(tablet, tablet_context,
                                                                     person, shots):
    someone = person(1)
    page = tablet
    start(page, someone)

    answer(page, "satisfaction_globale", 3)
    wait_saved(page)
    assert someone.answers() == {"satisfaction_globale": 3}

    tablet_context.set_offline(True)
    answer(page, "experience_groupe", "non")
    answer(page, "demarche_active", "oui")
    wait_status(page, "offline", "Hors ligne — vos réponses sont gardées sur la tablette.")
    shots.take(page, "1-hors-ligne")
    assert sorted(pending_keys(page)) == ["demarche_active", "experience_groupe"]
    assert someone.answers() == {"satisfaction_globale": 3}

    # Without network, "Suivant" keeps the page (and every answer) and says why.
    next_step(page)
    wait_status(page, "offline", "Pas de réseau : vos réponses sont gardées sur la tablette.")
    shots.take(page, "2-suivant-sans-reseau")
    assert page.url.endswith(step_path(1))
    assert checked_values(page, "satisfaction_globale") == ["3"]
    assert checked_values(page, "experience_groupe") == ["non"]
    assert checked_values(page, "demarche_active") == ["oui"]
    assert sorted(pending_keys(page)) == ["demarche_active", "experience_groupe"]
    assert page.get_by_role("button", name="Suivant →").is_enabled()
    assert someone.answers() == {"satisfaction_globale": 3}

    tablet_context.set_offline(False)
    wait_saved(page)  # sent on the "online" event (or by the 5 s retry)
    assert status_text(page) == SAVED
    shots.take(page, "3-reseau-revenu")
    assert someone.answers() == {"satisfaction_globale": 3, "experience_groupe": "non",
                                 "demarche_active": "oui"}

    next_step(page)
    at_step(page, 2)
    assert someone.resume_section() == 2


def test_reload_resumes_at_the_last_step_with_the_answers(tablet, tablet_context, person,
                                                          shots):
    someone = person(2)
    page = tablet
    start(page, someone)
    first = {"satisfaction_globale": 2, "activites_preferees": someone.activities[1:2],
             "experience_groupe": "nsp", "demarche_active": "oui"}
    answer_all(page, first)
    wait_saved(page)
    next_step(page)
    at_step(page, 2)
    answer_all(page, {"obj_possibles": 2, "obj_confiance": 4})
    wait_saved(page)
    page.close()

    again = tablet_context.new_page()
    again.goto(someone.link)
    at_step(again, 2)
    shots.take(again, "1-reprise")
    assert pending_keys(again) == []  # what follows comes from the server, not the tablet
    assert checked_values(again, "obj_possibles") == ["2"]
    assert checked_values(again, "obj_confiance") == ["4"]
    for question_id in ("obj_competences", "obj_remobilisation", "obj_territoire",
                        "isolement_rompu"):
        assert checked_values(again, question_id) == []
    assert again.locator(".choice-input:checked + .choice-body").count() == 2

    again.get_by_role("button", name="← Précédent").tap()
    at_step(again, 1)
    shots.take(again, "2-etape-precedente")
    assert checked_values(again, "satisfaction_globale") == ["2"]
    assert checked_values(again, "activites_preferees") == someone.activities[1:2]
    assert checked_values(again, "experience_groupe") == ["nsp"]
    assert checked_values(again, "demarche_active") == ["oui"]
    assert someone.answers() == {**first, "obj_possibles": 2, "obj_confiance": 4}
    again.close()


def test_double_submit_sends_the_bilan_once(tablet, person, shots):
    someone = person(3)
    page = tablet
    start(page, someone)
    for number, answers in enumerate(REQUIRED, start=1):
        at_step(page, number)
        answer_all(page, answers)
        if answers:
            wait_saved(page)
        if number < len(REQUIRED):
            next_step(page)
    shots.take(page, "1-derniere-etape")
    assert someone.submitted_at() is None

    requests = []
    page.on("request", lambda r: requests.append(r) if r.method == "POST"
            and r.url.endswith(step_path(5)) else None)
    page.get_by_role("button", name="Envoyer mon bilan").dblclick()
    page.wait_for_url("**/bilan/envoye")
    shots.take(page, "2-merci")
    assert len(requests) == 1, [r.url for r in requests]
    rows = someone.responses()
    assert len(rows) == 1
    answers, sent_at = rows[0]
    assert sent_at is not None
    # Sending the last page without ticking the consent records an explicit "no".
    assert answers == {**{key: value for step in REQUIRED for key, value in step.items()},
                       "consentement_publication": False}

    # Sending again (a stale tab, a reposted form) changes nothing: still one row, same time.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    statuses = page.evaluate(
        """async ([url, token]) => {
            const post = () => fetch(url, {method: 'POST', credentials: 'same-origin',
                body: new URLSearchParams({csrf_token: token, action: 'suivant'}),
                redirect: 'follow'});
            const answers = await Promise.all([post(), post()]);
            return answers.map(r => [r.status, new URL(r.url).pathname]);
        }""", [step_path(5), token])
    assert statuses == [[200, "/bilan/envoye"], [200, "/bilan/envoye"]]
    assert someone.responses() == [(answers, sent_at)]

    page.get_by_role("link", name="Corriger mes réponses").tap()
    at_step(page, 1)
    page.goto(page.url.replace(step_path(1), step_path(5)))
    at_step(page, 5)
    resend = page.get_by_role("button", name="Enregistrer mes corrections")
    assert resend.is_visible()
    resend.tap()
    page.wait_for_url("**/bilan/envoye")
    assert someone.responses() == [(answers, sent_at)]


def test_terminer_leaves_nothing_on_the_tablet(tablet, tablet_context, person, shots):
    someone = person(4)
    page = tablet
    start(page, someone)
    answer(page, "satisfaction_globale", 4)
    wait_saved(page)

    tablet_context.set_offline(True)
    answer(page, "experience_groupe", "oui")
    wait_status(page, "offline", "Hors ligne")
    assert page.evaluate("() => localStorage.length") > 0
    assert pending_keys(page) == ["experience_groupe"]
    shots.take(page, "1-hors-ligne")

    tablet_context.set_offline(False)
    wait_saved(page)
    assert someone.answers() == {"satisfaction_globale": 4, "experience_groupe": "oui"}
    # Whatever else this origin may have kept must go too, except the unsent answers of
    # another participant who left without network: they are theirs to send next time.
    page.evaluate("""() => { localStorage.setItem('brouillon-ancien', 'x');
                             localStorage.setItem('bilan-pending:other', '{"obj_confiance": 3}');
                             sessionStorage.setItem('etape', '1'); }""")

    page.locator("header.tablet-bar").get_by_role("button", name="Terminer").tap()
    page.wait_for_url("**/bilan/au-revoir")
    assert page.get_by_role("heading", level=1).inner_text() == "À bientôt !"
    shots.take(page, "2-au-revoir")
    assert page.evaluate("() => Object.keys(localStorage)") == ["bilan-pending:other"]
    assert page.evaluate("() => sessionStorage.length") == 0
    assert someone.first_name not in page.content()

    response = page.goto(page.url.replace("/bilan/au-revoir", step_path(1)))
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page introuvable"
    assert "Aucun bilan n'est ouvert sur cette tablette" in page.content()
    shots.take(page, "3-apres-terminer")
    html = page.content()
    assert someone.first_name not in html
    assert 'name="satisfaction_globale"' not in html
    assert someone.answers() == {"satisfaction_globale": 4, "experience_groupe": "oui"}



def test_terminer_without_network_waits_and_loses_nothing(tablet, tablet_context, person, site,
                                                          shots):
    someone = person(5)
    page = tablet
    start(page, someone)
    answer(page, "satisfaction_globale", 3)
    wait_saved(page)
    tablet_context.set_offline(True)
    answer(page, "experience_groupe", "nsp")
    wait_status(page, "offline", "Hors ligne")

    finish = page.locator("header.tablet-bar").get_by_role("button", name="Terminer")
    finish.tap()
    wait_status(page, "offline", "Pas de réseau")
    shots.take(page, "1-terminer-sans-reseau")
    # The tablet stays on the bilan and keeps what the server does not have yet.
    assert page.url.endswith(step_path(1))
    assert pending_keys(page) == ["experience_groupe"]
    assert someone.answers() == {"satisfaction_globale": 3}
    assert finish.is_visible()

    tablet_context.set_offline(False)
    wait_saved(page)
    assert someone.answers() == {"satisfaction_globale": 3, "experience_groupe": "nsp"}
    finish.tap()
    page.wait_for_url("**/bilan/au-revoir")
    assert page.evaluate("() => localStorage.length + sessionStorage.length") == 0
    assert page.goto(f"{site}{step_path(1)}").status == 404
    assert someone.answers() == {"satisfaction_globale": 3, "experience_groupe": "nsp"}


def test_terminer_without_network_on_the_welcome_page(tablet, tablet_context, person, shots):
    """No bilan form here: Terminer still waits for the network, and its button stays."""
    someone = person(6)
    page = tablet
    page.goto(someone.link)
    page.wait_for_url("**/bilan/etape/0")
    tablet_context.set_offline(True)
    finish = page.locator("header.tablet-bar").get_by_role("button", name="Terminer")
    finish.tap()
    wait_status(page, "offline", "Pas de réseau")
    shots.take(page, "1-accueil-sans-reseau")
    assert page.url.endswith(step_path(0))
    assert finish.is_visible()

    tablet_context.set_offline(False)
    finish.tap()
    page.wait_for_url("**/bilan/au-revoir")
    assert someone.first_name not in page.content()

# Slow networks: saves overlap with new answers and with navigation. ----------------------------
# They do not depend on the screen size: portrait only.

PORTRAIT = pytest.mark.parametrize("viewport", [VIEWPORTS["portrait-810x1080"]], indirect=True,
                                   ids=["portrait-810x1080"])


@pytest.fixture
def slow_autosave(demo):
    """Make the server answer autosaves after `delay` seconds, as on a weak mobile network."""
    wsgi_app = demo.wsgi_app
    state = {"delay": 0.0}

    def slowed(environ, start_response):
        if environ.get("PATH_INFO") == "/bilan/brouillon" and state["delay"]:
            time.sleep(state["delay"])
        return wsgi_app(environ, start_response)

    demo.wsgi_app = slowed

    def set_delay(seconds: float) -> None:
        state["delay"] = seconds

    yield set_delay
    demo.wsgi_app = wsgi_app


@PORTRAIT
def test_answer_changed_during_a_slow_save_reaches_the_server(tablet, person, slow_autosave):
    someone = person(6)
    page = tablet
    start(page, someone)
    slow_autosave(1.0)
    answer(page, "satisfaction_globale", 2)
    wait_status(page, "saving", "Enregistrement")
    answer(page, "experience_groupe", "oui")  # while the first save is still on its way
    expected = {"satisfaction_globale": 2, "experience_groupe": "oui"}
    stored = poll(lambda: someone.answers() == expected and someone.answers(), 4)
    # Today: the status says "Réponses enregistrées." while the answer waits in localStorage.
    assert stored == expected, (status_text(page), pending_keys(page))


def _pathname(page) -> str:
    """The page's path, or "" while it navigates (evaluating then destroys the context)."""
    from playwright.sync_api import Error

    try:
        return page.evaluate("() => location.pathname")
    except Error:
        return ""


@PORTRAIT
def test_suivant_right_after_an_answer_on_a_slow_network(tablet, person, slow_autosave):
    someone = person(7)
    page = tablet
    start(page, someone)
    answer_all(page, {"satisfaction_globale": 1, "experience_groupe": "oui"})
    wait_saved(page)
    slow_autosave(0.8)
    answer(page, "demarche_active", "non")
    next_step(page)
    reached = poll(lambda: _pathname(page).endswith(step_path(2)), 3)
    assert reached, (page.url, status_text(page), page.title())
