"""Questionnaire versions for tests: every test registers a version through `add_version`.

Today definitions come from the YAML registry held by the app; when the database becomes the
source of truth, only the body of `add_version` changes, never the tests that call it.
"""
import copy
from pathlib import Path

import yaml

from questionnaires.engine.definitions import DEFINITIONS_DIR, Definition, parse_definition
from questionnaires.engine.roles import role_problems


def shipped(questionnaire: str, version: int = 1) -> dict:
    """A shipped definition file as plain data (a fresh copy, free to edit)."""
    path = Path(DEFINITIONS_DIR) / f"{questionnaire}.v{version}.yaml"
    return copy.deepcopy(yaml.safe_load(path.read_text(encoding="utf-8")))


def add_version(app, data: dict) -> Definition:
    """Register `data` as a published version of its questionnaire in `app`; returns it.

    Publishing refuses a version whose figure roles are broken: so does this.
    """
    definition = parse_definition(copy.deepcopy(data), f"{data.get('id')} v{data.get('version')}")
    problems = role_problems(definition)
    if problems:
        raise ValueError(" ".join(problems))
    app.extensions["questionnaire_definitions"][(definition.id, definition.version)] = definition
    return definition


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
