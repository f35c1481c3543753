"""Hostile input on every page: never a 5xx, always French, nothing reflected raw, nothing
invalid stored.

Forms are found, not listed: every page (every GET route but the token ones, with the demo's
ids) is opened as an admin, its POST forms are parsed, and Hypothesis posts hostile values into
their fields with a valid CSRF token. A new page or form is therefore covered without
touching this file. The login form, link tokens and query strings get the same treatment; the
tablet and the referent's page are in test_hostile_tablet_and_referent.py, the imports in
test_hostile_imports.py. After each batch the database is read back: every stored answer must
pass the engine's validation as it is, and no string may be longer than its column or carry
control characters. HOSTILE_EXAMPLES=500 makes each hunt longer.
"""
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questionnaires import create_app
from tests.support.hostile import (
    FUZZ, check_database, check_response, form_data, hostile_text, submit,
)
from tests.support.security import actor_client, build_world, forms_of, url_of


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
            response = submit(team, form, sent)
            check_response(response, f"POST {form.action} {list(sent.items(multi=True))!r:.300}")

    fuzz()
    for form in forms:  # bytes that are not UTF-8, in every field, with a valid token
        body = "&".join(f"{quote(name)}=%FF%FE%ED%A0%80" for name in form.fields
                        if name != "csrf_token")
        response = team.post(form.action, data=f"csrf_token={quote(form.fields['csrf_token'][0])}&"
                             f"{body}".encode(), content_type="application/x-www-form-urlencoded")
        check_response(response, f"POST {form.action} with invalid UTF-8")
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
