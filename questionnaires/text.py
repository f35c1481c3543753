"""Rules for text typed by people, shared by forms, answers, archives and imports."""
import re

# Control characters other than tab and newlines never belong in an answer.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Said when a one-line field holds a control character once its spaces are collapsed
CONTROL_MESSAGE = ("contient un caractère invisible non autorisé (souvent venu d'un copier-coller) : "
                   "retapez ce texte.")


def one_line(text: str) -> str:
    """A one-line field (title, name, city, e-mail…): every run of spaces, tabs and line
    breaks becomes one space, and the ends are trimmed.

    Python's str.split() breaks on what mail headers treat as line breaks too (\\r, \\n, \\v,
    \\f, \\x1c-\\x1e, \\x85, \\u2028, \\u2029), and on non-breaking spaces: a title with any of
    them made Flask-Mail refuse every subject built from it (issue 14).
    """
    return " ".join(text.split())


def one_line_problem(text: str) -> str | None:
    """The French problem with a one-line text once collapsed (a control character), or None."""
    found = CONTROL.search(text)
    if found is None:
        return None
    return f"{CONTROL_MESSAGE[:-1]} (code U+{ord(found.group(0)):04X})."
