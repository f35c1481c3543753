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


def renamed(data: dict, version: int, prefix: str = "v2_") -> dict:
    """A new version of `data` where EVERY question id changes (and conditions follow)."""
    data = copy.deepcopy(data)
    data["version"] = version
    ids = {q["id"]: prefix + q["id"] for s in data["sections"] for q in s["questions"]}
    for section in data["sections"]:
        for question in section["questions"]:
            question["id"] = ids[question["id"]]
            if "shown_if" in question:
                question["shown_if"]["question"] = ids[question["shown_if"]["question"]]
    return data
