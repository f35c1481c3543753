"""Reading the database from a test: counting the queries a piece of code runs, finding rows."""
from contextlib import contextmanager

from sqlalchemy import event, select

from questionnaires.extensions import db
from questionnaires.models import Participant


@contextmanager
def count_queries(app):
    """Count the SQL statements run inside the block: `counter["n"]` (in an app context)."""
    counter = {"n": 0}

    def before(*args):
        counter["n"] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)


def first_participant(app) -> Participant:
    """A participant of the recent demo stage, whose link has not expired."""
    return db.session.scalars(select(Participant).order_by(Participant.stage_id.desc(),
                                                           Participant.id)).first()
