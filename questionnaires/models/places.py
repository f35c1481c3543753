"""Venues, partner structures and their referents: shared by every stage."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaires.extensions import db
from questionnaires.models.types import UTCDateTime
from questionnaires.models.values import VENUE_KINDS, sql_in


class Venue(db.Model):
    """A place where slots happen: a theatre, the Cité des métiers, a stadium."""

    __table_args__ = (
        UniqueConstraint("name", "city"),
        CheckConstraint(sql_in("kind", VENUE_KINDS), "kind_known"),
        CheckConstraint("length(trim(name)) > 0", "name_not_blank"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Name as the association writes it ("Théâtre Jacques Carat")
    name: Mapped[str] = mapped_column(String(160))
    #: Town; empty string when unknown, so that (name, city) stays unique
    city: Mapped[str] = mapped_column(String(120), default="")
    #: "culturel" venues count in the impact table, "autre" ones do not
    kind: Mapped[str] = mapped_column(String(20), default="culturel")
    #: Street and postcode ("1 place de la Libération, 94230"), printed on "Ma semaine"
    address: Mapped[str | None] = mapped_column(String(200))

    def __str__(self) -> str:
        return f"{self.name} ({self.city})" if self.city else self.name


class Structure(db.Model):
    """A partner structure of the insertion network (Mission locale, PLIE, maison de quartier)."""

    __table_args__ = (CheckConstraint("length(trim(name)) > 0", "name_not_blank"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique: the import matches structures by name
    name: Mapped[str] = mapped_column(String(160), unique=True)
    #: Town of the structure, if known
    city: Mapped[str | None] = mapped_column(String(120))

    referents: Mapped[list["Referent"]] = relationship(
        back_populates="structure", order_by="Referent.name"
    )

    def __str__(self) -> str:
        return self.name


class Referent(db.Model):
    """A social worker who follows participants and answers the 3-month follow-up."""

    __table_args__ = (
        CheckConstraint("email = lower(email)", "email_lowercase"),
        CheckConstraint("email LIKE '%_@_%'", "email_shape"),
        CheckConstraint("length(trim(name)) > 0", "name_not_blank"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Full name as the team knows it
    name: Mapped[str] = mapped_column(String(120))
    #: Lowercased; unique, since imports and archives match referents by email
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: A French number as "01 23 45 67 89", for the team to call about an absent participant
    phone: Mapped[str | None] = mapped_column(String(20))
    #: The structure this referent works for
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="RESTRICT"))
    #: When the name and e-mail were replaced, once every stage they followed is past the
    #: retention period (privacy.py); the structure stays, the impact table counts it
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    structure: Mapped[Structure] = relationship(back_populates="referents")

    def __str__(self) -> str:
        return f"{self.name} — {self.structure.name}"
