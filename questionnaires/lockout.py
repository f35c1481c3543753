"""Login lockout: too many wrong passwords for one address lock it for a while.

Counted per address typed (known or not, see models.LoginThrottle), in the database so the
lock holds across gunicorn workers. Plain functions taking `now`, tested without HTTP.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_

from .extensions import db
from .models import LoginThrottle


@dataclass(frozen=True)
class Policy:
    max_failures: int
    window: timedelta
    lock: timedelta

    @classmethod
    def current(cls) -> "Policy":
        config = current_app.config
        return cls(config["LOGIN_MAX_FAILURES"],
                   timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]),
                   timedelta(minutes=config["LOGIN_LOCK_MINUTES"]))


def _key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def locked_until(email: str, now: datetime) -> datetime | None:
    """When the address unlocks, if it is locked now."""
    row = db.session.get(LoginThrottle, _key(email))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def record_failure(email: str, now: datetime, policy: Policy | None = None) -> datetime | None:
    """Count a wrong password; returns when the address unlocks if this failure locked it."""
    policy = policy or Policy.current()
    _forget_stale(now, policy)
    row = db.session.get(LoginThrottle, _key(email))
    if row is None:
        row = LoginThrottle(email_hash=_key(email), failures=0, window_started_at=now)
        db.session.add(row)
    if now - row.window_started_at > policy.window or row.locked_until is not None:
        # A new window: the old failures are too far back, or the last lock is over.
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= policy.max_failures:
        row.locked_until = now + policy.lock
        return row.locked_until
    return None


def clear(email: str) -> None:
    """A successful login starts the count again."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email_hash == _key(email)))


def _forget_stale(now: datetime, policy: Policy) -> None:
    """Rows that count nothing any more (so that guessed addresses do not pile up)."""
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.window_started_at < now - policy.window,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now)))
