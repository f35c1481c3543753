"""Questionnaires as data: the definitions, checked, and read from the database.

The shipped YAML files in `definitions/` (`bilan-individuel.v1.yaml`) are checked at start-up
(a broken file stops the app with a message naming the file and the field) and seed a fresh
database. After that the database (models/questionnaire.py, designer/) is the source of truth:
`get_definition` serves published versions only, each parsed once per app.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import func, select

from questionnaires.engine.roles import by_role, role_problems
from questionnaires.extensions import db
from questionnaires.models.questionnaire import QuestionnaireVersion

DEFINITIONS_DIR = Path(__file__).resolve().parent.parent / "definitions"

TYPES = {"echelle4", "oui_non_nsp", "choix", "choix_multiples", "texte_court", "texte_long",
         "consentement", "activites"}
SCALE = {1: "Pas du tout", 2: "Plutôt non", 3: "Plutôt oui", 4: "Tout à fait"}
YES_NO = {"oui": "Oui", "non": "Non", "nsp": "Je ne sais pas"}
#: The extra choice of an echelle4 question marked `nsp: true` (an observer may not know)
DONT_KNOW = "nsp"
MAX_LENGTH = {"texte_court": 200, "texte_long": 5000}
SCOPES = {None, "participant", "referent"}
ID = re.compile(r"^[a-z][a-z0-9_-]*$")


class DefinitionError(Exception):
    """A definition file is broken; the message names the file and the field."""


@dataclass(frozen=True)
class Choice:
    value: str | int
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    required: bool
    help: str | None = None
    choices: tuple[Choice, ...] = ()
    #: (question id, allowed values): the question is asked only when that answer is one of them
    shown_if: tuple[str, tuple] | None = None
    #: echelle4 only: a fifth choice "Je ne sais pas" (value "nsp"), which no mean counts
    nsp: bool = False
    #: The figure role the impact table reads this question by (grilles.md), if any
    figure: str | None = None

    @property
    def neutral_label(self) -> str:
        """The label where no participant is named (column headers, tallies): "[prénom]"."""
        return self.label.replace("{prenom}", "[prénom]")

    def fixed_choices(self) -> tuple[Choice, ...]:
        """Choices that do not depend on the stage."""
        if self.nsp:
            return _SCALE_WITH_NSP
        return _FIXED_CHOICES.get(self.type, self.choices)


#: The choices of the fixed scales, made once (pages ask for them for every question)
_FIXED_CHOICES = {
    "echelle4": tuple(Choice(v, label) for v, label in SCALE.items()),
    "oui_non_nsp": tuple(Choice(v, label) for v, label in YES_NO.items()),
}
_SCALE_WITH_NSP = _FIXED_CHOICES["echelle4"] + (Choice(DONT_KNOW, YES_NO[DONT_KNOW]),)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]
    #: suivi-referent only: "participant" (part A, once per participant) or "referent" (part B)
    scope: str | None = None


@dataclass(frozen=True)
class Definition:
    id: str
    version: int
    title: str
    intro: str | None
    sections: tuple[Section, ...]
    questions: dict = field(default_factory=dict, compare=False)

    def section_questions(self, scope: str | None = None) -> list[Question]:
        return [q for s in self.sections if scope is None or s.scope == scope for q in s.questions]


# Loading ------------------------------------------------------------------------------------

def load_definitions(directory: Path = DEFINITIONS_DIR) -> dict[tuple[str, int], Definition]:
    """Every definition in `directory`, checked, keyed by (id, version)."""
    found: dict[tuple[str, int], Definition] = {}
    for path in sorted(directory.glob("*.yaml")):
        definition = _load_file(path)
        expected = f"{definition.id}.v{definition.version}.yaml"
        if path.name != expected:
            raise DefinitionError(f"{path.name} : le fichier devrait s'appeler {expected}.")
        found[(definition.id, definition.version)] = definition
    return found


def _load_file(path: Path) -> Definition:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise DefinitionError(f"{path.name} : YAML illisible ({error}).") from None
    definition = parse_definition(data, path.name)
    # A shipped file is a published version: it must carry every figure role
    problems = role_problems(definition)
    if problems:
        raise DefinitionError(f"{path.name} : " + " ".join(problems))
    return definition


def parse_definition(data, where: str = "définition") -> Definition:
    """A definition from the YAML format's dict (a file, the database's JSON), checked.

    The first fault raises DefinitionError naming `where` and the field; designer/validation.py
    lists every fault with its place for the team's pages.
    """
    _require_keys(data, {"id", "version", "title", "sections"}, {"intro"}, where)
    if not isinstance(data["id"], str) or not ID.match(data["id"]):
        raise DefinitionError(f"{where} : id « {data['id']} » invalide.")
    if not isinstance(data["version"], int) or data["version"] < 1:
        raise DefinitionError(f"{where} : version doit être un entier ≥ 1.")
    if not isinstance(data["sections"], list) or not data["sections"]:
        raise DefinitionError(f"{where} : sections doit être une liste non vide.")
    sections = tuple(_section(s, f"{where} : sections[{i}]") for i, s in enumerate(data["sections"]))
    questions: dict[str, Question] = {}
    for section in sections:
        for question in section.questions:
            if question.id in questions:
                raise DefinitionError(f"{where} : question « {question.id} » en double.")
            questions[question.id] = question
    for question in questions.values():
        if question.shown_if and question.shown_if[0] not in questions:
            raise DefinitionError(f"{where} : {question.id}.shown_if vise une question inconnue "
                                  f"« {question.shown_if[0]} ».")
    return Definition(data["id"], data["version"], str(data["title"]), data.get("intro"),
                      sections, questions)


def _require_keys(data, needed: set, optional: set, where: str) -> None:
    if not isinstance(data, dict):
        raise DefinitionError(f"{where} : un objet (clé: valeur) est attendu.")
    missing = needed - data.keys()
    unknown = data.keys() - needed - optional
    if missing:
        raise DefinitionError(f"{where} : champ(s) manquant(s) {sorted(missing)}.")
    if unknown:
        raise DefinitionError(f"{where} : champ(s) inconnu(s) {sorted(unknown)}.")


def _section(data, where: str) -> Section:
    _require_keys(data, {"id", "title", "questions"}, {"scope"}, where)
    if data.get("scope") not in SCOPES:
        raise DefinitionError(f"{where}.scope : « {data.get('scope')} » invalide.")
    if not isinstance(data["questions"], list) or not data["questions"]:
        raise DefinitionError(f"{where}.questions : liste non vide attendue.")
    questions = tuple(_question(q, f"{where}.questions[{i}]")
                      for i, q in enumerate(data["questions"]))
    return Section(str(data["id"]), str(data["title"]), questions, data.get("scope"))


def _question(data, where: str) -> Question:
    _require_keys(data, {"id", "type", "label", "required"},
                  {"help", "choices", "shown_if", "nsp", "figure"}, where)
    if not isinstance(data["id"], str) or not ID.match(data["id"]):
        raise DefinitionError(f"{where}.id : « {data['id']} » invalide.")
    where = f"{where} ({data['id']})"
    if data["type"] not in TYPES:
        raise DefinitionError(f"{where}.type : « {data['type']} » inconnu ({', '.join(sorted(TYPES))}).")
    if not isinstance(data["required"], bool):
        raise DefinitionError(f"{where}.required : true ou false attendu.")
    has_choices = data["type"] in ("choix", "choix_multiples")
    if has_choices != ("choices" in data):
        raise DefinitionError(f"{where}.choices : obligatoire pour choix et choix_multiples, "
                              "interdit sinon.")
    choices = ()
    if has_choices:
        if not isinstance(data["choices"], list) or not data["choices"]:
            raise DefinitionError(f"{where}.choices : liste non vide attendue.")
        for i, choice in enumerate(data["choices"]):
            _require_keys(choice, {"value", "label"}, set(), f"{where}.choices[{i}]")
        choices = tuple(Choice(str(c["value"]), str(c["label"])) for c in data["choices"])
        if len({c.value for c in choices}) != len(choices):
            raise DefinitionError(f"{where}.choices : valeur en double.")
    shown_if = None
    if "shown_if" in data:
        _require_keys(data["shown_if"], {"question", "in"}, set(), f"{where}.shown_if")
        if not isinstance(data["shown_if"]["in"], list) or not data["shown_if"]["in"]:
            raise DefinitionError(f"{where}.shown_if.in : liste non vide attendue.")
        shown_if = (str(data["shown_if"]["question"]), tuple(data["shown_if"]["in"]))
    nsp = data.get("nsp", False)
    if not isinstance(nsp, bool):
        raise DefinitionError(f"{where}.nsp : true ou false attendu.")
    if nsp and data["type"] != "echelle4":
        raise DefinitionError(f"{where}.nsp : réservé aux questions echelle4 "
                              "(oui_non_nsp a déjà « Je ne sais pas »).")
    figure = data.get("figure")
    if figure is not None and (not isinstance(figure, str) or not ID.match(figure)):
        raise DefinitionError(f"{where}.figure : rôle « {figure} » invalide.")
    return Question(data["id"], data["type"], str(data["label"]), data["required"],
                    data.get("help"), choices, shown_if, nsp, figure)


# The registry: the database, read once per version ----------------------------------------

def init_app(app) -> None:
    """Check the shipped files at start-up (a broken one stops the app): they seed a fresh
    database (models/questionnaire.py). After that the database is the source of truth."""
    load_definitions(Path(app.config.get("DEFINITIONS_DIR") or DEFINITIONS_DIR))
    app.extensions["questionnaire_definitions"] = {}


def _published(questionnaire: str, version: int) -> Definition | None:
    """A published version, parsed once per app: a published version never changes."""
    cache = current_app.extensions["questionnaire_definitions"]
    key = (questionnaire, version)
    if key not in cache:
        # No autoflush: a response being built asks for its definition (models/response.py)
        # before it is complete; published versions are committed anyway.
        with db.session.no_autoflush:
            data = db.session.scalar(select(QuestionnaireVersion.definition).where(
                QuestionnaireVersion.questionnaire == questionnaire,
                QuestionnaireVersion.version == version,
                QuestionnaireVersion.status == "published"))
        if data is None:
            return None  # not cached: it may be published later
        cache[key] = parse_definition(data, f"{questionnaire} v{version}")
    return cache[key]


def latest_version(questionnaire: str) -> int | None:
    """The highest published version of a questionnaire (drafts are never served)."""
    with db.session.no_autoflush:
        return db.session.scalar(select(func.max(QuestionnaireVersion.version)).where(
            QuestionnaireVersion.questionnaire == questionnaire,
            QuestionnaireVersion.status == "published"))


def all_definitions() -> dict[tuple[str, int], Definition]:
    """Every published version of every questionnaire, keyed by (id, version)."""
    keys = db.session.execute(select(QuestionnaireVersion.questionnaire,
                                     QuestionnaireVersion.version).where(
        QuestionnaireVersion.status == "published")).all()
    return {(qid, version): _published(qid, version) for qid, version in keys}


def get_definition(questionnaire: str, version: int | None = None) -> Definition | None:
    """A published definition by id and version (the latest published if none is given)."""
    if version is None:
        version = latest_version(questionnaire)
        if version is None:
            return None
    return _published(questionnaire, version)


def answers_by_role(response) -> dict:
    """A response's answers keyed by figure role, read through its own version's definition
    (an unknown version: its ids taken as the v1 roles they were)."""
    definition = get_definition(response.questionnaire, response.version)
    answers = response.answers or {}
    return by_role(definition, answers) if definition is not None else dict(answers)
