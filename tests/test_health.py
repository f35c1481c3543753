"""`/health`: database reachable, last dispatcher pass, follow-up backlog; 503 without a database."""
from datetime import date, timedelta

from sqlalchemy import update

from questionnaires import create_app
from questionnaires.extensions import db
from questionnaires.followups.plan import plan_recent
from questionnaires.followups.heartbeat import record_pass
from questionnaires.models import FollowupMessage, SchedulerHeartbeat
from questionnaires.clock import utcnow
from questionnaires.followups.scheduler import run_pass
from tests.support.factories import make_stage


def test_health_is_public_json_and_says_the_scheduler_never_ran(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # no session for a probe
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["dispatcher"] == {"last_pass_at": None, "age_seconds": None,
                                  "interval_minutes": 5, "late": True}
    assert body["followups"] == {"due_unsent": 0, "failed": 0}
    assert body["warnings"] == ["dispatcher_never_ran"]


def test_a_scheduler_pass_is_recorded_and_clears_the_warning(app, client):
    run_pass(app)  # the scheduler's own job function, on a real (empty) database
    body = client.get("/health").get_json()
    assert body["dispatcher"]["late"] is False and body["warnings"] == []
    assert 0 <= body["dispatcher"]["age_seconds"] < 60
    with app.app_context():
        first = db.session.get(SchedulerHeartbeat, "dispatch_due").last_run_at
        db.session.remove()
    run_pass(app)
    with app.app_context():
        assert db.session.get(SchedulerHeartbeat, "dispatch_due").last_run_at >= first
        assert db.session.query(SchedulerHeartbeat).count() == 1  # one row, overwritten


def test_a_late_scheduler_is_a_warning_not_an_outage(app, client):
    with app.app_context():
        record_pass(utcnow() - timedelta(minutes=16))  # more than 3 intervals of 5 minutes
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["dispatcher"]["late"] is True
    assert body["warnings"] == ["dispatcher_late"]
    assert body["dispatcher"]["age_seconds"] >= 16 * 60

    with app.app_context():
        record_pass(utcnow() - timedelta(minutes=14))  # within 3 intervals: fine
    assert client.get("/health").get_json()["warnings"] == []


def test_backlog_counts_due_unsent_and_failed_mails_without_naming_anyone(app, client):
    # Ended ~100 days ago: the 3-month follow-up fell due about a week ago (not "held").
    with app.app_context():
        make_stage({"alice@example.org": ["Aïcha"], "bruno@example.org": ["Bilal", "Chloé"],
                    "carla@example.org": ["Dan"]}, end=date.today() - timedelta(days=100))
        plan_recent(utcnow())
        record_pass(utcnow())
    body = client.get("/health").get_json()
    assert body["followups"] == {"due_unsent": 3, "failed": 0}
    assert body["warnings"] == []

    with app.app_context():
        one = db.session.query(FollowupMessage).order_by(FollowupMessage.id).first()
        db.session.execute(update(FollowupMessage).where(FollowupMessage.id == one.id)
                           .values(state="failed", next_attempt_at=None, attempts=6))
        db.session.commit()
    response = client.get("/health")
    body = response.get_json()
    assert body["followups"] == {"due_unsent": 2, "failed": 1}
    assert body["warnings"] == ["followups_failed"] and response.status_code == 200
    text = response.get_data(as_text=True)
    assert "example.org" not in text and "Aïcha" not in text and "Aicha" not in text


def _unreachable(url: str):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url}).test_client()


def test_503_when_postgresql_cannot_be_reached():
    # Port 1 on the loopback: nothing listens, the connection is refused at once.
    response = _unreachable("postgresql+psycopg://app:app@127.0.0.1:1/absente").get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["database"] == "unreachable"
    assert "Base de données injoignable" in body["message"]
    assert "app:app" not in response.get_data(as_text=True)  # no credentials in the answer


def test_503_when_the_sqlite_file_cannot_be_opened(tmp_path):
    response = _unreachable(f"sqlite:///{tmp_path / 'dossier-absent' / 'base.sqlite'}").get("/health")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_503_when_the_database_answers_but_has_no_tables(tmp_path):
    response = _unreachable(f"sqlite:///{tmp_path / 'vide.sqlite'}").get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "schema" and "flask db upgrade" in body["message"]
