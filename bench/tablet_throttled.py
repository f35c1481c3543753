"""Benchmark: the tablet bilan in Chromium on a weak connection (DevTools' Slow 3G: 400 ms
latency, 400 kb/s each way), served by gunicorn with the production settings.

The service runs as bench/throttled_app.py serves it (the page benchmark's app behind a
stand-in for the shipped nginx site's gzip of the tablet's HTML). Chromium (Debian's, through
Playwright) opens the participant's personal link with an empty cache, says who helps on the
welcome screen, and taps "Commencer", then answers each step's multiple-choice questions (the
first option; the autosave goes out and returns before the clock starts) and taps "Suivant"
through the steps. Measured, from the
tap (or from opening the link) to the next step being usable (its URL reached and its `load`
event fired, so the deferred scripts ran): the first screen, the first question, each step;
and the bytes received per step (CDP `encodedDataLength`: compressed size on the wire).
Targets (issue 17): a step < 1.5 s, the link to the first question < 3 s, ≤ 8 KB per step.
Several participants, each a new browser context (an empty cache), medians reported.

Run: `make bench` or `.venv/bin/python bench/tablet_throttled.py [--rounds 3]`.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages_load import SECRET, Gunicorn, prepare_database  # noqa: E402
from support import machine  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LATENCY_MS = 400
KBITS = 400
THROUGHPUT = KBITS * 1000 / 8  # bytes per second, as DevTools counts them
VERBOSE = False
TARGETS = {"step": 1.5, "first question": 3.0, "kb per step": 8.0}


class Wire:
    """Bytes received over CDP (compressed size on the wire), and the requests made."""

    def __init__(self, cdp):
        self.bytes, self.requests, self.sizes = 0, [], {}
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestWillBeSent", self._sent)

    def _finished(self, event):
        self.bytes += event["encodedDataLength"]
        self.sizes[event["requestId"]] = event["encodedDataLength"]

    def _sent(self, event):
        self.requests.append((event["requestId"], event["request"]["method"],
                              event["request"]["url"].split("/", 3)[-1]))

    def on_network(self) -> int:
        """Requests that crossed the network (a redirect's two share an id; cached files: 0 B)."""
        return sum(1 for rid, _, _ in self.requests if self.sizes.get(rid, 0) > 0)

    def detail(self) -> str:
        """Each request of the last step and its size on the wire (--verbose)."""
        return ", ".join(f"{method} /{url[:40]} {self.sizes.get(rid, 0)} B"
                         for rid, method, url in self.requests)

    def reset(self):
        self.bytes, self.requests, self.sizes = 0, [], {}


def usable(page, path_suffix: str) -> None:
    page.wait_for_url(f"**{path_suffix}", wait_until="load")


def answer_step(page) -> None:
    """Tap the first option of every multiple-choice question (some are required), then wait
    until the autosave says the answers are saved, so the measured step starts with a quiet
    line, as when a person reads before tapping "Suivant"."""
    tapped = False
    for question in page.locator("fieldset:has(input[type=radio]), "
                                 "fieldset:has(input[type=checkbox])").all():
        if question.is_visible() and not question.locator("input:checked").count():
            question.locator("label").first.tap()
            tapped = True
    if tapped:
        page.wait_for_function(
            "() => document.querySelector('#save-status')?.textContent.includes('enregistrées')",
            timeout=30_000)


def one_round(chromium, base: str, link: str) -> dict:
    """One participant from the link to the last step, in a fresh context (empty cache)."""
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                   viewport={"width": 810, "height": 1080}, has_touch=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": LATENCY_MS,
        "downloadThroughput": THROUGHPUT, "uploadThroughput": THROUGHPUT})
    wire = Wire(cdp)
    figures = {"steps": [], "step bytes": [], "step requests": []}
    try:
        start = time.monotonic()
        page.goto(base + link, wait_until="load")
        page.wait_for_url("**/bilan/etape/0")
        figures["welcome"] = time.monotonic() - start
        figures["welcome bytes"] = wire.bytes
        if VERBOSE:
            print("welcome:", wire.detail())
        page.locator("label[for=aide-non]").tap()
        page.get_by_role("button", name="Commencer →").tap()
        usable(page, "/bilan/etape/1")
        page.locator("fieldset").first.wait_for()
        figures["first question"] = time.monotonic() - start
        figures["first bytes"] = wire.bytes
        number = 1
        while page.get_by_role("button", name="Suivant →").count():
            answer_step(page)
            wire.reset()
            tapped = time.monotonic()
            page.get_by_role("button", name="Suivant →").tap()
            number += 1
            usable(page, f"/bilan/etape/{number}")
            figures["steps"].append(time.monotonic() - tapped)
            figures["step bytes"].append(wire.bytes)
            figures["step requests"].append(wire.on_network())
            if VERBOSE:
                print(f"step {number}:", wire.detail())
    finally:
        context.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="participants, each a new context")
    parser.add_argument("--verbose", action="store_true", help="print each request and its size")
    options = parser.parse_args()
    global VERBOSE
    VERBOSE = options.verbose
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit("Chromium is missing: apt-get install -y chromium, then rerun.")
    print(f"== tablet on a weak connection ({machine()}): {LATENCY_MS} ms latency, "
          f"{KBITS} kb/s, gunicorn + gzip as the nginx site, {options.rounds} participants")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        links = prepare_database(folder, participants=options.rounds)
        env = {"SECRET_KEY": SECRET, "DATABASE_URL": links["url"]}
        with Gunicorn("bench.throttled_app:app", folder, env) as server, \
                sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            base = f"http://127.0.0.1:{server.port}"
            rounds = [one_round(chromium, base, link) for link in links["bilans"]]
            chromium.close()
    report(rounds)


def report(rounds: list[dict]) -> None:
    def median(key):
        return statistics.median(r[key] for r in rounds)

    steps = [t for r in rounds for t in r["steps"]]
    sizes = [b for r in rounds for b in r["step bytes"]]
    worst_kb = max(sizes) / 1024
    welcome = median("welcome")
    print(f"open the link → welcome screen and its first question usable (empty cache): "
          f"{welcome:.2f} s, {median('welcome bytes') / 1024:.1f} KB (target < "
          f"{TARGETS['first question']} s): " + ("met" if welcome < TARGETS["first question"]
                                                 else "MISSED"))
    first = median("first question")
    print(f"open the link → step 1's first question (via the welcome screen): {first:.2f} s, "
          f"{median('first bytes') / 1024:.1f} KB (same target, read strictly): "
          + ("met" if first < TARGETS["first question"] else "MISSED"))
    per_step = [statistics.median(r["steps"][i] for r in rounds) for i in range(len(rounds[0]["steps"]))]
    print("tap « Suivant » → next step usable, median per step: "
          + ", ".join(f"{i + 2}: {t:.2f} s" for i, t in enumerate(per_step)))
    worst = max(steps)
    print(f"  slowest step of all participants {worst:.2f} s, median {statistics.median(steps):.2f} s "
          f"(target < {TARGETS['step']} s): " + ("met" if worst < TARGETS["step"] else "MISSED"))
    print("bytes per step (compressed, on the wire): "
          + ", ".join(f"{b / 1024:.1f}" for b in rounds[0]["step bytes"])
          + f" KB; requests on the network per step: {', '.join(str(n) for n in rounds[0]['step requests'])}; "
          f"largest {worst_kb:.1f} KB (target ≤ {TARGETS['kb per step']:.0f} KB): "
          + ("met" if worst_kb <= TARGETS["kb per step"] else "MISSED"))


if __name__ == "__main__":
    main()
