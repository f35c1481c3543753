"""Team pages: a stage's impact table, who is behind each figure, across stages."""

from flask import abort, render_template, request
from sqlalchemy import extract, select

from questionnaires import clock
from questionnaires.extensions import db
from questionnaires.impact.figures import stage_table
from questionnaires.impact.charts import comparison_chart, stage_charts
from questionnaires.impact.labels import (
    FIGURES,
)
from questionnaires.impact.people import CONDITIONS, OUTSIDE, people_behind, testimonials
from questionnaires.impact.totals import across_stages
from questionnaires.models import Stage
from questionnaires.team.blueprint import bp
from questionnaires.team.lookup import stage_or_404


#: Stages per page of the across-stages table (the totals always cover the whole selection)
PER_PAGE = 50


@bp.route("/stages/<int:stage_id>/impact")
def impact(stage_id: int):
    """The stage's "Bilan chiffré", live, with charts and the consented testimonials."""
    stage = stage_or_404(stage_id)
    today = clock.today()
    table = stage_table(stage, today)
    return render_template("team/impact.html", stage=stage, table=table, today=today,
                           charts=stage_charts(table.figures, stage.followup_months),
                           quotes=testimonials(stage))


@bp.route("/stages/<int:stage_id>/impact/<key>")
def impact_people(stage_id: int, key: str):
    """The participants behind one figure: counted, not counted, not known."""
    stage = stage_or_404(stage_id)
    if key not in CONDITIONS:
        abort(404, description="Cet indicateur n'existe pas.")
    counted, others, unknown = people_behind(stage, key, db.engine.dialect.name)
    return render_template("team/impact_people.html", stage=stage, key=key,
                           label=FIGURES[key][0], definition=FIGURES[key][1],
                           counted=counted, others=others, unknown=unknown,
                           outside=OUTSIDE.get(key))


def _filters() -> tuple[int | None, str | None]:
    year = request.args.get("annee", type=int)
    theme = request.args.get("theme") or None
    return (year if year and 1900 < year < 3000 else None), theme


@bp.route("/impact")
def impact_all():
    """Every stage side by side, filtered by year and theme, with totals."""
    year, theme = _filters()
    summary = across_stages(clock.today(), year, theme)
    page = max(request.args.get("page", 1, type=int), 1)
    pages = max((len(summary.stages) + PER_PAGE - 1) // PER_PAGE, 1)
    shown = summary.stages[(min(page, pages) - 1) * PER_PAGE:min(page, pages) * PER_PAGE]
    year_of = extract("year", Stage.start_date)
    years = [int(y) for y in db.session.scalars(select(year_of).distinct().order_by(year_of))]
    themes = db.session.scalars(select(Stage.theme).distinct().order_by(Stage.theme)).all()
    charts = [comparison_chart(shown, summary.tables, key, FIGURES[key][0])
              for key in ("jusqu_au_bout_satisfaits", "projet_plus_precis", "sortie_culturelle")
              ] if summary.stages else []
    return render_template("team/impact_all.html", summary=summary, years=years, themes=themes,
                           year=year, theme=theme, charts=charts, shown=shown,
                           page=min(page, pages), pages=pages)
