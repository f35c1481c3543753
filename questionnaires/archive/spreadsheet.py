"""Read an uploaded spreadsheet (CSV or XLSX) into numbered rows, within fixed bounds.

Pure module (no Flask, no database). What the rows mean is for the caller
(`stages.participant_rows` for the participants list).
"""
from __future__ import annotations

import csv
import io
import os
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

import openpyxl

from questionnaires.text import one_line, one_line_problem

HEADER_SEARCH_ROWS = 10  # the header may follow a few title lines
MAX_ROWS = 500  # a course has about ten participants: beyond this, wrong file
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024  # safeguard against zip bombs
CORRUPT_XLSX = ("Le fichier Excel est illisible ou abîmé. Ouvrez-le dans votre tableur et "
                "enregistrez-le à nouveau au format .xlsx (sans mot de passe), ou exportez-le en CSV.")


class SpreadsheetError(ValueError):
    """Problem with the whole file (French message for the user)."""


@dataclass(frozen=True)
class Bounds:
    """The most work one upload may cost. A participants list is about ten people (at most
    MAX_ROWS): a few hundred cells and a few kilobytes of text, read in milliseconds. A 346 KB
    workbook with 48 MB of shared strings cost 16 s of CPU: such files are refused before or
    while reading, with a French message, never parsed in full."""

    #: The uploaded file itself (the same as the app's MAX_CONTENT_LENGTH)
    file_bytes: int = 5 * 1024 * 1024
    #: An XLSX's table of shared strings, uncompressed (openpyxl reads it whole at opening)
    shared_strings_bytes: int = 2 * 1024 * 1024
    #: Cells read, empty ones included
    cells: int = 100_000
    #: Characters of text read in all cells
    text_chars: int = 1_000_000
    #: Seconds of reading (a budget measured with a monotonic timer, not a time of day)
    seconds: float = 5.0


BOUNDS = Bounds()
KEEP_ONLY = ("Gardez seulement le tableau des participants (une ligne par personne), ou "
             "exportez-le en CSV, puis envoyez-le à nouveau.")
TOO_MUCH_TEXT = "Le fichier contient trop de texte pour une liste de participants. " + KEEP_ONLY
TOO_MANY_CELLS = "Le fichier contient trop de cellules pour une liste de participants. " + KEEP_ONLY
TOO_LONG = "Le fichier est trop long à lire. " + KEEP_ONLY


# --- Raw reading: rows numbered as in the spreadsheet ------------------------------------

def read_rows(data: bytes, filename: str, bounds: Bounds = BOUNDS) -> list[tuple[int, list[Any]]]:
    """Pick the reader from the extension, or from the content for a fake ".csv"; refuse
    (SpreadsheetError) a file over `bounds`."""
    extension = os.path.splitext((filename or "").strip())[1].lower()
    if extension not in (".csv", ".xlsx"):
        shown = f" (« {extension} »)" if extension else ""
        raise SpreadsheetError(f"Format de fichier non accepté{shown}. Formats acceptés : CSV (.csv) "
                               "ou Excel (.xlsx). Enregistrez le tableau dans l'un de ces formats.")
    if not data.strip():
        raise SpreadsheetError("Le fichier est vide. Vérifiez que vous avez choisi le bon fichier.")
    if len(data) > bounds.file_bytes:
        raise SpreadsheetError(f"Le fichier est trop volumineux (plus de "
                               f"{bounds.file_bytes // (1024 * 1024)} Mo). " + KEEP_ONLY)
    if data.startswith(b"PK\x03\x04"):  # an Excel workbook renamed to .csv is still a workbook
        return _read_xlsx(data, bounds)
    if extension == ".xlsx":
        raise SpreadsheetError(CORRUPT_XLSX)
    return _read_csv(data, bounds)


def _read_xlsx(data: bytes, bounds: Bounds) -> list[tuple[int, list[Any]]]:
    """Read the first sheet of an XLSX workbook."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(info.file_size for info in members) > MAX_UNZIPPED_BYTES:
                raise SpreadsheetError("Le fichier Excel est trop volumineux. Gardez seulement "
                                       "le tableau des participants, ou exportez-le en CSV.")
            # openpyxl parses the whole shared-strings table when it opens the workbook,
            # before the first row: its size is checked here, where it costs nothing.
            if sum(info.file_size for info in members
                   if info.filename.lower().endswith("sharedstrings.xml")) \
                    > bounds.shared_strings_bytes:
                raise SpreadsheetError(TOO_MUCH_TEXT)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise SpreadsheetError("Le classeur Excel ne contient aucune feuille de calcul.")
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some applications write wrong dimensions
            return _keep_filled(sheet.iter_rows(values_only=True), bounds)
        finally:
            workbook.close()
    except SpreadsheetError:
        raise
    except Exception as exc:  # openpyxl/zipfile/XML can raise almost anything on a damaged file
        raise SpreadsheetError(CORRUPT_XLSX) from exc


def _read_csv(data: bytes, bounds: Bounds) -> list[tuple[int, list[Any]]]:
    """Read a CSV (UTF-8 or Windows-1252, separator detected from the header)."""
    text = _decode(data).replace("\x00", "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_detect_separator(text))
    try:
        return _keep_filled(reader, bounds)
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


def _keep_filled(rows: Iterable[Iterable[Any]], bounds: Bounds) -> list[tuple[int, list[Any]]]:
    """Number the rows, drop empty ones and stop as soon as the limit is exceeded; refuse the
    file as soon as it costs more than `bounds` (cells, text, seconds)."""
    kept: list[tuple[int, list[Any]]] = []
    deadline = time.monotonic() + bounds.seconds
    cells_read = text_read = 0
    for line, cells in enumerate(rows, start=1):
        cells = list(cells)
        cells_read += len(cells)
        text_read += sum(len(cell) if isinstance(cell, str) else 0 for cell in cells)
        if cells_read > bounds.cells:
            raise SpreadsheetError(TOO_MANY_CELLS)
        if text_read > bounds.text_chars:
            raise SpreadsheetError(TOO_MUCH_TEXT)
        if time.monotonic() >= deadline:
            raise SpreadsheetError(TOO_LONG)
        if any(clean_cell(cell) for cell in cells):
            kept.append((line, cells))
            if len(kept) > MAX_ROWS + HEADER_SEARCH_ROWS + 1:
                break
    return kept


def clean_cell(value: Any) -> str:
    """Cell text: control characters removed, whitespace collapsed."""
    text = _as_text(value)
    text = "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")
    return " ".join(text.replace("\ufeff", "").replace("\u200b", "").split())


def control_problem(value: Any) -> str | None:
    """A cell of a one-line column holding a control character once its spaces and line
    breaks are collapsed: the French problem (`text.one_line_problem`), else None."""
    return one_line_problem(one_line(_as_text(value)))


def _as_text(value: Any) -> str:
    """Convert an XLSX (number, date, boolean…) or CSV cell to text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 612345678.0 → "612345678"
    if isinstance(value, date):
        return fr_date(value)
    return str(value)


def fr_date(value: date) -> str:
    """Date as DD/MM/YYYY (strftime does not zero-pad years < 1000 on every platform)."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
