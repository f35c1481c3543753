"""Small numbers in exports for funders: counts under 3 masked in breakdowns by person.

impact.md: "Exports meant for funders can mask any count under 3 ("< 3") in breakdowns by
person attributes (gender, age band, QPV, structure), an option." Pages, the report and the
JSON are never masked: the team needs the real numbers. Applied to a stage's figures as a
list of decisions that the flat export rows read, never in SQL.
"""
from dataclasses import dataclass

#: Counts from 1 to this are masked (0 says nothing about anyone)
MASK_AT_MOST = 2
SMALL = "< 3"
HIDDEN = "masqué"
STATUS = "masqué (< 3)"
SECONDARY = "masqué (secret secondaire)"
#: Breakdowns of the participants into cells that add up to `participants`
GENDER = ("femmes", "hommes", "autres")
#: Shares of the participants whose complement ("26 ans et plus", "hors QPV") is implied
TWO_CELLS = ("moins_26", "qpv")
AGES = ("age_min", "age_max")


@dataclass(frozen=True)
class Masked:
    """What to write instead of a figure's count, and why."""

    shown: str
    status: str


def _small(count) -> bool:
    return isinstance(count, int) and 0 < count <= MASK_AT_MOST


def masked_figures(figures: dict) -> dict[str, Masked]:
    """Figure key → how it is masked, for the keys of `figures` that must be.

    A gender breakdown with exactly one masked cell also masks its next smallest cell
    (secondary suppression): the total is shown, so one hidden cell could be subtracted back.
    The youngest and oldest ages single people out: they are blanked whenever masking is on.
    """
    decisions: dict[str, Masked] = {key: Masked("", "masqué") for key in AGES if key in figures}
    cells = {key: figures[key] for key in GENDER if isinstance(figures.get(key), int)}
    small = [key for key, count in cells.items() if _small(count)]
    for key in small:
        decisions[key] = Masked(SMALL, STATUS)
    if len(small) == 1 and len(cells) > 1:
        rest = sorted((count, key) for key, count in cells.items() if key not in small)
        decisions[rest[0][1]] = Masked(HIDDEN, SECONDARY)
    for key in TWO_CELLS:
        value = figures.get(key)
        if not isinstance(value, dict):
            continue
        if _small(value["n"]):
            decisions[key] = Masked(SMALL, STATUS)
        elif _small(value["of"] - value["n"]):
            # The complement is the small cell: the count would give it away
            decisions[key] = Masked(HIDDEN, SECONDARY)
    return decisions
