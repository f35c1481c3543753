"""Team downloads for funders: CSV (French Excel) and XLSX, per stage and across stages."""

from flask import Response, abort, request

from questionnaires import clock
from questionnaires.archive.tables import export_name, participant_table, response_table, today_name
from questionnaires.archive.exports import IMPACT_HEADER, csv_text, impact_rows, xlsx_bytes
from questionnaires.impact.figures import stage_table
from questionnaires.impact.totals import across_rows, across_stages
from questionnaires.team.blueprint import bp
from questionnaires.team.lookup import stage_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _masked() -> bool:
    """?masquer=1: counts under 3 masked in breakdowns by person, for funders (impact.md)."""
    return request.args.get("masquer") == "1"


def _impact_table(stage) -> tuple[list[str], list[list]]:
    table = stage_table(stage, clock.today())
    return IMPACT_HEADER, impact_rows(table.figures, stage.followup_months,
                                      table.notes.get("suivi"), mask=_masked())


def _stage_tables(stage) -> dict:
    return {
        "participants": ("Participants", participant_table),
        "reponses": ("Réponses", response_table),
        "impact": ("Bilan chiffré", _impact_table),
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
    summary = across_stages(clock.today(), year if year and 1900 < year < 3000 else None,
                            request.args.get("theme") or None)
    header, rows = across_rows(summary, mask=_masked())
    if extension == "csv":
        return _download(csv_text(header, rows), "text/csv; charset=utf-8",
                         today_name("bilan-chiffre-tous-stages", "csv"))
    return _download(xlsx_bytes({"Tous les stages": (header, rows)}), XLSX,
                     today_name("bilan-chiffre-tous-stages", "xlsx"))
