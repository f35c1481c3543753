"""Hostile input on the tablet's steps, the referent's page and their JSON autosaves: never a
5xx, always French, nothing reflected raw, nothing invalid stored (see test_hostile_input.py).
"""
from hypothesis import given
from hypothesis import strategies as st

from tests.support.hostile import (
    FUZZ, check_database, check_response, form_data, hostile_text, json_values, submit,
)
from tests.support.security import actor_client, build_world, csrf_for, forms_of


# The participant's tablet -------------------------------------------------------------------

def test_bilan_steps_hold_against_hostile_values(app):
    world = build_world(app)
    tablet = actor_client(world, "participant_a")
    pages = {n: tablet.get(f"/bilan/etape/{n}") for n in range(0, 6)}
    forms = [f for n, page in pages.items()
             for f in forms_of(f"/bilan/etape/{n}", page.get_data(as_text=True))
             if f.method == "POST" and "terminer" not in f.action]
    assert len(forms) >= 6, "the steps' forms were not found"

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        form = data.draw(st.sampled_from(forms))
        sent = data.draw(form_data(form))
        check_response(submit(tablet, form, sent),
                       f"POST {form.action} {list(sent.items(multi=True))!r:.300}")
        query = {"manque": data.draw(hostile_text)[:2000]}
        check_response(tablet.get(form.action, query_string=query), f"GET {form.action} {query!r:.200}")

    fuzz()
    check_database(app)


def _bilan_answers():
    ids = ["satisfaction_globale", "activites_preferees", "experience_groupe", "talents",
           "talents_autres", "consentement_publication", "temoignage", "projet_detail",
           "orientation", "inconnue"]
    return st.dictionaries(st.sampled_from(ids) | st.text(max_size=10),
                           hostile_text | json_values, max_size=5)


def test_bilan_autosave_holds_against_hostile_json(app):
    world = build_world(app)
    tablet = actor_client(world, "participant_a")
    token = csrf_for(tablet)

    @FUZZ
    @given(body=st.one_of(st.fixed_dictionaries({"answers": _bilan_answers()}), json_values))
    def fuzz(body):
        response = tablet.post("/bilan/brouillon", json=body, headers={"X-CSRFToken": token})
        check_response(response, f"autosave {body!r:.300}")

    fuzz()
    for raw in (b'{"answers": {"temoignage": "\xff\xfe"}}', b"[[[[" * 5000, b"\x00",
                b'{"answers": {"temoignage": "\\ud800"}}'):
        response = tablet.post("/bilan/brouillon", data=raw, content_type="application/json",
                               headers={"X-CSRFToken": token})
        check_response(response, f"autosave {raw[:40]!r}")
    check_database(app)


# The referent's page ------------------------------------------------------------------------

def test_referent_page_and_autosave_hold_against_hostile_values(app):
    world = build_world(app)
    referent = actor_client(world, "referent")
    url = f"/suivi/{world.referent_token}"
    forms = [f for f in forms_of(url, referent.get(url).get_data(as_text=True))
             if f.method == "POST"]
    assert forms and any(name.startswith("p") for name in forms[0].fields)
    token = csrf_for(referent)
    card = str(world.participant_a)

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        form = data.draw(st.sampled_from(forms))
        sent = data.draw(form_data(form))
        sent.add("action", data.draw(st.sampled_from(
            ["enregistrer", "tout", "envoyer-b", f"envoyer-{card}", f"perdu-{card}",
             f"plus-referent-{card}", f"annuler-plus-referent-{card}", "envoyer-99999999999",
             f"envoyer-{world.participant_b}"]) | hostile_text))
        check_response(submit(referent, form, sent),
                       f"POST {url} {list(sent.items(multi=True))!r:.300}")
        query = {"modifier": data.draw(hostile_text)[:2000]}
        check_response(referent.get(url, query_string=query), f"GET {url} {query!r:.200}")
        body = data.draw(st.one_of(
            st.fixed_dictionaries({"cards": st.dictionaries(st.just(card), json_values,
                                                            max_size=1),
                                   "referent": json_values}),
            json_values))
        check_response(referent.post(f"{url}/brouillon", json=body,
                                     headers={"X-CSRFToken": token}),
                       f"referent autosave {body!r:.300}")

    fuzz()
    check_database(app)
