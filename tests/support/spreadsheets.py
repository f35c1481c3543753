"""Participant spreadsheets built in memory (CSV as a spreadsheet app exports it, XLSX), and
what the reader should make of the good ones."""
from __future__ import annotations

import io
from datetime import date

import openpyxl

from questionnaires.stages.participant_rows import ParsedSheet, ParticipantRow, read_participants

#: The day the files are read: birth dates after it are refused
TODAY = date.today()
HEADER = ["Prénom", "Nom", "Date de naissance", "Genre", "Ville", "QPV", "Statut", "PMSMP",
          "Référent", "Email du référent", "Structure"]
GOOD_ROWS = [
    ["Amélie", "Léger", "03/04/1990", "Madame", "Saint-Étienne", "oui", "", "signée",
     "Hélène Roux", "Helene.Roux@Mission-Locale.fr", "Mission locale"],
    ["Jean-François", "Dupont", "1985-12-01", "M.", "Roubaix", "quartier en veille", "abandon", "",
     "", "", ""],
    ["Zoé", "", "", "", "", "", "désistée", "sans objet", "", "", ""],
]
EXPECTED = [
    ParticipantRow(line=2, first_name="Amélie", last_name="Léger", birth_date=date(1990, 4, 3),
                   gender="F", city="Saint-Étienne", qpv="oui", status="inscrit", pmsmp="signee",
                   referent_name="Hélène Roux", referent_email="helene.roux@mission-locale.fr",
                   structure_name="Mission locale"),
    ParticipantRow(line=3, first_name="Jean-François", last_name="Dupont",
                   birth_date=date(1985, 12, 1), gender="H", city="Roubaix", qpv="veille",
                   status="abandon", pmsmp="a_faire", referent_name=None, referent_email=None,
                   structure_name=None),
    ParticipantRow(line=4, first_name="Zoé", last_name=None, birth_date=None, gender="X", city=None,
                   qpv="inconnu", status="desiste", pmsmp="sans_objet", referent_name=None,
                   referent_email=None, structure_name=None),
]


def make_csv(rows: list[list[str]], sep: str = ";", encoding: str = "utf-8") -> bytes:
    """CSV as a spreadsheet app exports it (quotes only when needed)."""
    def quote(cell: str) -> str:
        if any(c in cell for c in (sep, '"', "\n")):
            return '"' + cell.replace('"', '""') + '"'
        return cell
    return "\r\n".join(sep.join(quote(c) for c in row) for row in rows).encode(encoding)


def make_xlsx(rows: list[list[object]]) -> bytes:
    """In-memory XLSX workbook; an empty row [] leaves a gap in the sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_row(**values: str) -> list[str]:
    """Minimal valid row, overridden per column (keys = unaccented titles)."""
    row = dict.fromkeys(HEADER, "")
    row["Prénom"] = "Léa"
    names = {"prenom": "Prénom", "nom": "Nom", "naissance": "Date de naissance", "genre": "Genre",
             "ville": "Ville", "qpv": "QPV", "statut": "Statut", "pmsmp": "PMSMP",
             "referent": "Référent", "email": "Email du référent", "structure": "Structure"}
    for key, value in values.items():
        row[names[key]] = value
    return list(row.values())


def parse_lines(*rows: list[str]) -> ParsedSheet:
    """CSV file: header, one good row (line 2), then the given rows (3, 4…)."""
    return read_participants(make_csv([HEADER, with_row(), *rows]), "stage.csv", TODAY)


def file_error(sheet: ParsedSheet) -> str:
    """The single file-level error."""
    assert sheet.rows == []
    assert len(sheet.errors) == 1 and sheet.errors[0].line is None, sheet.errors
    return sheet.errors[0].message
