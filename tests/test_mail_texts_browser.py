"""The mail text editor in a real Chromium: the preview follows the typing, a bad code is
named next to its field at once, and saving goes back to the stage's follow-up page."""
import pytest
from playwright.sync_api import expect

from tests.test_team_pages_browser import SPORT, _shot, desk  # noqa: F401  (the desk fixture)

pytestmark = pytest.mark.browser


def test_the_preview_follows_the_typing_and_names_a_bad_code(desk):  # noqa: F811
    desk.goto(f"{desk.site}/equipe/stages/{SPORT}/suivi")
    desk.click("#textes >> text=Invitation au suivi")
    expect(desk.locator("h1")).to_contain_text("Invitation au suivi : texte du stage")
    expect(desk.locator("#apercu-sujet")).to_contain_text("Suivi à 3 mois du stage")
    desk.fill("#mail-subject", "Des nouvelles, {mois} mois après « {titre_stage} »")
    expect(desk.locator("#apercu-sujet")).to_contain_text("Des nouvelles, 3 mois après « ")
    body = desk.locator("#mail-body")
    body.press("End")
    body.press("Control+End")
    body.type("\n\nÀ bientôt {prenom_referent} <b>!</b>")
    expect(desk.locator("#apercu-texte")).to_contain_text("À bientôt Nadia <b>!</b>")
    frame = desk.frame_locator("#apercu-html")
    expect(frame.locator("body")).to_contain_text("À bientôt Nadia <b>!</b>")  # escaped: shown
    body.type(" {inconnu}")
    expect(desk.locator("#erreur-texte")).to_contain_text("Code inconnu : {inconnu}.")
    expect(desk.locator("#apercu-vide")).to_be_visible()
    _shot(desk, "mail-text-error")
    for _ in range(len(" {inconnu}")):
        body.press("Backspace")
    expect(desk.locator("#erreur-texte")).to_be_hidden()
    expect(frame.locator("a", has_text="Répondre au suivi")).to_be_visible()
    _shot(desk, "mail-text-preview")
    desk.click("button[value=enregistrer]")
    desk.wait_for_url(f"{desk.site}/equipe/stages/{SPORT}/suivi*")
    expect(desk.locator(".flash")).to_contain_text("Texte « Invitation au suivi »")
    expect(desk.locator("#textes")).to_contain_text("propre à ce stage")
