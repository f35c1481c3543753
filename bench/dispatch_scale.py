"""Benchmark: one dispatch pass for 10 000 referents due at once, by two dispatcher processes.

Each referent follows one participant of one of 1 000 stages that all fell due at the same
hour; their invitations are planned (as the planner makes them) and sent by two concurrent
`dispatch_due` processes (bench/dispatch_worker.py) to a real SMTP server (aiosmtpd) on
127.0.0.1. It prints the total time, messages/s, the dispatchers' peak memory, and checks at
the SMTP server that every referent got exactly one mail. Then the same pass again with
1 000 000 past invitations already sent (100 000 old stages) in the tables: the pass must stay
within 2× (its cost follows the due rows, not the history).

Run: `make bench` or `.venv/bin/python bench/dispatch_scale.py [--referents N] [--history N]
[--database-url URL]` (an EMPTY database; default a temporary SQLite file; tables are dropped).
"""
import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import ROOT, free_port, machine  # noqa: E402

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

#: The stages end on this day; their follow-up falls due three months later at 09:00 in Paris
END = date(2030, 11, 26)
DUE = datetime(2031, 2, 26, 8, 0, tzinfo=timezone.utc)
PER_STAGE = 10
BATCH = 20_000


class Counting:
    """aiosmtpd handler that only counts recipients (parsing 10 000 mails is not the point)."""

    def __init__(self):
        self.recipients = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


def chunks(rows: list, size: int = BATCH):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def build(app, referents: int, history: int) -> None:
    """Empty schema, then `referents` due invitations and `history` past ones, in bulk."""
    from questionnaires.extensions import db
    from questionnaires.models import (
        FollowupInvitation,
        FollowupMessage,
        Participant,
        Referent,
        Stage,
        Structure,
    )

    created = datetime(2030, 1, 1, tzinfo=timezone.utc)
    with app.app_context():
        db.drop_all()
        db.create_all()
        session = db.session
        session.execute(insert(Structure), [{"id": 1, "name": "Structure"}])
        session.execute(insert(Referent), [{"id": i, "name": f"Référent {i}", "structure_id": 1,
                                            "email": f"r{i}@example.org"}
                                           for i in range(1, referents + 1)])
        due_stages = -(-referents // PER_STAGE)
        old_stages = history // PER_STAGE
        stages = [{"id": s, "title": f"Stage {s}", "theme": "accueil", "start_date": END,
                   "end_date": END, "capacity": 20, "followup_months": 3, "created_at": created}
                  for s in range(1, due_stages + 1)]
        stages += [{"id": due_stages + k, "title": f"Ancien stage {k}", "theme": "accueil",
                    "start_date": date(2012, 1, 2) + timedelta(days=k % 3000),
                    "end_date": date(2012, 1, 6) + timedelta(days=k % 3000), "capacity": 20,
                    "followup_months": 3, "created_at": created} for k in range(1, old_stages + 1)]
        for rows in chunks(stages):
            session.execute(insert(Stage), rows)
        session.execute(insert(Participant), [
            {"id": i, "stage_id": (i - 1) // PER_STAGE + 1, "first_name": f"Personne{i}",
             "referent_id": i, "status": "inscrit", "bilan_link_salt": f"n{i}"}
            for i in range(1, referents + 1)])
        invitations, messages = [], []
        for i in range(1, referents + 1):
            invitations.append({"id": i, "stage_id": (i - 1) // PER_STAGE + 1, "referent_id": i,
                                "email": f"r{i}@example.org", "nonce": f"d{i}", "due_at": DUE,
                                "too_late": False, "created_at": created})
            messages.append({"id": i, "invitation_id": i, "kind": "invitation", "sequence": 0,
                             "due_at": DUE, "state": "planned", "next_attempt_at": DUE,
                             "attempts": 0, "created_at": created})
        for n in range(1, history + 1):
            k = (n - 1) // PER_STAGE + 1
            referent = (n - 1) % referents + 1
            sent = datetime.combine(date(2012, 4, 6) + timedelta(days=k % 3000),
                                    datetime.min.time(), timezone.utc)
            invitations.append({"id": referents + n, "stage_id": due_stages + k,
                                "referent_id": referent, "email": f"r{referent}@example.org",
                                "nonce": f"h{n}", "due_at": sent, "too_late": False,
                                "first_sent_at": sent, "created_at": sent})
            messages.append({"id": referents + n, "invitation_id": referents + n,
                             "kind": "invitation", "sequence": 0, "due_at": sent, "state": "sent",
                             "next_attempt_at": None, "attempts": 0, "sent_at": sent,
                             "sent_to": f"r{referent}@example.org", "created_at": sent})
            if len(invitations) >= BATCH:
                session.execute(insert(FollowupInvitation), invitations)
                session.execute(insert(FollowupMessage), messages)
                invitations, messages = [], []
        if invitations:
            session.execute(insert(FollowupInvitation), invitations)
            session.execute(insert(FollowupMessage), messages)
        session.commit()
        if db.engine.dialect.name == "postgresql":
            # Rows were inserted with their ids: move each sequence past them, or the pass's
            # first new row (a reminder) would take id 1 again.
            for table in ("structure", "referent", "stage", "participant", "followup_invitation",
                          "followup_message"):
                session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
        session.execute(db.text("ANALYZE"))
        session.commit()
        if db.engine.dialect.name == "sqlite":
            # Fold the bulk load's write-ahead log into the file now, or the pass's first
            # commit would pay for copying the whole history.
            session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.engine.dispose()


def dispatch(url: str, folder: Path, referents: int) -> dict:
    """Two dispatcher processes racing on the due mails; their time and the proof of delivery."""
    from questionnaires import create_app
    from questionnaires.extensions import db
    from questionnaires.models import FollowupMessage

    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    go = folder / f"go-{time.monotonic_ns()}"
    try:
        procs = [subprocess.Popen([sys.executable, str(ROOT / "bench" / "dispatch_worker.py"), url,
                                   str(port), DUE.isoformat(), str(go)], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        for proc in procs:
            line = proc.stdout.readline()
            if line.strip() != "ready":
                raise SystemExit(proc.stderr.read())
        started = time.perf_counter()
        go.write_text("go")
        workers = []
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise SystemExit(err)
            workers.append(json.loads(out.strip().splitlines()[-1]))
        seconds = time.perf_counter() - started
    finally:
        controller.stop()
    expected = Counter({f"r{i}@example.org": 1 for i in range(1, referents + 1)})
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret"})
    with app.app_context():
        states = Counter(db.session.scalars(select(FollowupMessage.state).where(
            FollowupMessage.kind == "invitation", FollowupMessage.id <= referents)).all())
        total = db.session.scalar(select(func.count()).select_from(FollowupMessage))
        db.engine.dispose()
    return {"seconds": seconds, "workers": workers, "received": sum(handler.recipients.values()),
            "exactly_once": handler.recipients == expected, "states": dict(states),
            "messages_in_table": total}


def show(name: str, result: dict, referents: int) -> None:
    w = result["workers"]
    print(f"{name}: {result['seconds']:.1f} s, {referents / result['seconds']:.0f} messages/s; "
          f"mails received {result['received']}, each referent exactly once: "
          f"{'yes' if result['exactly_once'] else 'NO'}; states {result['states']}; "
          f"{result['messages_in_table']} rows in followup_message")
    for i, worker in enumerate(w, start=1):
        print(f"  dispatcher {i}: {dict(worker['results'])} in {worker['seconds']:.1f} s, "
              f"peak RSS {worker['peak_rss_mib']:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referents", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an EMPTY database (default: temporary SQLite)")
    options = parser.parse_args()
    from questionnaires import create_app

    print(f"== dispatch at scale ({machine()})")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = options.database_url or f"sqlite:///{folder / 'dispatch.sqlite'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret"})
        started = time.perf_counter()
        build(app, options.referents, 0)
        print(f"built {options.referents} due invitations in {time.perf_counter() - started:.1f} s")
        fresh = dispatch(url, folder, options.referents)
        show("pass on an empty history", fresh, options.referents)
        started = time.perf_counter()
        build(app, options.referents, options.history)
        print(f"built {options.referents} due + {options.history} past invitations in "
              f"{time.perf_counter() - started:.1f} s")
        loaded = dispatch(url, folder, options.referents)
        show(f"pass with {options.history} past invitations", loaded, options.referents)
        ratio = loaded["seconds"] / fresh["seconds"]
        ok = ratio <= 2 and fresh["exactly_once"] and loaded["exactly_once"]
        print(f"history / empty: {ratio:.2f}× — {'met' if ok else 'MISSED'} (≤ 2×, exactly once)")
        print(f"load average after: {machine()}")
        if options.database_url:
            with app.app_context():
                from questionnaires.extensions import db
                db.drop_all()


if __name__ == "__main__":
    main()
