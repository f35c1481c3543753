"""Files for funders: CSV that opens as columns in French Excel, and XLSX (openpyxl)."""
import csv
import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from questionnaires.impact.labels import percent, rows

BOM = "\ufeff"


def _cell(value) -> str:
    """A value as French Excel reads it: decimal comma, dates JJ/MM/AAAA, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def csv_text(header: list[str], body) -> str:
    """UTF-8 with BOM, `;` separator, CRLF: what French Excel opens as columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        writer.writerow([_cell(v) for v in row])
    return BOM + buffer.getvalue()


def xlsx_bytes(sheets: dict[str, tuple[list[str], list]]) -> bytes:
    """A workbook with one sheet per table: bold labelled header, frozen first row."""
    book = Workbook()
    book.remove(book.active)
    for title, (header, body) in sheets.items():
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in body:
            sheet.append([_xlsx_value(v) for v in row])
        sheet.freeze_panes = "A2"
        for index, name in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(12, len(name) + 2), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        # openpyxl refuses control characters (IllegalCharacterError): a text stored before the
        # forms and the import dropped them must not make the whole export fail.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


IMPACT_HEADER = ["Clé", "Indicateur", "Valeur", "Nombre", "Sur", "Pourcentage"]


def impact_rows(figures: dict) -> list[list]:
    """The impact table, one line per figure: counts in Valeur, ratios in Nombre / Sur / %."""
    result = []
    for key, label, value in rows(figures):
        if isinstance(value, dict):
            result.append([key, label, None, value["n"], value["of"], percent(value["n"], value["of"])])
        else:
            result.append([key, label, value, None, None, None])
    return result
