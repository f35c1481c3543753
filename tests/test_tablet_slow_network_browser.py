"""The tablet bilan in a real Chromium on a slow network: saves overlap with new answers and with
navigation, and no answer is lost. They do not depend on the screen size: portrait only.
"""
import time

import pytest

from tests.support.browser import answer, pending_keys, poll, wait_saved
from tests.support.tablet import answer_all, next_step, start, status_text, step_path, wait_status

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("screen", ["portrait-810x1080"], indirect=True)]


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


def test_answer_changed_during_a_slow_save_reaches_the_server(tab, person, slow_autosave):
    someone = person(6)
    start(tab, someone)
    slow_autosave(1.0)
    answer(tab, "satisfaction_globale", 2)
    wait_status(tab, "saving", "Enregistrement")
    answer(tab, "experience_groupe", "oui")  # while the first save is still on its way
    expected = {"satisfaction_globale": 2, "experience_groupe": "oui"}
    stored = poll(lambda: someone.answers() == expected and someone.answers(), 4)
    # Today: the status says "Réponses enregistrées." while the answer waits in localStorage.
    assert stored == expected, (status_text(tab), pending_keys(tab))


def _pathname(page) -> str:
    """The page's path, or "" while it navigates (evaluating then destroys the context)."""
    from playwright.sync_api import Error

    try:
        return page.evaluate("() => location.pathname")
    except Error:
        return ""


def test_suivant_right_after_an_answer_on_a_slow_network(tab, person, slow_autosave):
    someone = person(7)
    start(tab, someone)
    answer_all(tab, {"satisfaction_globale": 1, "experience_groupe": "oui"})
    wait_saved(tab)
    slow_autosave(0.8)
    answer(tab, "demarche_active", "non")
    next_step(tab)
    reached = poll(lambda: _pathname(tab).endswith(step_path(2)), 3)
    assert reached, (tab.url, status_text(tab), tab.title())
