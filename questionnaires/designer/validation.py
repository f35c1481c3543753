"""Every fault of a definition, with its place: the pages, the CLI and the loader use it.

A problem names its place (section index, question index, field) so that a page can show the
message next to the field at fault; its message says the place in French for the CLI.
"""
from dataclasses import dataclass

from questionnaires.engine.definitions import ID, SCALE, TYPES, YES_NO, DefinitionError, parse_definition
from questionnaires.engine.roles import role_problems

MAX_LABEL = 500
CHOICE_TYPES = ("choix", "choix_multiples")
TOP_KEYS = ({"id", "version", "title", "sections"}, {"intro"})
SECTION_KEYS = ({"id", "title", "questions"}, {"scope"})
QUESTION_KEYS = ({"id", "type", "label", "required"}, {"help", "choices", "shown_if", "figure", "nsp"})
SCOPES = (None, "participant", "referent")


@dataclass(frozen=True)
class Problem:
    """One fault: where it is and what to do, in French."""

    text: str
    section: int | None = None
    question: int | None = None
    field: str | None = None

    @property
    def place(self) -> str:
        parts = []
        if self.section is not None:
            parts.append(f"section {self.section + 1}")
        if self.question is not None:
            parts.append(f"question {self.question + 1}")
        if self.field:
            parts.append(f"champ « {self.field} »")
        return ", ".join(parts)

    @property
    def message(self) -> str:
        return f"{self.place.capitalize()} : {self.text}" if self.place else self.text


def problems(data, publishing: bool = True) -> list[Problem]:
    """Every fault of `data` (the YAML format's dict); empty when it can be saved.

    A draft may hold an empty section (the team adds its questions next); publishing may not,
    and publishing also applies the figure-role rules.
    """
    if not isinstance(data, dict):
        return [Problem("Le fichier n'est pas un questionnaire : des champs « clé: valeur » "
                        "sont attendus.")]
    found = _keys(data, TOP_KEYS)
    if found:
        return found
    if not isinstance(data["id"], str) or not ID.match(data["id"]):
        found.append(Problem(f"identifiant « {data['id']} » invalide (minuscules, chiffres, - "
                             "et _).", field="id"))
    if not isinstance(data["version"], int) or isinstance(data["version"], bool) \
            or data["version"] < 1:
        found.append(Problem("la version doit être un nombre entier ≥ 1.", field="version"))
    if not isinstance(data["title"], str) or not data["title"].strip():
        found.append(Problem("le titre est vide.", field="title"))
    sections = data["sections"]
    if not isinstance(sections, list) or not sections:
        return found + [Problem("il faut au moins une section.", field="sections")]
    order: dict[str, int] = {}  # question id -> position in the whole questionnaire
    later: list[tuple[int, int, dict]] = []
    for s, section in enumerate(sections):
        found += _section(section, s, publishing)
        if not isinstance(section, dict) or not isinstance(section.get("questions"), list):
            continue
        for q, question in enumerate(section["questions"]):
            if not isinstance(question, dict):
                found.append(Problem("une question doit avoir des champs « clé: valeur ».", s, q))
                continue
            found += _question(question, s, q)
            qid = question.get("id")
            if isinstance(qid, str):
                if qid in order:
                    found.append(Problem(f"l'identifiant « {qid} » est déjà pris par une autre "
                                         "question : choisissez-en un autre.", s, q, "id"))
                else:
                    order[qid] = len(order)
            later.append((s, q, question))
    questions = {q.get("id"): q for _, _, q in later if isinstance(q.get("id"), str)}
    for s, q, question in later:
        found += _condition(question, s, q, order, questions)
    if found:
        return found
    return _as_engine(data, publishing, sections)


def _keys(data: dict, keys: tuple[set, set], s=None, q=None) -> list[Problem]:
    needed, optional = keys
    missing = sorted(needed - data.keys())
    unknown = sorted(data.keys() - needed - optional, key=str)
    found = [Problem(f"le champ « {key} » manque.", s, q, key) for key in missing]
    found += [Problem(f"le champ « {key} » est inconnu.", s, q, str(key)) for key in unknown]
    return found


def _text(value, s, q, field: str, name: str, required: bool = True) -> list[Problem]:
    if value is None and not required:
        return []
    if not isinstance(value, str) or (required and not value.strip()):
        return [Problem(f"{name} est vide.", s, q, field)]
    if len(value) > MAX_LABEL:
        return [Problem(f"{name} fait {len(value)} caractères ; {MAX_LABEL} au plus.", s, q, field)]
    return []


def _section(section, s: int, publishing: bool) -> list[Problem]:
    if not isinstance(section, dict):
        return [Problem("une section doit avoir des champs « clé: valeur ».", s)]
    found = _keys(section, SECTION_KEYS, s)
    if found:
        return found
    if not isinstance(section["id"], str) or not ID.match(section["id"]):
        found.append(Problem(f"identifiant de section « {section['id']} » invalide.", s,
                             field="id"))
    found += _text(section["title"], s, None, "title", "le titre de la section")
    if section.get("scope") not in SCOPES:
        found.append(Problem(f"partie « {section.get('scope')} » inconnue (participant ou "
                             "referent).", s, field="scope"))
    if not isinstance(section["questions"], list):
        found.append(Problem("la liste des questions est illisible.", s, field="questions"))
    elif publishing and not section["questions"]:
        found.append(Problem("la section n'a aucune question : ajoutez-en une ou retirez la "
                             "section.", s, field="questions"))
    return found


def _question(question: dict, s: int, q: int) -> list[Problem]:
    found = _keys(question, QUESTION_KEYS, s, q)
    if found:
        return found
    if not isinstance(question["id"], str) or not ID.match(question["id"]):
        found.append(Problem(f"identifiant « {question['id']} » invalide (minuscules, chiffres, "
                             "- et _, commence par une lettre).", s, q, "id"))
    kind = question["type"]
    if kind not in TYPES:
        found.append(Problem(f"type « {kind} » inconnu ({', '.join(sorted(TYPES))}).",
                             s, q, "type"))
    found += _text(question["label"], s, q, "label", "l'intitulé")
    found += _text(question.get("help"), s, q, "help", "l'aide", required=False)
    if not isinstance(question["required"], bool):
        found.append(Problem("obligatoire doit valoir true ou false.", s, q, "required"))
    if kind in CHOICE_TYPES:
        found += _choices(question.get("choices"), s, q)
    elif "choices" in question:
        found.append(Problem("seules les questions « choix » et « choix_multiples » ont des "
                             "choix.", s, q, "choices"))
    figure = question.get("figure")
    if figure is not None and (not isinstance(figure, str) or not ID.match(figure)):
        found.append(Problem(f"rôle « {figure} » invalide.", s, q, "figure"))
    nsp = question.get("nsp", False)
    if not isinstance(nsp, bool):
        found.append(Problem("« Je ne sais pas » doit valoir true ou false.", s, q, "nsp"))
    elif nsp and kind != "echelle4":
        found.append(Problem("« Je ne sais pas » ne s'ajoute qu'aux échelles à quatre réponses.",
                             s, q, "nsp"))
    return found


def _choices(choices, s: int, q: int) -> list[Problem]:
    if not isinstance(choices, list) or not choices:
        return [Problem("une question à choix a besoin d'au moins un choix.", s, q, "choices")]
    found, seen = [], set()
    for c, choice in enumerate(choices):
        if not isinstance(choice, dict) or set(choice) != {"value", "label"}:
            found.append(Problem(f"le choix {c + 1} doit avoir une valeur et un libellé.",
                                 s, q, "choices"))
            continue
        value = str(choice["value"])
        if not value.strip():
            found.append(Problem(f"le choix {c + 1} n'a pas de valeur.", s, q, "choices"))
        elif value in seen:
            found.append(Problem(f"la valeur « {value} » est déjà utilisée par un autre choix "
                                 "de cette question.", s, q, "choices"))
        seen.add(value)
        found += _text(choice["label"], s, q, "choices", f"le libellé du choix {c + 1}")
    return found


def _allowed(target: dict) -> set | None:
    kind = target.get("type")
    if kind == "echelle4":
        return set(SCALE) | {str(v) for v in SCALE}
    if kind == "oui_non_nsp":
        return set(YES_NO)
    if kind == "consentement":
        return {True, False}
    if kind in CHOICE_TYPES and isinstance(target.get("choices"), list):
        return {str(c.get("value")) for c in target["choices"] if isinstance(c, dict)}
    return None


def _condition(question: dict, s: int, q: int, order: dict, questions: dict) -> list[Problem]:
    condition = question.get("shown_if")
    if condition is None:
        return []
    if not isinstance(condition, dict) or set(condition) != {"question", "in"} \
            or not isinstance(condition["in"], list) or not condition["in"]:
        return [Problem("la condition doit nommer une question et au moins une réponse.",
                        s, q, "shown_if")]
    target = condition["question"]
    if target not in order:
        return [Problem(f"la condition porte sur une question inconnue « {target} ».",
                        s, q, "shown_if")]
    if order[target] >= order.get(question.get("id"), len(order)):
        return [Problem(f"la condition porte sur « {target} », qui vient après (ou est la "
                        "question elle-même) : elle doit porter sur une question posée avant.",
                        s, q, "shown_if")]
    allowed = _allowed(questions[target])
    if allowed is not None:
        wrong = [v for v in condition["in"] if v not in allowed and str(v) not in allowed]
        if wrong:
            return [Problem(f"la condition attend {wrong} : ce ne sont pas des réponses possibles "
                            f"de « {target} ».", s, q, "shown_if")]
    return []


def _as_engine(data: dict, publishing: bool, sections: list) -> list[Problem]:
    """The engine's own parse as a last check, and the figure-role rules when publishing."""
    shaped = {**data, "sections": [s for s in sections if s["questions"]]}
    if not shaped["sections"]:
        return []  # a draft of empty sections: nothing more to check yet
    try:
        definition = parse_definition(shaped, f"{data['id']} v{data['version']}")
    except DefinitionError as error:
        return [Problem(str(error))]
    if not publishing:
        return []
    return [_placed(message, sections) for message in role_problems(definition)]


def _placed(message: str, sections: list) -> Problem:
    """A role message at the question it names (its id in « » or quotes), else at the top."""
    for s, section in enumerate(sections):
        for q, question in enumerate(section["questions"]):
            qid = question["id"]
            if f"« {qid} »" in message or f"'{qid}'" in message or f'"{qid}"' in message:
                return Problem(message, s, q, "figure")
    return Problem(message, field="figure")
