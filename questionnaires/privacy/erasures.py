"""The erasure register applied again after a backup restore: nobody erased comes back.

The register (model Erasure) holds who was erased and when, as ids and times only; the
anonymisation (anonymise.py) and the deletion of a participant write it. A backup made before
an erasure still holds the person: `flask backup restore` reads the register before replacing
the database, keeps a copy of it next to the backups (a JSON file, no personal data), and then
applies it to the restored data. `flask privacy reapply-erasures FILE` does the same from such
a file (after `flask db upgrade`, when the backup came from an older version).
"""
import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, select

from questionnaires.extensions import db
from questionnaires.models import Candidate, Erasure, Participant, Referent
from questionnaires.privacy.anonymise import (
    anonymise_participant, anonymise_referent, register_erasure,
)
from questionnaires.recruitment.retention import erase_candidate


def has_register() -> bool:
    """Whether the database has the register's table (a backup from an older version has not)."""
    return inspect(db.engine).has_table(Erasure.__tablename__)


def entries() -> list[dict]:
    """The whole register, oldest first: [{"kind", "subject_id", "at"}]."""
    return [{"kind": e.kind, "subject_id": e.subject_id, "at": e.at.isoformat()}
            for e in db.session.scalars(select(Erasure).order_by(Erasure.at, Erasure.id))]


def save(register: list[dict], path: Path) -> Path:
    """Write the register to `path` (ids and times only), readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(register, indent=1))
    path.chmod(0o600)
    return path


def load(path: Path) -> list[dict]:
    """A register written by `save`, checked line by line."""
    register = json.loads(path.read_text())
    if not isinstance(register, list) or not all(
            isinstance(e, dict) and isinstance(e.get("kind"), str)
            and isinstance(e.get("subject_id"), int) and isinstance(e.get("at"), str)
            for e in register):
        raise ValueError("ce fichier n'est pas un registre des effacements")
    return register


def reapply(register: list[dict], now: datetime) -> int:
    """Erase again everyone the register names who is back in the data; how many were.

    Each line also comes back into the register with its first date. The caller commits.
    """
    again = 0
    for entry in register:
        at = datetime.fromisoformat(entry["at"])
        kind, subject_id = entry["kind"], entry["subject_id"]
        if kind == "participant_deleted":
            register_erasure(kind, subject_id, at)
            person = db.session.get(Participant, subject_id)
            if person is not None:
                db.session.delete(person)  # the ORM's cascades, as the team's deletion does
                again += 1
        elif kind == "participant":
            person = db.session.get(Participant, subject_id)
            register_erasure(kind, subject_id, at)
            if person is not None and anonymise_participant(person, now):
                again += 1
        elif kind == "candidate":
            candidate = db.session.get(Candidate, subject_id)
            register_erasure(kind, subject_id, at)
            if candidate is not None and candidate.anonymised_at is None:
                erase_candidate(candidate, now)
                again += 1
        elif kind == "referent":
            referent = db.session.get(Referent, subject_id)
            register_erasure(kind, subject_id, at)
            if referent is not None and anonymise_referent(referent, now):
                again += 1
        db.session.flush()
    return again
