"""The follow-up mails: their exact text (snapshots), the local outbox, SMTP refusals."""
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from questionnaires.followups.messages import compose
from questionnaires.extensions import db
from questionnaires.followups.settings import Settings
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.followups.plan import plan_stage
from questionnaires.models import FollowupMessage, MailAttempt, OutboxMail, Stage
from tests.support.factories import DUE, make_app, make_stage
from tests.support.mail import mail_settings

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def _normalized(text: str) -> str:
    """The mail with its secret token replaced, so the snapshot is stable."""
    return re.sub(r"/suivi/[A-Za-z0-9_.-]+", "/suivi/<jeton>", text.replace("\r\n", "\n"))


@pytest.mark.parametrize("kind, snapshot", [("invitation", "followup_invitation.txt"),
                                            ("relance", "followup_relance.txt")])
def test_mail_text_matches_its_snapshot(app, kind, snapshot):
    with app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex", "Sam", "Inès"]})
        plan_stage(db.session.get(Stage, stage_id), DUE)
        message = db.session.scalar(select(FollowupMessage))
        if kind == "relance":
            message.invitation.first_sent_at = DUE
            message = FollowupMessage(invitation_id=message.invitation_id, kind="relance",
                                      sequence=1, due_at=DUE, next_attempt_at=DUE)
            db.session.add(message)
            db.session.flush()
        email = compose(message, DUE, Settings.current())
        db.session.rollback()
    expected = (SNAPSHOTS / snapshot).read_text(encoding="utf-8")
    assert _normalized(email.text) == expected
    assert "http://127.0.0.1:5000/suivi/<jeton>" in _normalized(email.html)
    assert "<strong>Alex, Inès et Sam</strong>" in email.html


def test_without_mail_server_mails_go_to_the_outbox_shown_to_the_team(app, auth, client):
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        (outcome,) = dispatch_due(DUE)
        assert outcome.result == "sent" and outcome.detail == "outbox"
        kept = db.session.scalar(select(OutboxMail))
        assert kept.to_address == "nadia@example.org" and "Alex" in kept.body_text
        assert [(a.transport, a.ok) for a in db.session.scalars(select(MailAttempt))] == [("outbox", True)]
        assert dispatch_due(DUE) == []
        mail_id = kept.id
    auth.login()
    page = client.get("/equipe/boite-d-envoi").get_data(as_text=True)
    assert "Boîte d'envoi" in page and "nadia@example.org" in page and "Suivi à 3 mois" in page
    one = client.get(f"/equipe/boite-d-envoi?mail={mail_id}")
    assert one.status_code == 200 and "sandbox" in one.get_data(as_text=True)
    assert client.get("/equipe/boite-d-envoi?mail=999").status_code == 404


class Refusing:
    """An SMTP server that refuses every message, as a full mailbox or a bad address does."""

    async def handle_DATA(self, server, session, envelope):
        return "550 5.1.1 Boîte inconnue"


def test_an_smtp_refusal_is_logged_with_its_code_and_retried(tmp_path, smtp):
    smtp.stop()
    smtp.handler = Refusing()
    smtp.start()
    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite'}", **mail_settings(smtp))
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        (outcome,) = dispatch_due(DUE)
        assert outcome.result == "retry"
        attempt = db.session.scalar(select(MailAttempt))
        assert not attempt.ok and "550" in attempt.error and "refusé" in attempt.error
