"""Who may open what: every route of `app.url_map` × every kind of visitor → the expected answer.

The table below has one line per route and method. A route added to the app without a line
here fails `test_every_route_has_a_line`, naming it: decide who may open it, add one line
(usually one of the presets). Outcomes: "ok" (2xx, a redirect that is not the login page, or
422 for a form sent back with its errors), "login" (redirect to the login page), or a status
code (403, 404, 410…). Requests are made with a valid CSRF token, so that the table shows the
guards, not the CSRF check (tested apart, below).
"""
import pytest
from flask import Blueprint
from flask_login import login_required

from questionnaires.participant import bilan
from questionnaires.auth.access import admin_required
from questionnaires.extensions import db
from questionnaires.models import Participant
from tests.support.security import (
    ACTORS, actor_client, build_world, csrf_for, is_french_error, snapshot, url_of,
)


def row(outcomes: str) -> dict:
    """One line of the table: seven outcomes, in the order of ACTORS."""
    values = outcomes.split()
    assert len(values) == len(ACTORS), outcomes
    return dict(zip(ACTORS, values))


#                 anonymous  part. A  part. B  referent  expired  team   admin
PUBLIC = row("      ok        ok       ok       ok        ok       ok     ok  ")
LOGOUT = row("      login     login    login    login     login    login  login")
TEAM = row("        login     login    login    login     login    ok     ok  ")
ADMIN = row("       login     login    login    login     login    403    ok  ")
#: Opened by the participant's own link; the link of the 2021 stage has expired
BILAN_LINK = row("  404       ok       ok       404       410      404    404 ")
#: Needs the tablet session that the link opened (the bilan of that participant only)
TABLET = row("      404       ok       ok       404       410      404    404 ")
#: Answers a tablet kept for someone, sent with their keeper token in a JSON body: the table's
#: requests carry none, so every actor gets the same French 400 (the token is tested apart)
KEPT_ANSWERS = row("400       400      400      400       400      400    400 ")
#: A link the world holds no token for: a French 404 for everyone
NOT_FOUND = row("   404       404      404      404       404      404    404 ")
#: The referent's follow-up link; the expired actor holds a link sent 400 days ago
REFERENT_LINK = row("404      404      404      ok        410      404    404 ")

EXPECTED = {
    "GET /": PUBLIC,
    "GET /connexion": PUBLIC,
    "POST /connexion": PUBLIC,
    "POST /deconnexion": LOGOUT,
    "GET /static/<path:filename>": PUBLIC,
    "GET /health": PUBLIC,
    "GET /confidentialite": PUBLIC,
    "GET /accessibilite": PUBLIC,
    # Admins only: accounts, settings, the audit journal, a participant's data and erasure
    "GET /admin/comptes": ADMIN,
    "GET /admin/comptes/nouveau": ADMIN,
    "POST /admin/comptes/nouveau": ADMIN,
    "GET /admin/comptes/<int:user_id>": ADMIN,
    "POST /admin/comptes/<int:user_id>": ADMIN,
    "GET /admin/reglages": ADMIN,
    "GET /admin/journal": ADMIN,
    "GET /equipe/stages/<int:stage_id>/participants/<int:participant_id>/donnees.json": ADMIN,
    "GET /equipe/stages/<int:stage_id>/participants/<int:participant_id>/anonymiser": ADMIN,
    "POST /equipe/stages/<int:stage_id>/participants/<int:participant_id>/anonymiser": ADMIN,
    # The participant's tablet
    "GET /b/<token>": BILAN_LINK,
    "GET /bilan/etape/<int:number>": TABLET,
    "POST /bilan/etape/<int:number>": TABLET,
    "POST /bilan/aide": TABLET,
    "POST /bilan/brouillon": TABLET,
    "GET /bilan/envoye": TABLET,
    "POST /bilan/terminer": PUBLIC,  # ends whatever session the tablet holds
    "GET /bilan/au-revoir": PUBLIC,
    "POST /bilan/reponses-gardees": KEPT_ANSWERS,
    # The referent's follow-up
    # The stage's public proposal page: no account, the link is the key (recruitment/views.py)
    "GET /proposer/<page_key>": PUBLIC,
    "POST /proposer/<page_key>": PUBLIC,
    "GET /equipe/stages/<int:stage_id>/candidats": TEAM,
    "POST /equipe/stages/<int:stage_id>/candidats/reglages": TEAM,
    "POST /equipe/stages/<int:stage_id>/candidats/nouveau-lien": TEAM,
    "POST /equipe/stages/<int:stage_id>/candidats/<int:candidate_id>/<step>": TEAM,
    "POST /equipe/stages/<int:stage_id>/candidats/<int:candidate_id>/notes": TEAM,
    "GET /equipe/stages/<int:stage_id>/candidats/information-collective": TEAM,
    "POST /equipe/stages/<int:stage_id>/candidats/information-collective": TEAM,
    "GET /equipe/stages/<int:stage_id>/conventions": TEAM,
    "GET /equipe/stages/<int:stage_id>/conventions/<int:participant_id>": TEAM,
    "GET /equipe/stages/<int:stage_id>/conventions/<int:participant_id>.docx": TEAM,
    "POST /equipe/stages/<int:stage_id>/conventions/<int:participant_id>/statut": TEAM,
    "GET /equipe/stages/<int:stage_id>/referents-semaine": TEAM,
    "POST /equipe/stages/<int:stage_id>/referents-semaine": TEAM,
    # A referent's answer to an invitation to a slot: the world holds none, so a forged token
    "GET /invitation/<token>": NOT_FOUND,
    "POST /invitation/<token>": NOT_FOUND,
    "GET /suivi/<token>": REFERENT_LINK,
    "POST /suivi/<token>": REFERENT_LINK,
    "POST /suivi/<token>/brouillon": REFERENT_LINK,
    "GET /suivi/<token>/merci": REFERENT_LINK,
    # The team
    "GET /equipe/stages": TEAM,
    "GET /equipe/questionnaires": TEAM,
    "POST /equipe/questionnaires/<questionnaire>/nouvelle-version": TEAM,
    "GET /equipe/questionnaires/<questionnaire>/v<int:version>": TEAM,
    "POST /equipe/questionnaires/<questionnaire>/v<int:version>/modifier": TEAM,
    "POST /equipe/questionnaires/<questionnaire>/v<int:version>/publier": TEAM,
    "GET /equipe/stages/nouveau": TEAM,
    "POST /equipe/stages/nouveau": TEAM,
    "GET /equipe/stages/importer": TEAM,
    "POST /equipe/stages/importer": TEAM,
    "GET /equipe/stages/<int:stage_id>": TEAM,
    "GET /equipe/stages/<int:stage_id>/modifier": TEAM,
    "POST /equipe/stages/<int:stage_id>/modifier": TEAM,
    "GET /equipe/stages/<int:stage_id>/supprimer": TEAM,
    "POST /equipe/stages/<int:stage_id>/supprimer": TEAM,
    "POST /equipe/stages/<int:stage_id>/questionnaires": TEAM,
    "GET /equipe/stages/<int:stage_id>/archive.json": TEAM,
    "GET /equipe/stages/<int:stage_id>/presences": TEAM,
    "POST /equipe/stages/<int:stage_id>/presences": TEAM,
    "GET /equipe/stages/<int:stage_id>/aujourdhui": TEAM,
    "POST /equipe/stages/<int:stage_id>/aujourdhui": TEAM,
    "POST /equipe/stages/<int:stage_id>/absences/<int:participant_id>/appel": TEAM,
    "GET /equipe/stages/<int:stage_id>/ma-semaine": TEAM,
    "GET /equipe/stages/<int:stage_id>/ma-semaine.pdf": TEAM,
    "GET /equipe/stages/<int:stage_id>/bilans": TEAM,
    "POST /equipe/stages/<int:stage_id>/bilans/verrou": TEAM,
    "GET /equipe/stages/<int:stage_id>/bilans/<int:participant_id>": TEAM,
    "POST /equipe/stages/<int:stage_id>/bilans/<int:participant_id>/aide": TEAM,
    "POST /equipe/stages/<int:stage_id>/bilans/<int:participant_id>/nouveau-lien": TEAM,
    "GET /equipe/stages/<int:stage_id>/liens": TEAM,
    "GET /equipe/stages/<int:stage_id>/bilan-collectif": TEAM,
    "POST /equipe/stages/<int:stage_id>/bilan-collectif": TEAM,
    "GET /equipe/stages/<int:stage_id>/export/<table>.csv": TEAM,
    "GET /equipe/stages/<int:stage_id>/export.xlsx": TEAM,
    "GET /equipe/impact/export.<extension>": TEAM,
    "GET /equipe/donnees/dictionnaire.<extension>": TEAM,
    "GET /equipe/donnees/reponses.<extension>": TEAM,
    "GET /equipe/stages/<int:stage_id>/suivi": TEAM,
    "POST /equipe/stages/<int:stage_id>/suivi/<int:invitation_id>/<action>": TEAM,
    "GET /equipe/stages/<int:stage_id>/suivi/<int:invitation_id>/email": TEAM,
    "POST /equipe/stages/<int:stage_id>/suivi/<int:invitation_id>/email": TEAM,
    "GET /equipe/stages/<int:stage_id>/suivi/equipe/<int:participant_id>": TEAM,
    "POST /equipe/stages/<int:stage_id>/suivi/equipe/<int:participant_id>": TEAM,
    "GET /equipe/boite-d-envoi": TEAM,
    "GET /equipe/textes-des-mails": TEAM,
    "GET /equipe/textes-des-mails/<theme>/<kind>": TEAM,
    "POST /equipe/textes-des-mails/<theme>/<kind>": TEAM,
    "GET /equipe/stages/<int:stage_id>/suivi/textes/<kind>": TEAM,
    "POST /equipe/stages/<int:stage_id>/suivi/textes/<kind>": TEAM,
    "POST /equipe/stages/<int:stage_id>/suivi/apercu/<kind>": TEAM,
    "GET /equipe/stages/<int:stage_id>/impact": TEAM,
    "GET /equipe/stages/<int:stage_id>/impact/<key>": TEAM,
    "GET /equipe/impact": TEAM,
    "GET /equipe/stages/<int:stage_id>/rapport": TEAM,
    "GET /equipe/stages/<int:stage_id>/rapport.docx": TEAM,
    "GET /equipe/stages/<int:stage_id>/rapport/textes": TEAM,
    "POST /equipe/stages/<int:stage_id>/rapport/textes": TEAM,
    "POST /equipe/stages/<int:stage_id>/rapport/textes/reprendre": TEAM,
    "GET /equipe/stages/<int:stage_id>/reponses": TEAM,
    "GET /equipe/reponses": TEAM,
    "GET /equipe/stages/<int:stage_id>/participants": TEAM,
    "GET /equipe/stages/<int:stage_id>/participants/nouveau": TEAM,
    "POST /equipe/stages/<int:stage_id>/participants/nouveau": TEAM,
    "GET /equipe/stages/<int:stage_id>/participants/<int:participant_id>": TEAM,
    "POST /equipe/stages/<int:stage_id>/participants/<int:participant_id>": TEAM,
    "GET /equipe/stages/<int:stage_id>/participants/<int:participant_id>/supprimer": TEAM,
    "POST /equipe/stages/<int:stage_id>/participants/<int:participant_id>/supprimer": TEAM,
    "GET /equipe/stages/<int:stage_id>/import": TEAM,
    "POST /equipe/stages/<int:stage_id>/import": TEAM,
    "POST /equipe/stages/<int:stage_id>/import/confirmer": TEAM,
    "GET /equipe/stages/<int:stage_id>/programme/<day_iso>/<period>": TEAM,
    "POST /equipe/stages/<int:stage_id>/programme/<day_iso>/<period>": TEAM,
    "POST /equipe/stages/<int:stage_id>/programme/<day_iso>/<period>/supprimer": TEAM,
    "GET /equipe/stages/<int:stage_id>/professionnels": TEAM,
    "POST /equipe/stages/<int:stage_id>/professionnels": TEAM,
    "GET /equipe/stages/<int:stage_id>/professionnels/<int:professional_id>": TEAM,
    "POST /equipe/stages/<int:stage_id>/professionnels/<int:professional_id>": TEAM,
    "POST /equipe/stages/<int:stage_id>/professionnels/<int:professional_id>/supprimer": TEAM,
    "GET /equipe/lieux": TEAM,
    "GET /equipe/lieux/nouveau": TEAM,
    "POST /equipe/lieux/nouveau": TEAM,
    "GET /equipe/lieux/<int:venue_id>": TEAM,
    "POST /equipe/lieux/<int:venue_id>": TEAM,
    "GET /equipe/structures": TEAM,
    "GET /equipe/structures/nouvelle": TEAM,
    "POST /equipe/structures/nouvelle": TEAM,
    "GET /equipe/structures/<int:structure_id>": TEAM,
    "POST /equipe/structures/<int:structure_id>": TEAM,
    "GET /equipe/referents/nouveau": TEAM,
    "POST /equipe/referents/nouveau": TEAM,
    "GET /equipe/referents/<int:referent_id>": TEAM,
    "POST /equipe/referents/<int:referent_id>": TEAM,
}

#: Methods the client never sends by hand (Flask answers them for every route)
IMPLICIT = {"HEAD", "OPTIONS"}
#: Data sent with a request that needs some: JSON endpoints get a well-formed empty payload
JSON_BODY = {"answers": {}, "cards": {}, "referent": {}}


def routes(app) -> list[tuple[str, object]]:
    """("METHOD /rule", rule) for every method each rule of the app answers."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - IMPLICIT):
            found.append((f"{method} {rule.rule}", rule))
    return sorted(found, key=lambda pair: pair[0])


def outcome(response) -> str:
    """How a response reads in the table: ok, login or its status code."""
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/connexion" in location:
        return "login"
    if response.status_code in (200, 201, 204, 301, 302, 303, 422):
        return "ok"
    return str(response.status_code)


def request(world, key: str, rule, actor: str, with_csrf: bool = True):
    """Send `key`'s method to `rule` as `actor`, with a CSRF token unless told otherwise."""
    method = key.split()[0]
    client = actor_client(world, actor)
    url = url_of(rule, world, actor)
    if method == "GET":
        return client.get(url)
    token = csrf_for(client) if with_csrf else None
    if url.endswith("/brouillon"):
        headers = {"X-CSRFToken": token} if token else {}
        return client.open(url, method=method, json=JSON_BODY, headers=headers)
    return client.open(url, method=method, data={"csrf_token": token} if token else {})


def check(response, key: str, actor: str, expected: str) -> list[str]:
    """The differences between what happened and the table, plus French error pages."""
    problems = []
    got = outcome(response)
    if response.status_code >= 500:
        problems.append(f"{key} as {actor}: {response.status_code}")
    elif got != expected:
        problems.append(f"{key} as {actor}: expected {expected}, got {got} "
                        f"({response.status_code} {response.headers.get('Location', '')})")
    elif response.status_code in (400, 403, 404, 405, 409, 410) and not is_french_error(response):
        problems.append(f"{key} as {actor}: {response.status_code} without a French message")
    return problems


def test_every_route_has_a_line(app):
    """A new route fails here until someone decides who may open it."""
    keys = {key for key, _ in routes(app)}
    missing = sorted(keys - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - keys)
    assert not missing, ("routes without a line in EXPECTED (tests/test_access_control.py): "
                         + ", ".join(missing))
    assert not stale, "lines of EXPECTED for routes that no longer exist: " + ", ".join(stale)


def test_get_routes_answer_each_actor_as_the_table_says(world):
    problems = []
    for key, rule in routes(world.app):
        if key.startswith("GET ") and key in EXPECTED:
            for actor in ACTORS:
                response = request(world, key, rule, actor)
                problems += check(response, key, actor, EXPECTED[key][actor])
    assert not problems, "\n".join(problems)


def test_other_methods_answer_each_actor_as_the_table_says(app):
    """POSTs change data: each actor who gets through is followed by fresh demo data."""
    problems = []
    world = None
    for key, rule in routes(app):
        if key.startswith("GET ") or key not in EXPECTED:
            continue
        for actor in ACTORS:
            world = world or build_world(app)
            response = request(world, key, rule, actor)
            problems += check(response, key, actor, EXPECTED[key][actor])
            if outcome(response) == "ok":
                world = None  # it may have deleted, locked or renewed something
    assert not problems, "\n".join(problems)


def test_a_post_without_csrf_token_is_refused_in_french_and_changes_nothing(world):
    for actor in ACTORS:
        actor_client(world, actor)  # opening a participant's link creates their empty draft
    before = snapshot(world.app)
    problems = []
    for key, rule in routes(world.app):
        if key.startswith("GET "):
            continue
        for actor in ACTORS:
            response = request(world, key, rule, actor, with_csrf=False)
            text = response.get_data(as_text=True)
            if response.status_code != 400 or "Formulaire expiré" not in text:
                problems.append(f"{key} as {actor} without CSRF token: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert snapshot(world.app) == before


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_a_method_a_route_does_not_take_is_a_french_405(world, method):
    problems = []
    for key, rule in routes(world.app):
        if method in rule.methods or not key.startswith("GET "):
            continue
        for actor in ("anonymous", "team"):
            response = actor_client(world, actor).open(url_of(rule, world, actor), method=method)
            if response.status_code != 405 or "Action impossible" not in \
                    response.get_data(as_text=True):
                problems.append(f"{method} {rule.rule} as {actor}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_the_admin_preset_matches_admin_required(app):
    """An admin-only page (as the admin pages will be) answers as the ADMIN line says."""
    extra = Blueprint("essai_admin", __name__, url_prefix="/essai-admin")
    extra.add_url_rule("/", "index", admin_required(lambda: "réservé"))
    extra.add_url_rule("/equipe", "team", login_required(lambda: "équipe"))
    app.register_blueprint(extra)
    world = build_world(app)
    problems = []
    for path, expected in (("/essai-admin/", ADMIN), ("/essai-admin/equipe", TEAM)):
        for actor in ACTORS:
            response = actor_client(world, actor).get(path)
            problems += check(response, f"GET {path}", actor, expected[actor])
    assert not problems, "\n".join(problems)


def test_participant_b_cannot_read_or_change_participant_a(world):
    """Nothing in a tablet URL names the participant: B's session only ever reaches B's bilan."""
    a, b = actor_client(world, "participant_a"), actor_client(world, "participant_b")
    token = csrf_for(a)
    assert a.post("/bilan/brouillon", json={"answers": {"satisfaction_globale": 4}},
                  headers={"X-CSRFToken": token}).status_code == 200
    for number in range(0, 6):
        page = b.get(f"/bilan/etape/{number}").get_data(as_text=True)
        assert world.first_name_a not in page
    token = csrf_for(b)
    saved = b.post("/bilan/brouillon", json={"answers": {"satisfaction_globale": 1}},
                   headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    with world.app.app_context():
        a_answers = bilan.response_of(db.session.get(Participant, world.participant_a)).answers
        b_answers = bilan.response_of(db.session.get(Participant, world.participant_b)).answers
    assert a_answers == {"satisfaction_globale": 4}
    assert b_answers == {"satisfaction_globale": 1}
    # The referent's link of A's referent does not reach B's card either.
    referent = actor_client(world, "referent")
    url = f"/suivi/{world.referent_token}"
    refused = referent.post(f"{url}/brouillon", headers={"X-CSRFToken": csrf_for(referent)},
                            json={"cards": {str(world.participant_b): {"situation": "emploi"}}})
    assert refused.status_code == 400 and "Rien n'a été enregistré" in refused.get_json()["error"]
