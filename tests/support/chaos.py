"""The chaos run (tests/test_chaos.py small, bench/chaos.py large): simulated tablets filling
bilans while connections are cut, a worker is killed (kill -9) and gunicorn is restarted.

Afterwards, every answer a tablet saw acknowledged must be stored, in the bilan of the person
whose link the tablet opened, once. Each tablet fills one bilan after the other (a new link on
the same tablet, as the team passes it on), like answers.js: one save at a time, changes piling
up meanwhile, retries after a failure, everything pending sent again on reconnection.
"""
import queue
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import create_engine, select

from questionnaires.extensions import db
from questionnaires.models import Participant, Response, Stage
from questionnaires.models.response import facts_of
from questionnaires.participant import bilan
from tests.support.factories import END
from tests.support.live import Server, Tablet


@dataclass
class Session:
    """One person's bilan on one tablet: what the tablet saw acknowledged."""
    participant_id: int
    tag: str
    acked: dict = field(default_factory=dict)
    drained: bool = False


@dataclass
class Report:
    sessions: list = field(default_factory=list)
    changes: int = 0
    acknowledged: int = 0
    cuts: int = 0
    failures: int = 0
    kills: int = 0
    restarts: int = 0
    seconds: float = 0.0
    #: participant id → {question: (acknowledged, stored)}
    lost: dict = field(default_factory=dict)
    #: participant id → answers holding another person's tag, or never acknowledged
    foreign: dict = field(default_factory=dict)
    #: participant ids with more than one bilan, or a list answer with a value twice
    twice: list = field(default_factory=list)
    #: participant ids whose fact columns disagree with their answers
    facts: list = field(default_factory=list)
    undrained: int = 0
    #: Failed requests by kind ("down": no connection, else the HTTP status)
    failed: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        return (f"{len(self.sessions)} sessions, {self.changes} answers given, {self.acknowledged} "
                f"acknowledged answers, {self.cuts} cut connections, {self.failures} failed "
                f"requests {dict(self.failed)}, {self.kills} kill -9, {self.restarts} restarts in {self.seconds:.0f} s;"
                f" lost {sum(map(len, self.lost.values()))}, wrong person or unacknowledged "
                f"{len(self.foreign)}, twice {len(self.twice)}, facts off {len(self.facts)}, "
                f"sessions not drained {self.undrained}")


def make_people(count: int, per_stage: int = 50) -> list[tuple[int, str]]:
    """`count` participants (stages of `per_stage`), each with (id, bilan link path)."""
    people = []
    for first in range(0, count, per_stage):
        stage = Stage(title=f"Stage chaos {first // per_stage + 1}", theme="accueil-billetterie",
                      start_date=END, end_date=END, capacity=per_stage, followup_months=3)
        stage.participants.extend(Participant(first_name=f"Personne {n}", status="inscrit")
                                  for n in range(first, min(count, first + per_stage)))
        db.session.add(stage)
        db.session.commit()
        people.extend((p.id, f"/b/{bilan.link_token(p)}") for p in stage.participants)
    return people


def tablet_questions(definition):
    """What the tablets answer: questions no other answer can erase (conditions aside)."""
    questions = definition.section_questions()
    targets = {q.shown_if[0] for q in questions if q.shown_if}
    return [q for q in questions
            if q.shown_if is None and q.id not in targets and q.type != "activites"]


def run(server: Server, people, questions, *, tablets: int, seconds: float,
        changes_per_session: int | None = None, cut_rate: float = 0.1, kills: int = 1,
        restarts: int = 1, seed: int = 14,
        retry_seconds: float = 0.2) -> Report:
    """Tablets fill the bilans of `people` (a session each) for at most `seconds`, while
    `kills` workers are killed and gunicorn restarts `restarts` times; then every tablet sends
    what it still holds (no more chaos), and the report counts. The kills and restarts come
    at even steps of the time, or of the sessions when they have `changes_per_session`."""
    report, waiting, finished = Report(), queue.Queue(), []
    for person in people:
        waiting.put(person)
    started = time.monotonic()
    deadline = started + seconds

    def tablet(index: int) -> None:
        rng, cookies = random.Random(seed * 1000 + index), {}
        while time.monotonic() < deadline:
            try:
                participant_id, link = waiting.get_nowait()
            except queue.Empty:
                return
            session = Session(participant_id, f"personne-{participant_id}")
            device = Tablet(server.port, link, session.tag, questions, rng, cut_rate=cut_rate,
                            retry_seconds=retry_seconds)
            device.client.cookies = dict(cookies)  # the same tablet, the next person's link
            if changes_per_session is None:
                device.run(deadline)
            else:
                for _ in range(changes_per_session):
                    device.change()
                    while not device.save() and time.monotonic() < deadline:
                        time.sleep(device.retry_seconds * (0.5 + rng.random()))
                # The person is done: the tablet sends what it holds before the next one
                device.drain(deadline)
            cookies = device.client.cookies
            finished.append((session, device))

    threads = [threading.Thread(target=tablet, args=(i,), daemon=True) for i in range(tablets)]
    for thread in threads:
        thread.start()
    # Chaos at even steps of the run: of the time, or (sessions of a set length) of the sessions
    progress = (lambda: len(finished) / len(people)) if changes_per_session else \
        (lambda: (time.monotonic() - started) / seconds)
    _chaos(server, kills, restarts, report, random.Random(seed), progress,
           lambda: any(t.is_alive() for t in threads))
    for thread in threads:
        thread.join(timeout=seconds + 120)
    # The network is back: each tablet sends what it still holds (answers.js on reconnection)
    drain_until = time.monotonic() + 60
    for session, device in finished:
        session.drained = device.drain(drain_until)
        session.acked = device.acked
        report.sessions.append(session)
        report.acknowledged += device.acknowledged
        report.changes += device.changes
        report.cuts += device.cuts
        report.failures += device.failures
        report.failed.update(device.failed)
    report.seconds = time.monotonic() - started
    return report


def _chaos(server, kills, restarts, report, rng, progress, busy) -> None:
    """Kill workers and restart gunicorn at even steps of the run (in this thread)."""
    steps = kills + restarts + 1
    moments = sorted([("kill", (i + 1) / steps) for i in range(kills)] +
                     [("restart", (kills + i + 1) / steps) for i in range(restarts)],
                     key=lambda m: m[1])
    for what, share in moments:
        while busy() and progress() < share:
            time.sleep(0.05)
        if not busy():
            return
        if what == "kill":
            report.kills += server.kill_worker(rng) is not None
        else:
            server.restart()
            report.restarts += 1


def check(url: str, report: Report) -> Report:
    """Compare what the tablets saw acknowledged with what the database holds."""
    engine = create_engine(url)
    table = Response.__table__
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(table).where(
                table.c.questionnaire == bilan.QUESTIONNAIRE)).all()
    finally:
        engine.dispose()
    by_person: dict = {}
    for row in rows:
        by_person.setdefault(row.participant_id, []).append(row)
    for session in report.sessions:
        report.undrained += not session.drained
        found = by_person.get(session.participant_id, [])
        if len(found) > 1:
            report.twice.append(session.participant_id)
        stored = found[0].answers if found else {}
        lost = {k: (v, stored.get(k)) for k, v in session.acked.items() if stored.get(k) != v}
        if lost:
            report.lost[session.participant_id] = lost
        # Free texts say whose they are ("personne-12 n°7"); any answer never acknowledged
        # to this person's tablet is foreign too
        foreign = {k: v for k, v in stored.items() if k not in session.acked or (
            isinstance(v, str) and " n°" in v and not v.startswith(session.tag + " "))}
        if foreign and session.drained:
            report.foreign[session.participant_id] = foreign
        if any(isinstance(v, list) and len(v) != len(set(v)) for v in stored.values()):
            report.twice.append(session.participant_id)
        if found and {k: getattr(found[0], k) for k in facts_of({})} != facts_of(stored):
            report.facts.append(session.participant_id)
    return report
