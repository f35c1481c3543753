"""Exactly once across processes: two dispatchers racing, and one that dies after claiming.

Each dispatcher is a real separate Python process (tests/support/followup_worker.py) on the same
database (a SQLite file, or PostgreSQL when TEST_POSTGRES_URL is set), sending to a real SMTP
server on 127.0.0.1.
"""
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.models import FollowupMessage
from tests.support.factories import DUE, make_app, make_stage
from tests.support.mail import mail_settings, sent_by_each, start_dispatchers

REFERENTS = 30


def test_two_dispatcher_processes_send_each_mail_exactly_once(database_url, tmp_path, smtp):
    app = make_app(database_url, **mail_settings(smtp))
    emails = [f"referent{i}@example.org" for i in range(REFERENTS)]
    with app.app_context():
        make_stage({email: [f"Personne{i}"] for i, email in enumerate(emails)})
        db.engine.dispose()
    procs = start_dispatchers(database_url, smtp.port, DUE, tmp_path / "go", ["race", "race"])
    sent_by = sent_by_each(procs)
    received = Counter(rcpt for rcpts, _ in smtp.messages for rcpt in rcpts)
    assert received == Counter(emails)  # every referent once, nobody twice
    assert len(sent_by[0]) + len(sent_by[1]) == REFERENTS
    assert not set(sent_by[0]) & set(sent_by[1])
    print("sent by each process:", [len(ids) for ids in sent_by])
    with app.app_context():
        states = db.session.scalars(select(FollowupMessage.state)
                                    .where(FollowupMessage.kind == "invitation")).all()
        assert states == ["sent"] * REFERENTS
        assert dispatch_due(DUE + timedelta(hours=1)) == []
        db.session.remove()
        db.engine.dispose()
    assert len(smtp.messages) == REFERENTS


def test_a_crash_between_claim_and_send_is_retried_after_the_lease_once(database_url, tmp_path,
                                                                        smtp):
    app = make_app(database_url, **mail_settings(smtp))
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        db.engine.dispose()
    (proc,) = start_dispatchers(database_url, smtp.port, DUE, tmp_path / "go", ["crash"])
    proc.communicate(timeout=120)
    assert proc.returncode == 3  # died right after its claim was committed
    assert smtp.messages == []
    lease = timedelta(minutes=app.config["CLAIM_LEASE_MINUTES"])
    with app.app_context():
        message = db.session.scalar(select(FollowupMessage))
        assert message.state == "planned" and message.claim_token is not None
        assert dispatch_due(DUE + lease - timedelta(minutes=1)) == []  # the claim still holds
        assert smtp.messages == []
        (outcome,) = dispatch_due(DUE + lease)
        assert outcome.result == "sent"
        assert dispatch_due(DUE + lease + timedelta(hours=1)) == []
        db.session.remove()
        db.engine.dispose()
    assert len(smtp.messages) == 1
