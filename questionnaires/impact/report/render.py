"""The report's two outputs from one description: the standalone page and the DOCX."""
from datetime import date
from pathlib import Path

from flask import current_app, render_template

from questionnaires.impact.report.document import build_report
from questionnaires.impact.report.docx import render_docx
from questionnaires.models import Stage

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"


def blocks_of(stage: Stage, today: date) -> list:
    """The report's blocks, with the installation's name and calendar hours."""
    config = current_app.config
    return build_report(stage, today, config["ASSOCIATION_NAME"],
                        config.get("REPORT_PERIOD_HOURS"))


def docx_bytes(stage: Stage, today: date) -> bytes:
    return render_docx(blocks_of(stage, today))


def standalone_html(stage: Stage, today: date) -> str:
    """One HTML file, print sheet inlined, no link back to the server (`flask report`)."""
    return render_template("report/standalone.html", stage=stage, blocks=blocks_of(stage, today),
                           today=f"{today:%d/%m/%Y}", css=CSS.read_text(encoding="utf-8"))


def file_name(stage: Stage, extension: str) -> str:
    """"bilan-stage-1-2021-11-22.docx"."""
    return f"bilan-stage-{stage.id}-{stage.start_date.isoformat()}.{extension}"
