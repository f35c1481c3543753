"""Benchmark: the chaos run at scale, 1 000 tablet sessions under gunicorn while it is hurt.

50 simulated tablets (tests/support/live.py: one save at a time, changes piling up while a save
is in flight, retries, everything pending sent again on reconnection) fill 1 000 bilans one
after the other (8 answers each, a new person's link on the same tablet), while 10 % of the
saves have their connection cut (half before the request is whole, half once the answer is on
its way back), workers are killed with kill -9 and gunicorn is restarted. Afterwards every
answer a tablet saw acknowledged must be in the database, in the bilan of the person whose link
the tablet opened, once; the fact columns must equal the answers. It prints the figures and
exits 1 on any loss.

Run: `make bench` or `.venv/bin/python bench/chaos.py [--sessions N] [--tablets N]
[--database-url URL]` (default a temporary SQLite file; an EMPTY database: tables are dropped).
"""
import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import ROOT, free_port, machine  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.support.chaos import check, make_people, run, tablet_questions  # noqa: E402
from tests.support.factories import dispose, make_app  # noqa: E402
from tests.support.live import Server  # noqa: E402

SECRET = "chaos-bench-secret-key"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--tablets", type=int, default=50)
    parser.add_argument("--answers", type=int, default=8, help="answers given per session")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="chaos-"))
    url = args.database_url or f"sqlite:///{folder / 'chaos.sqlite'}"
    print(f"chaos: {args.sessions} sessions on {args.tablets} tablets, {url.split(':')[0]}; "
          f"{machine()}")
    app = make_app(url, SECRET_KEY=SECRET)
    from questionnaires.engine.definitions import get_definition
    from questionnaires.extensions import db

    with app.app_context():
        people = make_people(args.sessions)
        questions = tablet_questions(get_definition("bilan-individuel"))
        db.session.remove()
    dispose(app)
    server = Server(url, SECRET, free_port(), workers=args.workers, log=folder / "gunicorn.log")
    server.start()
    try:
        report = run(server, people, questions, tablets=args.tablets, seconds=args.max_seconds,
                     changes_per_session=args.answers, cut_rate=0.1, kills=args.kills,
                     restarts=args.restarts, retry_seconds=1.0)
    finally:
        server.stop()
    check(url, report)
    print(report.summary())
    return 0 if not (report.lost or report.foreign or report.twice or report.facts
                     or report.undrained) else 1


if __name__ == "__main__":
    sys.exit(main())
