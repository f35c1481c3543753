"""Who did what to which personal data, and when (issue 6: the audit log)."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from questionnaires.extensions import db
from questionnaires.models.types import UTCDateTime
from questionnaires.clock import utcnow
from questionnaires.models.values import sql_in

#: What an event records, with the label the journal shows
AUDIT_ACTIONS = {
    "viewed": "Consultation",
    "changed": "Modification",
    "exported": "Export",
    "imported": "Import",
    "purged": "Effacement",
    "logged_in": "Connexion",
    "login_failed": "Connexion refusée",
    "logged_out": "Déconnexion",
    "account": "Compte modifié",
}


class AuditEvent(db.Model):
    """One entry of the audit log; never changed once written.

    The user's name and e-mail are copied at the time, so the journal still says who it was
    after the account is renamed. No foreign key to the stage: the journal outlives a deleted
    stage.
    """

    __table_args__ = (CheckConstraint(sql_in("action", AUDIT_ACTIONS), "action_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: When it happened (UTC)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The account that acted; None for a failed login with an unknown address
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    #: The account's name and e-mail when it acted (or the address typed, for a failed login)
    user_name: Mapped[str | None] = mapped_column(String(120))
    user_email: Mapped[str | None] = mapped_column(String(254))
    #: One of AUDIT_ACTIONS
    action: Mapped[str] = mapped_column(String(20), index=True)
    #: What was touched: "participant", "stage", "user", "bilan", "export"…
    target_type: Mapped[str | None] = mapped_column(String(40))
    #: Its id (or name, for an export table)
    target_id: Mapped[str | None] = mapped_column(String(64))
    #: The stage concerned, when there is one (no foreign key: see above)
    stage_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: A short French or technical detail (the endpoint, what changed)
    detail: Mapped[str | None] = mapped_column(String(300))
    #: The client's address as the app saw it (behind a proxy: the proxy's, see deployment)
    ip: Mapped[str | None] = mapped_column(String(45))


#: What an erasure register entry undid: a participant or a referent anonymised, a participant
#: deleted
ERASURE_KINDS = {"participant": "Participant·e anonymisé·e",
                 "referent": "Référent·e anonymisé·e",
                 "participant_deleted": "Participant·e supprimé·e",
                 "candidate": "Candidature effacée"}


class Erasure(db.Model):
    """One line of the erasure register: who was erased and when, with no personal data.

    It outlives a backup restore: `flask backup restore` reads the register first and applies
    it again to the restored data (privacy/erasures.py), so nobody erased comes back.
    """

    __table_args__ = (CheckConstraint(sql_in("kind", ERASURE_KINDS), "kind_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: participant, referent, participant_deleted or candidate (ERASURE_KINDS)
    kind: Mapped[str] = mapped_column(String(30))
    #: The erased row's id (participant.id or referent.id); no foreign key: a deleted row is gone
    subject_id: Mapped[int] = mapped_column(Integer, index=True)
    #: When it was erased
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
