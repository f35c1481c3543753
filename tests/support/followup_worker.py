"""A dispatcher in a process of its own, for the race and crash tests.

usage: followup_worker.py DATABASE_URL SMTP_PORT NOW_ISO GO_FILE MODE
Prints "ready", waits for GO_FILE to exist (so that racing workers start together), runs one
`dispatch_due(NOW)` and prints the ids it sent as JSON. MODE "crash" dies right after the
first claim, before sending: the process exits with status 3, as if killed. MODE "queue" and
"queue-crash" do the same with the scheduled mails' pass (`mail_queue.send_due`).
"""
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    url, port, now_iso, go_file, mode = sys.argv[1:6]
    from questionnaires import create_app
    from questionnaires.followups.dispatch import dispatch_due
    from questionnaires.mail_queue import send_due

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": int(port),
                      "MAIL_SUPPRESS_SEND": False, "MAIL_TIMEOUT": 10})
    with app.app_context():
        print("ready", flush=True)
        deadline = time.monotonic() + 60
        while not os.path.exists(go_file) and time.monotonic() < deadline:
            time.sleep(0.005)
        crash = (lambda message_id: os._exit(3)) if mode.endswith("crash") else None
        one_pass = send_due if mode.startswith("queue") else dispatch_due
        outcomes = one_pass(datetime.fromisoformat(now_iso), after_claim=crash)
        print(json.dumps([o.message_id for o in outcomes if o.result == "sent"]), flush=True)


if __name__ == "__main__":
    main()
