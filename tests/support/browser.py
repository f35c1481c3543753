"""The browser tests' fixtures: Debian's Chromium driven by Playwright, the app served to it.

A test asks for `tab` (a page whose JavaScript errors fail the test), `tab_context` to go
offline or open another tab, `site` for the app's base URL and `shots` for screenshots. The
screen is a tablet in portrait unless the module parametrizes `screen` (indirectly) with names
of SCREENS. The names stay clear of pytest-playwright's `browser`, `context` and `page`: its
browser download does not exist here, and a test asking for one of those gets its parameter.
"""
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support.system import missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
#: Every wait is bounded: nothing here should take more than a few seconds on a laptop.
TIMEOUT_MS = 15_000
SAVED = "Réponses enregistrées."
#: The screens the tests use, by the name that ends their test ids
SCREENS = {
    "portrait-810x1080": {"viewport": {"width": 810, "height": 1080}, "has_touch": True},
    "landscape-1080x810": {"viewport": {"width": 1080, "height": 810}, "has_touch": True},
    "phone-390x844": {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                      "has_touch": True},
    "laptop-1280x800": {"viewport": {"width": 1280, "height": 800}, "is_mobile": False,
                        "has_touch": False},
}
TABLET = "portrait-810x1080"


def require_chromium() -> None:
    """Skip (or fail, when the system parts are required) without Debian's chromium."""
    if not CHROMIUM.exists():
        missing("Chromium absent: apt-get install chromium (Debian package, /usr/bin/chromium) "
                "to run the browser tests.")


@contextmanager
def serve(app):
    """The app on 127.0.0.1 (a free port), served by a daemon thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# Fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright, one per test module."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screen(request):
    """The browser context's screen: a tablet in portrait, or the name the test is given."""
    return SCREENS[getattr(request, "param", TABLET)]


@pytest.fixture
def tab_context(chromium, screen):
    """A browser context in French, Paris time, bounded waits, on `screen`."""
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", **screen)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def tab(tab_context):
    """A page whose JavaScript errors fail the test."""
    page = tab_context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def site(app):
    """The test's app served to the browser from a thread; its base URL."""
    with serve(app) as base_url:
        yield base_url


@pytest.fixture
def shots(request, screen):
    return Shots(request.node.name, screen["viewport"])


class Shots:
    """Screenshots of each screen: tests/artifacts/<test>-<viewport>-<step>.png."""

    def __init__(self, test_name: str, viewport: dict):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"\[.*\]$", "", test_name).removeprefix("test_")
        self.prefix = f"{name}-{viewport['width']}x{viewport['height']}"
        self.files: list[Path] = []

    def take(self, page, step: str) -> Path:
        path = ARTIFACTS / f"{self.prefix}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self.files.append(path)
        return path


# Answering as a person does -------------------------------------------------------------------

def fieldset(page, question_id: str):
    return page.locator(f'fieldset[data-question="{question_id}"]')


def tap_option(page, question_id: str, value) -> None:
    """Tap the card (or tick line) of one option: the label wrapping the input of `value`."""
    label = fieldset(page, question_id).locator(f'label:has(input[value="{value}"])')
    label.tap()


def answer(page, question_id: str, value) -> None:
    """Give one answer the way a person does: tap cards and tick lines, type text."""
    box = fieldset(page, question_id)
    kind = box.get_attribute("data-type")
    if kind in ("echelle4", "oui_non_nsp", "choix"):
        tap_option(page, question_id, value)
        assert box.locator(f'input[value="{value}"]').is_checked()
    elif kind in ("choix_multiples", "activites"):
        for item in value:
            tap_option(page, question_id, item)
            assert box.locator(f'input[value="{item}"]').is_checked()
    elif kind == "consentement":
        if box.locator("input").is_checked() != bool(value):
            box.locator("label.tick").tap()
        assert box.locator("input").is_checked() == bool(value)
    else:
        field = box.locator("textarea, input[type=text]")
        field.tap()
        field.press_sequentially(value)


def pending_keys(page) -> list[str]:
    """The answers the page still keeps in localStorage, not yet on the server."""
    return page.evaluate("""() => {
        const keys = Object.keys(localStorage).filter(k => k.startsWith('bilan-pending:'));
        return keys.flatMap(k => Object.keys(JSON.parse(localStorage.getItem(k)) || {}));
    }""")


def wait_saved(page, timeout_ms: int = TIMEOUT_MS) -> None:
    """Until every answer of the page is on the server and the status says so."""
    page.wait_for_function(
        """(saved) => {
            const status = document.getElementById('save-status');
            const waiting = Object.keys(localStorage).some(k => k.startsWith('bilan-pending:'));
            return !waiting && status && status.dataset.state === 'saved'
                && status.textContent.trim() === saved;
        }""", arg=SAVED, timeout=timeout_ms)


def poll(predicate, seconds: float):
    """The first truthy value of `predicate` within `seconds`, else its last (falsy) value."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def focused_question(page) -> str:
    """The question in error the page's script brought into view and focused (waits for it:
    the script runs after the page is parsed)."""
    page.wait_for_function("() => document.activeElement"
                           " && document.activeElement.matches('fieldset.question--error')")
    return page.evaluate("() => document.activeElement.dataset.question")


def log_in(page, site: str, email: str, password: str) -> None:
    """Log in through the real form, as a team member does; waits for the stage list."""
    page.goto(f"{site}/connexion")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/equipe/stages")
