"""A stage, its programme by half-day and the professionals met."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaires.extensions import db
from questionnaires.models.places import Venue
from questionnaires.models.types import UTCDateTime
from questionnaires.clock import utcnow
from questionnaires.models.values import PERIODS, SLOT_KINDS, sql_in

#: Longest stage the calendar grid accepts (a stage is one week; two leave room for a split one).
MAX_STAGE_DAYS = 14
#: A stage's places, inclusive: the check constraint, the stage form and the archive use these
CAPACITY_RANGE = (1, 100)
#: The usual hours of each period (the 2021 programme: 10 h–12 h 30, 13 h 30–17 h, evening
#: shows at 20 h), for slots whose own hours are not given
PERIOD_HOURS = {"matin": (time(10, 0), time(12, 30)), "apres-midi": (time(13, 30), time(17, 0)),
                "soiree": (time(20, 0), time(22, 30))}
#: Months from a stage's last day to the referents' follow-up, inclusive (same three users)
FOLLOWUP_MONTHS_RANGE = (1, 24)

slot_professionals = Table(
    "slot_professional",
    db.metadata,
    Column("slot_id", Integer, ForeignKey("slot.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "professional_id",
        Integer,
        ForeignKey("professional.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Stage(db.Model):
    """One week of remobilisation around a trade, for about ten participants."""

    __table_args__ = (
        CheckConstraint("end_date >= start_date", "ends_after_start"),
        CheckConstraint("capacity BETWEEN {} AND {}".format(*CAPACITY_RANGE), "capacity_range"),
        CheckConstraint("followup_months BETWEEN {} AND {}".format(*FOLLOWUP_MONTHS_RANGE),
                        "followup_range"),
        CheckConstraint("length(trim(title)) > 0", "title_not_blank"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: "Métiers de l'accueil et de la billetterie"
    title: Mapped[str] = mapped_column(String(200))
    #: Short code used to filter across years ("accueil-billetterie")
    theme: Mapped[str] = mapped_column(String(80), index=True)
    #: First day of the stage
    start_date: Mapped[date] = mapped_column(Date)
    #: Last day; the 3-month follow-up counts from it
    end_date: Mapped[date] = mapped_column(Date)
    #: Territory where it takes place ("Val-de-Bièvre")
    territory: Mapped[str | None] = mapped_column(String(120))
    #: Participants that may be enrolled (those who withdrew before the start do not count)
    capacity: Mapped[int] = mapped_column(default=10)
    #: Months between the end of the stage and the referents' follow-up
    followup_months: Mapped[int] = mapped_column(default=3)
    #: Set when the team locks the individual bilans: participants can no longer change them
    bilans_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the stage was created in the service
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    slots: Mapped[list["Slot"]] = relationship(
        back_populates="stage",
        cascade="all, delete-orphan",
        order_by=lambda: (Slot.date, period_rank(Slot.period)),
    )
    professionals: Mapped[list["Professional"]] = relationship(
        back_populates="stage", cascade="all, delete-orphan", order_by="Professional.id"
    )
    participants: Mapped[list["Participant"]] = relationship(  # noqa: F821
        back_populates="stage", cascade="all, delete-orphan", order_by="Participant.id"
    )
    responses: Mapped[list["Response"]] = relationship(  # noqa: F821
        back_populates="stage", cascade="all, delete-orphan", order_by="Response.id"
    )

    @property
    def days(self) -> list[date]:
        """Every day of the stage, for the calendar grid."""
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + timedelta(days=i) for i in range(count)]

    @property
    def enrolled(self) -> list["Participant"]:  # noqa: F821
        """Participants who count against capacity and in every figure."""
        return [p for p in self.participants if p.status != "desiste"]

    def __str__(self) -> str:
        return self.title


class Slot(db.Model):
    """A half-day (or the evening) of the programme."""

    __table_args__ = (
        UniqueConstraint("stage_id", "key"),
        # The programme is a calendar grid: one cell per day and period.
        UniqueConstraint("stage_id", "date", "period"),
        # Target of the composite foreign key from attendance, which ties both to one stage.
        UniqueConstraint("id", "stage_id"),
        CheckConstraint(sql_in("period", PERIODS), "period_known"),
        CheckConstraint(sql_in("kind", SLOT_KINDS), "kind_known"),
        CheckConstraint("length(trim(title)) > 0", "title_not_blank"),
        CheckConstraint("length(trim(key)) > 0", "key_not_blank"),
        CheckConstraint("(start_time IS NULL) = (end_time IS NULL)", "hours_both_or_none"),
        CheckConstraint("end_time > start_time", "ends_after_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    #: Stable reference inside the stage ("mar-soir"); answers to `activites` questions hold it
    key: Mapped[str] = mapped_column(String(40))
    #: Day of the slot, within the stage's dates
    date: Mapped[date] = mapped_column(Date)
    #: matin, apres-midi or soiree
    period: Mapped[str] = mapped_column(String(20))
    #: What happens, as printed in the programme
    title: Mapped[str] = mapped_column(String(200))
    #: atelier, visite, rencontre, sortie_culturelle, bilan or autre
    kind: Mapped[str] = mapped_column(String(30), default="atelier")
    #: Where it happens; none for an outing whose place is not recorded
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="RESTRICT"))
    #: Local times it starts and ends; unset, the period's usual hours (PERIOD_HOURS)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)

    stage: Mapped[Stage] = relationship(back_populates="slots")
    # Loaded with the slots: the grid, the report and the archive read them for every slot.
    venue: Mapped[Venue | None] = relationship(lazy="joined")
    professionals: Mapped[list["Professional"]] = relationship(
        secondary=slot_professionals, back_populates="slots", order_by="Professional.id",
        lazy="selectin",
    )

    @property
    def hours(self) -> tuple[time, time]:
        """(start, end), local time: the slot's own, else its period's usual ones."""
        usual = PERIOD_HOURS[self.period]
        return self.start_time or usual[0], self.end_time or usual[1]

    def __str__(self) -> str:
        return self.title


def period_rank(column):
    """SQL expression ordering periods within a day (matin, après-midi, soirée)."""
    return db.case({key: i for i, key in enumerate(PERIODS)}, value=column, else_=len(PERIODS))


class Professional(db.Model):
    """A professional the group meets during one stage (role and venue, no personal data)."""

    __table_args__ = (CheckConstraint("length(trim(role)) > 0", "role_not_blank"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    #: "chargée de billetterie", "photographe professionnel"
    role: Mapped[str] = mapped_column(String(120))
    #: Where they work, if it is one of the venues
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="RESTRICT"))

    stage: Mapped[Stage] = relationship(back_populates="professionals")
    venue: Mapped[Venue | None] = relationship()
    slots: Mapped[list[Slot]] = relationship(
        secondary=slot_professionals, back_populates="professionals"
    )

    def __str__(self) -> str:
        return f"{self.role} — {self.venue.name}" if self.venue else self.role
