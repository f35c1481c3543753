"""One dispatcher process for bench/dispatch_scale.py.

usage: dispatch_worker.py DATABASE_URL SMTP_PORT NOW_ISO GO_FILE
Prints "ready", waits for GO_FILE (so that both dispatchers start together), runs one
`dispatch_due(NOW)` as the scheduler would, then prints one JSON line: what it sent, its time
and its peak resident memory (VmHWM).
"""
import json
import os
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import peak_rss_mib  # noqa: E402


def main() -> None:
    url, port, now_iso, go_file = sys.argv[1:5]
    from questionnaires import create_app
    from questionnaires.followups.dispatch import dispatch_due

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret",
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": int(port),
                      "MAIL_SUPPRESS_SEND": False, "MAIL_TIMEOUT": 10})
    with app.app_context():
        print("ready", flush=True)
        deadline = time.monotonic() + 120
        while not os.path.exists(go_file) and time.monotonic() < deadline:
            time.sleep(0.005)
        started = time.perf_counter()
        outcomes = dispatch_due(datetime.fromisoformat(now_iso))
        seconds = time.perf_counter() - started
    print(json.dumps({"results": Counter(o.result for o in outcomes), "seconds": seconds,
                      "peak_rss_mib": peak_rss_mib()}), flush=True)


if __name__ == "__main__":
    main()
