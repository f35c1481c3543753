"""The questionnaires' versions: the database is the source of truth for definitions.

A version is a draft (the team edits it, nobody answers it) or published (frozen: tablets and
referents get it, answers keep it forever). The shipped v1 files are the seed of a fresh
database: `seed_rows()` gives them to create_all here; migration 0024 carries a frozen copy.
"""
from datetime import datetime
from pathlib import Path

import yaml
from flask import current_app, has_app_context
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.models.types import UTCDateTime
from questionnaires.models.values import sql_in

VERSION_STATUSES = {"draft": "Brouillon", "published": "Publiée"}
#: The shipped definitions (the seed of a fresh database)
SEED_DIR = Path(__file__).resolve().parent.parent / "definitions"


class QuestionnaireVersion(db.Model):
    """One version of one questionnaire, its definition as the YAML format's dict."""

    __table_args__ = (
        UniqueConstraint("questionnaire", "version"),
        CheckConstraint(sql_in("status", VERSION_STATUSES), "status_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: draft or published (VERSION_STATUSES)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    #: The definition: the dict of docs/questionnaires.md's YAML format (plus `figure`)
    definition: Mapped[dict] = mapped_column(JSON)
    #: Bumped at each draft save: a save carries the revision it read (optimistic lock)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @property
    def published(self) -> bool:
        return self.status == "published"


def seed_rows(directory: Path = SEED_DIR) -> list[dict]:
    """The shipped files as rows of published versions (checked by the engine at start-up)."""
    rows = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows.append({"questionnaire": data["id"], "version": data["version"],
                     "status": "published", "definition": data, "revision": 1})
    return rows


@event.listens_for(QuestionnaireVersion.__table__, "after_create")
def _seed(table, connection, **kwargs) -> None:
    """create_all (tests, a first start) gets the shipped v1 as published versions."""
    insert_seed(connection)


def insert_seed(connection) -> None:
    """The shipped versions, published, into an empty table (create_all, a test's reset)."""
    table = QuestionnaireVersion.__table__
    now = utcnow()
    directory = SEED_DIR
    if has_app_context() and current_app.config.get("DEFINITIONS_DIR"):
        directory = Path(current_app.config["DEFINITIONS_DIR"])
    rows = [{**row, "created_at": now, "published_at": now} for row in seed_rows(directory)]
    connection.execute(table.insert(), rows)
