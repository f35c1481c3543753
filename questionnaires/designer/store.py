"""The questionnaires' versions: list, copy into a draft, save a draft, publish, import.

Published versions are frozen: nothing here changes one. A draft save carries the revision it
read and is refused when another save came first (two team members on one draft): never
merged, the second person reloads and sees the other's work.
"""
import copy
from dataclasses import dataclass

from sqlalchemy import func, select, update

from questionnaires import clock
from questionnaires.designer.validation import Problem, problems
from questionnaires.extensions import db
from questionnaires.models import QuestionnaireVersion, User
from questionnaires.privacy import audit

STALE = ("Quelqu'un d'autre a modifié ce brouillon pendant que vous l'éditiez. Rien n'a été "
         "enregistré : rechargez la page pour voir sa version, puis refaites votre modification.")


@dataclass
class Outcome:
    """What a save, a publication or an import did: its faults (nothing saved) or its row."""

    problems: list[Problem]
    row: QuestionnaireVersion | None = None
    #: An import of a version already there with the same content: nothing to do
    unchanged: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def questionnaire_ids() -> list[str]:
    return list(db.session.scalars(select(QuestionnaireVersion.questionnaire).distinct()
                                   .order_by(QuestionnaireVersion.questionnaire)))


def versions(questionnaire: str | None = None) -> list[QuestionnaireVersion]:
    """Every version (of one questionnaire), by questionnaire then version."""
    query = select(QuestionnaireVersion).order_by(QuestionnaireVersion.questionnaire,
                                                  QuestionnaireVersion.version)
    if questionnaire is not None:
        query = query.where(QuestionnaireVersion.questionnaire == questionnaire)
    return list(db.session.scalars(query))


def find(questionnaire: str, version: int) -> QuestionnaireVersion | None:
    return db.session.scalar(select(QuestionnaireVersion).where(
        QuestionnaireVersion.questionnaire == questionnaire,
        QuestionnaireVersion.version == version))


def _next_version(questionnaire: str) -> int:
    return (db.session.scalar(select(func.max(QuestionnaireVersion.version)).where(
        QuestionnaireVersion.questionnaire == questionnaire)) or 0) + 1


def new_draft(questionnaire: str, user: User | None) -> QuestionnaireVersion | None:
    """A draft copying the latest version (published or not), numbered after it; committed."""
    latest = db.session.scalar(select(QuestionnaireVersion).where(
        QuestionnaireVersion.questionnaire == questionnaire)
        .order_by(QuestionnaireVersion.version.desc()).limit(1))
    if latest is None:
        return None
    number = _next_version(questionnaire)
    data = copy.deepcopy(latest.definition)
    data["version"] = number
    row = QuestionnaireVersion(questionnaire=questionnaire, version=number, status="draft",
                               definition=data, revision=1, created_by_id=_id(user))
    db.session.add(row)
    audit.record("changed", user=user, target_type="questionnaire",
                 target_id=f"{questionnaire} v{number}",
                 detail=f"Nouvelle version {number} de {questionnaire} (brouillon, copie de "
                        f"la version {latest.version})")
    db.session.commit()
    return row


def save_draft(row: QuestionnaireVersion, data: dict, revision: int) -> Outcome:
    """Store `data` as the draft's definition if it is sound and `revision` is still current."""
    if row.published:
        return Outcome([Problem("Cette version est publiée : elle ne change plus. Faites une "
                                "nouvelle version.")])
    data = {**data, "id": row.questionnaire, "version": row.version}
    found = problems(data, publishing=False)
    if found:
        return Outcome(found)
    # One UPDATE guarded by the revision read: of two saves from the same revision, one wins.
    done = db.session.execute(
        update(QuestionnaireVersion)
        .where(QuestionnaireVersion.id == row.id, QuestionnaireVersion.revision == revision,
               QuestionnaireVersion.status == "draft")
        .values(definition=data, revision=revision + 1)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        return Outcome([Problem(STALE)])
    db.session.commit()
    db.session.refresh(row)
    return Outcome([], row)


def publish(row: QuestionnaireVersion, revision: int, user: User | None) -> Outcome:
    """Freeze a draft, after every check including the figure roles."""
    if row.published:
        return Outcome([Problem("Cette version est déjà publiée.")])
    found = problems(row.definition, publishing=True)
    if found:
        return Outcome(found)
    done = db.session.execute(
        update(QuestionnaireVersion)
        .where(QuestionnaireVersion.id == row.id, QuestionnaireVersion.revision == revision,
               QuestionnaireVersion.status == "draft")
        .values(status="published", published_at=clock.utcnow(), published_by_id=_id(user))
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        return Outcome([Problem(STALE)])
    audit.record("changed", user=user, target_type="questionnaire",
                 target_id=f"{row.questionnaire} v{row.version}",
                 detail=f"Publication de la version {row.version} de {row.questionnaire}")
    db.session.commit()
    db.session.refresh(row)
    return Outcome([], row)


def add_published(data, user: User | None = None) -> Outcome:
    """Add a version as published (`flask questionnaires import`, tests), after every check.

    The same id and version with the same content again is a no-op; with other content it is
    refused (a published version never changes).
    """
    found = problems(data, publishing=True)
    if found:
        return Outcome(found)
    existing = find(data["id"], data["version"])
    if existing is not None:
        if existing.published and existing.definition == data:
            return Outcome([], existing, unchanged=True)
        state = "publiée" if existing.published else "en brouillon"
        return Outcome([Problem(f"{data['id']} v{data['version']} existe déjà ({state}) avec un "
                                "autre contenu : rien n'a été importé. Donnez au fichier le "
                                f"numéro de version suivant ({_next_version(data['id'])}).")])
    now = clock.utcnow()
    row = QuestionnaireVersion(questionnaire=data["id"], version=data["version"],
                               status="published", definition=copy.deepcopy(data), revision=1,
                               created_by_id=_id(user), published_at=now,
                               published_by_id=_id(user))
    db.session.add(row)
    audit.record("imported", user=user, target_type="questionnaire",
                 target_id=f"{data['id']} v{data['version']}",
                 detail=f"Import et publication de la version {data['version']} de {data['id']}")
    db.session.commit()
    return Outcome([], row)


def _id(user: User | None) -> int | None:
    return getattr(user, "id", None)
