"""The team's side of the follow-up: the plan page and its actions, the alarm, the commands."""
import html
from datetime import timedelta

from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.followups.status import send_alarm
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.models import FollowupInvitation, FollowupMessage, OutboxMail, Referent
from questionnaires.clock import utcnow
from questionnaires.followups.scheduler import build, run_pass
from tests.support.factories import DUE, make_stage
from tests.support.forms import post_form


def _page(client, url) -> str:
    return " ".join(html.unescape(client.get(url).get_data(as_text=True)).split())


def test_demo_2021_stage_is_answered_and_the_recent_stage_is_planned(demo, auth, client):
    auth.login()
    old = _page(client, "/equipe/stages/1/suivi")
    # Six referents answered for everyone; two did not (one of them for one person out of two),
    # and their follow-up is far too late to go by itself.
    assert old.count("status--answered") == 6
    assert old.count("status--held") == 2 and "Non envoyé (date dépassée)" in old
    recent = _page(client, "/equipe/stages/2/suivi")
    assert recent.count("status--planned") == 5 and "Suivi à 3 mois" in recent
    with demo.app_context():
        assert db.session.scalar(select(FollowupMessage).where(FollowupMessage.state == "sent")) is None


def test_team_actions_send_now_pause_resend_and_correct_the_email(app, auth, client):
    with app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex"]})
    auth.login()
    base = f"/equipe/stages/{stage_id}/suivi"
    assert client.get(base).status_code == 200  # opening the plan page plans the stage
    with app.app_context():
        invitation_id = db.session.scalar(select(FollowupInvitation.id))
    sent = post_form(client, f"{base}/{invitation_id}/envoyer", page_url=base, follow_redirects=True)
    assert "E-mail envoyé à" in html.unescape(sent.get_data(as_text=True))
    post_form(client, f"{base}/{invitation_id}/relances", page_url=base)
    with app.app_context():
        invitation = db.session.get(FollowupInvitation, invitation_id)
        assert invitation.first_sent_at is not None and invitation.reminders_paused_at is not None
        first_link = db.session.scalar(select(OutboxMail.body_text))
    post_form(client, f"{base}/{invitation_id}/renvoyer", page_url=base)
    assert client.get(f"{base}/{invitation_id}/email").status_code == 200
    bad = post_form(client, f"{base}/{invitation_id}/email", {"email": "pas-un-email"})
    assert bad.status_code == 200 and "Adresse e-mail invalide" in html.unescape(bad.get_data(as_text=True))
    post_form(client, f"{base}/{invitation_id}/email", {"email": "Nadia.Autre@Example.org"})
    with app.app_context():
        mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        assert [m.to_address for m in mails] == ["nadia@example.org"] * 2 + ["nadia.autre@example.org"]
        assert mails[2].body_text != first_link  # the new address got a new link
        assert db.session.scalar(select(Referent.email)) == "nadia.autre@example.org"
    assert post_form(client, f"{base}/{invitation_id}/inconnue", page_url=base).status_code == 404
    assert post_form(client, f"/equipe/stages/999/suivi/{invitation_id}/envoyer",
                     page_url=base).status_code == 404
    no_csrf = client.post(f"{base}/{invitation_id}/renvoyer", data={})
    assert no_csrf.status_code in (302, 400)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(OutboxMail.id))) == 3


def test_red_banner_when_nothing_could_be_sent_while_mails_are_due(app, auth, client):
    with app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex"]})
        dispatch_due(DUE - timedelta(days=1))  # planned only
        assert send_alarm(DUE + timedelta(hours=5)) is None
        assert send_alarm(DUE + timedelta(hours=7))["waiting"] == 1
        message = db.session.scalar(select(FollowupMessage))
        message.due_at = message.next_attempt_at = utcnow() - timedelta(hours=7)
        db.session.commit()
    auth.login()
    page = _page(client, f"/equipe/stages/{stage_id}/suivi")
    assert 'class="alarm"' in page and "Aucun e-mail n'a pu partir depuis plus de 6 h" in page
    with app.app_context():
        dispatch_due(utcnow())  # the outbox accepts it: the banner goes
    assert 'class="alarm"' not in _page(client, "/equipe/stages")


def test_send_due_and_status_commands(app, runner):
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex", "Sam"]})
    early = runner.invoke(args=["followups", "send-due", "--now", "2031-02-26T08:59+01:00"])
    assert early.exit_code == 0 and "0 e-mail(s) envoyé(s)." in early.output
    result = runner.invoke(args=["followups", "send-due", "--now", "2031-02-26T09:00+01:00"])
    assert "envoyé : invitation" in result.output and "nadia@example.org" in result.output
    assert "1 e-mail(s) envoyé(s)." in result.output
    status = runner.invoke(args=["followups", "status", "--stage", "1"])
    assert "Nadia Référente <nadia@example.org> : Envoyé" in status.output
    assert "répondu 0/2" in status.output
    assert runner.invoke(args=["followups", "status", "--stage", "42"]).exit_code != 0
    assert runner.invoke(args=["followups", "send-due", "--now", "hier"]).exit_code != 0


def test_scheduler_runs_one_pass_at_a_time_and_merges_missed_runs(app):
    scheduler = build(app, blocking=True)
    job = scheduler.get_job("dispatch_due")
    assert job.max_instances == 1 and job.coalesce is True
    assert job.trigger.interval == timedelta(minutes=app.config["DISPATCH_INTERVAL_MINUTES"])
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
    run_pass(app)  # one real pass, as the job runs it: plans the stage, nothing due yet
    with app.app_context():
        assert db.session.scalar(select(FollowupMessage.state)) == "planned"
    assert "followup_scheduler" not in app.extensions  # never inside tests or gunicorn workers


def test_alarm_for_mails_that_gave_up_recently(app):
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        dispatch_due(DUE - timedelta(days=1))  # planned only
        message = db.session.scalar(select(FollowupMessage))
        message.state, message.claimed_at = "failed", DUE
        message.next_attempt_at = None
        db.session.commit()
        assert send_alarm(DUE + timedelta(days=1)) == {"failed": 1}
        assert send_alarm(DUE + timedelta(days=31)) is None  # older than FAILURE_NOTICE_DAYS
