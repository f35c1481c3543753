"""Every acknowledged answer is stored when one bilan is open on several devices at once.

Real processes: gunicorn with several workers on 127.0.0.1, on SQLite and on PostgreSQL, and
devices (threads of this test, each with its own session) that save different questions of the
same response at the same moment, round after round. Before engine/store.py, each save wrote
back "what I read plus my answer", and 6 devices × 20 rounds lost up to 36 of 120 answers.
"""
import json
import random
import re
import threading
from html import unescape

import pytest
from sqlalchemy import create_engine, select

from questionnaires.engine.definitions import get_definition
from questionnaires.extensions import db
from questionnaires.followups import progress
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.models import FollowupInvitation, Response, Stage
from questionnaires.models.response import facts_of
from questionnaires.participant import bilan
from tests.support.factories import DUE, EMAIL, PASSWORD, create_user, dispose, make_app, make_stage
from tests.support.live import Client, Server, csrf_of, free_port, value_for
from tests.support.system import POSTGRES_URL, missing

SECRET = "race-test-secret-key"
DEVICES, ROUNDS = 6, 20


def simple_questions(definition, exclude=()):
    """Questions whose answer no other answer can erase (no condition, none depends on them)."""
    questions = definition.section_questions()
    targets = {q.shown_if[0] for q in questions if q.shown_if}
    return [q for q in questions if q.shown_if is None and q.id not in targets
            and q.type != "activites" and q.id not in exclude]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live(request, tmp_path_factory):
    """gunicorn (3 workers) on a stage of three people, two of them followed by Nadia."""
    if request.param == "postgres":
        if not POSTGRES_URL:
            missing("PostgreSQL absent: set TEST_POSTGRES_URL (see .ci/run) to run this test.")
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('race') / 'race.sqlite'}"
    app = make_app(url, SECRET_KEY=SECRET)
    with app.app_context():
        stage_id = make_stage({"nadia@example.org": ["Alex", "Sam"], "paul@example.org": ["Inès"]})
        dispatch_due(DUE)
        create_user()
        people = {p.first_name: p for p in db.session.get(Stage, stage_id).participants}
        links = {name: f"/b/{bilan.link_token(p)}" for name, p in people.items()}
        ids = {name: p.id for name, p in people.items()}
        invitation = db.session.scalar(select(FollowupInvitation).where(
            FollowupInvitation.stage_id == stage_id, FollowupInvitation.referent.has(
                email="nadia@example.org")))
        referent_link = f"/suivi/{progress.link_token(invitation)}"
        db.session.remove()
    dispose(app)
    server = Server(url, SECRET, free_port(), workers=3,
                    log=tmp_path_factory.mktemp("race-log") / "gunicorn.log")
    server.start()
    yield {"app": app, "server": server, "url": url, "stage": stage_id, "links": links, "ids": ids,
           "referent": referent_link}
    server.stop()


def rows(url: str, *where) -> list[Response]:
    """The responses matching `where`, read afresh from the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(Response.__table__).where(*where)))
    finally:
        engine.dispose()


def race(devices: int, rounds: int, action) -> None:
    """Run `action(device, round)` on every device at once, round after round."""
    barrier, failures = threading.Barrier(devices), []

    def device(index: int) -> None:
        try:
            for number in range(rounds):
                barrier.wait(timeout=120)
                action(index, number)
        except Exception as error:  # reported below: a thread's failure must fail the test
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=device, args=(i,)) for i in range(devices)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures


def lost(stored: dict, acked: dict) -> dict:
    """The acknowledged answers the database does not hold: question → (acked, stored)."""
    return {k: (v, stored.get(k)) for k, v in acked.items() if stored.get(k) != v}


def test_six_tablets_saving_different_questions_of_one_bilan_keep_every_answer(live):
    with live["app"].app_context():
        definition = get_definition(bilan.QUESTIONNAIRE)
    questions = simple_questions(definition)
    port = live["server"].port
    clients = [Client(port) for _ in range(DEVICES)]
    tokens = [csrf_of(c.page(live["links"]["Alex"])) for c in clients]
    owned = [questions[i::DEVICES] for i in range(DEVICES)]
    acked: dict = {}

    def save(index: int, number: int) -> None:
        question = owned[index][number % len(owned[index])]
        value = value_for(question, f"tablette {index}", number, random.Random(index * 100 + number))
        status, answer = clients[index].json("/bilan/brouillon", {"answers": {question.id: value}},
                                             tokens[index])
        assert status == 200 and answer["saved"] == [question.id], (status, answer)
        acked[question.id] = value

    race(DEVICES, ROUNDS, save)
    assert len(acked) == len(questions)
    [row] = rows(live["url"], Response.participant_id == live["ids"]["Alex"],
                 Response.questionnaire == bilan.QUESTIONNAIRE)
    assert lost(row.answers, acked) == {}
    assert row.answers == acked  # nothing else, nobody else's
    assert {k: getattr(row, k) for k in facts_of({})} == facts_of(row.answers)
    assert row.revision >= len(acked)
    # Nobody else's bilan got anything
    assert rows(live["url"], Response.participant_id == live["ids"]["Sam"],
                Response.questionnaire == bilan.QUESTIONNAIRE) == []


def test_referent_devices_saving_one_card_and_part_b_keep_every_answer(live):
    with live["app"].app_context():
        definition = get_definition(progress.QUESTIONNAIRE)
    simple = {q.id for q in simple_questions(definition)} | {"situation"}
    part_a = [q for q in definition.section_questions("participant") if q.id in simple]
    part_b = [q for q in definition.section_questions("referent") if q.id in simple]
    devices = 4
    port, alex = live["server"].port, str(live["ids"]["Alex"])
    clients = [Client(port) for _ in range(devices)]
    tokens = [csrf_of(c.page(live["referent"])) for c in clients]
    owned = [(part_a + part_b)[i::devices] for i in range(devices)]
    acked_a, acked_b = {}, {}

    def save(index: int, number: int) -> None:
        question = owned[index][number % len(owned[index])]
        value = value_for(question, f"appareil {index}", number, random.Random(index * 100 + number))
        if question.id == "situation":
            value = ["emploi", "formation", "stage"][number % 3]  # never "perdu de vue"
        payload = {"referent": {question.id: value}} if question in part_b else \
            {"cards": {alex: {question.id: value}}}
        status, answer = clients[index].json(f"{live['referent']}/brouillon", payload,
                                             tokens[index])
        assert status == 200 and answer == {"errors": {}, "gone": []}, (status, answer)
        (acked_b if question in part_b else acked_a)[question.id] = value

    race(devices, 12, save)
    [card] = rows(live["url"], Response.participant_id == live["ids"]["Alex"],
                  Response.questionnaire == progress.QUESTIONNAIRE)
    [opinion] = rows(live["url"], Response.participant_id.is_(None),
                     Response.questionnaire == progress.QUESTIONNAIRE,
                     Response.stage_id == live["stage"])
    assert lost(card.answers, acked_a) == {} and lost(opinion.answers, acked_b) == {}
    assert {k: getattr(card, k) for k in facts_of({})} == facts_of(card.answers)


SEEN = re.compile(r'name="reponses_vues" value="([^"]*)"')


def test_two_colleagues_on_the_collective_bilan_keep_both_their_answers(live):
    with live["app"].app_context():
        definition = get_definition("bilan-collectif")
    questions = [q for q in definition.section_questions() if q.type != "activites"]
    devices = 2
    port = live["server"].port
    clients = [Client(port) for _ in range(devices)]
    for client in clients:
        client.login(EMAIL, PASSWORD)
    path = f"/equipe/stages/{live['stage']}/bilan-collectif"
    owned = [questions[i::devices] for i in range(devices)]
    acked: dict = {}

    def save(index: int, number: int) -> None:
        # Each opens the page, changes one question, and posts the whole page as a browser does
        html = clients[index].page(path)
        seen = json.loads(unescape(SEEN.search(html).group(1)))
        question = owned[index][number % len(owned[index])]
        value = value_for(question, f"collègue {index}", number, random.Random(index * 100 + number))
        form = [(q.id, str(seen[q.id])) for q in questions if q.id in seen and q.id != question.id]
        form += [(question.id, str(value)), ("action", "brouillon"),
                 ("reponses_vues", unescape(SEEN.search(html).group(1)))]
        status, _, _ = clients[index].form(path, form, csrf_of(html))
        assert status == 302, status
        acked[question.id] = value

    race(devices, 10, save)
    [row] = rows(live["url"], Response.stage_id == live["stage"],
                 Response.questionnaire == "bilan-collectif")
    assert lost(row.answers, acked) == {}
