"""The tablet bilan in a real Chromium without network: nothing is lost, and "Changer de
personne" leaves nothing of the participant on the tablet.

As in test_tablet_browser.py: a participant's link of the demo sport stage, both orientations,
the database read back after each step, screenshots in tests/artifacts/.
"""
import pytest

from tests.support.browser import SAVED, answer, pending_keys, wait_saved
from tests.support.tablet import (
    TABLET_SCREENS, at_step, change_person, checked_values, finish_button, next_step, start,
    status_text, step_path, wait_status,
)

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("screen", TABLET_SCREENS, indirect=True)]


def test_offline_answers_are_kept_and_sent_when_the_network_returns(tab, tab_context, person,
                                                                     shots):
    someone = person(1)
    start(tab, someone)

    answer(tab, "satisfaction_globale", 3)
    wait_saved(tab)
    assert someone.answers() == {"satisfaction_globale": 3}

    tab_context.set_offline(True)
    answer(tab, "experience_groupe", "non")
    answer(tab, "demarche_active", "oui")
    wait_status(tab, "offline", "Hors ligne — vos réponses sont gardées sur la tablette.")
    shots.take(tab, "1-hors-ligne")
    assert sorted(pending_keys(tab)) == ["demarche_active", "experience_groupe"]
    assert someone.answers() == {"satisfaction_globale": 3}

    # Without network, "Suivant" keeps the page (and every answer) and says why.
    next_step(tab)
    wait_status(tab, "offline", "Pas de réseau : vos réponses sont gardées sur la tablette.")
    shots.take(tab, "2-suivant-sans-reseau")
    assert tab.url.endswith(step_path(1))
    assert checked_values(tab, "satisfaction_globale") == ["3"]
    assert checked_values(tab, "experience_groupe") == ["non"]
    assert checked_values(tab, "demarche_active") == ["oui"]
    assert sorted(pending_keys(tab)) == ["demarche_active", "experience_groupe"]
    assert tab.get_by_role("button", name="Suivant →").is_enabled()
    assert someone.answers() == {"satisfaction_globale": 3}

    tab_context.set_offline(False)
    wait_saved(tab)  # sent on the "online" event (or by the 5 s retry)
    assert status_text(tab) == SAVED
    shots.take(tab, "3-reseau-revenu")
    assert someone.answers() == {"satisfaction_globale": 3, "experience_groupe": "non",
                                 "demarche_active": "oui"}

    next_step(tab)
    at_step(tab, 2)
    assert someone.resume_section() == 2


def test_terminer_leaves_nothing_on_the_tablet(tab, tab_context, person, shots):
    someone = person(4)
    start(tab, someone)
    answer(tab, "satisfaction_globale", 4)
    wait_saved(tab)

    tab_context.set_offline(True)
    answer(tab, "experience_groupe", "oui")
    wait_status(tab, "offline", "Hors ligne")
    assert tab.evaluate("() => localStorage.length") > 0
    assert pending_keys(tab) == ["experience_groupe"]
    shots.take(tab, "1-hors-ligne")

    tab_context.set_offline(False)
    wait_saved(tab)
    assert someone.answers() == {"satisfaction_globale": 4, "experience_groupe": "oui"}
    # Whatever else this origin may have kept must go too, except the unsent answers of
    # another participant who left without network: they are theirs to send next time.
    tab.evaluate("""() => { localStorage.setItem('brouillon-ancien', 'x');
                             localStorage.setItem('bilan-pending:other', '{"obj_confiance": 3}');
                             sessionStorage.setItem('etape', '1'); }""")

    change_person(tab)
    tab.wait_for_url("**/bilan/au-revoir")
    assert tab.get_by_role("heading", level=1).inner_text() == "À bientôt !"
    shots.take(tab, "2-au-revoir")
    assert tab.evaluate("() => Object.keys(localStorage)") == ["bilan-pending:other"]
    assert tab.evaluate("() => sessionStorage.length") == 0
    assert someone.first_name not in tab.content()

    response = tab.goto(tab.url.replace("/bilan/au-revoir", step_path(1)))
    assert response.status == 404
    assert tab.get_by_role("heading", level=1).inner_text() == "Page introuvable"
    assert "Aucun bilan n'est ouvert sur cette tablette" in tab.content()
    shots.take(tab, "3-apres-terminer")
    html = tab.content()
    assert someone.first_name not in html
    assert 'name="satisfaction_globale"' not in html
    assert someone.answers() == {"satisfaction_globale": 4, "experience_groupe": "oui"}


def test_terminer_without_network_waits_and_loses_nothing(tab, tab_context, person, site,
                                                           shots):
    someone = person(5)
    start(tab, someone)
    answer(tab, "satisfaction_globale", 3)
    wait_saved(tab)
    tab_context.set_offline(True)
    answer(tab, "experience_groupe", "nsp")
    wait_status(tab, "offline", "Hors ligne")

    finish = finish_button(tab)
    change_person(tab)
    wait_status(tab, "offline", "Pas de réseau")
    shots.take(tab, "1-terminer-sans-reseau")
    # The tablet stays on the bilan and keeps what the server does not have yet.
    assert tab.url.endswith(step_path(1))
    assert pending_keys(tab) == ["experience_groupe"]
    assert someone.answers() == {"satisfaction_globale": 3}
    assert finish.is_visible()

    tab_context.set_offline(False)
    wait_saved(tab)
    assert someone.answers() == {"satisfaction_globale": 3, "experience_groupe": "nsp"}
    change_person(tab)
    tab.wait_for_url("**/bilan/au-revoir")
    assert tab.evaluate("() => localStorage.length + sessionStorage.length") == 0
    assert tab.goto(f"{site}{step_path(1)}").status == 404
    assert someone.answers() == {"satisfaction_globale": 3, "experience_groupe": "nsp"}


def test_terminer_without_network_on_the_welcome_page(tab, tab_context, person, shots):
    """No bilan form here: "Changer de personne" still waits for the network, and stays."""
    someone = person(6)
    tab.goto(someone.link)
    tab.wait_for_url("**/bilan/etape/0")
    tab_context.set_offline(True)
    finish = finish_button(tab)
    change_person(tab)
    wait_status(tab, "offline", "Pas de réseau")
    shots.take(tab, "1-accueil-sans-reseau")
    assert tab.url.endswith(step_path(0))
    assert finish.is_visible()

    tab_context.set_offline(False)
    change_person(tab)
    tab.wait_for_url("**/bilan/au-revoir")
    assert someone.first_name not in tab.content()
