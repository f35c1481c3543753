"""The participants spreadsheet's rows (read by `archive.spreadsheet`): normalised or refused.

Pure module (no Flask, no database): the caller matches referents and structures,
checks capacity and saves nothing until the whole file is valid.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from questionnaires.archive.spreadsheet import (
    HEADER_SEARCH_ROWS, MAX_ROWS, SpreadsheetError, clean_cell, control_problem, fr_date,
    read_rows,
)
from questionnaires.stages.contacts import normal_email, normal_phone

EXPECTED_COLUMNS = ("Prénom (obligatoire), Nom, Date de naissance, Genre, Ville, Téléphone, "
                    "E-mail, QPV, Statut, PMSMP, Référent, Email du référent, Structure")


@dataclass(frozen=True)
class ParticipantRow:
    """Valid participant; line = row number in the spreadsheet (header = 1)."""
    line: int
    first_name: str
    last_name: str | None
    birth_date: date | None
    gender: str
    city: str | None
    qpv: str
    status: str
    pmsmp: str
    referent_name: str | None
    referent_email: str | None
    structure_name: str | None
    #: The participant's own contacts (optional columns)
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class LineError:
    """Error in French; line is None for an error about the whole file."""
    line: int | None
    message: str


@dataclass
class ParsedSheet:
    """Parse result: only the valid rows, plus all errors."""
    rows: list[ParticipantRow]
    errors: list[LineError]

    @property
    def ok(self) -> bool:
        """True if the file is entirely valid and not empty."""
        return not self.errors and bool(self.rows)


def _key(text: str) -> str:
    """Comparison key: no accents, lowercase, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isalnum())


def _aliases(table: dict[str, list[str]]) -> dict[str, str]:
    """Invert {value: [synonyms]} into {comparison key: value}."""
    return {_key(alias): value for value, aliases in table.items() for alias in aliases}


HEADERS = _aliases({
    "first_name": ["Prénom"],
    "last_name": ["Nom", "Nom de famille"],
    "birth_date": ["Date de naissance", "Naissance", "Né(e) le", "Né le", "Née le"],
    "gender": ["Genre", "Sexe", "Civilité"],
    "city": ["Ville", "Commune"],
    "phone": ["Téléphone", "Tél", "Tel", "Tél.", "Portable", "Mobile", "Numéro de téléphone",
              "Téléphone du participant"],
    "email": ["E-mail", "Email", "Courriel", "Mail", "Adresse e-mail", "Adresse mail",
              "E-mail du participant"],
    "qpv": ["QPV", "Quartier prioritaire", "Quartier politique de la ville"],
    "status": ["Statut"],
    "pmsmp": ["PMSMP", "Convention PMSMP", "Convention"],
    "referent_name": ["Référent", "Nom du référent", "Référent(e)"],
    "referent_email": ["Email du référent", "Courriel du référent", "Mail référent",
                       "E-mail référent", "Mail du référent", "Courriel référent"],
    "structure_name": ["Structure", "Structure du référent", "Structure orientatrice", "Prescripteur"],
})
# Empty values appear in the tables: they map to the default value.
CHOICES = {
    "gender": ("genre", "Indiquez F, H ou X (ou Femme, Homme, Autre).", _aliases({
        "F": ["F", "Femme", "Mme", "Madame", "Mlle", "Mademoiselle"],
        "H": ["H", "M", "Homme", "M.", "Monsieur", "Mr"],
        "X": ["", "X", "Autre", "Non précisé", "Non précisée", "Non binaire"]})),
    "qpv": ("QPV", "Indiquez oui, non, veille ou inconnu.", _aliases({
        "oui": ["oui", "o", "x", "yes", "1"],
        "veille": ["veille", "en veille", "quartier en veille"],
        "non": ["non", "n", "no", "0"],
        "inconnu": ["", "?", "inconnu", "ne sait pas", "NSP"]})),
    "status": ("statut", "Indiquez inscrit, abandon ou désisté (vide = inscrit).", _aliases({
        "inscrit": ["", "inscrit", "inscrite", "inscrit(e)"],
        "abandon": ["abandon", "a abandonné", "a abandonnée", "abandonné", "abandonnée"],
        "desiste": ["désisté", "désistée", "désisté(e)", "désistement"]})),
    "pmsmp": ("PMSMP", "Indiquez à faire, envoyée, signée ou sans objet (vide = à faire).", _aliases({
        "a_faire": ["", "à faire"],
        "envoyee": ["envoyée", "envoyé"],
        "signee": ["signée", "signé"],
        "sans_objet": ["sans objet", "non concerné", "non concernée", "non concerné(e)"]})),
}
TEXT_LIMITS = {"first_name": ("Prénom", 80), "last_name": ("Nom", 80), "city": ("Ville", 120),
               "referent_name": ("Référent", 120), "structure_name": ("Structure", 160)}
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DATE_FR_RE = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{2}|[0-9]{4})")
DATE_ISO_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
TIME_SUFFIX_RE = re.compile(r"[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$")  # e.g. "2001-02-03 00:00:00"


def read_participants(data: bytes, filename: str, today: date) -> ParsedSheet:
    """Read the uploaded file; return the normalised participants and all errors.

    `today` bounds the birth dates (nobody is born in the future).
    """
    try:
        return _parse_rows(read_rows(data, filename), today)
    except SpreadsheetError as exc:
        return ParsedSheet(rows=[], errors=[LineError(None, str(exc))])


# --- Header ---------------------------------------------------------------------------------

def _find_header(rows: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int]]:
    """Find the header row (the one containing "Prénom") and map the columns."""
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(HEADERS.get(_key(clean_cell(cell))) == "first_name" for cell in cells):
            return index, _map_columns(cells)
    found = [_show(clean_cell(cell), 40) for cell in rows[0][1] if clean_cell(cell)]
    listed = ", ".join(f"« {name} »" for name in found[:15]) + (", …" if len(found) > 15 else "")
    raise SpreadsheetError(f"Colonne « Prénom » introuvable. Colonnes trouvées : {listed}. "
                           f"Colonnes attendues : {EXPECTED_COLUMNS}. Vérifiez que la première "
                           "ligne du fichier contient les titres des colonnes.")


def _map_columns(cells: list[Any]) -> dict[str, int]:
    """Map each recognised field to its column; reject duplicate columns."""
    columns: dict[str, list[int]] = {}
    for index, cell in enumerate(cells):
        field = HEADERS.get(_key(clean_cell(cell)))
        if field:  # unknown columns (remarks, phone…) are ignored
            columns.setdefault(field, []).append(index)
    doubles = [" et ".join(f"« {_show(clean_cell(cells[i]), 40)} »" for i in indexes)
               for indexes in columns.values() if len(indexes) > 1]
    if doubles:
        raise SpreadsheetError("Ces colonnes désignent la même information : " + " ; ".join(doubles)
                               + ". Gardez une seule colonne pour chaque information.")
    return {field: indexes[0] for field, indexes in columns.items()}


# --- Data rows ------------------------------------------------------------------------------

def _parse_rows(rows: list[tuple[int, list[Any]]], today: date) -> ParsedSheet:
    """Validate each data row and collect all errors."""
    if not rows:
        raise SpreadsheetError("Le fichier est vide. Vérifiez que vous avez choisi le bon fichier.")
    header_index, columns = _find_header(rows)
    data_rows = rows[header_index + 1:]
    if not data_rows:
        raise SpreadsheetError("Le fichier ne contient aucun participant.")
    if len(data_rows) > MAX_ROWS:
        raise SpreadsheetError(f"Le fichier contient plus de {MAX_ROWS} participants. Un stage en "
                               "compte une dizaine : vérifiez que vous avez choisi le bon fichier.")
    sheet = ParsedSheet(rows=[], errors=[])
    referents: dict[str, tuple[int, str]] = {}  # e-mail → (first line, structure)
    for line, cells in data_rows:
        values = {field: cells[i] if i < len(cells) else None for field, i in columns.items()}
        if not any(clean_cell(value) for value in values.values()):
            continue  # only ignored columns are filled (remark, total…)
        fields, problems = _parse_values(values, today)
        problems += _structure_conflict(line, fields, referents)
        sheet.errors += [LineError(line, f"Ligne {line} : {problem}") for problem in problems]
        if not problems:
            sheet.rows.append(ParticipantRow(line=line, **fields))
    if not sheet.rows and not sheet.errors:
        raise SpreadsheetError("Le fichier ne contient aucun participant.")
    return sheet


def _parse_values(values: dict[str, Any], today: date) -> tuple[dict[str, Any], list[str]]:
    """Normalise a row's cells; return the fields and the problems found."""
    problems: list[str] = []
    fields: dict[str, Any] = {field: _text(values.get(field), field, problems) for field in TEXT_LIMITS}
    if not fields["first_name"] and not control_problem(values.get("first_name")):
        problems.insert(0, "prénom manquant. Chaque participant doit avoir un prénom.")
    fields["birth_date"] = _birth_date(values.get("birth_date"), problems, today)
    for field in CHOICES:
        fields[field] = _choice(values.get(field), field, problems)
    fields["referent_email"] = _email(values.get("referent_email"), problems)
    fields["phone"], fields["email"] = _contacts(values, problems)
    problems += _referent_problems(fields, bool(clean_cell(values.get("referent_email"))))
    return fields, problems


def _text(raw: Any, field: str, problems: list[str]) -> str | None:
    """Cleaned text of a cell (one line), with a length check; a control character other than
    spaces and line breaks is refused, as the team's forms do."""
    text = clean_cell(raw)
    label, limit = TEXT_LIMITS[field]
    problem = control_problem(raw)
    if problem:
        problems.append(f"la colonne « {label} » {problem} Corrigez-la dans votre tableur.")
    if len(text) > limit:
        problems.append(f"la colonne « {label} » contient {len(text)} caractères ({limit} au "
                        "maximum). Raccourcissez le texte.")
    return text or None


def _choice(raw: Any, field: str, problems: list[str]) -> str | None:
    """Map a free-form value ("Madame", "signée"…) to an internal code."""
    label, hint, table = CHOICES[field]
    text = clean_cell(raw)
    code = table.get(_key(text))  # "?" or "-" reduce to the empty key: default value
    if code is None:
        problems.append(f"{label} « {_show(text)} » non reconnu. {hint}")
    return code


def _birth_date(raw: Any, problems: list[str], today: date) -> date | None:
    """Birth date: Excel date cell or text DD/MM/YYYY, YYYY-MM-DD…"""
    if isinstance(raw, date):  # datetime is a subclass of date
        value = raw.date() if isinstance(raw, datetime) else raw
    else:
        text = clean_cell(raw)
        if not text:
            return None
        value = _parse_date_text(text, problems)
        if value is None:
            return None
    if value > today:
        problems.append(f"date de naissance « {fr_date(value)} » dans le futur. Vérifiez l'année.")
    elif value.year < 1900:
        problems.append(f"date de naissance « {fr_date(value)} » antérieure à 1900. Vérifiez l'année.")
    else:
        return value
    return None


def _parse_date_text(text: str, problems: list[str]) -> date | None:
    """Parse a written date; reject 2-digit years as ambiguous (1905 or 2005?)."""
    bare = TIME_SUFFIX_RE.sub("", text)
    if match := DATE_FR_RE.fullmatch(bare):
        day, month, year = match[1], match[3], match[4]
    elif match := DATE_ISO_RE.fullmatch(bare):
        year, month, day = match[1], match[2], match[3]
    else:
        day = month = year = ""
    if len(year) == 2:
        problems.append(f"date de naissance « {_show(text)} » : l'année sur 2 chiffres est ambiguë. "
                        "Écrivez l'année en entier, au format JJ/MM/AAAA.")
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:  # unknown format (int("")) or impossible date (31/02)
        problems.append(f"date de naissance « {_show(text)} » invalide. "
                        "Écrivez-la au format JJ/MM/AAAA.")
        return None


def _email(raw: Any, problems: list[str]) -> str | None:
    """Referent's e-mail address, lowercased, if it looks like an address."""
    text = clean_cell(raw).lower()
    if not text:
        return None
    if len(text) > 254:
        problems.append(f"l'adresse e-mail du référent contient {len(text)} caractères "
                        "(254 au maximum). Vérifiez-la.")
    elif not EMAIL_RE.fullmatch(text):
        problems.append(f"adresse e-mail du référent « {_show(text)} » invalide. Écrivez une "
                        "adresse complète, par exemple prenom.nom@structure.fr.")
    else:
        return text
    return None


def _contacts(values: dict[str, Any], problems: list[str]) -> tuple[str | None, str | None]:
    """The participant's phone ("06 12 34 56 78") and e-mail, each optional."""
    phone_text, email_text = clean_cell(values.get("phone")), clean_cell(values.get("email"))
    if isinstance(values.get("phone"), (int, float)) and len(phone_text) == 9:
        phone_text = "0" + phone_text  # a number cell lost the leading zero: 612345678
    phone = normal_phone(phone_text) if phone_text else None
    email = normal_email(email_text) if email_text else None
    if phone_text and phone is None:
        problems.append(f"téléphone « {_show(phone_text)} » invalide. Écrivez un numéro français "
                        "de 10 chiffres, par exemple 06 12 34 56 78.")
    if email_text and email is None:
        problems.append(f"e-mail « {_show(email_text)} » invalide. Écrivez une adresse complète, "
                        "par exemple prenom.nom@exemple.fr.")
    return phone, email


def _referent_problems(fields: dict[str, Any], email_given: bool) -> list[str]:
    """A referent is identified by name and e-mail, and belongs to one structure."""
    problems = []
    if email_given and not fields["referent_name"]:
        problems.append("nom du référent manquant alors que son e-mail est indiqué. "
                        "Ajoutez le nom du référent dans la colonne « Référent ».")
    if email_given and not fields["structure_name"]:
        problems.append("structure du référent manquante : un référent appartient à une structure. "
                        "Indiquez-la dans la colonne « Structure ».")
    if fields["referent_name"] and not email_given:
        problems.append(f"e-mail du référent « {_show(fields['referent_name'])} » manquant. "
                        "Ajoutez l'adresse e-mail du référent dans la colonne « Email du référent ».")
    return problems


def _structure_conflict(line: int, fields: dict[str, Any],
                        referents: dict[str, tuple[int, str]]) -> list[str]:
    """Report the same referent attached to two different structures."""
    email, structure = fields["referent_email"], fields["structure_name"]
    if not (email and structure):
        return []
    first_line, first_structure = referents.setdefault(email, (line, structure))
    if first_structure.casefold() == structure.casefold():
        return []
    return [f"le référent {email} est rattaché à la structure « {_show(structure)} », mais à "
            f"« {_show(first_structure)} » à la ligne {first_line}. Un référent n'appartient "
            "qu'à une structure : corrigez l'une des deux lignes."]


# --- Small helpers --------------------------------------------------------------------------

def _show(text: str, limit: int = 60) -> str:
    """Shorten a value quoted in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
