"""Read the participants spreadsheet (CSV or XLSX): normalised rows or French error messages.

Pure module (no Flask, no database): the caller matches referents and structures,
checks capacity and saves nothing until the whole file is valid.
"""
from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

import openpyxl

MAX_ROWS = 500  # a course has about ten participants: beyond this, wrong file
HEADER_SEARCH_ROWS = 10  # the header may follow a few title lines
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # safeguard against zip bombs
EXPECTED_COLUMNS = ("Prénom (obligatoire), Nom, Date de naissance, Genre, Ville, QPV, Statut, "
                    "PMSMP, Référent, Email du référent, Structure")
CORRUPT_XLSX = ("Le fichier Excel est illisible ou abîmé. Ouvrez-le dans votre tableur et "
                "enregistrez-le à nouveau au format .xlsx (sans mot de passe), ou exportez-le en CSV.")


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


class SpreadsheetError(ValueError):
    """Problem with the whole file (French message for the user)."""


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


def read_participants(data: bytes, filename: str) -> ParsedSheet:
    """Read the uploaded file; return the normalised participants and all errors."""
    try:
        return _parse_rows(_read_raw_rows(data, filename))
    except SpreadsheetError as exc:
        return ParsedSheet(rows=[], errors=[LineError(None, str(exc))])


# --- Raw reading: rows numbered as in the spreadsheet ------------------------------------

def _read_raw_rows(data: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    """Pick the reader from the extension, or from the content for a fake ".csv"."""
    extension = os.path.splitext((filename or "").strip())[1].lower()
    if extension not in (".csv", ".xlsx"):
        shown = f" (« {extension} »)" if extension else ""
        raise SpreadsheetError(f"Format de fichier non accepté{shown}. Formats acceptés : CSV (.csv) "
                               "ou Excel (.xlsx). Enregistrez le tableau dans l'un de ces formats.")
    if not data.strip():
        raise SpreadsheetError("Le fichier est vide. Vérifiez que vous avez choisi le bon fichier.")
    if data.startswith(b"PK\x03\x04"):  # an Excel workbook renamed to .csv is still a workbook
        return _read_xlsx(data)
    if extension == ".xlsx":
        raise SpreadsheetError(CORRUPT_XLSX)
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[tuple[int, list[Any]]]:
    """Read the first sheet of an XLSX workbook."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise SpreadsheetError("Le fichier Excel est trop volumineux. Gardez seulement "
                                       "le tableau des participants, ou exportez-le en CSV.")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise SpreadsheetError("Le classeur Excel ne contient aucune feuille de calcul.")
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some applications write wrong dimensions
            return _keep_filled(sheet.iter_rows(values_only=True))
        finally:
            workbook.close()
    except SpreadsheetError:
        raise
    except Exception as exc:  # openpyxl/zipfile/XML can raise almost anything on a damaged file
        raise SpreadsheetError(CORRUPT_XLSX) from exc


def _read_csv(data: bytes) -> list[tuple[int, list[Any]]]:
    """Read a CSV (UTF-8 or Windows-1252, separator detected from the header)."""
    text = _decode(data).replace("\x00", "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_detect_separator(text))
    try:
        return _keep_filled(reader)
    except csv.Error as exc:  # oversized field, inconsistent quotes…
        raise SpreadsheetError("Le fichier CSV est mal formé (guillemets ou cellule démesurée). "
                               "Réenregistrez-le depuis votre tableur au format CSV.") from exc


def _decode(data: bytes) -> str:
    """Decode as UTF-8 (with or without BOM), UTF-16 if BOM, else Windows-1252 (French Excel)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # 5 bytes are undefined in cp1252


def _detect_separator(text: str) -> str:
    """Pick ; , or tab by their count outside quotes on the first non-blank line."""
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = seen_text = False
    for char in text[:65536]:  # the header is short: no need to scan a big file
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in counts:
            counts[char] += 1
        elif char in "\r\n" and (seen_text or any(counts.values())):
            break
        elif not char.isspace():
            seen_text = True
    # On a tie (e.g. a single column), French Excel's ";" wins.
    return max(counts, key=lambda sep: (counts[sep], sep == ";", sep == ","))


def _keep_filled(rows: Iterable[Iterable[Any]]) -> list[tuple[int, list[Any]]]:
    """Number the rows, drop empty ones and stop as soon as the limit is exceeded."""
    kept: list[tuple[int, list[Any]]] = []
    for line, cells in enumerate(rows, start=1):
        cells = list(cells)
        if any(_clean(cell) for cell in cells):
            kept.append((line, cells))
            if len(kept) > MAX_ROWS + HEADER_SEARCH_ROWS + 1:
                break
    return kept


# --- Header ---------------------------------------------------------------------------------

def _find_header(rows: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int]]:
    """Find the header row (the one containing "Prénom") and map the columns."""
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(HEADERS.get(_key(_clean(cell))) == "first_name" for cell in cells):
            return index, _map_columns(cells)
    found = [_show(_clean(cell), 40) for cell in rows[0][1] if _clean(cell)]
    listed = ", ".join(f"« {name} »" for name in found[:15]) + (", …" if len(found) > 15 else "")
    raise SpreadsheetError(f"Colonne « Prénom » introuvable. Colonnes trouvées : {listed}. "
                           f"Colonnes attendues : {EXPECTED_COLUMNS}. Vérifiez que la première "
                           "ligne du fichier contient les titres des colonnes.")


def _map_columns(cells: list[Any]) -> dict[str, int]:
    """Map each recognised field to its column; reject duplicate columns."""
    columns: dict[str, list[int]] = {}
    for index, cell in enumerate(cells):
        field = HEADERS.get(_key(_clean(cell)))
        if field:  # unknown columns (remarks, phone…) are ignored
            columns.setdefault(field, []).append(index)
    doubles = [" et ".join(f"« {_show(_clean(cells[i]), 40)} »" for i in indexes)
               for indexes in columns.values() if len(indexes) > 1]
    if doubles:
        raise SpreadsheetError("Ces colonnes désignent la même information : " + " ; ".join(doubles)
                               + ". Gardez une seule colonne pour chaque information.")
    return {field: indexes[0] for field, indexes in columns.items()}


# --- Data rows ------------------------------------------------------------------------------

def _parse_rows(rows: list[tuple[int, list[Any]]]) -> ParsedSheet:
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
        if not any(_clean(value) for value in values.values()):
            continue  # only ignored columns are filled (remark, total…)
        fields, problems = _parse_values(values)
        problems += _structure_conflict(line, fields, referents)
        sheet.errors += [LineError(line, f"Ligne {line} : {problem}") for problem in problems]
        if not problems:
            sheet.rows.append(ParticipantRow(line=line, **fields))
    if not sheet.rows and not sheet.errors:
        raise SpreadsheetError("Le fichier ne contient aucun participant.")
    return sheet


def _parse_values(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Normalise a row's cells; return the fields and the problems found."""
    problems: list[str] = []
    fields: dict[str, Any] = {field: _text(values.get(field), field, problems) for field in TEXT_LIMITS}
    if not fields["first_name"]:
        problems.insert(0, "prénom manquant. Chaque participant doit avoir un prénom.")
    fields["birth_date"] = _birth_date(values.get("birth_date"), problems)
    for field in CHOICES:
        fields[field] = _choice(values.get(field), field, problems)
    fields["referent_email"] = _email(values.get("referent_email"), problems)
    problems += _referent_problems(fields, bool(_clean(values.get("referent_email"))))
    return fields, problems


def _text(raw: Any, field: str, problems: list[str]) -> str | None:
    """Cleaned text of a cell, with a length check."""
    text = _clean(raw)
    label, limit = TEXT_LIMITS[field]
    if len(text) > limit:
        problems.append(f"la colonne « {label} » contient {len(text)} caractères ({limit} au "
                        "maximum). Raccourcissez le texte.")
    return text or None


def _choice(raw: Any, field: str, problems: list[str]) -> str | None:
    """Map a free-form value ("Madame", "signée"…) to an internal code."""
    label, hint, table = CHOICES[field]
    text = _clean(raw)
    code = table.get(_key(text))  # "?" or "-" reduce to the empty key: default value
    if code is None:
        problems.append(f"{label} « {_show(text)} » non reconnu. {hint}")
    return code


def _birth_date(raw: Any, problems: list[str]) -> date | None:
    """Birth date: Excel date cell or text DD/MM/YYYY, YYYY-MM-DD…"""
    if isinstance(raw, date):  # datetime is a subclass of date
        value = raw.date() if isinstance(raw, datetime) else raw
    else:
        text = _clean(raw)
        if not text:
            return None
        value = _parse_date_text(text, problems)
        if value is None:
            return None
    if value > date.today():
        problems.append(f"date de naissance « {_fr_date(value)} » dans le futur. Vérifiez l'année.")
    elif value.year < 1900:
        problems.append(f"date de naissance « {_fr_date(value)} » antérieure à 1900. Vérifiez l'année.")
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
    text = _clean(raw).lower()
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

def _clean(value: Any) -> str:
    """Cell text: control characters removed, whitespace collapsed."""
    text = _as_text(value)
    text = "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")
    return " ".join(text.replace("\ufeff", "").replace("\u200b", "").split())


def _as_text(value: Any) -> str:
    """Convert an XLSX (number, date, boolean…) or CSV cell to text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 612345678.0 → "612345678"
    if isinstance(value, date):
        return _fr_date(value)
    return str(value)


def _fr_date(value: date) -> str:
    """Date as DD/MM/YYYY (strftime does not zero-pad years < 1000 on every platform)."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _show(text: str, limit: int = 60) -> str:
    """Shorten a value quoted in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
