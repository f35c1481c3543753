"""The one writer of a response's answers: a change merged atomically in the database.

Two devices may save the same bilan at once (the same link open on two tablets, a retry racing
the next autosave, two colleagues on the collective bilan). Writing back "what I read plus my
change" then loses the other's answers. Here every writer gives a *change* (a function from the
answers as stored now to the new answers), and the write is one conditional UPDATE through
SQLAlchemy Core:

    UPDATE response SET answers = :new, revision = revision + 1, fact_… = …
    WHERE id = :id AND revision = :read

If another writer committed in between, no row matches: the answers are read again and the
change applied anew, a bounded number of times. On PostgreSQL (read committed) the UPDATE waits
for a concurrent writer's commit and then sees its revision; on SQLite writers take turns on the
database's lock (a busy timeout of 30 s, questionnaires/__init__.py). The fact columns are
written in the same statement, from the same merged answers, so they never disagree.

Nobody else writes `Response.answers` of a stored row (tests/test_answers_store.py greps for
it); a new row may be created with its first answers.
"""
from collections.abc import Callable

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from questionnaires.engine.answers import merge
from questionnaires.extensions import db
from questionnaires.models.response import Response, definition_for, facts_of

#: Tries before giving up; each failed try means another writer succeeded meanwhile, so this
#: is only reached by far more simultaneous writers of one response than a bilan ever has
ATTEMPTS = 50

Change = Callable[[dict], dict]

_TABLE = Response.__table__
#: Built once (statement construction costs as much as a third of running it)
_READ = select(_TABLE.c.answers, _TABLE.c.revision).where(_TABLE.c.id == bindparam("rid"))
_WRITE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("rid"), _TABLE.c.revision == bindparam("read"))
    .values(answers=bindparam("answers"), revision=_TABLE.c.revision + 1,
            **{column: bindparam(column) for column in facts_of({})}))


class AnswersBusy(Exception):
    """The answers kept changing under this writer ATTEMPTS times in a row."""


def create_or_read(response: Response, reread: Callable[[], Response]) -> Response:
    """A new, empty response committed at once; when another device created the same one first
    (the unique index refuses this one), the other's row, read again by `reread`.

    Committed at once because a rollback on a lost race would otherwise take with it what the
    request had already saved and acknowledged."""
    db.session.add(response)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        response = reread()
    return response


def merged_with(answers: dict) -> Change:
    """The usual change: these answers merged per question (None removes one)."""
    return lambda stored: merge(stored, answers)


def change_answers(response: Response, change: Change | dict) -> dict:
    """Apply `change` to the answers as stored now, atomically; returns the answers stored.

    `change` is a dict of answers to merge, or a function given a copy of the stored answers
    and returning the new ones (it may run more than once: it must only compute). Nothing is
    written when it changes nothing. The in-memory response is brought up to date without
    being marked changed. The caller commits.
    """
    if isinstance(change, dict):
        change = merged_with(change)
    if response.id is None or inspect(response).pending:
        db.session.flush()  # a new row: give it its id (and its first answers)
    known = inspect(response).dict
    # Facts are filled by figure role, through the response's own version (engine/roles.py)
    definition = definition_for(response.questionnaire, response.version)
    # The first try starts from the row as this request already read it (one statement for
    # the autosave, the most frequent write); a stale read only costs one more try.
    read = (known["answers"], known["revision"]) \
        if "answers" in known and "revision" in known else None
    for _ in range(ATTEMPTS):
        from_memory = read is not None
        stored, revision = read or db.session.execute(_READ, {"rid": response.id}).one()
        read = None
        stored = dict(stored or {})
        new = change(dict(stored))
        if new == stored and from_memory:
            continue  # "nothing to change" is only believed of the row as stored now
        if new == stored:
            _remember(response, stored, revision, definition)
            return stored
        written = db.session.execute(_WRITE, {"rid": response.id, "read": revision,
                                              "answers": new, **facts_of(new, definition)})
        if written.rowcount == 1:
            _remember(response, new, revision + 1, definition)
            return new
    raise AnswersBusy(response.id)


#: The move of a response to another version: its answers and its version in one statement
_READ_WITH_VERSION = select(_TABLE.c.answers, _TABLE.c.revision, _TABLE.c.version).where(
    _TABLE.c.id == bindparam("rid"))
_WRITE_WITH_VERSION = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("rid"), _TABLE.c.revision == bindparam("read"))
    .values(answers=bindparam("answers"), version=bindparam("version"),
            revision=_TABLE.c.revision + 1,
            **{column: bindparam(column) for column in facts_of({})}))


def move_to_version(response: Response, version: int,
                    convert: Callable[[dict, int], dict | None]) -> bool:
    """Give the response `version`, its answers converted by `convert(stored answers, stored
    version)` from the row as stored now, atomically (a save landing meanwhile is converted
    too, never overwritten). `convert` returns None when the answers have no place in
    `version`: then nothing changes and False is returned. The caller commits."""
    if response.id is None or inspect(response).pending:
        db.session.flush()
    definition = definition_for(response.questionnaire, version)
    for _ in range(ATTEMPTS):
        stored, revision, current = db.session.execute(
            _READ_WITH_VERSION, {"rid": response.id}).one()
        if current == version:
            return True
        new = convert(dict(stored or {}), current)
        if new is None:
            return False
        written = db.session.execute(_WRITE_WITH_VERSION, {
            "rid": response.id, "read": revision, "answers": new, "version": version,
            **facts_of(new, definition)})
        if written.rowcount == 1:
            set_committed_value(response, "version", version)
            _remember(response, new, revision + 1, definition)
            return True
    raise AnswersBusy(response.id)


def _remember(response: Response, answers: dict, revision: int, definition) -> None:
    """The in-memory row as the database holds it now, without anything left to flush."""
    set_committed_value(response, "answers", answers)
    set_committed_value(response, "revision", revision)
    for column, fact in facts_of(answers, definition).items():
        set_committed_value(response, column, fact)
