"""A stage given a v2 of the bilan that renames every question: a participant fills it on a
tablet (Chromium, 810×1080), and the team's impact page counts it like a v1 bilan."""
import pytest

from questionnaires import clock
from questionnaires.extensions import db
from questionnaires.impact.figures import stage_table
from questionnaires.models import Stage
from tests.support.browser import answer, wait_saved
from tests.support.forms import post_form
from tests.support.questionnaires import add_version, rewritten
from tests.support.tablet import SPORT_STAGE_ID, TABLET_SCREENS, at_step, next_step, start

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("screen", TABLET_SCREENS[:1], indirect=True)]

#: The answers, by figure role: the tablet asks them under their v2 ids
BY_ROLE = {"satisfaction_globale": 4, "experience_groupe": "oui", "demarche_active": "oui",
           "obj_possibles": 4, "obj_competences": 3, "obj_remobilisation": 3,
           "obj_confiance": 4, "obj_territoire": 3, "isolement_rompu": "oui",
           "projet_plus_precis": "oui", "orientation": ["formation"],
           "temoignage": "Sur la v2, j'ai aimé le stade.", "consentement_publication": True}


def _figures(app):
    with app.app_context():
        found = stage_table(db.session.get(Stage, SPORT_STAGE_ID), clock.today()).figures
        db.session.remove()
        return found


def test_a_tablet_on_the_stage_s_v2_feeds_the_impact_page(demo, team, tab, person, site, shots):
    v2 = add_version(demo, rewritten("bilan-individuel"))
    page_url = f"/equipe/stages/{SPORT_STAGE_ID}"
    assigned = post_form(team, f"{page_url}/questionnaires", {
        "questionnaire": "bilan-individuel", "version": "2", "mode": "garder"}, page_url=page_url)
    assert assigned.status_code == 302
    before = _figures(demo)
    someone = person(1)
    start(tab, someone, shots)
    for number, section in enumerate(v2.sections, start=1):
        at_step(tab, number)
        assert tab.locator("h2, legend").first.is_visible()
        asked = [q for q in section.questions if q.figure in BY_ROLE]
        for question in asked:
            answer(tab, question.id, BY_ROLE[question.figure])
        if asked:  # a step with nothing answered has nothing to save
            wait_saved(tab)
        shots.take(tab, f"{number}-v2")
        if number < len(v2.sections):
            next_step(tab)
    tab.get_by_role("button", name="Envoyer mon bilan").tap()
    tab.wait_for_url("**/bilan/envoye")
    stored = someone.answers()
    assert stored == {v2_id: BY_ROLE[role] for role, v2_id in
                      ((q.figure, q.id) for q in v2.section_questions()) if role in BY_ROLE}

    after = _figures(demo)
    assert after["bilans_recus"] == before["bilans_recus"] + 1
    assert after["projet_plus_precis"]["n"] == before["projet_plus_precis"]["n"] + 1
    assert after["projet_plus_precis"]["orientation"]["formation"] == \
        before["projet_plus_precis"]["orientation"]["formation"] + 1
    assert after["objectifs"]["obj_possibles"]["of"] == before["objectifs"]["obj_possibles"]["of"] + 1

    tab.goto(f"{site}/connexion")
    tab.fill("#email", "camille@example.org")
    tab.fill("#password", "mot-de-passe-1")
    tab.locator("button[type=submit]").tap()
    tab.wait_for_url(f"{site}/equipe/stages")
    tab.goto(f"{site}{page_url}/impact")
    lead = tab.locator("p.lead").first.inner_text()
    assert lead.startswith(f"{after['bilans_recus']} bilan")
    row = tab.locator("table.impact-table tr", has_text="Projet professionnel plus précis")
    projet = after["projet_plus_precis"]
    assert f"{projet['n']} / {projet['of']}" in row.inner_text()
    assert tab.get_by_text(f"{someone.first_name} : « {BY_ROLE['temoignage']} »").is_visible()
    shots.take(tab, "impact")
