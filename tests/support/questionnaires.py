"""Questionnaire versions for tests: every test registers a version through `add_version`.

The database is the source of truth: `add_version` goes through the store's checks (the same
as `flask questionnaires import`), so a test can only register what publishing accepts.
"""
import copy
from pathlib import Path

import yaml

from questionnaires.designer.store import add_published
from questionnaires.engine.definitions import DEFINITIONS_DIR, Definition, get_definition


def shipped(questionnaire: str, version: int = 1) -> dict:
    """A shipped definition file as plain data (a fresh copy, free to edit)."""
    path = Path(DEFINITIONS_DIR) / f"{questionnaire}.v{version}.yaml"
    return copy.deepcopy(yaml.safe_load(path.read_text(encoding="utf-8")))


def add_version(app, data: dict) -> Definition:
    """Register `data` as a published version of its questionnaire in `app`'s database;
    returns it. Publishing refuses a version whose figure roles are broken: so does this
    (ValueError with the French messages)."""
    with app.app_context():
        outcome = add_published(copy.deepcopy(data))
        if not outcome.ok:
            raise ValueError(" ".join(p.message for p in outcome.problems))
        return get_definition(outcome.row.questionnaire, outcome.row.version)


def renamed(data: dict, version: int, prefix: str = "v2_", only_roles: bool = False) -> dict:
    """A new version of `data` where EVERY question id changes (or, `only_roles`, every id of
    a question carrying a figure role), conditions following."""
    data = copy.deepcopy(data)
    data["version"] = version
    ids = {q["id"]: prefix + q["id"] if "figure" in q or not only_roles else q["id"]
           for s in data["sections"] for q in s["questions"]}
    for section in data["sections"]:
        for question in section["questions"]:
            question["id"] = ids[question["id"]]
            if "shown_if" in question:
                question["shown_if"]["question"] = ids[question["shown_if"]["question"]]
    return data


def next_shipped_version(questionnaire: str) -> int:
    """The first version number no shipped file of `questionnaire` takes (a fresh database
    holds exactly the shipped files)."""
    return 1 + max(int(path.name.rsplit(".v", 1)[1].split(".")[0])
                   for path in Path(DEFINITIONS_DIR).glob(f"{questionnaire}.v*.yaml"))


def rewritten(questionnaire: str, version: int | None = None, only_roles: bool = False) -> dict:
    """From v1, as the next free version (`version`, else the first one no shipped file
    takes): every id renamed (`only_roles`: those of the figure questions), every label
    reworded, sections and their questions in another order (conditions still after the
    question they read), and an unrelated question added."""
    data = renamed(shipped(questionnaire), version or next_shipped_version(questionnaire),
                   prefix="n2_", only_roles=only_roles)
    data["sections"].reverse()
    for section in data["sections"]:
        section["title"] = f"Autrement dit : {section['title']}"
        for question in section["questions"]:
            question["label"] = f"Reformulé : {question['label']}"
        # Move the first question to the end when no condition reads it
        first = section["questions"][0]["id"]
        if len(section["questions"]) > 1 and not any(
                q.get("shown_if", {}).get("question") == first for q in section["questions"]):
            section["questions"].append(section["questions"].pop(0))
    data["sections"][0]["questions"].insert(0, {
        "id": "n2_repas", "type": "echelle4", "label": "Les repas vous ont plu ?",
        "required": False})
    return data
