"""Hostile stage archives and participant spreadsheets: refused in French or imported soundly,
never a 5xx, nothing invalid stored (see test_hostile_input.py).
"""
import csv
import io
import json
from io import BytesIO

from hypothesis import given
from hypothesis import strategies as st

from questionnaires.extensions import db
from questionnaires.models import Stage
from tests.support.hostile import FUZZ, check_database, check_response, hostile_text, json_values
from tests.support.security import actor_client, build_world, csrf_for, forms_of


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
