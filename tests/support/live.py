"""Real processes for the answers' race and chaos runs (tests and bench/chaos.py).

`Server`: gunicorn with several workers on 127.0.0.1, which can lose a worker to kill -9 or be
restarted. `Client`: one device's cookies over plain HTTP, a new connection per request (sync
workers close each one), and two ways to cut one: before the request is whole (the server
applies nothing) or once the answer is on its way (the server applied it, the device never
knows). `Tablet`: a device behaving like static/js/answers.js: changed answers pile up while one
save is in flight, a failed save is retried, everything pending is sent again on reconnection.
"""
import http.client
import json
import os
import random
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
#: What a cut connection or a server away looks like to a client
DOWN = (OSError, http.client.HTTPException)


class Cut(Exception):
    """The client cut the connection on purpose."""


class Server:
    """gunicorn serving the app on `database_url`, on a free port of 127.0.0.1."""

    def __init__(self, database_url: str, secret_key: str, port: int, workers: int = 3,
                 log: Path | None = None):
        self.port, self.log = port, log
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key,
                    "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
                    "GUNICORN_ACCESSLOG": "", "GUNICORN_LOGLEVEL": "warning",
                    "RATELIMIT_ENABLED": "0", "FLASK_CONFIG": "development"}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        """Start gunicorn and wait until a worker answers."""
        errors = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=errors)
        deadline = time.monotonic() + timeout
        while True:
            try:
                Client(self.port).request("GET", "/health")
                return
            except DOWN:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("gunicorn did not start (see its log)") from None
                time.sleep(0.1)

    def workers(self) -> list[int]:
        """The worker processes' ids (children of the master)."""
        if self.process is None:
            return []
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            found.extend(int(pid) for pid in (task / "children").read_text().split())
        return found

    def kill_worker(self, rng: random.Random) -> int | None:
        """kill -9 one worker, as an out-of-memory kill would; the master starts another."""
        workers = self.workers()
        if not workers:
            return None
        victim = rng.choice(workers)
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            return None
        return victim

    def restart(self) -> None:
        """Stop gunicorn (its workers finish their requests) and start it again."""
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class Client:
    """One device: its cookies, and requests that may be cut on purpose."""

    def __init__(self, port: int, timeout: float = 60):
        self.port, self.timeout, self.cookies = port, timeout, {}

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None, cut: str | None = None
                ) -> tuple[int, dict, str]:
        """(status, headers, text); `cut` "before" or "after" raises Cut (see the module)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            headers = dict(headers or {})
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if body is not None:
                headers["Content-Length"] = str(len(body))
            connection.putrequest(method, path)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            if cut == "before":
                connection.send((body or b"")[: len(body or b"") // 2])
                raise Cut()
            if body:
                connection.send(body)
            if cut == "after":
                select.select([connection.sock], [], [], self.timeout)
                raise Cut()
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), text
        finally:
            connection.close()

    def form(self, path: str, data: dict | list, csrf: str) -> tuple[int, dict, str]:
        """Post a form (a list of pairs for repeated fields) with the page's CSRF token."""
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        body = urlencode(pairs + [("csrf_token", csrf)]).encode()
        return self.request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}{path}"})

    def json(self, path: str, payload: dict, csrf: str, cut: str | None = None
             ) -> tuple[int, dict]:
        """Post JSON as answers.js does; (status, decoded answer or {})."""
        status, _, text = self.request("POST", path, json.dumps(payload).encode(), {
            "Content-Type": "application/json", "Accept": "application/json",
            "X-CSRFToken": csrf}, cut=cut)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, {}

    def page(self, path: str) -> str:
        """GET, following redirects on this site; the final page's HTML."""
        for _ in range(5):
            status, headers, text = self.request("GET", path)
            if status in (301, 302, 303) and "Location" in headers:
                path = headers["Location"].replace(f"http://127.0.0.1:{self.port}", "")
                continue
            return text
        raise AssertionError(f"too many redirects from {path}")

    def login(self, email: str, password: str) -> None:
        """Log in through the real login form."""
        csrf = CSRF_INPUT.search(self.page("/connexion")).group(1)
        status, _, _ = self.form("/connexion", {"email": email, "password": password}, csrf)
        assert status == 302, status


def csrf_of(html: str) -> str:
    """The CSRF token of a page (the meta tag answers.js reads, else the form's field)."""
    match = CSRF_META.search(html) or CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def value_for(question, tag: str, number: int, rng: random.Random):
    """A valid answer to `question`; free texts carry `tag` (whose answer it is) and `number`."""
    if question.type == "echelle4":
        return rng.randint(1, 4)
    if question.type == "oui_non_nsp":
        return rng.choice(["oui", "non", "nsp"])
    if question.type == "choix":
        return rng.choice([c.value for c in question.choices])
    if question.type == "choix_multiples":
        values = [c.value for c in question.choices]
        ticked = set(rng.sample(values, rng.randint(1, len(values))))
        return [v for v in values if v in ticked]
    if question.type == "consentement":
        return rng.random() < 0.5
    return f"{tag} n°{number}"


class Tablet:
    """A participant's tablet driven like answers.js, on a server that may cut or go away."""

    def __init__(self, port: int, link: str, tag: str, questions, rng: random.Random,
                 cut_rate: float = 0.0, retry_seconds: float = 0.2):
        self.client = Client(port, timeout=30)
        self.link, self.tag, self.questions, self.rng = link, tag, list(questions), rng
        self.cut_rate, self.retry_seconds = cut_rate, retry_seconds
        self.csrf: str | None = None
        #: Changed answers not acknowledged yet (a newer change replaces an older one)
        self.pending: dict = {}
        #: The latest value the server acknowledged for each question
        self.acked: dict = {}
        self.acknowledged = self.failures = self.cuts = self.changes = 0
        #: Failed requests by kind: "down" (no connection) or the HTTP status
        self.failed = Counter()

    def open(self) -> bool:
        """Open the personal link (the session cookie) and read the page's CSRF token."""
        try:
            self.csrf = csrf_of(self.client.page(self.link))
            return True
        except DOWN + (AssertionError,):
            self.failures += 1
            self.failed["down"] += 1
            return False

    def change(self) -> None:
        """The person answers one more question (or changes an answer)."""
        question = self.rng.choice(self.questions)
        self.changes += 1
        self.pending[question.id] = value_for(question, self.tag, self.changes, self.rng)

    def save(self) -> bool:
        """One save of everything pending; True when acknowledged."""
        if not self.pending:
            return True
        if self.csrf is None and not self.open():
            return False
        sent = dict(self.pending)
        roll = self.rng.random()
        cut = None if roll >= self.cut_rate else ("before" if roll < self.cut_rate / 2 else "after")
        try:
            status, answer = self.client.json("/bilan/brouillon", {"answers": sent}, self.csrf,
                                              cut=cut)
        except Cut:
            self.cuts += 1
            return False
        except DOWN:
            self.failures += 1
            self.failed["down"] += 1
            return False
        if status != 200:
            self.failures += 1
            self.failed[status] += 1
            if status == 400 and not answer:
                self.csrf = None  # "Formulaire expiré" (a page, not JSON): reload, as a person would
            return False
        for key in answer.get("saved", []):
            self.acked[key] = sent[key]
            self.acknowledged += 1
            if self.pending.get(key) == sent[key]:
                del self.pending[key]
        return True

    def run(self, until: float, pause: float = 0.1) -> None:
        """Answer one question, save, think up to `pause` seconds; until `until`
        (time.monotonic())."""
        while time.monotonic() < until:
            self.change()
            if not self.save():
                time.sleep(self.retry_seconds * (0.5 + self.rng.random()))
            else:
                time.sleep(pause * self.rng.random())

    def drain(self, until: float) -> bool:
        """Keep sending what is pending (nothing new is answered); True when all is sent."""
        self.cut_rate = 0.0
        while self.pending and time.monotonic() < until:
            if not self.save():
                time.sleep(self.retry_seconds)
        return not self.pending


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
