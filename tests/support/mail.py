"""A real SMTP server on 127.0.0.1 that a test can stop and start again (the `smtp` fixture)."""
import json
import subprocess
import sys
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.support.system import ROOT, free_port

#: One dispatcher: run as a script, in a process of its own (the race and crash tests)
WORKER = ROOT / "tests" / "support" / "followup_worker.py"


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
    """A real SMTP server on 127.0.0.1; `smtp.messages` holds what it received."""
    server = SMTPServer()
    yield server
    server.stop()


def mail_settings(smtp: SMTPServer) -> dict:
    """App overrides that send for real to the test server (Flask-Mail suppresses when TESTING)."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_SUPPRESS_SEND": False,
            "MAIL_REPLY_TO": "equipe@association.example.org", "MAIL_TIMEOUT": 5}


def start_dispatchers(url: str, port: int, now, go_file, modes) -> list[subprocess.Popen]:
    """Start one dispatcher process per mode (followup_worker.py), wait until each says
    "ready", then let them go at once."""
    procs = [subprocess.Popen([sys.executable, str(WORKER), url, str(port), now.isoformat(),
                               str(go_file), mode], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for mode in modes]
    for proc in procs:
        line = proc.stdout.readline()
        assert line.strip() == "ready", proc.stderr.read()
    go_file.write_text("go")
    return procs


def sent_by_each(procs: list[subprocess.Popen]) -> list[list[int]]:
    """Wait for the dispatchers to end well; the ids each one sent."""
    sent = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        sent.append(json.loads(out.strip().splitlines()[-1]))
    return sent
