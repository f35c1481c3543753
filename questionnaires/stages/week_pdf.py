"""The participants' "Ma semaine" sheets as one PDF, drawn with fpdf2 (pure Python).

The printable page (templates/team/week_sheets.html) is the primary form: the team prints it
from any browser. This PDF is the same content for when one file is easier (to send to a
print shop, to keep): the server has no browser to print the page itself, so the sheets are
drawn here, with the same pictograms (SVG) and the DejaVu fonts of Debian's fonts-dejavu-core.
"""
import io
from datetime import date
from pathlib import Path

from fpdf import FPDF

from questionnaires.clock import french_day, french_hour
from questionnaires.engine.pictograms import slot_kind
from questionnaires.models import Participant, Slot, Stage
from questionnaires.models.values import PERIODS

FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
#: Body, heading and small type sizes (points) per page format: large type, plain words
SIZES = {"A4": (16, 24, 14), "A5": (12, 18, 10)}
#: Page sizes in millimetres (given as numbers: fpdf2 warns about its named A5)
PAGES = {"A4": (210, 297), "A5": (148, 210)}
INK, MUTED = (29, 36, 51), (90, 98, 117)


class FontMissing(RuntimeError):
    """The DejaVu fonts are not where PDF_FONT_DIR says (the fonts-dejavu-core package)."""


def _pdf(page_format: str, font_dir: Path) -> FPDF:
    pdf = FPDF(format=PAGES[page_format])
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_margins(12, 12, 12)
    for style, name in FONT_FILES.items():
        path = font_dir / name
        if not path.is_file():
            raise FontMissing(f"Police introuvable : {path}. Installez le paquet "
                              "fonts-dejavu-core ou réglez PDF_FONT_DIR.")
        pdf.add_font("DejaVu", style, str(path))
    pdf.set_text_color(*INK)
    return pdf


def _slot(pdf: FPDF, slot: Slot, body: int, picto_mm: float) -> None:
    """One slot: the pictogram, then the hours, what happens and where, in large type."""
    if pdf.will_page_break(picto_mm + 2):
        pdf.add_page()
    top, left = pdf.get_y(), pdf.l_margin
    pdf.image(io.BytesIO(str(slot_kind(slot.kind)).encode()), x=left, y=top, w=picto_mm,
              h=picto_mm)
    pdf.set_left_margin(left + picto_mm + 4)
    pdf.set_x(left + picto_mm + 4)
    start, end = slot.hours
    pdf.set_font("DejaVu", "B", body)
    pdf.multi_cell(0, body * 0.5, f"{PERIODS[slot.period]} : {french_hour(start)} – "
                                  f"{french_hour(end)}", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "", body)
    pdf.multi_cell(0, body * 0.5, slot.title, new_x="LMARGIN", new_y="NEXT", align="L")
    if slot.venue is not None:
        place = ", ".join(filter(None, [slot.venue.name, slot.venue.address, slot.venue.city]))
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, body * 0.5, f"Lieu : {place}", new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(*INK)
    pdf.set_left_margin(left)
    pdf.set_y(max(pdf.get_y(), top + picto_mm) + 3)


def week_pdf(stage: Stage, people: list[Participant], days: list[tuple[date, list[Slot]]],
             page_format: str, font_dir: Path, footer: str) -> bytes:
    """One sheet (or more) per participant, each starting on a new page."""
    body, heading, small = SIZES[page_format]
    pdf = _pdf(page_format, font_dir)
    pdf.set_title(f"Ma semaine — {stage.title}")
    for person in people:
        pdf.add_page()
        pdf.set_font("DejaVu", "", small)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, small * 0.45, stage.title, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(*INK)
        pdf.set_font("DejaVu", "B", heading)
        pdf.multi_cell(0, heading * 0.5, f"Ma semaine — {person.first_name}",
                       new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
        for day, slots in days:
            if pdf.will_page_break(heading):
                pdf.add_page()
            pdf.set_font("DejaVu", "B", body + 2)
            pdf.multi_cell(0, (body + 2) * 0.55, french_day(day).capitalize(),
                           new_x="LMARGIN", new_y="NEXT", align="L")
            for slot in slots:
                _slot(pdf, slot, body, picto_mm=body * 0.9)
        pdf.set_font("DejaVu", "", small)
        pdf.multi_cell(0, small * 0.5, footer, new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())
