"""The questionnaire designer in a real Chromium, at tablet and phone sizes: a v2 made in the
pages (a question renamed, a choice added, a conditional question added), then published.
Screenshots in tests/artifacts/questionnaire_designer-<size>-<step>.png."""
import pytest

from questionnaires.designer import store
from questionnaires.engine.definitions import get_definition
from tests.support.browser import fieldset, log_in
from tests.support.tablet import SPORT_STAGE_ID, start

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", ["portrait-810x1080", "phone-390x844"], indirect=True)
def test_a_v2_made_in_the_pages_then_published(tab, site, demo, auth, shots, screen, person):
    auth.create()
    log_in(tab, site, "camille@example.org", "mot-de-passe-1")
    tab.goto(f"{site}/equipe/questionnaires")
    card = tab.locator("section.card", has=tab.get_by_role("heading", name="Bilan individuel"))
    card.get_by_role("button", name="Nouvelle version").click()
    tab.wait_for_url("**/equipe/questionnaires/bilan-individuel/v2")
    assert "Brouillon" in tab.locator("h1").inner_text()
    shots.take(tab, "1-draft")

    # Rename the first question
    first = tab.locator("#s0q0")
    first.locator("summary").click()
    tab.fill("#s0q0-label", "La semaine vous a plu ?")
    first.get_by_role("button", name="Enregistrer la question").click()
    tab.wait_for_load_state()
    assert "Modification enregistrée." in tab.locator(".flash--success").inner_text()

    # Add a choice to the talents (section 3, question 1)
    talents = tab.locator("#s2q0")
    talents.locator("summary").click()
    tab.fill("#s2q0-new-choices", "Cuisiner pour le groupe")
    talents.get_by_role("button", name="Enregistrer la question").click()
    tab.wait_for_load_state()
    assert tab.locator("#s2q0 code", has_text="cuisiner_pour_le_groupe").count() == 1

    # Add a question asked only to those who ticked the new choice
    adding = tab.locator("#s2-new")
    adding.locator("summary").click()
    tab.fill("#s2-new-label", "Qu'avez-vous cuisiné ?")
    tab.select_option("#s2-new-type", "texte_court")
    tab.select_option("#s2-new-shown-if", "talents::cuisiner_pour_le_groupe")
    adding.get_by_role("button", name="Ajouter la question").click()
    tab.wait_for_load_state()

    # The previews, from the one renderer, at both widths
    for kind in ("tablette", "telephone"):
        preview = tab.locator(f".apercu--{kind}")
        assert preview.locator("legend", has_text="La semaine vous a plu ?").count() == 1
        assert preview.locator("legend", has_text="Qu'avez-vous cuisiné ?").count() == 1
        assert preview.locator("label", has_text="Cuisiner pour le groupe").count() == 1
        assert preview.get_by_text("Posée seulement si").count() >= 1
    phone_width = tab.locator(".apercu--telephone").bounding_box()["width"]
    assert phone_width <= 360
    shots.take(tab, "2-edited")

    tab.get_by_role("button", name="Publier").click()
    tab.wait_for_load_state()
    assert "Version 2 publiée" in tab.locator(".flash--success").inner_text()
    assert "Publiée" in tab.locator("h1").inner_text()
    assert tab.locator("#editeur").count() == 0  # frozen: no editor any more
    shots.take(tab, "3-published")
    with demo.app_context():
        v2 = get_definition("bilan-individuel")
        assert v2.version == 2
        assert v2.questions["satisfaction_globale"].label == "La semaine vous a plu ?"
        assert v2.questions["qu_avez_vous_cuisine"].shown_if == (
            "talents", ("cuisiner_pour_le_groupe",))
        assert store.find("bilan-individuel", 2).published

    # The team gives the v2 to the sport stage (no bilan yet), then a tablet opens it
    tab.goto(f"{site}/equipe/stages/{SPORT_STAGE_ID}")
    tab.select_option("#version-bilan-individuel", "2")
    tab.locator("form.variant-form", has=tab.locator("#version-bilan-individuel")).get_by_role(
        "button", name="Utiliser cette version").click()
    tab.wait_for_load_state()
    tab.goto(f"{site}/equipe/questionnaires")
    row = tab.locator("tr", has=tab.get_by_role("link", name="Version 2"))
    assert "Métiers du sport" in row.first.inner_text()
    tab.context.clear_cookies()  # the tablet: nobody logged in
    start(tab, person(0))
    assert fieldset(tab, "satisfaction_globale").locator("legend").inner_text().startswith(
        "La semaine vous a plu ?")
    shots.take(tab, "4-tablet-on-v2")


def test_the_draft_editor_with_a_fault_shown_has_no_serious_violation(chromium, site, demo, auth):
    """axe-core on the editor of a draft, a fault shown next to its field (the published
    pages are in test_accessibility_browser.py's sweep of every team page)."""
    from tests.support.axe import blocking
    from tests.support.browser import SCREENS, TIMEOUT_MS

    auth.create()
    with demo.app_context():
        draft_version = store.new_draft("suivi-referent", None).version
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True,
                                   **SCREENS["laptop-1280x800"])
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        log_in(page, site, "camille@example.org", "mot-de-passe-1")
        page.goto(f"{site}/equipe/questionnaires/suivi-referent/v{draft_version}")
        page.locator("#s0q1 summary").click()
        page.fill("#s0q1-label", "")
        page.locator("#s0q1").get_by_role("button", name="Enregistrer la question").click()
        page.wait_for_load_state()
        assert page.locator("#s0q1-label-error").inner_text() == "l'intitulé est vide."
        assert page.locator("#s0q1").get_attribute("open") is not None
        problems = blocking(page, "/equipe/questionnaires/suivi-referent/v2")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
