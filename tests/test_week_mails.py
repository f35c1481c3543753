"""The evening messages of the week, through the generic scheduled-mail queue, to a real SMTP
server: one per participant with an e-mail per day, none for "abandon", never twice, even with
two dispatcher processes racing or one dying after its claim."""
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.followups.scheduler import one_pass
from questionnaires.mail_queue import send_due
from questionnaires.models import MailAttempt, OutboxMail, Participant, ScheduledMail
from questionnaires.stages.evening_mails import plan_upcoming
from tests.support.factories import make_app, make_week
from tests.support.forms import post_form
from tests.support.mail import mail_settings, sent_by_each, start_dispatchers

PARIS = ZoneInfo("Europe/Paris")
#: A Monday; the stage runs Monday to Friday
MONDAY = date(2030, 1, 7)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def evenings():
    """17:00 on the day before each day of the stage."""
    return [paris(MONDAY + timedelta(days=n - 1), 17) for n in range(5)]


def test_one_evening_message_per_participant_with_an_email_per_day_never_twice(
        database_url, smtp):
    app = make_app(database_url, **mail_settings(smtp), TEAM_PHONE="01 99 00 20 20")
    with app.app_context():
        make_week(MONDAY)
        assert one_pass(paris(MONDAY - timedelta(days=1), 16, 59)) == []
        for evening in evenings():
            sent = one_pass(evening)
            assert sorted(o.to for o in sent) == ["alex@example.org", "ines@example.org"]
            assert one_pass(evening + timedelta(minutes=5)) == []  # a second pass: nothing
        assert one_pass(paris(MONDAY + timedelta(days=6), 9)) == []
        states = Counter(db.session.scalars(select(ScheduledMail.state)))
        db.session.remove()
        db.engine.dispose()
    received = Counter(rcpt for rcpts, _ in smtp.messages for rcpt in rcpts)
    # Sam has no e-mail, Dylan left ("abandon"): none for them
    assert received == {"alex@example.org": 5, "ines@example.org": 5}
    assert states == {"sent": 10}
    monday = smtp.handler.to("alex@example.org")[0]
    text = smtp.handler.text(monday)
    assert monday["Subject"] == "Demain, lundi 7 janvier : rendez-vous à 10 h"
    for line in ("Bonjour Alex,", "Matin : 10 h – 12 h 30", "Atelier du jour 1 (atelier)",
                 "Lieu : Théâtre de la Semaine, 21 avenue Louis Georgeon, 94230, Cachan",
                 "Après-midi : 14 h 15 – 16 h 45", "appelez l'équipe au 01 99 00 20 20"):
        assert line in text
    html = monday.get_body(("html",)).get_content()
    assert "Cité des métiers de la Semaine" in html and "À demain !" in html


def test_abandon_stops_the_messages_and_the_outbox_page_says_why(app, auth, client):
    with app.app_context():
        stage_id = make_week(MONDAY)
        first, second = evenings()[:2]
        assert len(one_pass(first)) == 2  # to the outbox: no MAIL_SERVER in tests
        ines = db.session.scalar(select(Participant).where(Participant.first_name == "Inès"))
    auth.login()
    response = post_form(client, f"/equipe/stages/{stage_id}/participants/{ines.id}", {
        "first_name": "Inès", "gender": "F", "qpv": "inconnu", "status": "abandon",
        "pmsmp": "a_faire", "referent_id": "0", "email": "ines@example.org"})
    assert response.status_code == 302
    with app.app_context():
        cancelled = db.session.scalars(select(ScheduledMail).where(
            ScheduledMail.participant_id == ines.id, ScheduledMail.state == "cancelled")).all()
        assert len(cancelled) == 4 and {m.last_error for m in cancelled} == {
            "Abandon : plus de message."}
        for evening in evenings()[1:]:
            assert [o.to for o in one_pass(evening)] == ["alex@example.org"]
        outbox = db.session.scalars(select(OutboxMail)).all()
        assert len(outbox) == 6 and all(m.scheduled_mail_id for m in outbox)
        assert db.session.scalar(select(MailAttempt.scheduled_mail_id)) is not None
    page = client.get("/equipe/boite-d-envoi").get_data(as_text=True)
    assert "Messages programmés" in page and "Programme du lendemain" in page
    assert "Abandon : plus de message." in page and "ines@example.org" in page
    assert "Demain, mardi 8 janvier : rendez-vous à 10 h" in page


def test_the_plan_follows_the_data_while_the_messages_wait(app):
    with app.app_context():
        stage_id = make_week(MONDAY)
        before = paris(MONDAY - timedelta(days=3), 12)
        plan_upcoming(before)
        alex = db.session.scalar(select(Participant).where(Participant.first_name == "Alex"))
        alex.email = "alex.nouveau@example.org"
        db.session.commit()
        plan_upcoming(before)
        waiting = db.session.scalars(select(ScheduledMail).where(
            ScheduledMail.participant_id == alex.id).order_by(ScheduledMail.due_at)).all()
        assert {m.to_address for m in waiting} == {"alex.nouveau@example.org"}
        assert [m.due_at.astimezone(PARIS).strftime("%d %H:%M") for m in waiting] == \
            ["06 17:00", "07 17:00", "08 17:00", "09 17:00", "10 17:00"]
        # The scheduler stopped over the weekend: Monday's message is moot on Monday.
        late = paris(MONDAY, 8)
        plan_upcoming(late)
        monday = db.session.scalar(select(ScheduledMail).where(
            ScheduledMail.dedupe_key == f"veille:{alex.id}:{MONDAY.isoformat()}"))
        assert (monday.state, monday.last_error) == ("cancelled", "Trop tard : la journée avait commencé.")
        assert send_due(late) == []
        assert db.session.get(ScheduledMail, monday.id).stage_id == stage_id


def test_a_mail_server_down_is_retried_then_sent_once(database_url, smtp):
    app = make_app(database_url, **mail_settings(smtp))
    with app.app_context():
        make_week(MONDAY)
        evening = evenings()[0]
        smtp.stop()
        outcomes = one_pass(evening)
        assert {o.result for o in outcomes} == {"retry"}
        smtp.start()
        assert one_pass(evening + timedelta(minutes=1)) == []  # waits for its retry time
        later = one_pass(evening + timedelta(minutes=10))
        assert sorted(o.result for o in later) == ["sent", "sent"]
        failed = db.session.scalars(select(MailAttempt).where(MailAttempt.ok.is_(False))).all()
        assert len(failed) == 2 and all("injoignable" in a.error for a in failed)
        db.session.remove()
        db.engine.dispose()
    assert len(smtp.messages) == 2


def test_two_dispatcher_processes_send_each_evening_message_exactly_once(database_url, tmp_path,
                                                                         smtp):
    app = make_app(database_url, **mail_settings(smtp))
    evening = evenings()[0]
    with app.app_context():
        make_week(MONDAY, extra=30)
        plan_upcoming(evening)
        db.session.remove()
        db.engine.dispose()
    procs = start_dispatchers(database_url, smtp.port, evening, tmp_path / "go",
                              ["queue", "queue"])
    sent_by = sent_by_each(procs)
    received = Counter(rcpt for rcpts, _ in smtp.messages for rcpt in rcpts)
    expected = {"alex@example.org", "ines@example.org"} | {f"personne{i}@example.org"
                                                           for i in range(30)}
    assert received == Counter(expected)  # everyone once, nobody twice
    assert not set(sent_by[0]) & set(sent_by[1])
    print("sent by each process:", [len(ids) for ids in sent_by])
    with app.app_context():
        assert send_due(evening + timedelta(hours=1)) == []
        db.session.remove()
        db.engine.dispose()


def test_a_crash_after_the_claim_is_retried_after_the_lease_once(database_url, tmp_path, smtp):
    app = make_app(database_url, **mail_settings(smtp))
    evening = evenings()[0]
    with app.app_context():
        make_week(MONDAY)
        plan_upcoming(evening)
        db.session.remove()
        db.engine.dispose()
    (proc,) = start_dispatchers(database_url, smtp.port, evening, tmp_path / "go", ["queue-crash"])
    proc.communicate(timeout=120)
    assert proc.returncode == 3 and smtp.messages == []
    lease = timedelta(minutes=app.config["CLAIM_LEASE_MINUTES"])
    with app.app_context():
        assert len(send_due(evening + lease - timedelta(minutes=1))) == 1  # the other one
        retried = send_due(evening + lease)
        assert [o.result for o in retried] == ["sent"]
        assert send_due(evening + lease + timedelta(hours=1)) == []
        db.session.remove()
        db.engine.dispose()
    assert sorted(r for rcpts, _ in smtp.messages for r in rcpts) == [
        "alex@example.org", "ines@example.org"]
