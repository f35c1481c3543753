"""The tablet bilan in a real browser: one participant of the demo sport stage (`person`) and
the moves of someone filling the bilan on a tablet."""
from datetime import datetime

import pytest
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.models import Participant, Response, Stage
from questionnaires.participant import bilan
from tests.support.browser import Shots, answer, fieldset

SPORT_STAGE_ID = 2
#: The two orientations of a tablet; a module parametrizes `screen` with them
TABLET_SCREENS = ["portrait-810x1080", "landscape-1080x810"]


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
    page.locator("label[for=aide-non]").tap()
    page.get_by_role("button", name="Commencer →").tap()
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


def finish_button(page):
    """The bar's "Changer de personne" (it ends the tablet session)."""
    return page.locator("header.tablet-bar").get_by_role("button", name="Changer de personne")


def change_person(page) -> None:
    """Tap "Changer de personne" and, the bilan not being sent, answer "Oui, arrêter"."""
    finish_button(page).tap()
    dialog = page.get_by_role("dialog", name="Votre bilan n'est pas envoyé.")
    dialog.get_by_role("button", name="Oui, arrêter").tap()


#: Every required answer of a bilan-individuel v1, as stored: enough to send it
REQUIRED_ANSWERS = {"satisfaction_globale": 3, "experience_groupe": "oui", "demarche_active": "oui",
                    "obj_possibles": 2, "obj_competences": 2, "obj_remobilisation": 3,
                    "obj_confiance": 3, "obj_territoire": 2, "isolement_rompu": "nsp",
                    "projet_plus_precis": "non"}


def send_bilan(app, participant_id: int) -> None:
    """The participant's bilan answered and sent, straight in the database (for its thanks page)."""
    with app.app_context():
        response = bilan.draft_for(db.session.get(Participant, participant_id))
        response.answers = dict(REQUIRED_ANSWERS)
        assert bilan.submit(response) == {}
        db.session.commit()
