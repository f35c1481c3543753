"""Helpers for the real-browser tests: Chromium, the app served from a thread, tapping answers."""
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
#: Every wait is bounded: nothing here should take more than a few seconds on a laptop.
TIMEOUT_MS = 15_000
SAVED = "Réponses enregistrées."


def require_chromium(required: bool) -> None:
    """Skip (or fail, when the system parts are required) without Debian's chromium."""
    if CHROMIUM.exists():
        return
    message = ("Chromium absent: apt-get install chromium (Debian package, /usr/bin/chromium) "
               "to run the browser tests.")
    if required:
        pytest.fail(message)
    pytest.skip(message)


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


def launch_chromium(required: bool):
    """Debian's Chromium driven by Playwright, for one test module (a generator fixture body)."""
    require_chromium(required)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def french_context(browser, **options):
    """A browser context in French, Paris time, bounded waits (a generator fixture body)."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    context.close()


def page_without_js_errors(context):
    """A page whose JavaScript errors fail the test (a generator fixture body)."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"
