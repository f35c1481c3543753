"""bp "health": `/health` for load balancers and monitoring (docs/deployment.md).

Public and cheap: a `SELECT 1`, one row read by primary key and two counts on an index. It
shows figures only, never a name or an address. 503 only when the database does not answer
(or lacks our tables): that is what a load balancer should act on. A late scheduler is a
`warnings` entry with a 200, because restarting or removing a web instance would not fix it.
"""
from datetime import datetime, timedelta

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from questionnaires.extensions import db
from questionnaires.followups.heartbeat import DISPATCH_JOB, LATE_AFTER_INTERVALS
from questionnaires.models import FollowupMessage, SchedulerHeartbeat
from questionnaires.clock import utcnow

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    """The service's state as JSON: 200 while the database answers, else 503."""
    now = utcnow()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return _unavailable("unreachable", "Base de données injoignable : vérifiez que le "
                            "serveur de base de données tourne et la valeur de DATABASE_URL.", error)
    try:
        body = _report(now)
    except SQLAlchemyError as error:
        return _unavailable("schema", "La base répond mais ses tables manquent ou sont "
                            "anciennes : lancez `flask db upgrade`.", error)
    finally:
        db.session.rollback()  # read-only: end the transaction, give the connection back clean
    return _no_store(jsonify(body), 200)


def _report(now: datetime) -> dict:
    last = db.session.scalar(select(SchedulerHeartbeat.last_run_at)
                             .where(SchedulerHeartbeat.job == DISPATCH_JOB))
    interval = current_app.config["DISPATCH_INTERVAL_MINUTES"]
    late = last is None or now - last > timedelta(minutes=interval * LATE_AFTER_INTERVALS)
    counts = dict(db.session.execute(
        select(FollowupMessage.state, func.count()).where(
            ((FollowupMessage.state == "planned") & (FollowupMessage.due_at <= now))
            | (FollowupMessage.state == "failed"))
        .group_by(FollowupMessage.state)).all())
    warnings = []
    if late:
        warnings.append("dispatcher_never_ran" if last is None else "dispatcher_late")
    if counts.get("failed"):
        warnings.append("followups_failed")
    return {
        "status": "ok",
        "time": now.isoformat(),
        "database": "ok",
        "dispatcher": {
            "last_pass_at": last.isoformat() if last else None,
            "age_seconds": int((now - last).total_seconds()) if last else None,
            "interval_minutes": interval,
            "late": late,
        },
        "followups": {"due_unsent": counts.get("planned", 0), "failed": counts.get("failed", 0)},
        "warnings": warnings,
    }


def _unavailable(database: str, message: str, error: Exception):
    db.session.rollback()
    current_app.logger.warning("health check: database %s: %s", database, error)
    return _no_store(jsonify(status="error", database=database, message=message), 503)


def _no_store(response, status: int):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"  # a proxy must never answer for us
    return response
