"""Hostile input everywhere: never a 5xx, always French, nothing reflected raw, nothing invalid stored.

Forms are found, not listed: every page (every GET route but the token ones, with the demo's
ids) is opened as an admin, its POST forms are parsed, and Hypothesis posts hostile values into
their fields with a valid CSRF token. A new page or form is therefore covered without
touching this file. The tablet's steps, the referent's page and their JSON autosaves, the
login form, link tokens and query strings get the same treatment. After each batch the
database is read back: every stored answer must pass the engine's validation as it is, and
no string may be longer than its column or carry control characters.
"""
import csv
import io
import json
import os
from io import BytesIO
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from questionnaires import create_app
from questionnaires.extensions import db
from questionnaires.models import Stage
from tests.security_support import (
    actor_client, build_world, csrf_for, forms_of, is_french_error, response_problems,
    string_column_problems, url_of,
)

MARKER = "xss_marker"
#: What must never appear in a page unescaped (each needs a raw "<" or quote to work)
RAW_MARKERS = (f"<script>{MARKER}", f"<img src=x onerror={MARKER}", f"<svg onload={MARKER}",
               f"\"><b id={MARKER}", f"'><b id={MARKER}")
HOSTILE = [
    f"<script>{MARKER}()</script>",
    f'"><img src=x onerror={MARKER}()>',
    f"'><svg onload={MARKER}()>",
    f'"><b id={MARKER}>',
    f"'><b id={MARKER}>",
    "' OR '1'='1", "1; DROP TABLE participant; --", "1 UNION SELECT password_hash FROM user",
    "x" * 100_000,
    "\x00", "nul\x00au\x00milieu", "\x1b[2J\x07\x08\x7f", "ligne\r\nSet-Cookie: x=1",
    "0", "-1", "99999999999999999999", "1e308", "NaN", "Infinity", "", " ", " \t\n ",
    "2024-02-30", "0000-00-00", "9999-12-31", "../../../etc/passwd", "{{ 7*7 }}", "%s%n",
    "é" * 300, "ÉCOLE ÖÖ", "🙂" * 60, "\u202eevil", "\ufeff", "true", "null", "[]", "{}",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=120),
    # Mostly printable ASCII with control characters in between (NUL, ESC, DEL…)
    st.text(alphabet=st.characters(max_codepoint=0x7F), min_size=1, max_size=20),
)
#: Examples per test; raise it for a longer hunt (HOSTILE_EXAMPLES=500)
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


def check_response(response, what: str) -> None:
    """No server error, a French message on errors, no reflected markup."""
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.status_code >= 400:
        assert is_french_error(response), f"{what}: {response.status_code} not in French"
    if response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        for marker in RAW_MARKERS:
            assert marker not in body, f"{what}: {marker!r} reflected unescaped"


def check_database(app) -> None:
    problems = string_column_problems(app) + response_problems(app)
    assert not problems, "\n".join(problems[:20])


@st.composite
def field_values(draw, kind: str, offered: list) -> list:
    """What to post for one field: its own values, hostile ones, nothing, or several."""
    how = draw(st.sampled_from(["offered", "hostile", "missing", "repeated", "hostile"]))
    own = [v for v in offered if v] or [""]
    if how == "missing":
        return []
    if how == "offered":
        return [draw(st.sampled_from(own))]
    if how == "repeated":
        return draw(st.lists(st.one_of(st.sampled_from(own), hostile_text), min_size=2,
                             max_size=4))
    return [draw(hostile_text)]


@st.composite
def form_data(draw, form) -> MultiDict:
    """A hostile filling of `form`; the CSRF token stays valid so the values reach the view."""
    data = MultiDict()
    for name, offered in form.fields.items():
        kind = form.kinds.get(name, "text")
        if name == "csrf_token":
            data.add(name, offered[0])
            continue
        if kind == "file":
            content = draw(st.one_of(st.binary(max_size=2000),
                                     st.sampled_from([b"", b"\x00" * 100, b"PK\x03\x04",
                                                      json.dumps({"stage": 1}).encode()])))
            data.add(name, (BytesIO(content), draw(st.sampled_from(
                ["a.xlsx", "a.csv", "a.json", f"<script>{MARKER}</script>.xlsx", "..\\x"]))))
            continue
        for value in draw(field_values(kind, offered)):
            data.add(name, value)
    for _ in range(draw(st.integers(0, 2))):  # fields the form does not have
        data.add(draw(st.sampled_from(["id", "stage_id", "role", "admin", "_method"])),
                 draw(hostile_text))
    return data


def post_form(client, form, data) -> object:
    files = any(isinstance(v, tuple) for v in data.values())
    return client.post(form.action, data=data,
                       content_type="multipart/form-data" if files else None)


# The team's pages ---------------------------------------------------------------------------

#: Blueprints opened by a link token, fuzzed by their own tests below
TOKEN_BLUEPRINTS = ("participant.", "referent.")


def _pages() -> list[str]:
    """Every GET rule but the token ones (read from a throwaway app at collection time)."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if not rule.endpoint.startswith(TOKEN_BLUEPRINTS) and "GET" in rule.methods)


def _rule(app, text: str):
    return next(r for r in app.url_map.iter_rules() if r.rule == text and "GET" in r.methods)


@pytest.mark.parametrize("page", _pages())
def test_page_forms_and_query_strings_hold_against_hostile_values(app, page):
    """As an admin, who sees every form (the team's and the admin-only ones)."""
    world = build_world(app)
    team = actor_client(world, "admin")
    url = url_of(_rule(app, page), world, "admin")
    opened = team.get(url)
    check_response(opened, f"GET {url}")
    html = opened.get_data(as_text=True) if opened.mimetype == "text/html" else ""
    forms = [f for f in forms_of(url, html)
             if f.method == "POST" and not f.action.endswith("/deconnexion")]

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        query = data.draw(st.lists(st.tuples(
            st.sampled_from(["annee", "theme", "page", "vue", "modifier", "mail", "structure",
                             "next", "manque", "q"]), hostile_text), max_size=3))
        response = team.get(url, query_string=[(k, v[:2000]) for k, v in query])
        check_response(response, f"GET {url}?{query!r:.200}")
        for form in forms:
            sent = data.draw(form_data(form))
            response = post_form(team, form, sent)
            check_response(response, f"POST {form.action} {list(sent.items(multi=True))!r:.300}")

    fuzz()
    for form in forms:  # bytes that are not UTF-8, in every field, with a valid token
        body = "&".join(f"{quote(name)}=%FF%FE%ED%A0%80" for name in form.fields
                        if name != "csrf_token")
        response = team.post(form.action, data=f"csrf_token={quote(form.fields['csrf_token'][0])}&"
                             f"{body}".encode(), content_type="application/x-www-form-urlencoded")
        check_response(response, f"POST {form.action} with invalid UTF-8")
    check_database(app)


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
        check_response(post_form(tablet, form, sent),
                       f"POST {form.action} {list(sent.items(multi=True))!r:.300}")
        query = {"manque": data.draw(hostile_text)[:2000]}
        check_response(tablet.get(form.action, query_string=query), f"GET {form.action} {query!r:.200}")

    fuzz()
    check_database(app)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              hostile_text, st.just([]), st.just({})),
    # min_size=1: Hypothesis checks that the extension needs its argument to produce anything
    lambda children: st.one_of(st.lists(children, min_size=1, max_size=3),
                               st.dictionaries(st.text(max_size=20), children, min_size=1,
                                               max_size=3)),
    max_leaves=8,
)


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
        check_response(post_form(referent, form, sent),
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


# Links, login and addresses -----------------------------------------------------------------

def test_link_tokens_and_path_values_hold_against_hostile_values(app):
    world = build_world(app)
    client = app.test_client()

    @FUZZ
    @given(value=hostile_text, prefix=st.sampled_from(
        ["/b/", "/suivi/", "/suivi/{}/merci", "/bilan/etape/", "/equipe/stages/",
         "/equipe/stages/{}/export/", "/equipe/impact/export.", "/static/"]))
    def fuzz(value, prefix):
        path = quote(value[:3000], safe="")
        url = prefix.format(path) if "{}" in prefix else prefix + path
        check_response(client.get(url), f"GET {url[:200]}")

    fuzz()
    for raw in ("/b/%FF%FE", "/suivi/%ED%A0%80", "/b/" + "A" * 5000, "/bilan/etape/99999999999999999999",
                "/equipe/stages/99999999999999999999", f"/suivi/{world.referent_token}%00"):
        check_response(client.get(raw), f"GET {raw[:80]}")


def test_login_form_holds_against_hostile_values(app):
    build_world(app)
    client = app.test_client()
    form = next(f for f in forms_of("/connexion", client.get("/connexion").get_data(as_text=True))
                if f.method == "POST")

    @FUZZ
    @given(data=st.data(), next_url=hostile_text)
    def fuzz(data, next_url):
        sent = data.draw(form_data(form))
        response = client.post("/connexion", data=sent, query_string={"next": next_url[:2000]})
        check_response(response, f"login {list(sent.items(multi=True))!r:.300}")
        assert response.status_code == 200, "a hostile login must not get in"

    fuzz()
    raw = client.post("/connexion", data=b"email=%FF%FE&password=%00",
                      content_type="application/x-www-form-urlencoded")
    check_response(raw, "login with invalid UTF-8")


# Stage archives -----------------------------------------------------------------------------

def _leaves(value, path=()):
    """Every path to a leaf (or an empty container) of a parsed archive."""
    children = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    found = [path]
    for key, child in children:
        found += _leaves(child, (*path, key))
    return found


def _replace(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


def test_stage_archive_import_holds_against_hostile_archives(app):
    """The demo archive with a few values replaced by hostile ones: refused in French or sound."""
    from questionnaires.demo import read

    world = build_world(app)
    team = actor_client(world, "team")
    archive = read("stage-2021.json")
    paths = _leaves(archive)

    @FUZZ
    @given(changes=st.lists(st.tuples(st.sampled_from(paths), json_values), min_size=1,
                            max_size=3))
    def fuzz(changes):
        hostile = archive
        for path, value in changes:
            try:
                hostile = _replace(hostile, path, value)
            except (KeyError, IndexError, TypeError):  # an earlier change removed the path
                pass
        body = json.dumps(hostile).encode()
        response = team.post("/equipe/stages/importer", content_type="multipart/form-data",
                             data={"csrf_token": csrf_for(team),
                                   "file": (BytesIO(body), "stage.json")})
        check_response(response, f"import {changes!r:.400}")

    fuzz()
    check_database(app)


# Participant spreadsheets -------------------------------------------------------------------

COLUMNS = ["Prénom", "Nom", "Date de naissance", "Genre", "Ville", "QPV", "Statut", "PMSMP",
           "Référent", "Email du référent", "Structure"]
VALID_ROW = ["Awa", "Dupont", "12/03/1990", "F", "Ivry", "oui", "inscrit", "signée", "Léa Martin",
             "lea.martin@example.org", "ÉCOLE ÖÖ"]


@st.composite
def spreadsheet_row(draw) -> list:
    """A valid row with up to three cells replaced by hostile text, or another row's values."""
    row = list(VALID_ROW)
    row[0] = f"Awa {draw(st.integers(0, 10**9))}"  # someone not enrolled yet
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(row) - 1))
        row[index] = draw(st.one_of(hostile_text.map(lambda t: t[:300]),
                                    st.sampled_from(VALID_ROW + ["ecole öö", "01/01/1800"])))
    return row


def test_participant_spreadsheet_import_holds_against_hostile_cells(app):
    """A CSV of hostile cells: previewed with French errors, or imported soundly once confirmed."""
    world = build_world(app)
    team = actor_client(world, "team")
    url = f"/equipe/stages/{world.stage_id}/import"
    with app.app_context():  # room for every import that goes through, not only the first two
        db.session.get(Stage, world.stage_id).capacity = 100
        db.session.commit()

    @FUZZ
    @given(rows=st.lists(spreadsheet_row(), min_size=1, max_size=2),
           separator=st.sampled_from([",", ";", "\t"]))
    def fuzz(rows, separator):
        text = io.StringIO()
        csv.writer(text, delimiter=separator).writerows([COLUMNS, *rows])
        body = text.getvalue().encode("utf-8", "surrogatepass")
        preview = team.post(url, content_type="multipart/form-data", data={
            "csrf_token": csrf_for(team), "file": (BytesIO(body), "participants.csv")})
        check_response(preview, f"import preview {rows!r:.300}")
        for form in forms_of(url, preview.get_data(as_text=True)):
            if form.method == "POST" and form.action.endswith("/confirmer"):
                confirmed = team.post(form.action, data={k: v[0] for k, v in form.fields.items()})
                check_response(confirmed, f"import confirmed {rows!r:.300}")

    fuzz()
    check_database(app)
