"""APScheduler wiring only: run the dispatch pass every DISPATCH_INTERVAL_MINUTES (the
follow-up mails, `followups.dispatch_due`, then the scheduled mails of `mail_queue`, after the
week's evening messages are planned), and the retention purge (`privacy.purge_expired`) once a
day.

Production runs `flask scheduler run` as its own process (docs/followups.md has the systemd
unit). `make run` sets SCHEDULER_IN_APP=1 so the dev server runs it in a background thread,
started once: under the reloader only in the child process that serves. gunicorn workers never
start it. A second scheduler by accident would still send nothing twice (rows are claimed).
"""
import atexit
import os

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from questionnaires import mail_queue
from questionnaires.extensions import db
from questionnaires.followups.dispatch import Outcome, dispatch_due
from questionnaires.followups.heartbeat import record_pass
from questionnaires.clock import utcnow
from questionnaires.privacy.retention import purge_expired, record_purge
from questionnaires.stages.evening_mails import plan_upcoming


def one_pass(now) -> list[Outcome]:
    """Every mail due at `now`: the follow-ups, then the scheduled mails (evening messages
    planned first, so that a participant marked "abandon" a minute ago gets none)."""
    outcomes = dispatch_due(now)
    plan_upcoming(now)
    return outcomes + mail_queue.send_due(now)


def run_pass(app: Flask) -> None:
    """One dispatch pass in the app's context; a failure is logged, the next pass retries."""
    with app.app_context():
        try:
            outcomes = one_pass(utcnow())
            record_pass(utcnow())  # /health reports a scheduler that stopped passing
        except Exception:  # the scheduler must outlive a bad pass (database restarting…)
            app.logger.exception("follow-up dispatch pass failed")
            return
        finally:
            db.session.remove()
        for outcome in outcomes:
            app.logger.info("mail %s %s to %s: %s %s", outcome.kind, outcome.message_id,
                            outcome.to, outcome.result, outcome.detail)


def run_purge(app: Flask) -> None:
    """One retention pass: anonymise what is past RETENTION_YEARS; a failure is logged."""
    with app.app_context():
        try:
            report = purge_expired(utcnow())
            record_purge(report, "passage automatique")
            db.session.commit()
        except Exception:  # retried tomorrow; the pass is idempotent
            db.session.rollback()
            app.logger.exception("retention purge failed")
            return
        finally:
            db.session.remove()
        app.logger.info("retention purge (stages ended before %s): %d participants, "
                        "%d referents anonymised", report.cutoff, len(report.participants),
                        len(report.referents))


def build(app: Flask, blocking: bool):
    """A scheduler with the dispatch and retention jobs: one run at a time, missed runs merged."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    scheduler.add_job(run_pass, "interval", args=[app], id="dispatch_due",
                      minutes=app.config["DISPATCH_INTERVAL_MINUTES"], max_instances=1,
                      coalesce=True, next_run_time=utcnow())  # catch up at start
    # Daily, and once at start: a scheduler restarted every night would otherwise never run it.
    scheduler.add_job(run_purge, "interval", args=[app], id="purge_expired", days=1,
                      max_instances=1, coalesce=True, next_run_time=utcnow())
    return scheduler


def _serving_process(app: Flask) -> bool:
    """Whether this is the process that serves: the reloader's watcher only restarts the child."""
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        return True
    return not app.debug  # with debug, `flask run` reloads: the watcher has no WERKZEUG_RUN_MAIN


def init_app(app: Flask) -> None:
    """Start the in-process scheduler for the dev server when SCHEDULER_IN_APP is set."""
    if not app.config.get("SCHEDULER_IN_APP") or app.testing or not _serving_process(app):
        return
    scheduler = build(app, blocking=False)
    scheduler.start()
    app.extensions["followup_scheduler"] = scheduler
    app.logger.info("follow-up scheduler started in process %s", os.getpid())
    atexit.register(lambda: scheduler.shutdown(wait=False))
