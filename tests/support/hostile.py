"""What the hostile-input suites send and check: hostile values (Hypothesis strategies), forms
filled with them, and what every answer must keep to: no server error, a French message on
errors, no markup reflected raw, nothing invalid stored.
"""
import json
import os
from io import BytesIO

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.support.security import is_french_error, response_problems, string_column_problems

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


def submit(client, form, data) -> object:
    """Post a form filled by `form_data` (its valid CSRF token included) where it posts."""
    files = any(isinstance(v, tuple) for v in data.values())
    return client.post(form.action, data=data,
                       content_type="multipart/form-data" if files else None)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              hostile_text, st.just([]), st.just({})),
    # min_size=1: Hypothesis checks that the extension needs its argument to produce anything
    lambda children: st.one_of(st.lists(children, min_size=1, max_size=3),
                               st.dictionaries(st.text(max_size=20), children, min_size=1,
                                               max_size=3)),
    max_leaves=8,
)
