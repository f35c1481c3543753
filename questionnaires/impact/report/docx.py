"""The report as a DOCX the team can still edit in a word processor (python-docx).

A4, 2 cm margins, French as the proofing language, the built-in styles (Title, Heading 1/2,
List Bullet, Table Grid) so that a word processor's own menus keep working on it. Charts are
written as tables of their numbers.
"""
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from questionnaires.impact.report.document import (
    Bullets, ChartBlock, Heading, Note, Para, Quote, Table,
)
from questionnaires.text import CONTROL

LANGUAGE = "fr-FR"


def _clean(text: str) -> str:
    """XML refuses control characters: a text stored before the forms dropped them still prints."""
    return CONTROL.sub("", text)


def _language(document) -> None:
    """French spelling and hyphenation for every style based on Normal."""
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10.5)
    properties = style.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    properties.append(lang)


def _add_runs(paragraph, runs) -> None:
    for run in runs:
        lines = _clean(run.text).split("\n")
        for index, line in enumerate(lines):
            added = paragraph.add_run(line)
            added.bold, added.italic = run.bold or None, run.italic or None
            if index < len(lines) - 1:
                added.add_break()


def _repeat_header(row) -> None:
    """The header row repeats on every page the table spans."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _table(document, header: list[str], rows: list[list[str]], small: bool = False) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    size = Pt(8) if small else None
    for cell, text in zip(table.rows[0].cells, header):
        run = cell.paragraphs[0].add_run(_clean(text))
        run.bold, run.font.size = True, size
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            lines = _clean(str(text)).split("\n")
            for index, line in enumerate(lines):
                run = cell.paragraphs[0].add_run(line)
                run.font.size = size
                if index < len(lines) - 1:
                    run.add_break()
    document.add_paragraph()


def render_docx(blocks: list) -> bytes:
    """The report's blocks as a .docx file."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    _language(document)
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(_clean(block.text), level=block.level)
        elif isinstance(block, Para):
            if block.style == "title":
                document.add_heading(_clean(block.runs[0].text), level=0)
                continue
            paragraph = document.add_paragraph(style="Subtitle" if block.style == "subtitle" else None)
            _add_runs(paragraph, block.runs)
        elif isinstance(block, Bullets):
            for item in block.items:
                _add_runs(document.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Table):
            _table(document, block.header, block.rows, small=block.kind == "calendar")
        elif isinstance(block, ChartBlock):
            document.add_paragraph(_clean(block.chart.title), style="Heading 3")
            _table(document, ["Élément", "Valeur"],
                   [[label, text] for label, _, text in block.chart.rows])
        elif isinstance(block, Quote):
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(_clean(f"{block.name} : « {block.text} »"))
        elif isinstance(block, Note) and not block.screen_only:
            paragraph = document.add_paragraph()
            run = paragraph.add_run(_clean(block.text))
            run.italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
