"""Benchmark: how the impact table and a stage's dashboard grow with the data.

At 1 000, 10 000 and 100 000 participants (100, 1 000 and 10 000 stages of 10, built by the
data generator of bench/impact_scale.py), times the across-stages impact table and one stage's
dashboard page (the "Bilan chiffré", through the app and a logged-in client), best of three,
and counts their SQL statements (a before_cursor_execute listener). The baseline is the
smallest size of the same run: the table's time may grow at most in proportion to the data it
aggregates, the dashboard (one stage's data) should not grow, and query counts must not move.

Run: `make bench` or `.venv/bin/python bench/growth.py [--sizes 100,1000,10000]
[--database-url URL]` (an EMPTY database; default a temporary SQLite file per size).
"""
import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import machine  # noqa: E402
from impact_scale import build, timed  # noqa: E402  (the lead's generator, reused as is)

PER_STAGE = 10
#: Noise margin on a shared machine: "at most linear" means ratio ≤ size ratio × this
NOISE = 1.5


def measure(url: str, stages: int) -> dict:
    """Build `stages` × 10 participants at `url`, then time the table and one dashboard."""
    from questionnaires import create_app
    from questionnaires.extensions import db
    from questionnaires.impact.totals import across_stages

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
    started = time.perf_counter()
    build(app, stages, PER_STAGE)
    built = time.perf_counter() - started
    client = app.test_client()
    client.post("/connexion", data={"email": "bench@example.org", "password": "bench-password"})
    page = f"/equipe/stages/{stages // 2}/impact"

    def dashboard():
        assert client.get(page).status_code == 200

    table = timed(app, lambda: across_stages(date(2026, 11, 27)))
    board = timed(app, dashboard)
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
    return {"participants": stages * PER_STAGE, "built": built, "table": table, "dashboard": board}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,10000", help="numbers of stages of 10")
    parser.add_argument("--database-url", help="an EMPTY database (default: temporary SQLite)")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    print(f"== growth ({machine()})")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for stages in sizes:
            url = options.database_url or f"sqlite:///{folder}/growth-{stages}.sqlite"
            rows.append(measure(url, stages))
    base = rows[0]
    print(f"{'participants':>12s} {'table s':>8s} {'× base':>7s} {'µs/participant':>15s} "
          f"{'queries':>7s} {'dashboard ms':>13s} {'× base':>7s} {'queries':>7s} {'built s':>8s}")
    for row in rows:
        (t, tq), (d, dq) = row["table"], row["dashboard"]
        print(f"{row['participants']:12d} {t:8.3f} {t / base['table'][0]:7.1f} "
              f"{t / row['participants'] * 1e6:15.1f} {tq:7d} {d * 1000:13.1f} "
              f"{d / base['dashboard'][0]:7.1f} {dq:7d} {row['built']:8.1f}")
    verdicts = []
    for before, after in zip(rows, rows[1:]):
        growth = after["participants"] / before["participants"]
        verdicts.append(after["table"][0] / before["table"][0] <= growth * NOISE)
        verdicts.append(after["dashboard"][0] / before["dashboard"][0] <= NOISE * 2)
    same_queries = len({r["table"][1] for r in rows}) == 1 and len({r["dashboard"][1] for r in rows}) == 1
    print(f"table at most linear, dashboard flat (margin {NOISE}× for noise): "
          f"{'met' if all(verdicts) else 'MISSED'}; constant query counts: "
          f"{'met' if same_queries else 'MISSED'}")
    print(f"load average after: {machine()}")


if __name__ == "__main__":
    main()
