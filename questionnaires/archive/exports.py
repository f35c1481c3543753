"""Files for funders: CSV that opens as columns in French Excel, and XLSX (openpyxl)."""
import csv
import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from questionnaires.impact.labels import CAUTION_BELOW, NOT_DUE, ratio_parts, rows
from questionnaires.impact.masking import masked_figures

BOM = "\ufeff"
#: What makes a spreadsheet read a text cell as a formula (or DDE): a CSV cell starting with
#: one of these gets a leading `'`, which Excel and LibreOffice show as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def _csv_cell(value) -> str:
    """A cell for CSV: text (names, answers, imported cells) that would start a formula gets a
    leading `'`; numbers and dates are formatted by `_cell` and never start with one of those
    except a negative number, which must stay a number."""
    text = _cell(value)
    if isinstance(value, (str, list, tuple)) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: list[str], body) -> str:
    """UTF-8 with BOM, `;` separator, CRLF: what French Excel opens as columns. Every CSV the
    service writes goes through here (formula protection: `_csv_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(v) for v in header])
    for row in body:
        writer.writerow([_csv_cell(v) for v in row])
    return BOM + buffer.getvalue()


#: Cells read to size a column (a column is as wide as its header or its longest early cell)
WIDTH_SAMPLE = 200
DATE_FORMATS = {date: "DD/MM/YYYY", datetime: "DD/MM/YYYY HH:MM"}


def _width(value) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in _cell(value).splitlines()), default=0)


def xlsx_bytes(sheets: dict[str, tuple[list[str], list]]) -> bytes:
    """A workbook with one sheet per table: bold labelled header, frozen first row, dates as
    real date cells (JJ/MM/AAAA), columns as wide as their content (at most 60)."""
    book = Workbook()
    book.remove(book.active)
    for title, (header, body) in sheets.items():
        sheet = book.create_sheet(title[:31])
        sheet.append([_xlsx_cell(sheet, v, Cell) for v in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(name) for name in header]
        for number, row in enumerate(body):
            sheet.append([_xlsx_cell(sheet, v, Cell) for v in row])
            for cell, value in zip(sheet[sheet.max_row], row):
                if type(value) in DATE_FORMATS:
                    cell.number_format = DATE_FORMATS[type(value)]
            if number < WIDTH_SAMPLE:
                widths = [max(w, _width(v)) for w, v in zip(widths, row)] + widths[len(row):]
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(10, width + 2), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_stream(sheets: dict[str, tuple[list[str], object]]) -> bytes:
    """A write-only workbook for tables of any length (rows read once, widths from the header
    and the first rows): the raw answers export."""
    book = Workbook(write_only=True)
    for title, (header, body) in sheets.items():
        sheet = book.create_sheet(title[:31])
        rows = iter(body)
        first = [next(rows, None) for _ in range(WIDTH_SAMPLE)]
        first = [row for row in first if row is not None]
        for index, name in enumerate(header, start=1):
            width = max([len(name)] + [_width(row[index - 1]) for row in first])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(10, width + 2), 60)
        sheet.freeze_panes = "A2"
        sheet.append([_xlsx_cell(sheet, v, WriteOnlyCell) for v in header])
        for row in first:
            sheet.append([_xlsx_cell(sheet, v, WriteOnlyCell) for v in row])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v, WriteOnlyCell) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value, kind):
    """Every XLSX cell the service writes: text typed as a string, so `=HYPERLINK(…)` from an
    answer or an imported name stays text (openpyxl would otherwise store any text starting
    with `=` as a live formula); numbers and dates keep their own type."""
    value = _xlsx_value(value)
    if not isinstance(value, str):
        return value
    cell = kind(sheet, value=value)
    cell.data_type = "s"
    return cell


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


IMPACT_HEADER = ["Clé", "Indicateur", "Valeur", "Nombre", "Sur", "Pourcentage", "Statut"]
CAUTION_STATUS = f"prudence : moins de {CAUTION_BELOW}"


def not_due_status(due_on: date | None) -> str:
    """"pas encore dû (le 26/02/2022)"."""
    return f"{NOT_DUE} (le {due_on:%d/%m/%Y})" if due_on else NOT_DUE


def impact_rows(figures: dict, months: int | None = None, due_on: date | None = None,
                mask: bool = False) -> list[list]:
    """The impact table, one line per figure: counts in Valeur, ratios in Nombre / Sur / %.

    Numeric columns hold numbers only: a figure not yet due, a share to read with caution or
    a masked count (`mask`, for funders: impact/masking.py) says so in Statut.
    """
    masked = masked_figures(figures) if mask else {}
    result = []
    for key, label, value in rows(figures, months):
        hidden = masked.get(key)
        if isinstance(value, str):
            result.append([key, label, None, None, None, None, not_due_status(due_on)])
        elif isinstance(value, dict):
            n, of, pct, caution = ratio_parts(value)
            if hidden:
                result.append([key, label, None, hidden.shown, of, None, hidden.status])
            else:
                result.append([key, label, None, n, of, pct, CAUTION_STATUS if caution else ""])
        elif hidden:
            result.append([key, label, hidden.shown or None, None, None, None, hidden.status])
        else:
            result.append([key, label, value, None, None, None, ""])
    return result
