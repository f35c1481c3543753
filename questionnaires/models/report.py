"""The team's own words in a stage's report ("Bilan du stage"): text sections and funders."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.models.types import UTCDateTime
from questionnaires.models.values import sql_in

#: Figures of the "Bilan chiffré" that the team may complete with a few words of its own
#: (the seed: "Groupe très hétérogène et mixte", "aux profils variés")
FIGURE_TEXTS = ("participants", "moins_26", "qpv", "structures", "lieux_culturels",
                "professionnels", "sortie_culturelle", "projet_plus_precis",
                "jusqu_au_bout_satisfaits", "isolement_rompu", "experience_groupe")
OBJECTIVE_KEYS = ("obj_possibles", "obj_competences", "obj_remobilisation", "obj_confiance",
                  "obj_territoire")
#: Every section the team writes, in the report's order
TEXT_KEYS = (("sous_titre", "introduction", "organisation")
             + tuple(f"chiffre.{key}" for key in FIGURE_TEXTS)
             + ("objectifs_intro",) + tuple(f"objectif.{key}" for key in OBJECTIVE_KEYS)
             + ("note_equipe", "preconisations"))
#: Longest section, in characters
MAX_TEXT = 20_000
FUNDER_KINDS = {"financeur": "Financeur", "partenaire": "Partenaire"}


class StageText(db.Model):
    """One section of a stage's report, as the team wrote it (plain text, texts.parse)."""

    __table_args__ = (
        UniqueConstraint("stage_id", "key"),
        CheckConstraint(sql_in("key", TEXT_KEYS), "key_known"),
        CheckConstraint(f"length(body) <= {MAX_TEXT}", "body_length"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    #: Which section (TEXT_KEYS)
    key: Mapped[str] = mapped_column(String(40))
    #: Paragraphs separated by a blank line; lines starting with "- " are bullets
    body: Mapped[str] = mapped_column(Text)
    #: The stage this text was copied from, until the team saves it: "à relire"
    copied_from_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage.id", ondelete="SET NULL"))
    #: Last save, compared on the next one so that two editors never overwrite each other
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who saved it last
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    stage = relationship("Stage", foreign_keys=[stage_id])
    copied_from = relationship("Stage", foreign_keys=[copied_from_stage_id])


class StageFunder(db.Model):
    """A funder or partner named at the end of a stage's report, in the team's order."""

    __table_args__ = (
        UniqueConstraint("stage_id", "position"),
        CheckConstraint(sql_in("kind", FUNDER_KINDS), "kind_known"),
        CheckConstraint("length(trim(name)) > 0", "name_not_blank"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    #: Order in the list, from 0
    position: Mapped[int] = mapped_column()
    #: "Direction des services départementaux de l'éducation nationale du Val-de-Marne"
    name: Mapped[str] = mapped_column(String(200))
    #: financeur or partenaire
    kind: Mapped[str] = mapped_column(String(20), default="financeur")

    stage = relationship("Stage")
