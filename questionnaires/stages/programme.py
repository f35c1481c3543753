"""A stage's programme: the half-day grid, slot keys, and the slots as answer choices."""
from datetime import date

from sqlalchemy import bindparam, select

from questionnaires.extensions import db
from questionnaires.clock import DAYS
from questionnaires.models import Slot, Stage
from questionnaires.models.stage import period_rank
from questionnaires.models.values import PERIODS


#: The columns activity_choices shows, in the programme's order; built once per process
_PROGRAMME = (select(Slot.key, Slot.date, Slot.period, Slot.title, Slot.kind)
              .where(Slot.stage_id == bindparam("stage_id"))
              .order_by(Slot.date, period_rank(Slot.period)))


def activity_choices(stage: Stage) -> list[tuple[str, str]]:
    """The stage's programme as choices: (slot key, "Lundi matin : title").

    Reads only the columns it shows, unless the slots are already loaded: loading them
    brings each slot's venue and professionals too, and the tablet's section page and autosave
    ask for these choices on every request (bench/README.md).
    """
    return [(key, f"{when} : {title}") for key, when, title, _ in activity_cards(stage)]


def activity_cards(stage: Stage) -> list[tuple[str, str, str, str]]:
    """The programme as the tablet's cards: (slot key, "Lundi matin", title, kind)."""
    if "slots" in stage.__dict__ or stage.id is None:
        rows = [(slot.key, slot.date, slot.period, slot.title, slot.kind) for slot in stage.slots]
    else:
        # Plain Core rows on the session's connection: the ORM's execution path was most of
        # this query's cost on the tablet's page. The flush is what session.execute would
        # autoflush (a slot just added in this request).
        db.session.flush()
        rows = db.session.connection().execute(_PROGRAMME, {"stage_id": stage.id}).all()
    return [(key, f"{DAYS[day.weekday()].capitalize()} {PERIODS[period].lower()}", title, kind)
            for key, day, period, title, kind in rows]


DAY_CODES = ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"]
PERIOD_CODES = {"matin": "am", "apres-midi": "pm", "soiree": "soir"}


def programme_grid(stage: Stage) -> list[tuple[str, list[tuple[date, Slot | None]]]]:
    """Rows of the grid: each period with, for every day, its slot or None."""
    by_cell = {(slot.date, slot.period): slot for slot in stage.slots}
    return [
        (period, [(day, by_cell.get((day, period))) for day in stage.days])
        for period in PERIODS
    ]


def new_slot_key(stage: Stage, day: date, period: str) -> str:
    """A readable key unique in the stage: "mar-soir", or "2021-11-23-soir" if taken."""
    taken = {slot.key for slot in stage.slots}
    for key in (f"{DAY_CODES[day.weekday()]}-{PERIOD_CODES[period]}",
                f"{day.isoformat()}-{PERIOD_CODES[period]}"):
        if key not in taken:
            return key
    suffix = 2
    while f"{day.isoformat()}-{PERIOD_CODES[period]}-{suffix}" in taken:
        suffix += 1
    return f"{day.isoformat()}-{PERIOD_CODES[period]}-{suffix}"
