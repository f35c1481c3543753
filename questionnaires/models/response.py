"""Answers to a questionnaire: drafts and submitted responses."""
from datetime import datetime

from sqlalchemy import (
    JSON, CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, Integer, String, event,
)
from flask import has_app_context
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaires.extensions import db
from questionnaires.models.people import Participant
from questionnaires.models.places import Referent
from questionnaires.models.stage import Stage
from questionnaires.models.types import UTCDateTime
from questionnaires.models.user import User
from questionnaires.clock import utcnow
from questionnaires.engine.definitions import get_definition
from questionnaires.engine.roles import by_role
from questionnaires.models.values import QUESTIONNAIRES, sql_in


def _one_per(name: str, *columns: str, where: str) -> Index:
    """A unique index on `columns` restricted to the rows matching `where` (both dialects)."""
    clause = db.text(where)
    return Index(name, *columns, unique=True, sqlite_where=clause, postgresql_where=clause)


class Response(db.Model):
    """One filling of a questionnaire (draft until `submitted_at` is set).

    Who answers depends on the questionnaire: a participant (bilan-individuel), the team
    (bilan-collectif, neither participant nor referent), a referent about one participant
    (suivi-referent part A) or about the stage as a whole (part B, no participant).
    """

    __table_args__ = (
        ForeignKeyConstraint(
            ["participant_id", "stage_id"],
            ["participant.id", "participant.stage_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint(sql_in("questionnaire", QUESTIONNAIRES), "questionnaire_known"),
        CheckConstraint("version >= 1", "version_positive"),
        CheckConstraint(
            "questionnaire != 'bilan-individuel' "
            "OR (participant_id IS NOT NULL AND referent_id IS NULL)",
            "individuel_by_participant",
        ),
        CheckConstraint(
            "questionnaire != 'bilan-collectif' "
            "OR (participant_id IS NULL AND referent_id IS NULL)",
            "collectif_by_team",
        ),
        # Part A comes from a referent or, for someone nobody will be asked about, from the
        # team (referent NULL, participant set); part B always from a referent.
        CheckConstraint(
            "questionnaire != 'suivi-referent' OR referent_id IS NOT NULL "
            "OR participant_id IS NOT NULL", "suivi_by_referent"
        ),
        _one_per(
            "uq_response_individuel", "participant_id",
            where="questionnaire = 'bilan-individuel'",
        ),
        _one_per("uq_response_collectif", "stage_id", where="questionnaire = 'bilan-collectif'"),
        _one_per(
            "uq_response_suivi_a", "referent_id", "participant_id",
            where="questionnaire = 'suivi-referent' AND participant_id IS NOT NULL",
        ),
        _one_per(
            "uq_response_suivi_equipe", "participant_id",
            where="questionnaire = 'suivi-referent' AND referent_id IS NULL",
        ),
        # The winning part A of a participant (latest submitted) is one index seek away
        Index("ix_response_part_a", "participant_id", "questionnaire", "submitted_at"),
        _one_per(
            "uq_response_suivi_b", "stage_id", "referent_id",
            where="questionnaire = 'suivi-referent' AND participant_id IS NULL",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    #: bilan-individuel, bilan-collectif or suivi-referent
    questionnaire: Mapped[str] = mapped_column(String(40))
    #: Version of the questionnaire's definition the answers follow
    version: Mapped[int] = mapped_column(default=1)
    #: The participant who answers, or who the referent answers about
    participant_id: Mapped[int | None] = mapped_column(index=True)
    #: The referent who answers (suivi-referent only)
    referent_id: Mapped[int | None] = mapped_column(
        ForeignKey("referent.id", ondelete="RESTRICT"), index=True
    )
    #: Question id → value, exactly as in the questionnaire's definition
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # The answers the impact table aggregates, copied into typed columns whenever `answers`
    # is set (see _copy_facts): figures then never parse JSON, which costs seconds at 100 000
    # responses on SQLite and PostgreSQL alike (bench/README.md). Never written directly.
    #: bilan-individuel: satisfaction_globale (1–4)
    fact_satisfaction_globale: Mapped[int | None] = mapped_column(Integer)
    #: bilan-individuel: experience_groupe (oui/non/nsp)
    fact_experience_groupe: Mapped[str | None] = mapped_column(String(3))
    #: bilan-individuel: demarche_active (oui/non/nsp)
    fact_demarche_active: Mapped[str | None] = mapped_column(String(3))
    #: bilan-individuel: isolement_rompu (oui/non/nsp)
    fact_isolement_rompu: Mapped[str | None] = mapped_column(String(3))
    #: bilan-individuel: projet_plus_precis (oui/non/nsp)
    fact_projet_plus_precis: Mapped[str | None] = mapped_column(String(3))
    #: bilan-individuel: the five objectives (1–4)
    fact_obj_possibles: Mapped[int | None] = mapped_column(Integer)
    #: bilan-individuel: obj_competences (1–4)
    fact_obj_competences: Mapped[int | None] = mapped_column(Integer)
    #: bilan-individuel: obj_remobilisation (1–4)
    fact_obj_remobilisation: Mapped[int | None] = mapped_column(Integer)
    #: bilan-individuel: obj_confiance (1–4)
    fact_obj_confiance: Mapped[int | None] = mapped_column(Integer)
    #: bilan-individuel: obj_territoire (1–4)
    fact_obj_territoire: Mapped[int | None] = mapped_column(Integer)
    #: suivi-referent part A: situation
    fact_situation: Mapped[str | None] = mapped_column(String(20))
    #: bilan-individuel: orientation, the ticked values sorted between commas (",emploi,stage,"),
    #: so that `LIKE '%,emploi,%'` finds them; NULL when nothing is ticked
    fact_orientation: Mapped[str | None] = mapped_column(String(120))
    #: suivi-referent part A: apport_stage (1–4; anything else, such as a later "nsp", NULL)
    fact_apport_stage: Mapped[int | None] = mapped_column(Integer)
    #: suivi-referent part A: confiance_observee (1–4)
    fact_confiance_observee: Mapped[int | None] = mapped_column(Integer)
    #: suivi-referent part A: mobilite_observee (1–4)
    fact_mobilite_observee: Mapped[int | None] = mapped_column(Integer)
    #: suivi-referent part B: nouvelles_methodes (oui/non/nsp)
    fact_nouvelles_methodes: Mapped[str | None] = mapped_column(String(3))
    #: Set when the response is sent; a draft until then
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The referent who helped the participant fill it in, if any
    assisted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("referent.id", ondelete="SET NULL")
    )
    #: The team member who recorded a part A for the team (referent NULL); the day of the
    #: news is `submitted_at`, so that "the latest part A wins" compares one column for all
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Index of the last section reached, so that reopening a link resumes there
    resume_section: Mapped[int] = mapped_column(default=0)
    #: bilan-individuel: since when a tablet holds answers it could not send (the bilans were
    #: locked); cleared when answers arrive again. The team's bilans page says so.
    waiting_on_tablet_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Creation and last change, for the team's "en cours" status
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    stage: Mapped[Stage] = relationship(back_populates="responses")
    participant: Mapped[Participant | None] = relationship(overlaps="responses,stage")
    referent: Mapped[Referent | None] = relationship(foreign_keys=[referent_id])
    recorded_by: Mapped[User | None] = relationship()
    assisted_by: Mapped[Referent | None] = relationship(foreign_keys=[assisted_by_id])

    @property
    def is_submitted(self) -> bool:
        """Whether the response was sent (not a draft)."""
        return self.submitted_at is not None


#: Figure role (grilles.md) → type of its fact column (int, str, or list: a multiple choice).
#: A column is named after its role (fact_<role>) and filled from whichever question carries
#: that role in the response's version: in v1 the role is the question's id.
FACTS = {
    "satisfaction_globale": int, "experience_groupe": str, "demarche_active": str,
    "isolement_rompu": str, "projet_plus_precis": str, "obj_possibles": int,
    "obj_competences": int, "obj_remobilisation": int, "obj_confiance": int,
    "obj_territoire": int, "situation": str, "orientation": list, "apport_stage": int,
    "confiance_observee": int, "mobilite_observee": int, "nouvelles_methodes": str,
}
#: Longest stored list fact (the column's size)
LIST_FACT_LENGTH = 120


def list_fact(value) -> str | None:
    """A multiple choice as ",a,b," (sorted, no duplicates), or None if empty or malformed."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return None
    text = "," + ",".join(sorted(set(value))) + ","
    return text if len(text) <= LIST_FACT_LENGTH else None


def facts_of(answers: dict | None, definition=None) -> dict:
    """The fact columns for these answers, read by role through `definition` (the response's
    version; without one, roles are the v1 ids). Wrongly typed values are left out, not guessed.
    """
    answers = answers or {}
    if definition is not None:
        answers = by_role(definition, answers)
    facts = {}
    for role, kind in FACTS.items():
        value = answers.get(role)
        if kind is list:
            facts[f"fact_{role}"] = list_fact(value)
            continue
        ok = isinstance(value, kind) and not isinstance(value, bool)
        facts[f"fact_{role}"] = value if ok else None
    return facts


def definition_for(questionnaire: str | None, version: int | None):
    """The definition a response follows, or None (no app, or a version unknown here)."""
    if questionnaire is None or not has_app_context():
        return None
    return get_definition(questionnaire, version or 1)


def _refresh_facts(target: Response, answers, questionnaire, version) -> None:
    for column, fact in facts_of(answers, definition_for(questionnaire, version)).items():
        setattr(target, column, fact)


@event.listens_for(Response.answers, "set")
def _copy_facts(target: Response, value, oldvalue, initiator) -> None:
    """Keep the fact columns equal to the answers, whoever sets them."""
    _refresh_facts(target, value, target.questionnaire, target.version)


@event.listens_for(Response.version, "set")
def _version_changed(target: Response, value, oldvalue, initiator) -> None:
    """Another version may put a role on another question (or the version came after the
    answers in a constructor's arguments)."""
    if target.answers is not None:
        _refresh_facts(target, target.answers, target.questionnaire, value)


@event.listens_for(Response.questionnaire, "set")
def _questionnaire_changed(target: Response, value, oldvalue, initiator) -> None:
    if target.answers is not None:
        _refresh_facts(target, target.answers, value, target.version)
