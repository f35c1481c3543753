"""What the benchmark scripts share: the machine they ran on, ports, peak memory, SQL counting."""
import os
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def machine() -> str:
    """nproc, RAM and load average, printed next to every set of figures."""
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"nproc {os.cpu_count()}, RAM {total_kb / 1024 / 1024:.1f} GiB, load average {load}"


def free_port() -> int:
    """A port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    """Block until something accepts connections on 127.0.0.1:port, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def peak_rss_mib(pid: int | str = "self") -> float:
    """A process's peak resident memory (VmHWM), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, in seconds (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The direct child processes of `pid` (gunicorn's workers under its master)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


@contextmanager
def counting_queries(engine):
    """Count the SQL statements `engine` executes inside the block: `with ... as counter`."""
    from sqlalchemy import event

    counter = {"n": 0}

    def count(*args):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)


#: The floor routes of the page benchmarks, and the page targets of issue 17 against them:
#: (page, floor it is compared with, highest ratio allowed)
FLOOR, PLAIN_FLOOR = "/_bench/floor", "/_bench/floor-plain"
PAGE_TARGETS = {"section": ("floor", 3), "autosave": ("plain floor", 2),
                "referent": ("floor", 3), "dashboard": ("floor", 6)}


def add_floor_routes(app) -> None:
    """Register, on the real app and for the benchmark only (never in the product), the two
    routes the pages are measured against: the cheapest page the service can serve through all
    its hooks (signed session cookie, Flask-Login, security headers), one rendering a one-line
    template with csrf_token() as every form page does, one returning a plain string.
    Called right after create_app, before the first request (Flask refuses routes after it)."""
    from flask import render_template

    template = app.jinja_env.from_string("<p>{{ csrf_token() }}</p>")  # compiled once

    def floor():
        return render_template(template)

    def floor_plain():
        return "floor"

    app.add_url_rule(FLOOR, "bench_floor", floor)
    app.add_url_rule(PLAIN_FLOOR, "bench_floor_plain", floor_plain)


def floor_ratios(cpu_ms: dict) -> list[str]:
    """One line per page: its CPU per request over its floor's, next to the target."""
    lines = []
    for page, (floor, target) in PAGE_TARGETS.items():
        if page in cpu_ms and floor in cpu_ms:
            ratio = cpu_ms[page] / cpu_ms[floor]
            verdict = "met" if ratio <= target else "MISSED"
            lines.append(f"{page:10s} {ratio:5.2f}× the {floor:11s} (target ≤ {target}×): {verdict}")
    return lines
