"""In-process CPU per request of the tablet and referent pages: a quick, rerunnable measure.

The database of pages_load.py (demo stages, one participant's link, one referent's link) in a
temporary folder; the app as bench_app.py makes it (rate limiting off); Flask's test client
sends the same requests as the load benchmark, in a loop, and the process CPU time
(`time.process_time`, user + system) is divided by the request count. The bare "hello" app
(bench/hello_app.py) is measured the same way, so the test client's own cost is visible.
Far less noisy than wrk on a shared machine; it does not include gunicorn's HTTP parsing.

The two floor routes (bench/support.py) are measured the same way, and each page's CPU is
printed as a ratio to its floor next to issue 17's target.

Run: `.venv/bin/python bench/page_cpu.py [--requests 400] [--section 1]
[--database-url postgresql+psycopg://…/empty_db] [--profile floor|section|autosave|referent|dashboard]`
(the profile needs pyinstrument, bench/requirements.txt).
"""
import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pages_load import SECRET, TEAM_EMAIL, TEAM_PASSWORD, prepare_database  # noqa: E402
from support import FLOOR, PLAIN_FLOOR, add_floor_routes, floor_ratios  # noqa: E402


def _clients(folder: Path, database_url: str | None = None):
    """(hello client, service client, links, CSRF token of the participant's section page)."""
    from hello_app import app as hello
    from questionnaires import create_app

    links = prepare_database(folder, database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": links["url"], "SECRET_KEY": SECRET,
                      "RATELIMIT_ENABLED": False})
    add_floor_routes(app)
    client = app.test_client()
    assert client.get(links["bilan"]).status_code == 302
    html = client.get("/bilan/etape/1").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)
    team = app.test_client()
    login = team.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', login).group(1)
    assert team.post("/connexion", data={"email": TEAM_EMAIL, "password": TEAM_PASSWORD,
                                         "csrf_token": token}).status_code == 302
    return hello.test_client(), client, team, links, csrf


def _requests(hello, client, team, links, csrf, section_number: int = 1) -> dict:
    """One callable per measured page; each checks its answer."""
    bodies = [json.dumps({"answers": {"satisfaction_globale": value}}) for value in (3, 4)]
    counter = iter(range(10**9))

    def bare():
        assert hello.get("/").status_code == 200

    def floor():
        assert client.get(FLOOR).status_code == 200

    def floor_plain():
        assert client.get(PLAIN_FLOOR).status_code == 200

    def section():
        assert client.get(f"/bilan/etape/{section_number}").status_code == 200

    def autosave():
        reply = client.post("/bilan/brouillon", data=bodies[next(counter) % 2],
                            headers={"Content-Type": "application/json", "X-CSRFToken": csrf,
                                     "Accept": "application/json"})
        assert reply.status_code == 200 and reply.json["saved"] == ["satisfaction_globale"]

    def referent():
        assert client.get(links["referent"]).status_code == 200

    def dashboard():
        assert team.get(f"/equipe/stages/{links['stage_id']}/impact").status_code == 200

    return {"bare": bare, "floor": floor, "plain floor": floor_plain, "section": section,
            "autosave": autosave, "referent": referent, "dashboard": dashboard}


def measure(call, count: int) -> float:
    """CPU milliseconds per call, after a few uncounted warm-up calls."""
    for _ in range(20):
        call()
    start = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - start) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400, help="per page")
    parser.add_argument("--section", type=int, default=1,
                        help="which section page (1, the load benchmark's, asks about the programme)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (tables created, "
                        "then dropped) instead of a temporary SQLite file")
    parser.add_argument("--profile", choices=["floor", "section", "autosave", "referent",
                                              "dashboard"],
                        help="print a pyinstrument profile of this page instead")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        calls = _requests(*_clients(Path(name), options.database_url),
                          section_number=options.section)
        if options.profile:
            from pyinstrument import Profiler

            measure(calls[options.profile], 1)
            profiler = Profiler(interval=0.0002)
            with profiler:
                measure(calls[options.profile], options.requests)
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            return
        figures = {page: measure(call, options.requests) for page, call in calls.items()}
    database = "PostgreSQL" if options.database_url else "SQLite"
    print(f"== in-process CPU per request ({database}, test client, {options.requests} requests)")
    for page, ms in figures.items():
        print(f"{page:12s} {ms:6.2f} ms CPU/request")
    print("\n".join(floor_ratios(figures)))


if __name__ == "__main__":
    main()
