"""The impact table across stages: one row per stage, and the totals of a selection."""
from dataclasses import dataclass
from functools import lru_cache
from datetime import date

from sqlalchemy import distinct, func, select

from questionnaires.extensions import db
from questionnaires.impact.figures import (
    FOLLOWUP_KEYS,
    NOT_DUE,
    OBJECTIVES,
    SITUATIONS,
    Selection,
    StageFigures,
    selected_ids,
    compute,
)
from questionnaires.impact.labels import rows
from questionnaires.impact.masking import masked_figures
from questionnaires.models import Participant, Referent, Slot, Stage, Venue


@dataclass
class AcrossStages:
    #: id, title, theme, start_date, end_date and followup_months of each stage, oldest first
    stages: list
    tables: dict[int, StageFigures]
    total: StageFigures


def across_stages(today: date, year: int | None = None, theme: str | None = None) -> AcrossStages:
    """Every selected stage's table (stages that start in `year` and have `theme`, both
    optional), oldest first, and their totals."""
    selection = Selection(year=year, theme=theme)
    # Plain rows, not Stage objects: building 10 000 ORM objects cost a tenth of a second.
    stages = db.session.execute(_stage_rows(selection.shape), selection.params).all()
    tables = compute(selection, today, stages)
    return AcrossStages(stages, tables, _totals(selection, [tables[s.id] for s in stages]))


@lru_cache(maxsize=None)
def _stage_rows(shape):
    return (select(Stage.id, Stage.title, Stage.theme, Stage.start_date, Stage.end_date,
                   Stage.followup_months)
            .where(Stage.id.in_(selected_ids(shape))).order_by(Stage.start_date, Stage.id))


@lru_cache(maxsize=None)
def _distinct_totals(shape):
    """Structures and cultural venues of the whole selection, each counted once."""
    ids = selected_ids(shape)
    structures = (select(func.count(distinct(Referent.structure_id)))
                  .join(Participant, Participant.referent_id == Referent.id)
                  .where(Participant.stage_id.in_(ids), Participant.status != "desiste"))
    venues = (select(func.count(distinct(Slot.venue_id))).join(Venue, Venue.id == Slot.venue_id)
              .where(Slot.stage_id.in_(ids), Venue.kind == "culturel"))
    return structures, venues


COUNTS = ("participants", "femmes", "hommes", "autres", "professionnels", "bilans_recus")
RATIOS = ("moins_26", "qpv", "sortie_culturelle", "jusqu_au_bout", "jusqu_au_bout_satisfaits",
          "isolement_rompu", "experience_groupe", "suivi_reponses", "sorties_positives",
          "projet_plus_precis", "suivi_apport", "suivi_confiance", "suivi_mobilite",
          "projet_realise", "referents_idees")


def _totals(selection: Selection, tables: list[StageFigures]) -> StageFigures:
    """Counts and ratios add up; distinct venues and structures are counted once overall.

    `referents_idees` adds (referent, stage) pairs: a referent who answered part B for two
    stages counts twice, once per stage (docs/impact.md).

    One pass over the stages' tables: at 10 000 stages a pass per figure was measurable.
    """
    counts = dict.fromkeys(COUNTS, 0)
    ratios = {key: [0, 0, False] for key in RATIOS}  # n, of, seen as due
    objectives = {key: [0, 0, 0] for key in OBJECTIVES}  # sum of scores, n, of
    orientation: dict = {}
    situations = dict.fromkeys(SITUATIONS, 0)
    situations_due = False
    unknown: dict = {}
    ages = []
    for table in tables:
        f = table.figures
        for key in COUNTS:
            counts[key] += f[key]
        for key in RATIOS:
            value = f[key]
            if isinstance(value, dict):
                total = ratios[key]
                total[0] += value["n"]
                total[1] += value["of"]
                total[2] = True
        for key, part in f["objectifs"].items():
            total = objectives[key]
            total[0] += table.sums.get(key, 0)
            total[1] += part["n"]
            total[2] += part["of"]
        for value, count in f["projet_plus_precis"]["orientation"].items():
            orientation[value] = orientation.get(value, 0) + count
        if isinstance(f["suivi_situation"], dict):
            situations_due = True
            for value, count in f["suivi_situation"].items():
                situations[value] += count
        for key, count in table.unknown.items():
            unknown[key] = unknown.get(key, 0) + count
        if f["age_min"] is not None:
            ages += (f["age_min"], f["age_max"])
    figures: dict = dict(counts)
    figures["age_min"], figures["age_max"] = (min(ages), max(ages)) if ages else (None, None)
    for key, (n, of, due) in ratios.items():
        if key in FOLLOWUP_KEYS and tables and not due:
            figures[key] = NOT_DUE
        else:
            figures[key] = {"n": n, "of": of}
    figures["projet_plus_precis"]["orientation"] = orientation
    figures["suivi_situation"] = situations if situations_due or not tables else NOT_DUE
    figures["objectifs"] = {key: {"moyenne": round(score / of, 2) if of else None, "n": n, "of": of}
                            for key, (score, n, of) in objectives.items()}
    structures, venues = _distinct_totals(selection.shape)
    figures["structures"] = db.session.scalar(structures, selection.params) or 0
    figures["lieux_culturels"] = db.session.scalar(venues, selection.params) or 0
    return StageFigures(None, figures, unknown)


def across_rows(summary: AcrossStages, mask: bool = False) -> tuple[list[str], list[list]]:
    """The across-stages table as a header and rows (one per stage, then the total).

    Numeric columns hold numbers only: a figure not yet due is an empty cell, and the "Suivi"
    column says when it is due. `mask` masks small counts for funders (impact/masking.py).
    """
    template = rows(summary.total.figures)
    header = ["Stage", "Thème", "Début", "Suivi"]
    for _, label, value in template:
        header += [f"{label} (nombre)", f"{label} (sur)"] if isinstance(value, dict) else [label]
    body = []
    for stage, table in [(s, summary.tables[s.id]) for s in summary.stages] + \
            [(None, summary.total)]:
        figures = table.figures
        masked = masked_figures(figures) if mask else {}
        due_on = table.notes.get("suivi")
        line = [stage.title if stage else "Total", stage.theme if stage else "",
                stage.start_date if stage else None,
                (f"{NOT_DUE} (le {due_on:%d/%m/%Y})" if due_on else "dû") if stage else ""]
        for (key, _, shape), (_, _, value) in zip(template, rows(figures)):
            hidden = masked.get(key)
            if isinstance(shape, dict):
                if not isinstance(value, dict):
                    line += [None, None]
                else:
                    line += [hidden.shown if hidden else value["n"], value["of"]]
            elif isinstance(value, str) or hidden:
                line.append(hidden.shown or None if hidden else None)
            else:
                line.append(value)
        body.append(line)
    return header, body
