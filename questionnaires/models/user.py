"""Accounts of the association's team."""
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from questionnaires.extensions import db
from questionnaires.models.types import UTCDateTime
from questionnaires.clock import utcnow
from questionnaires.models.values import ROLES, sql_in


#: Shortest password an account may get, from the admin pages or `flask users create`
PASSWORD_MIN_LENGTH = 10


class User(UserMixin, db.Model):
    """A team member who logs in to the team pages."""

    __table_args__ = (
        CheckConstraint(sql_in("role", ROLES), "role_known"),
        CheckConstraint("email = lower(email)", "email_lowercase"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login, lowercased
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Shown in the header and in the audit of who did what
    name: Mapped[str] = mapped_column(String(120))
    #: Werkzeug's salted hash (scrypt); the password itself is never stored
    password_hash: Mapped[str] = mapped_column(String(255))
    #: admin (accounts, settings) or team (everything about stages)
    role: Mapped[str] = mapped_column(String(10), default="team")
    #: A deactivated account cannot log in but keeps its history
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """What the session and the remember cookie keep: the id and a password fingerprint.

        A new password changes the fingerprint, so every session and remember cookie opened
        with the old one stops working (`auth.load_user`): resetting a stolen password ends
        the thief's session too.
        """
        return f"{self.id}.{self.session_fingerprint}"

    @property
    def session_fingerprint(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def set_password(self, password: str) -> None:
        """Store a salted hash of `password`."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Whether `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)


class LoginThrottle(db.Model):
    """Failed passwords for one login address, so that an account locks after too many.

    Keyed by sha256 of the lowercased address typed, known or not: an unknown address locks
    just like a real one, so the lock message reveals nothing. Kept in the database so the
    lock holds across gunicorn workers.
    """

    #: sha256 (hex) of the lowercased address typed on the login form
    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Failed passwords since `window_started_at`
    failures: Mapped[int] = mapped_column(default=0)
    #: First failure of the current counting window
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Logins refused until then (None: not locked)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
