"""Login lockout: too many wrong passwords for one address, from one client, lock it a while.

Counted per address typed (known or not, see models.LoginThrottle) *and* client address, in
the database so the lock holds across gunicorn workers. Per client address: keyed by the login
address alone, a stranger typing five wrong passwords every quarter of an hour could keep a
team member out for good (found in review); a guesser spreading over many machines is still
slowed by the per-IP rate limit of login posts (ratelimit.py). Plain functions taking `now`,
tested without HTTP (outside a request the client address is empty).
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import delete, or_, update

from questionnaires.extensions import db
from questionnaires.models import LoginThrottle


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
    client = request.remote_addr or "" if has_request_context() else ""
    return hashlib.sha256(f"{email.strip().lower()}|{client}".encode()).hexdigest()


def locked_until(email: str, now: datetime) -> datetime | None:
    """When the address unlocks, if it is locked now."""
    row = db.session.get(LoginThrottle, _key(email))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def record_failure(email: str, now: datetime, policy: Policy | None = None) -> datetime | None:
    """Count a wrong password; returns when the address unlocks if it is locked now.

    The count is changed by UPDATE statements, so that two workers failing at the same moment
    both count. Two first failures of a new address may race to create its row: the loser's
    flush raises IntegrityError and the caller tries again (auth._count_failure).
    """
    policy = policy or Policy.current()
    key = _key(email)
    _forget_stale(now, policy)
    if db.session.get(LoginThrottle, key) is None:
        db.session.add(LoginThrottle(email_hash=key, failures=0, window_started_at=now))
        db.session.flush()
    mine = LoginThrottle.email_hash == key
    # A new window: the old failures are too far back, or the last lock is over.
    db.session.execute(update(LoginThrottle).where(mine, or_(
        LoginThrottle.window_started_at < now - policy.window,
        LoginThrottle.locked_until <= now,
    )).values(failures=0, window_started_at=now, locked_until=None))
    db.session.execute(update(LoginThrottle).where(mine)
                       .values(failures=LoginThrottle.failures + 1))
    db.session.execute(update(LoginThrottle).where(
        mine, LoginThrottle.failures >= policy.max_failures, LoginThrottle.locked_until.is_(None),
    ).values(locked_until=now + policy.lock))
    row = db.session.get(LoginThrottle, key, populate_existing=True)
    return row.locked_until if row.locked_until is not None and row.locked_until > now else None


def clear(email: str) -> None:
    """A successful login starts the count again."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email_hash == _key(email)))


def _forget_stale(now: datetime, policy: Policy) -> None:
    """Rows that count nothing any more (so that guessed addresses do not pile up)."""
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.window_started_at < now - policy.window,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now)))
