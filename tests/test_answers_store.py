"""The one writer of answers (engine/store.py): a per-question merge, atomic in the database.

The races between real processes are in test_answers_race.py and test_chaos.py; here, the
writer's rules on the app's database (SQLite, or PostgreSQL on the suite's second pass), and a
check of the source that nobody else writes a stored response's answers.
"""
import ast
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, update

from questionnaires.engine import store
from questionnaires.extensions import db
from questionnaires.models import Participant, Response
from questionnaires.models.response import facts_of
from questionnaires.participant import bilan
from tests.support.factories import make_stage
from tests.support.forms import csrf_token

PACKAGE = Path(__file__).resolve().parent.parent / "questionnaires"
STORE = PACKAGE / "engine" / "store.py"


def writers_of_answers(tree: ast.AST) -> list[int]:
    """Lines that write `answers` of an existing row: `x.answers = …`, `setattr(x, "answers",
    …)`, or an UPDATE's `.values(answers=…)` / `.values({"answers": …})`."""
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        if any(isinstance(t, ast.Attribute) and t.attr == "answers" for t in targets):
            found.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else \
            node.func.id if isinstance(node.func, ast.Name) else ""
        if name == "setattr" and len(node.args) > 1 and \
                isinstance(node.args[1], ast.Constant) and node.args[1].value == "answers":
            found.append(node.lineno)
        if name == "values" and (any(k.arg == "answers" for k in node.keywords) or any(
                isinstance(a, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == "answers"
                                                for k in a.keys) for a in node.args)):
            found.append(node.lineno)
    return found


def test_only_the_store_writes_the_answers_of_a_stored_response():
    others = {str(path.relative_to(PACKAGE)): lines for path in sorted(PACKAGE.rglob("*.py"))
              if path != STORE and (lines := writers_of_answers(ast.parse(path.read_text())))}
    assert others == {}, "write answers through questionnaires.engine.store.change_answers"
    assert writers_of_answers(ast.parse(STORE.read_text()))  # the check does see a writer


def test_the_check_sees_every_way_of_writing_them():
    source = ("r.answers = {}\nr.answers |= {}\nsetattr(r, 'answers', {})\n"
              "update(t).values(answers=1)\nupdate(t).values({'answers': 1})\n"
              "Response(answers={})\nr.answers.get('x')\n")
    assert writers_of_answers(ast.parse(source)) == [1, 2, 3, 4, 5]


@pytest.fixture
def response(app):
    """An empty bilan of one participant, in the app's context."""
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        alex = db.session.scalar(select(Participant))
        row = Response(stage_id=alex.stage_id, participant_id=alex.id,
                       questionnaire="bilan-individuel", answers={})
        db.session.add(row)
        db.session.commit()
        yield row
        db.session.remove()


def stored(app, response_id: int):
    """The row as another process would read it now: (answers, revision, facts)."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as connection:
            row = connection.execute(select(Response.__table__).where(
                Response.__table__.c.id == response_id)).one()
    finally:
        engine.dispose()
    return row.answers, row.revision, {k: getattr(row, k) for k in facts_of({})}


def test_a_change_merges_per_question_and_keeps_the_facts_equal(app, response):
    store.change_answers(response, {"satisfaction_globale": 3, "temoignage": "Bien."})
    db.session.commit()
    store.change_answers(response, {"temoignage": None, "orientation": ["stage", "emploi"]})
    db.session.commit()
    answers, revision, facts = stored(app, response.id)
    assert answers == {"satisfaction_globale": 3, "orientation": ["stage", "emploi"]}
    assert revision == 2
    assert facts == facts_of(answers) and facts["fact_orientation"] == ",emploi,stage,"
    # The in-memory row says the same, with nothing left for the ORM to write
    assert response.answers == answers and response.revision == 2
    assert response.fact_satisfaction_globale == 3 and not db.session.dirty


def test_nothing_changed_writes_nothing(app, response):
    store.change_answers(response, {"satisfaction_globale": 3})
    db.session.commit()
    store.change_answers(response, {"satisfaction_globale": 3})
    db.session.commit()
    assert stored(app, response.id)[1] == 1


def test_a_write_between_the_read_and_the_update_is_kept_and_the_change_applied_again(
        app, response):
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    calls = []

    def change(answers: dict) -> dict:
        if not calls:  # another device saves meanwhile, through its own connection
            with other.begin() as connection:
                connection.execute(update(Response.__table__).where(
                    Response.__table__.c.id == response.id).values(
                    {"answers": {"temoignage": "L'autre tablette."},
                     "revision": Response.__table__.c.revision + 1}))
        calls.append(dict(answers))
        return {**answers, "satisfaction_globale": 4}

    db.session.expire(response)  # read afresh, as a new request would
    store.change_answers(response, change)
    db.session.commit()
    other.dispose()
    assert calls == [{}, {"temoignage": "L'autre tablette."}]
    answers, revision, facts = stored(app, response.id)
    assert answers == {"temoignage": "L'autre tablette.", "satisfaction_globale": 4}
    assert revision == 2 and facts["fact_satisfaction_globale"] == 4


def test_a_move_to_another_version_converts_the_answers_stored_at_the_write(app, response):
    """A stage moved to another version (stages/variants.py) while a tablet saves: the answer
    saved meanwhile is converted with the others, and the version changes in the same write."""
    store.change_answers(response, {"satisfaction_globale": 3})
    db.session.commit()
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    seen = []

    def convert(answers: dict, version: int) -> dict:
        if not seen:  # the tablet's save lands between the read and the write
            with other.begin() as connection:
                connection.execute(update(Response.__table__).where(
                    Response.__table__.c.id == response.id).values(
                    {"answers": {**answers, "temoignage": "Sauvé entre-temps."},
                     "revision": Response.__table__.c.revision + 1}))
        seen.append((dict(answers), version))
        return {f"n2_{key}": value for key, value in answers.items()}

    assert store.move_to_version(response, 2, convert)
    db.session.commit()
    other.dispose()
    assert seen[-1] == ({"satisfaction_globale": 3, "temoignage": "Sauvé entre-temps."}, 1)
    answers, revision, _ = stored(app, response.id)
    assert answers == {"n2_satisfaction_globale": 3, "n2_temoignage": "Sauvé entre-temps."}
    assert revision == 3 and response.version == 2
    with app.app_context():
        assert db.session.get(Response, response.id).version == 2
    # Answers with no place in the version: nothing moves
    assert not store.move_to_version(response, 3, lambda answers, version: None)
    assert stored(app, response.id)[0] == answers


def test_a_writer_that_keeps_losing_gives_up_after_bounded_tries(app, response, monkeypatch):
    # One try only: someone else's write between its read and its update is enough. (On
    # SQLite a lost try keeps the database's write lock, so the next one always wins.)
    monkeypatch.setattr(store, "ATTEMPTS", 1)
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])

    def change(answers: dict) -> dict:
        with other.begin() as connection:
            connection.execute(update(Response.__table__).where(
                Response.__table__.c.id == response.id).values(
                revision=Response.__table__.c.revision + 1))
        return {**answers, "satisfaction_globale": 1}

    db.session.expire(response)
    with pytest.raises(store.AnswersBusy):
        store.change_answers(response, change)
    db.session.rollback()
    other.dispose()
    answers, revision, _ = stored(app, response.id)
    assert answers == {} and revision == 1


def test_a_save_that_cannot_get_its_turn_is_a_french_503_and_keeps_nothing(app, client,
                                                                          monkeypatch):
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        link = f"/b/{bilan.link_token(db.session.scalar(select(Participant)))}"
    token = csrf_token(client.get(link, follow_redirects=True))
    monkeypatch.setattr(store, "ATTEMPTS", 0)
    busy = client.post("/bilan/brouillon", headers={"X-CSRFToken": token},
                       json={"answers": {"satisfaction_globale": 3}})
    assert busy.status_code == 503
    assert "plusieurs appareils en même temps" in busy.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(select(Response)).answers == {}
