"""Team downloads for funders: CSV (French Excel) and XLSX, per stage and across stages."""

from flask import Response as HttpResponse, abort, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from questionnaires import clock
from questionnaires.archive.tables import export_name, participant_table, response_table, today_name
from questionnaires.archive.dataset import (
    CODEBOOK_HEADER, SLOTS_HEADER, codebook_rows, raw_answers, slot_rows,
)
from questionnaires.archive.exports import (
    IMPACT_HEADER, csv_text, impact_rows, xlsx_bytes, xlsx_stream,
)
from questionnaires.extensions import db
from questionnaires.impact.figures import Selection, stage_table
from questionnaires.impact.tallies import (
    TALLY_HEADER, TEXT_HEADER, free_texts, tallies, tally_rows, text_rows,
)
from questionnaires.models import Response
from questionnaires.models.values import QUESTIONNAIRES
from questionnaires.stages.programme import activity_choices
from questionnaires.impact.totals import across_rows, across_stages
from questionnaires.team.blueprint import bp
from questionnaires.team.lookup import stage_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body, mimetype: str, filename: str) -> HttpResponse:
    return HttpResponse(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _masked() -> bool:
    """?masquer=1: counts under 3 masked in breakdowns by person, for funders (impact.md)."""
    return request.args.get("masquer") == "1"


def _impact_table(stage) -> tuple[list[str], list[list]]:
    table = stage_table(stage, clock.today())
    return IMPACT_HEADER, impact_rows(table.figures, stage.followup_months,
                                      table.notes.get("suivi"), mask=_masked())


def _frequencies(stage) -> tuple[list[str], list[list]]:
    return TALLY_HEADER, tally_rows(tallies(Selection(stage_id=stage.id),
                                            dict(activity_choices(stage))))


def _free_texts(stage) -> tuple[list[str], list[list]]:
    responses = db.session.scalars(
        select(Response).where(Response.stage_id == stage.id, Response.submitted_at.isnot(None))
        .order_by(Response.questionnaire, Response.id)
        .options(selectinload(Response.participant), selectinload(Response.referent))).all()
    return TEXT_HEADER, text_rows(free_texts(responses))


def _stage_tables(stage) -> dict:
    return {
        "participants": ("Participants", participant_table),
        "reponses": ("Réponses", response_table),
        "impact": ("Bilan chiffré", _impact_table),
        "frequences": ("Fréquences", _frequencies),
        "textes": ("Textes libres", _free_texts),
    }


@bp.route("/stages/<int:stage_id>/export/<table>.csv")
def export_csv(stage_id: int, table: str):
    """One table of a stage as CSV: participants, reponses or impact."""
    stage = stage_or_404(stage_id)
    tables = _stage_tables(stage)
    if table not in tables:
        abort(404, description="Cet export n'existe pas.")
    header, rows = tables[table][1](stage)
    return _download(csv_text(header, rows), "text/csv; charset=utf-8",
                     export_name(stage, table, "csv"))


@bp.route("/stages/<int:stage_id>/export.xlsx")
def export_xlsx(stage_id: int):
    """Every table of a stage in one workbook, one sheet each."""
    stage = stage_or_404(stage_id)
    sheets = {title: build(stage) for title, build in _stage_tables(stage).values()}
    return _download(xlsx_bytes(sheets), XLSX, export_name(stage, "tableaux", "xlsx"))


@bp.route("/impact/export.<extension>")
def export_across(extension: str):
    """The across-stages table (with the page's filters) as CSV or XLSX."""
    if extension not in ("csv", "xlsx"):
        abort(404, description="Cet export n'existe pas.")
    year = request.args.get("annee", type=int)
    year = year if year and 1900 < year < 3000 else None
    theme = request.args.get("theme") or None
    summary = across_stages(clock.today(), year, theme)
    header, rows = across_rows(summary, mask=_masked())
    if extension == "csv":
        return _download(csv_text(header, rows), "text/csv; charset=utf-8",
                         today_name("bilan-chiffre-tous-stages", "csv"))
    frequencies = tally_rows(tallies(Selection(year=year, theme=theme)))
    return _download(xlsx_bytes({"Tous les stages": (header, rows),
                                 "Fréquences": (TALLY_HEADER, frequencies)}), XLSX,
                     today_name("bilan-chiffre-tous-stages", "xlsx"))


def _data_selection() -> Selection:
    """?stage=ID, or ?annee= and ?theme= (all optional): which stages a data export covers."""
    stage_id = request.args.get("stage", type=int)
    if stage_id is not None:
        return Selection(stage_id=stage_or_404(stage_id).id)
    year = request.args.get("annee", type=int)
    return Selection(year=year if year and 1900 < year < 3000 else None,
                     theme=request.args.get("theme") or None)


@bp.route("/donnees/dictionnaire.<extension>")
def data_codebook(extension: str):
    """The data dictionary: every question of every version, its role, type and choices."""
    if extension == "csv":
        return _download(csv_text(CODEBOOK_HEADER, codebook_rows()), "text/csv; charset=utf-8",
                         today_name("dictionnaire-des-donnees", "csv"))
    if extension != "xlsx":
        abort(404, description="Cet export n'existe pas.")
    selection = _data_selection()
    return _download(xlsx_bytes({"Dictionnaire": (CODEBOOK_HEADER, codebook_rows()),
                                 "Créneaux": (SLOTS_HEADER, slot_rows(selection))}), XLSX,
                     today_name("dictionnaire-des-donnees", "xlsx"))


@bp.route("/donnees/reponses.<extension>")
def data_answers(extension: str):
    """The raw answers as codes, one row per response: CSV for one questionnaire
    (?questionnaire=, bilan individuel by default), XLSX with a sheet per questionnaire."""
    selection = _data_selection()
    if extension == "csv":
        questionnaire = request.args.get("questionnaire") or "bilan-individuel"
        if questionnaire not in QUESTIONNAIRES:
            abort(404, description="Ce questionnaire n'existe pas.")
        header, rows = raw_answers(questionnaire, selection)
        return _download(csv_text(header, rows), "text/csv; charset=utf-8",
                         today_name(f"donnees-{questionnaire}", "csv"))
    if extension != "xlsx":
        abort(404, description="Cet export n'existe pas.")
    sheets = {title: raw_answers(key, selection) for key, title in QUESTIONNAIRES.items()}
    return _download(xlsx_stream(sheets), XLSX, today_name("donnees-reponses", "xlsx"))
