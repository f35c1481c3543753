"""Definitions as YAML text: the export writes what the import reads (a round trip)."""
import yaml

from questionnaires.designer.validation import Problem

#: Keys in the order of docs/questionnaires.md, so that an export reads like the shipped files
ORDER = ("id", "version", "title", "intro", "sections", "scope", "questions", "type", "label",
         "help", "required", "choices", "value", "shown_if", "in", "figure")


def _ordered(value):
    if isinstance(value, dict):
        rank = {key: i for i, key in enumerate(ORDER)}
        return {key: _ordered(value[key])
                for key in sorted(value, key=lambda k: (rank.get(k, len(ORDER)), str(k)))}
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def dump(data: dict) -> str:
    return yaml.safe_dump(_ordered(data), allow_unicode=True, sort_keys=False, width=100)


def load(text: str) -> tuple[dict | None, list[Problem]]:
    """The dict of a YAML text, or the French fault of a broken file."""
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (ligne {where.line + 1})" if where is not None else ""
        return None, [Problem(f"le fichier n'est pas du YAML lisible{line} : vérifiez "
                              "l'indentation et les guillemets.")]
