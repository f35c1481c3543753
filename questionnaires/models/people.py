"""Participants of a stage and their attendance."""
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from questionnaires.extensions import db
from questionnaires.tokens import hash_for, new_salt
from questionnaires.models.places import Referent
from questionnaires.models.stage import Slot, Stage
from questionnaires.models.types import UTCDateTime
from questionnaires.models.values import (
    ATTENDANCE,
    GENDERS,
    PARTICIPANT_STATUSES,
    PMSMP,
    QPV,
    sql_in,
)


def _default_bilan_hash(context) -> str:
    """The link hash of a participant inserted without one, from the salt being inserted."""
    return hash_for("bilan", context.get_current_parameters()["bilan_link_salt"])


class Participant(db.Model):
    """A person enrolled in one stage (the same person in two stages is two rows)."""

    __table_args__ = (
        # Target of the composite foreign keys that keep attendance and answers in one stage.
        UniqueConstraint("id", "stage_id"),
        CheckConstraint(sql_in("gender", GENDERS), "gender_known"),
        CheckConstraint(sql_in("qpv", QPV), "qpv_known"),
        CheckConstraint(sql_in("status", PARTICIPANT_STATUSES), "status_known"),
        CheckConstraint(sql_in("pmsmp", PMSMP), "pmsmp_known"),
        CheckConstraint("length(trim(first_name)) > 0", "first_name_not_blank"),
        CheckConstraint("email = lower(email)", "email_lowercase"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    #: The only name shown to referents and in testimonials
    first_name: Mapped[str] = mapped_column(String(80))
    #: Optional: the team often knows participants by first name only
    last_name: Mapped[str | None] = mapped_column(String(80))
    #: Gives the age at the stage's first day; unknown for some imported stages
    birth_date: Mapped[date | None] = mapped_column(Date)
    #: F, H or X (autre / non précisé)
    gender: Mapped[str] = mapped_column(String(1), default="X")
    #: Town of residence
    city: Mapped[str | None] = mapped_column(String(120))
    #: To reach them during the week: a French number as "06 12 34 56 78" (stages/contacts.py)
    phone: Mapped[str | None] = mapped_column(String(20))
    #: Lowercased; the evening messages of the week go there (stages/evening_mails.py)
    email: Mapped[str | None] = mapped_column(String(254))
    #: Lives in a "quartier prioritaire de la politique de la ville": oui, veille, non, inconnu
    qpv: Mapped[str] = mapped_column(String(10), default="inconnu")
    #: The insertion referent who follows this participant
    referent_id: Mapped[int | None] = mapped_column(
        ForeignKey("referent.id", ondelete="RESTRICT"), index=True
    )
    #: inscrit, abandon (left during the stage) or desiste (withdrew before the start)
    status: Mapped[str] = mapped_column(String(10), default="inscrit")
    #: The tripartite PMSMP convention: a_faire, envoyee, signee, sans_objet
    pmsmp: Mapped[str] = mapped_column(String(10), default="a_faire")
    #: Random salt of the personal bilan link (tokens.py, purpose "bilan"); never shown.
    #: A new one kills the old link (bilan.renew_link changes the hash with it)
    # (the column keeps its first name, "bilan_nonce")
    bilan_link_salt: Mapped[str] = mapped_column("bilan_nonce", String(32), key="bilan_link_salt", unique=True, default=new_salt)
    #: sha256 of the link token: the only way a link finds its participant
    bilan_token_hash: Mapped[str] = mapped_column(String(64), unique=True,
                                                  default=_default_bilan_hash)
    #: When the team last remade the link (None: the first one); a remade link lives as long
    #: after this date as the first one does after the stage
    bilan_link_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the person was anonymised (on request or after the retention period, privacy.py):
    #: names, contact data and free texts are gone; the coded facts the figures use remain
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: Attendance summary read by the impact table instead of aggregating every mark; kept in
    #: step with the attendance, the slots and the stage's dates by questionnaires/presence.py
    #: Present at a cultural outing
    went_out: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Present at a slot of the stage's last day
    present_last_day: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Marked (present or not) at a slot of the stage's last day: without it, "restés jusqu'au
    #: bout" is "non renseigné" for this person
    marked_last_day: Mapped[bool] = mapped_column(default=False, server_default=false())

    stage: Mapped[Stage] = relationship(back_populates="participants")
    referent: Mapped[Referent | None] = relationship()
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", overlaps="attendance"
    )

    #: The attribute holding the link's salt (tokens.find_row)
    LINK_SALT = "bilan_link_salt"

    @validates("bilan_link_salt")
    def _rehash(self, key, salt: str) -> str:
        """A salt set by hand brings its link hash along (the old link dies with the old salt)."""
        self.bilan_token_hash = hash_for("bilan", salt)
        return salt

    @property
    def display_name(self) -> str:
        """First name and, if known, last name."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def age_on(self, day: date) -> int | None:
        """Age in whole years on `day`, or None if the birth date is unknown."""
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    def __str__(self) -> str:
        return self.display_name


class Attendance(db.Model):
    """Whether a participant was at a slot; no row means unknown."""

    __table_args__ = (
        # Both foreign keys carry stage_id, so a participant can never be marked at a slot
        # of another stage.
        ForeignKeyConstraint(
            ["participant_id", "stage_id"],
            ["participant.id", "participant.stage_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["slot_id", "stage_id"], ["slot.id", "slot.stage_id"], ondelete="CASCADE"
        ),
        CheckConstraint(sql_in("status", ATTENDANCE), "status_known"),
    )
    participant_id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(primary_key=True, index=True)
    stage_id: Mapped[int] = mapped_column(index=True)
    #: present, absent or excuse
    status: Mapped[str] = mapped_column(String(10))

    participant: Mapped[Participant] = relationship(
        back_populates="attendance", overlaps="attendance"
    )
    slot: Mapped[Slot] = relationship(overlaps="attendance,participant")


class AttendanceCall(db.Model):
    """The team called a participant about their absences: when, and what they said.

    Kept by slot, beside the attendance marks: the slot is the latest absence of the run the
    call was about, so a new run of absences shows the person as "to call" again.
    """

    __table_args__ = (
        ForeignKeyConstraint(
            ["participant_id", "stage_id"],
            ["participant.id", "participant.stage_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["slot_id", "stage_id"], ["slot.id", "slot.stage_id"], ondelete="CASCADE"
        ),
    )
    participant_id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(primary_key=True, index=True)
    stage_id: Mapped[int] = mapped_column(index=True)
    #: When the team noted the call
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: A short comment ("malade, revient jeudi"); erased when the person is anonymised
    note: Mapped[str | None] = mapped_column(String(200))

    participant: Mapped[Participant] = relationship()
    slot: Mapped[Slot] = relationship(overlaps="participant")
