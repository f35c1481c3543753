"""The follow-up plan and the dispatch pass, against a real SMTP server on 127.0.0.1."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from questionnaires.followups import progress
from questionnaires.referent import replies
from questionnaires.extensions import db
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.followups.plan import due_moment, plan_stage
from questionnaires.models import (
    FollowupInvitation,
    FollowupMessage,
    MailAttempt,
    Participant,
    Referent,
    Stage,
)
from tests.support.factories import DUE, database_for, dispose, make_app, make_stage
from tests.support.mail import mail_settings

PARIS = ZoneInfo("Europe/Paris")
DAY = timedelta(days=1)


@pytest.fixture
def mail_app(tmp_path, smtp):
    """The app (on TEST_DATABASE_URL on the PostgreSQL pass), sending to the SMTP server."""
    app = make_app(database_for(tmp_path), **mail_settings(smtp))
    yield app
    dispose(app)


def _sent(app, now):
    with app.app_context():
        return [(o.kind, o.to) for o in dispatch_due(now) if o.result == "sent"]


def _invitation(email: str) -> FollowupInvitation:
    return db.session.scalar(select(FollowupInvitation).join(Referent)
                             .where(Referent.email == email))


@pytest.mark.parametrize("end, months, expected", [
    (date(2025, 11, 26), 3, datetime(2026, 2, 26, 8, 0)),   # winter: 09:00 Paris = 08:00 UTC
    (date(2025, 5, 31), 3, datetime(2025, 8, 31, 7, 0)),    # summer: 09:00 Paris = 07:00 UTC
    (date(2023, 11, 30), 3, datetime(2024, 2, 29, 8, 0)),   # leap year: clamped to 29 Feb
    (date(2024, 11, 30), 3, datetime(2025, 2, 28, 8, 0)),   # not a leap year: 28 Feb
    (date(2025, 1, 31), 1, datetime(2025, 2, 28, 8, 0)),
    (date(2024, 12, 15), 6, datetime(2025, 6, 15, 7, 0)),
])
def test_due_dates_follow_calendar_months_at_nine_in_paris(end, months, expected):
    assert due_moment(end, months, 9, PARIS) == expected.replace(tzinfo=timezone.utc)


def test_due_hour_and_zone_come_from_the_configuration(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite'}", FOLLOWUP_HOUR=14,
                   FOLLOWUP_TIMEZONE="America/Cayenne")
    with app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex"]})
        plan_stage(db.session.get(Stage, stage_id), DUE - 30 * DAY)
        # 26 Feb 14:00 in Cayenne (UTC-3) is 17:00 UTC.
        assert _invitation("nadia@example.org").due_at == datetime(2031, 2, 26, 17, tzinfo=timezone.utc)


def test_one_mail_per_referent_covering_all_their_participants(mail_app, smtp):
    with mail_app.app_context():
        make_stage({"nadia@example.org": ["Alex", "Sam", "-Zoé"], "paul@example.org": ["Inès"]})
    assert _sent(mail_app, DUE - timedelta(minutes=1)) == []
    assert sorted(_sent(mail_app, DUE)) == [("invitation", "nadia@example.org"),
                                            ("invitation", "paul@example.org")]
    assert _sent(mail_app, DUE + timedelta(minutes=5)) == []  # sent once
    assert len(smtp.messages) == 2
    (nadia,) = smtp.handler.to("nadia@example.org")
    text = smtp.handler.text(nadia)
    assert "Alex et Sam" in text and "Inès" not in text and "Zoé" not in text
    assert "Métiers de l'accueil et de la billetterie" in nadia["Subject"]
    assert "Cultures du Cœur" in nadia["From"] and nadia["Reply-To"] == "equipe@association.example.org"
    assert nadia.get_body(("html",)) is not None
    with mail_app.app_context():
        invitation = _invitation("nadia@example.org")
        assert f"/suivi/{progress.link_token(invitation)}" in text
        assert "avant le dimanche 27 avril 2031" in text  # 60 days after the first send
        assert invitation.first_sent_at == DUE
        attempts = db.session.scalars(select(MailAttempt)).all()
        assert [(a.transport, a.ok) for a in attempts] == [("smtp", True)] * 2


def test_reminders_stop_after_an_answer_and_when_paused(mail_app, smtp):
    with mail_app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex"], "paul@example.org": ["Inès"],
                               "lea@example.org": ["Noé"]})
    _sent(mail_app, DUE)
    with mail_app.app_context():
        paul = _invitation("paul@example.org")
        alex = db.session.scalar(select(Participant).where(Participant.first_name == "Inès"))
        replies.mark_lost(paul, alex, DUE + DAY)  # Paul answered for his only participant
        _invitation("lea@example.org").reminders_paused_at = DUE + DAY
        db.session.commit()
    assert _sent(mail_app, DUE + 7 * DAY) == [("relance", "nadia@example.org")]
    assert _sent(mail_app, DUE + 14 * DAY) == [("relance", "nadia@example.org")]
    assert _sent(mail_app, DUE + 40 * DAY) == []
    assert len(smtp.handler.to("paul@example.org")) == 1
    assert len(smtp.handler.to("lea@example.org")) == 1
    assert "Rappel" in smtp.handler.to("nadia@example.org")[1]["Subject"]
    with mail_app.app_context():
        reasons = {m.last_error for m in db.session.scalars(select(FollowupMessage).where(
            FollowupMessage.state == "cancelled"))}
        assert reasons == {"Déjà répondu : relance inutile.", "Relances suspendues par l'équipe."}
        assert db.session.get(Stage, stage_id)


def test_catch_up_after_downtime_sends_each_mail_once(mail_app, smtp):
    with mail_app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
    # Nothing ran for 20 days after the due date: the invitation goes at the next pass, once.
    assert _sent(mail_app, DUE + 20 * DAY) == [("invitation", "nadia@example.org")]
    # Then nothing ran for a month: both reminders fell due, only the latest one goes.
    assert _sent(mail_app, DUE + 50 * DAY) == [("relance", "nadia@example.org")]
    assert _sent(mail_app, DUE + 51 * DAY) == []
    assert len(smtp.messages) == 2


def test_too_late_when_first_planned_is_held_and_sent_only_by_hand(mail_app, smtp):
    with mail_app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex"]})
        plan_stage(db.session.get(Stage, stage_id), DUE + 31 * DAY)  # an imported past stage
        invitation = _invitation("nadia@example.org")
        assert invitation.too_late and invitation.messages[0].state == "held"
    assert _sent(mail_app, DUE + 32 * DAY) == []
    assert smtp.messages == []
    with mail_app.app_context():
        from questionnaires.team.followups import send_now
        outcome = send_now(_invitation("nadia@example.org"), DUE + 33 * DAY)
        assert outcome.result == "sent"
    assert len(smtp.messages) == 1


def test_a_stage_planned_within_the_overdue_window_is_still_sent(mail_app, smtp):
    with mail_app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
    assert _sent(mail_app, DUE + 29 * DAY) == [("invitation", "nadia@example.org")]


def test_replanning_after_edits_moves_what_is_not_sent(mail_app, smtp):
    with mail_app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex"], "paul@example.org": ["Inès"]})
        plan_stage(db.session.get(Stage, stage_id), DUE - 60 * DAY)
        stage = db.session.get(Stage, stage_id)
        stage.end_date, stage.followup_months = date(2030, 11, 28), 4  # → 28 Mar 2031, 09:00
        ines = db.session.scalar(select(Participant).where(Participant.first_name == "Inès"))
        ines.referent = db.session.scalar(select(Referent).where(Referent.email == "nadia@example.org"))
        db.session.commit()
    assert _sent(mail_app, DUE) == []
    new_due = datetime(2031, 3, 28, 8, 0, tzinfo=timezone.utc)
    with mail_app.app_context():
        assert _invitation("paul@example.org") is None  # follows nobody any more, never sent
        assert _invitation("nadia@example.org").due_at == new_due
    assert _sent(mail_app, new_due) == [("invitation", "nadia@example.org")]
    assert "Alex et Inès" in smtp.handler.text(smtp.messages[0][1])


def test_a_changed_email_revokes_the_link_and_sends_a_new_one(mail_app, smtp):
    with mail_app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
    _sent(mail_app, DUE)
    with mail_app.app_context():
        old_token = progress.link_token(_invitation("nadia@example.org"))
        referent = db.session.scalar(select(Referent).where(Referent.email == "nadia@example.org"))
        referent.email = "nadia.new@example.org"
        db.session.commit()
    client = mail_app.test_client()
    assert client.get(f"/suivi/{old_token}").status_code == 404  # dead at once
    assert _sent(mail_app, DUE + DAY) == [("renvoi", "nadia.new@example.org")]
    (resent,) = smtp.handler.to("nadia.new@example.org")
    text = smtp.handler.text(resent)
    assert "nouveau lien" in resent["Subject"] and "L'ancien lien ne fonctionne plus" in text
    with mail_app.app_context():
        new_token = progress.link_token(_invitation("nadia.new@example.org"))
    assert new_token != old_token and f"/suivi/{new_token}" in text
    assert client.get(f"/suivi/{new_token}").status_code == 200
    assert client.get(f"/suivi/{old_token}").status_code == 404


def test_smtp_down_then_back_retries_with_growing_delays_then_sends_once(mail_app, smtp):
    with mail_app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
    smtp.stop()
    with mail_app.app_context():
        (outcome,) = dispatch_due(DUE)
        assert outcome.result == "retry" and "injoignable" in outcome.detail
        message = db.session.scalar(select(FollowupMessage))
        first_retry = message.next_attempt_at
        assert first_retry == DUE + timedelta(minutes=5)
        assert dispatch_due(DUE + timedelta(minutes=4)) == []  # not before the delay
        (outcome,) = dispatch_due(first_retry)
        assert outcome.result == "retry"
        db.session.expire_all()
        assert message.next_attempt_at == first_retry + timedelta(minutes=20)  # growing
    smtp.start()
    assert _sent(mail_app, first_retry + timedelta(minutes=20)) == [("invitation", "nadia@example.org")]
    assert _sent(mail_app, DUE + DAY) == []
    assert len(smtp.messages) == 1
    with mail_app.app_context():
        log = db.session.scalars(select(MailAttempt).order_by(MailAttempt.id)).all()
        assert [a.ok for a in log] == [False, False, True]
        assert log[0].error and "injoignable" in log[0].error


def test_after_max_attempts_the_message_fails_with_its_error(tmp_path, smtp):
    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite'}", **mail_settings(smtp),
                   MAX_SEND_ATTEMPTS=2)
    smtp.stop()
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        assert dispatch_due(DUE)[0].result == "retry"
        assert dispatch_due(DUE + DAY)[0].result == "failed"
        assert dispatch_due(DUE + 2 * DAY) == []
        message = db.session.scalar(select(FollowupMessage))
        assert message.state == "failed" and message.attempts == 2
        assert "injoignable" in message.last_error



def test_replanning_a_stage_does_not_read_referents_one_by_one(app):
    """Planning used to load each invitation's referent with its own query."""
    from tests.support.queries import count_queries

    counts = {}
    for referents in (2, 12):
        with app.app_context():
            stage_id = make_stage({f"r{referents}-{i}@example.org": [f"P{i}"]
                                   for i in range(referents)})
            plan_stage(db.session.get(Stage, stage_id), DUE - 60 * DAY)  # creates the invitations
            assert db.session.scalar(select(db.func.count()).select_from(FollowupInvitation)
                                     .where(FollowupInvitation.stage_id == stage_id)) == referents
        with count_queries(app) as counter:  # nothing changed: nothing to write
            plan_stage(db.session.get(Stage, stage_id), DUE - 30 * DAY)
        counts[referents] = counter["n"]
    assert counts[2] == counts[12], counts
