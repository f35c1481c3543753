"""Benchmark: the service's pages under load, next to a bare Flask app, both under gunicorn.conf.py.

Prepares a SQLite file with the demo stages in a temporary folder, serves it with gunicorn and
the production settings (gunicorn.conf.py, rate limiting off: bench/bench_app.py), and loads
each page with `wrk` (Debian package) at 32 connections for a bounded time and request count:
two floor routes (bench/support.py: the cheapest pages through all the service's hooks), the
participant's bilan section page, the draft autosave POST (JSON with the X-CSRFToken header,
as static/js/answers.js sends it), the referent's follow-up page and a stage's dashboard (the
"Bilan chiffré" page, team login). The bare "hello" app runs under the same settings in the same
run (before and after the pages, to see drift). Prints requests/s, p50, p99, the ratio to the
bare app, each page's worker CPU per request as a ratio to its floor next to its target, and
the peak memory of the service's gunicorn workers.

Run: `make bench` or `.venv/bin/python bench/pages_load.py [--seconds 10] [--workers N]
[--database-url postgresql+psycopg://…/empty_db]`.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import (  # noqa: E402
    FLOOR, PLAIN_FLOOR, ROOT, children, cpu_seconds, floor_ratios, free_port, machine,
    peak_rss_mib, wait_for_port,
)  # noqa: E402

CONNECTIONS = 32
THREADS = 2
SECRET = "bench-secret-key-not-for-production"
TEAM_EMAIL, TEAM_PASSWORD = "bench@example.org", "bench-password-1"
#: Pages with a p99 target (< 100 ms); their CPU ratio to the floor routes is issue 17's
#: target (bench/support.py PAGE_TARGETS). Issue 7's ratios to the bare app are still printed.
TARGETS = {"section": None, "autosave": None, "referent": None, "dashboard": None}

WRK_SCRIPT = """
local max_requests = {max_per_thread}
local bodies = {bodies}
local count, sent = 0, 0
wrk.method = "{method}"
{headers}
if #bodies > 0 then
  function request()
    sent = sent + 1
    return wrk.format(nil, nil, nil, bodies[sent % #bodies + 1])
  end
end
function response(status, headers, body)
  count = count + 1
  if count >= max_requests then wrk.thread:stop() end
end
function done(summary, latency, requests)
  io.write(string.format('RESULT {{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"status_errors": %d, "socket_errors": %d}}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def prepare_database(folder: Path, database_url: str | None = None, participants: int = 0) -> dict:
    """The demo stages, a team account and planned follow-ups; returns the links to load.
    On `database_url` (an empty PostgreSQL database) the tables are dropped and created first;
    `bilans`: the links of `participants` other participants of the stage (the throttled tablet)."""
    from questionnaires import create_app
    from questionnaires.participant.bilan import link_token
    from questionnaires.demo import load_demo
    from questionnaires.extensions import db
    from questionnaires.followups.plan import plan_stage
    from questionnaires.models import FollowupInvitation, Participant, Stage, User
    from questionnaires.followups.progress import link_token as followup_token
    from sqlalchemy import select

    url = database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_demo()
        user = User(email=TEAM_EMAIL, name="Bench", role="team")
        user.set_password(TEAM_PASSWORD)
        db.session.add(user)
        db.session.commit()
        stage = db.session.scalar(select(Stage).order_by(Stage.end_date.desc()).limit(1))
        plan_stage(stage, datetime.now(timezone.utc))
        people = db.session.scalars(select(Participant).where(Participant.stage_id == stage.id)
                                    .order_by(Participant.id)).all()
        participant = people[0]
        if participants >= len(people):
            raise SystemExit(f"the demo stage has {len(people)} participants")
        invitation = db.session.scalar(select(FollowupInvitation)
                                       .where(FollowupInvitation.stage_id == stage.id)
                                       .order_by(FollowupInvitation.id).limit(1))
        invitation.first_sent_at = datetime.now(timezone.utc)  # a link opens once sent
        db.session.commit()
        links = {"url": url, "stage_id": stage.id, "bilan": f"/b/{link_token(participant)}",
                 "referent": f"/suivi/{followup_token(invitation)}",
                 "bilans": [f"/b/{link_token(p)}" for p in people[1:participants + 1]]}
        db.engine.dispose()
    return links


class Gunicorn:
    """gunicorn -c gunicorn.conf.py APP on a free port of 127.0.0.1, stopped on exit."""

    def __init__(self, app: str, folder: Path, env: dict):
        self.port = free_port()
        self.log = open(folder / f"gunicorn-{app.replace(':', '-')}.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"})

    def __enter__(self):
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def workers_cpu_seconds(self) -> float:
        """User + system CPU time of the workers so far: less noisy than wall time when the
        machine is shared, since other processes' work is not counted."""
        return sum(cpu_seconds(pid) for pid in children(self.proc.pid))

    def workers_peak_rss(self) -> list[float]:
        return [peak_rss_mib(pid) for pid in children(self.proc.pid)]

    def request(self, method: str, path: str, cookie: str = "", body: str | None = None,
                headers: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Cookie": cookie, **(headers or {})} if cookie else dict(headers or {})
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def session_cookie(headers: dict, previous: str) -> str:
    """The new `session=…` cookie a response set (the Secure flag is ignored: this is 127.0.0.1)."""
    match = re.search(r"(session=[^;]*)", headers.get("set-cookie", ""))
    return match.group(1) if match else previous


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html)
    if not match:
        raise SystemExit("no CSRF token in the page")
    return match.group(1)


def participant_session(server: Gunicorn, bilan_link: str) -> tuple[str, str]:
    """Open the participant's link like the tablet: (session cookie, CSRF token of section 1)."""
    status, headers, _ = server.request("GET", bilan_link)
    assert status == 302, f"participant link answered {status}"
    cookie = session_cookie(headers, "")
    status, headers, html = server.request("GET", "/bilan/etape/1", cookie)
    assert status == 200, f"section page answered {status}"
    return session_cookie(headers, cookie), csrf_of(html)


def team_session(server: Gunicorn) -> str:
    """Log in through the real login form; the team's session cookie."""
    status, headers, html = server.request("GET", "/connexion")
    cookie = session_cookie(headers, "")
    form = urlencode({"email": TEAM_EMAIL, "password": TEAM_PASSWORD, "csrf_token": csrf_of(html)})
    status, headers, _ = server.request("POST", "/connexion", cookie, form,
                                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302, f"login answered {status}"
    return session_cookie(headers, cookie)


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def load(server: "Gunicorn", path: str, folder: Path, seconds: int, max_requests: int,
         method="GET", headers: dict | None = None, bodies: tuple = ()) -> dict:
    """One wrk run; its requests/s, p50, p99 (ms), error counts and worker CPU per request."""
    script = folder / "load.lua"
    script.write_text(WRK_SCRIPT.format(
        max_per_thread=max_requests // THREADS, method=method,
        bodies="{" + ", ".join(lua_string(b) for b in bodies) + "}",
        headers="\n".join(f"wrk.headers[{lua_string(k)}] = {lua_string(v)}"
                          for k, v in (headers or {}).items())))
    # One second first, not counted: every worker compiles its templates and SQL on first use.
    for duration in (1, seconds):
        cpu_before = server.workers_cpu_seconds()
        run = _wrk(server.port, path, script, duration)
    cpu = server.workers_cpu_seconds() - cpu_before
    line = next((l for l in run.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {run.stdout}\n{run.stderr}")
    raw = json.loads(line[len("RESULT "):])
    return {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "requests": raw["requests"],
            "p50": raw["p50_us"] / 1000, "p99": raw["p99_us"] / 1000,
            "errors": raw["status_errors"] + raw["socket_errors"],
            "cpu_ms": cpu / max(raw["requests"], 1) * 1000}


def _wrk(port: int, path: str, script: Path, seconds: int) -> subprocess.CompletedProcess:
    return subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s",
                           "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}{path}"],
                          capture_output=True, text=True, timeout=seconds + 60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per wrk run")
    parser.add_argument("--workers", help="GUNICORN_WORKERS (default: gunicorn.conf.py's)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (tables dropped and "
                        "created) instead of a temporary SQLite file")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk (Debian), then rerun.")
    env = {"SECRET_KEY": SECRET}
    if options.workers:
        env["GUNICORN_WORKERS"] = options.workers
    print(f"== pages under load ({machine()}), {CONNECTIONS} connections, "
          f"{options.seconds} s or {options.max_requests} requests per run")
    bounds = dict(seconds=options.seconds, max_requests=options.max_requests)
    results = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        links = prepare_database(folder, options.database_url)
        env["DATABASE_URL"] = links["url"]
        with Gunicorn("bench.hello_app:app", folder, env) as hello:
            results["bare (before)"] = load(hello, "/", folder, **bounds)
        with Gunicorn("bench.bench_app:app", folder, env) as server:
            cookie, csrf = participant_session(server, links["bilan"])
            # The floors, with the participant's cookie: the session is read and signed as on
            # the tablet's pages.
            for name, path in (("floor", FLOOR), ("plain floor", PLAIN_FLOOR)):
                assert server.request("GET", path, cookie)[0] == 200
                results[name] = load(server, path, folder, headers={"Cookie": cookie}, **bounds)
            results["section"] = load(server, "/bilan/etape/1", folder,
                                      headers={"Cookie": cookie}, **bounds)
            bodies = tuple(json.dumps({"answers": {"satisfaction_globale": value}})
                           for value in (3, 4))
            status, _, reply = server.request("POST", "/bilan/brouillon", cookie, bodies[0], {
                "Content-Type": "application/json", "X-CSRFToken": csrf})
            assert status == 200 and json.loads(reply)["saved"] == ["satisfaction_globale"], reply
            results["autosave"] = load(server, "/bilan/brouillon", folder, method="POST",
                                       headers={"Cookie": cookie, "X-CSRFToken": csrf,
                                                "Content-Type": "application/json",
                                                "Accept": "application/json"},
                                       bodies=bodies, **bounds)
            assert server.request("GET", links["referent"])[0] == 200
            results["referent"] = load(server, links["referent"], folder, **bounds)
            team = team_session(server)
            dashboard = f"/equipe/stages/{links['stage_id']}/impact"
            assert server.request("GET", dashboard, team)[0] == 200
            results["dashboard"] = load(server, dashboard, folder,
                                        headers={"Cookie": team}, **bounds)
            rss = server.workers_peak_rss()
        with Gunicorn("bench.hello_app:app", folder, env) as hello:
            results["bare (after)"] = load(hello, "/", folder, **bounds)
    report(results, rss)


def report(results: dict, rss: list[float]) -> None:
    """The table of figures, ratios and verdicts."""
    bare = (results["bare (before)"]["rps"] + results["bare (after)"]["rps"]) / 2
    bare_cpu = (results["bare (before)"]["cpu_ms"] + results["bare (after)"]["cpu_ms"]) / 2
    print(f"{'page':16s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'× bare':>7s} "
          f"{'errors':>7s} {'CPU ms/req':>10s} {'CPU × bare':>10s}  verdict")
    for name, r in results.items():
        target = TARGETS.get(name)
        ratio = r["rps"] / bare
        verdict = ""
        if name in TARGETS:
            ok = (target is None or ratio >= target) and r["p99"] < 100 and r["errors"] == 0
            verdict = ("met" if ok else "MISSED") + (f" (≥ {target}×, p99 < 100 ms)" if target
                                                      else " (p99 < 100 ms)")
        print(f"{name:16s} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {ratio:7.2f} "
              f"{r['errors']:7d} {r['cpu_ms']:10.2f} {bare_cpu / r['cpu_ms']:10.2f}  {verdict}")
    print(f"bare app: mean of before and after, {bare:.0f} req/s, {bare_cpu:.2f} ms CPU/request. "
          "CPU × bare = bare CPU per request / the page's: the throughput ratio the pages would "
          "reach on CPU alone, much less sensitive to a busy machine than req/s.")
    print("Worker CPU per request over the floor's (issue 17; p99 < 100 ms at 32 connections):")
    print("\n".join(floor_ratios({name: r["cpu_ms"] for name, r in results.items()})))
    print("peak RSS of the service's gunicorn workers (VmHWM): "
          + ", ".join(f"{m:.0f}" for m in sorted(rss)) + " MiB")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
