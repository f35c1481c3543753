"""The impact table across stages: one row per stage, and the totals of a selection."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, extract, func, select

from .extensions import db
from .impact import OBJECTIVES, SITUATIONS, StageFigures, compute
from .impact_labels import rows
from .models import Participant, Referent, Slot, Stage, Venue


@dataclass
class AcrossStages:
    stages: list[Stage]
    tables: dict[int, StageFigures]
    total: StageFigures


def stage_selection(year: int | None = None, theme: str | None = None):
    """The ids of the stages that start in `year` and have `theme` (both optional)."""
    query = select(Stage.id)
    if year:
        query = query.where(extract("year", Stage.start_date) == year)
    if theme:
        query = query.where(Stage.theme == theme)
    return query


def across_stages(today: date, year: int | None = None, theme: str | None = None) -> AcrossStages:
    """Every selected stage's table, oldest first, and their totals."""
    ids = stage_selection(year, theme)
    stages = db.session.scalars(select(Stage).where(Stage.id.in_(ids))
                                .order_by(Stage.start_date, Stage.id)).all()
    tables = compute(ids, today)
    return AcrossStages(stages, tables, _totals(ids, [tables[s.id] for s in stages]))


def _sum(tables, key) -> int:
    return sum(t.figures[key] for t in tables if isinstance(t.figures[key], int))


def _sum_ratio(tables, key) -> dict | str:
    due = [t.figures[key] for t in tables if isinstance(t.figures[key], dict)]
    if not due:
        return "pas encore dû" if tables else {"n": 0, "of": 0}
    return {"n": sum(r["n"] for r in due), "of": sum(r["of"] for r in due)}


def _totals(ids, tables: list[StageFigures]) -> StageFigures:
    """Counts and ratios add up; distinct venues and structures are counted once overall."""
    figures: dict = {key: _sum(tables, key) for key in
                     ("participants", "femmes", "hommes", "autres", "professionnels", "bilans_recus")}
    ages_min = [t.figures["age_min"] for t in tables if t.figures["age_min"] is not None]
    ages_max = [t.figures["age_max"] for t in tables if t.figures["age_max"] is not None]
    figures["age_min"] = min(ages_min) if ages_min else None
    figures["age_max"] = max(ages_max) if ages_max else None
    for key in ("moins_26", "qpv", "sortie_culturelle", "jusqu_au_bout", "jusqu_au_bout_satisfaits",
                "isolement_rompu", "experience_groupe", "suivi_reponses", "sorties_positives"):
        figures[key] = _sum_ratio(tables, key)
    figures["projet_plus_precis"] = {**_sum_ratio(tables, "projet_plus_precis"), "orientation": {}}
    for table in tables:
        for value, count in table.figures["projet_plus_precis"]["orientation"].items():
            orientation = figures["projet_plus_precis"]["orientation"]
            orientation[value] = orientation.get(value, 0) + count
    figures["structures"] = db.session.scalar(
        select(func.count(distinct(Referent.structure_id)))
        .join(Participant, Participant.referent_id == Referent.id)
        .where(Participant.stage_id.in_(ids), Participant.status != "desiste")) or 0
    figures["lieux_culturels"] = db.session.scalar(
        select(func.count(distinct(Slot.venue_id))).join(Venue, Venue.id == Slot.venue_id)
        .where(Slot.stage_id.in_(ids), Venue.kind == "culturel")) or 0
    figures["objectifs"] = {}
    for key in OBJECTIVES:
        parts = [t.figures["objectifs"][key] for t in tables]
        known = sum(p["of"] for p in parts)
        weighted = sum(p["moyenne"] * p["of"] for p in parts if p["moyenne"] is not None)
        figures["objectifs"][key] = {"moyenne": round(weighted / known, 2) if known else None,
                                     "n": sum(p["n"] for p in parts), "of": known}
    due = [t.figures["suivi_situation"] for t in tables if isinstance(t.figures["suivi_situation"], dict)]
    figures["suivi_situation"] = ({value: sum(d.get(value, 0) for d in due) for value in SITUATIONS}
                                  if due else "pas encore dû")
    unknown: dict = {}
    for table in tables:
        for key, count in table.unknown.items():
            unknown[key] = unknown.get(key, 0) + count
    return StageFigures(None, figures, unknown)


def across_rows(summary: AcrossStages) -> tuple[list[str], list[list]]:
    """The across-stages table as a header and rows (one per stage, then the total)."""
    template = rows(summary.total.figures)
    header = ["Stage", "Thème", "Début"]
    for _, label, value in template:
        header += [f"{label} (nombre)", f"{label} (sur)"] if isinstance(value, dict) else [label]
    body = []
    for stage, figures in [(s, summary.tables[s.id].figures) for s in summary.stages] + \
            [(None, summary.total.figures)]:
        line = [stage.title if stage else "Total", stage.theme if stage else "",
                stage.start_date if stage else None]
        for (key, _, shape), (_, _, value) in zip(template, rows(figures)):
            if isinstance(shape, dict):
                line += [value["n"], value["of"]] if isinstance(value, dict) else [value, None]
            else:
                line.append(value)
        body.append(line)
    return header, body
