"""Helpers for the follow-up tests: a real SMTP server on 127.0.0.1, stages to follow up."""
import socket
import sys
from datetime import date, datetime, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from questionnaires.extensions import db
from questionnaires.models import Participant, Referent, Stage, Structure

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "followup_worker.py"
#: 26 Nov 2030 + 3 months = 26 Feb 2031, 09:00 in Paris (winter: UTC+1). In the future, so
#: that links opened over HTTP (which use the real clock) have not expired.
END = date(2030, 11, 26)
DUE = datetime(2031, 2, 26, 8, 0, tzinfo=timezone.utc)


def free_port() -> int:
    """A port free on 127.0.0.1 (aiosmtpd's Controller cannot bind port 0 itself)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for rcpt, m in self.messages if address in rcpt]

    def text(self, message) -> str:
        return message.get_body(("plain",)).get_content()


class SMTPServer:
    """A real SMTP server that a test can stop (down) and start again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.handler = Collector()
        self.controller = None
        self.start()

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.handler.messages


@pytest.fixture
def smtp():
    server = SMTPServer()
    yield server
    server.stop()


def mail_settings(smtp: SMTPServer) -> dict:
    """App overrides that send for real to the test server (Flask-Mail suppresses when TESTING)."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_SUPPRESS_SEND": False,
            "MAIL_REPLY_TO": "equipe@association.example.org", "MAIL_TIMEOUT": 5}


def make_stage(followers: dict, end: date = END, months: int = 3,
               title: str = "Métiers de l'accueil et de la billetterie") -> int:
    """A stage whose participants follow `followers` ({referent email: [first names]}).

    A first name starting with "-" is a participant who withdrew before the start.
    """
    stage = Stage(title=title, theme="accueil-billetterie", start_date=end, end_date=end,
                  capacity=50, followup_months=months)
    db.session.add(stage)
    for email, names in followers.items():
        referent = db.session.query(Referent).filter_by(email=email).first()
        if referent is None:
            structure = Structure(name=f"Structure de {email}")
            referent = Referent(name=email.split("@")[0].capitalize() + " Référente",
                                email=email, structure=structure)
            db.session.add(referent)
        for name in names:
            withdrew = name.startswith("-")
            stage.participants.append(Participant(first_name=name.lstrip("-"), referent=referent,
                                                  status="desiste" if withdrew else "inscrit"))
    db.session.commit()
    return stage.id


def python() -> str:
    return sys.executable
