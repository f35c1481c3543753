"""The tablet bilan in a real Chromium (Debian's package, driven by Playwright): filled by
tapping, resumed after a reload, sent once however often it is sent.

Each test opens a participant's personal link of the demo sport stage, taps its way through
the bilan at 810×1080 (portrait) and 1080×810 (landscape), and then reads the database to
check what the server really holds. Screenshots go to tests/artifacts/ (git-ignored).
"""
import pytest

from tests.support.browser import answer, fieldset, pending_keys, wait_saved
from tests.support.tablet import (
    TABLET_SCREENS, answer_all, at_step, checked_values, next_step, start, step_path,
)

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("screen", TABLET_SCREENS, indirect=True)]

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


def test_whole_bilan_filled_by_tapping(tab, person, shots):
    someone = person(0)
    steps = [dict(step) for step in STEPS]
    steps[0]["activites_preferees"] = someone.activities[:3:2]  # the 1st and 3rd slots
    start(tab, someone, shots)

    for number, answers in enumerate(steps, start=1):
        at_step(tab, number)
        if number == 4:
            # "Vers quoi voulez-vous aller ?" only appears once the project is clearer.
            assert fieldset(tab, "orientation").is_hidden()
            answer(tab, "projet_plus_precis", "non")
            assert fieldset(tab, "orientation").is_hidden()
        for question_id, value in answers.items():
            if question_id == "orientation":
                assert fieldset(tab, "orientation").is_visible()
            answer(tab, question_id, value)
        wait_saved(tab)
        shots.take(tab, f"{number}-etape")
        if number < len(steps):
            next_step(tab)
    send = tab.get_by_role("button", name="Envoyer mon bilan")
    assert send.is_visible()
    send.tap()
    tab.wait_for_url("**/bilan/envoye")
    assert tab.get_by_role("heading", level=1).inner_text() == f"Merci {someone.first_name} !"
    assert tab.get_by_text("Votre bilan est envoyé à l'équipe.").is_visible()
    shots.take(tab, "6-merci")

    expected = {key: value for step in steps for key, value in step.items()}
    assert someone.answers() == expected
    assert someone.submitted_at() is not None
    assert pending_keys(tab) == []


def test_reload_resumes_at_the_last_step_with_the_answers(tab, tab_context, person, shots):
    someone = person(2)
    start(tab, someone)
    first = {"satisfaction_globale": 2, "activites_preferees": someone.activities[1:2],
             "experience_groupe": "nsp", "demarche_active": "oui"}
    answer_all(tab, first)
    wait_saved(tab)
    next_step(tab)
    at_step(tab, 2)
    answer_all(tab, {"obj_possibles": 2, "obj_confiance": 4})
    wait_saved(tab)
    tab.close()

    again = tab_context.new_page()
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


def test_double_submit_sends_the_bilan_once(tab, person, shots):
    someone = person(3)
    start(tab, someone)
    for number, answers in enumerate(REQUIRED, start=1):
        at_step(tab, number)
        answer_all(tab, answers)
        if answers:
            wait_saved(tab)
        if number < len(REQUIRED):
            next_step(tab)
    shots.take(tab, "1-derniere-etape")
    assert someone.submitted_at() is None

    requests = []
    tab.on("request", lambda r: requests.append(r) if r.method == "POST"
            and r.url.endswith(step_path(5)) else None)
    tab.get_by_role("button", name="Envoyer mon bilan").dblclick()
    tab.wait_for_url("**/bilan/envoye")
    shots.take(tab, "2-merci")
    assert len(requests) == 1, [r.url for r in requests]
    rows = someone.responses()
    assert len(rows) == 1
    answers, sent_at = rows[0]
    assert sent_at is not None
    # Sending the last page without ticking the consent records an explicit "no".
    assert answers == {**{key: value for step in REQUIRED for key, value in step.items()},
                       "consentement_publication": False}

    # Sending again (a stale tab, a reposted form) changes nothing: still one row, same time.
    token = tab.locator("input[name=csrf_token]").first.get_attribute("value")
    statuses = tab.evaluate(
        """async ([url, token]) => {
            const post = () => fetch(url, {method: 'POST', credentials: 'same-origin',
                body: new URLSearchParams({csrf_token: token, action: 'suivant'}),
                redirect: 'follow'});
            const answers = await Promise.all([post(), post()]);
            return answers.map(r => [r.status, new URL(r.url).pathname]);
        }""", [step_path(5), token])
    assert statuses == [[200, "/bilan/envoye"], [200, "/bilan/envoye"]]
    assert someone.responses() == [(answers, sent_at)]

    tab.get_by_role("link", name="Corriger mes réponses").tap()
    at_step(tab, 1)
    tab.goto(tab.url.replace(step_path(1), step_path(5)))
    at_step(tab, 5)
    resend = tab.get_by_role("button", name="Enregistrer mes corrections")
    assert resend.is_visible()
    resend.tap()
    tab.wait_for_url("**/bilan/envoye")
    assert someone.responses() == [(answers, sent_at)]
