"""What a tablet's section page reads, as plain Core rows: no ORM unit of work on the way.

Showing a section (GET) only reads a dozen columns of the participant, their stage and their
bilan. Read as ORM entities (bilan.session_rows) they were almost half of the page's CPU: the
ORM built three objects with every column, identity map and change tracking, for a page that
changes nothing but, now and then, where the bilan resumes (`resume_at`, a one-column UPDATE).
Writes (the section's POST, the autosave) keep their own path (bilan.py).

The objects returned answer the few attributes the page and bilan's rules read
(`participant.stage.end_date`, `response.answers`…), so the same rules and template serve both.
"""
from types import SimpleNamespace

from sqlalchemy import and_, bindparam, select, update

from questionnaires.extensions import db
from questionnaires.models import Participant, Response, Stage

QUESTIONNAIRE = "bilan-individuel"

#: Built once with bound parameters (building cost a third of running, bench/README.md)
_SECTION_ROWS = (
    select(Participant.id, Participant.bilan_link_salt, Participant.bilan_link_at,
           Stage.id.label("stage_id"), Stage.end_date, Stage.bilans_locked_at,
           Response.id.label("response_id"), Response.questionnaire, Response.version,
           Response.answers, Response.resume_section, Response.submitted_at)
    .select_from(Participant)
    .join(Stage, Stage.id == Participant.stage_id)
    .outerjoin(Response, and_(Response.participant_id == Participant.id,
                              Response.questionnaire == QUESTIONNAIRE))
    .where(Participant.bilan_link_salt == bindparam("salt")))

_RESUME_AT = (update(Response).where(Response.id == bindparam("response_id"))
              .values(resume_section=bindparam("number")))


def section_rows(salt) -> tuple[SimpleNamespace | None, SimpleNamespace | None]:
    """(participant, bilan) of a tablet session, read-only; (None, None) for no session, and a
    None bilan when it is not created yet (the caller then takes the ORM path, which makes it)."""
    if not isinstance(salt, str) or not salt:
        return None, None
    row = db.session.connection().execute(_SECTION_ROWS, {"salt": salt}).first()
    if row is None:
        return None, None
    stage = SimpleNamespace(id=row.stage_id, end_date=row.end_date,
                            bilans_locked_at=row.bilans_locked_at)
    participant = SimpleNamespace(id=row.id, bilan_link_salt=row.bilan_link_salt,
                                  bilan_link_at=row.bilan_link_at, stage=stage,
                                  stage_id=row.stage_id)
    if row.response_id is None:
        return participant, None
    response = SimpleNamespace(id=row.response_id, questionnaire=row.questionnaire,
                               version=row.version, answers=row.answers,
                               resume_section=row.resume_section, submitted_at=row.submitted_at)
    return participant, response


def resume_at(response: SimpleNamespace, number: int) -> None:
    """Remember the section the participant is on (the link resumes there); committed."""
    db.session.connection().execute(_RESUME_AT, {"response_id": response.id, "number": number})
    db.session.commit()
    response.resume_section = number
