"""Charts drawn on the server as SVG (no script, no CDN), each with its numbers as a table.

The SVG is decorative for screen readers (`aria-hidden`); the table next to it carries the
same numbers, so nothing is only in the picture.
"""
import textwrap
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from questionnaires.impact.figures import OBJECTIVES, OBSERVATIONS, SITUATIONS
from questionnaires.impact.labels import (
    CAUTION_MARK, FIGURES, OBJECTIVE_LABELS, SITUATION_LABELS, at_followup, ratio_parts,
)

PALETTE = ["#8a1538", "#1a5fd0", "#1e6b3a", "#b35c00", "#5a3d8a", "#00707a", "#6b6b6b"]
BAR_WIDTH, RIGHT_MARGIN, LINE_HEIGHT, BAR_HEIGHT, GAP = 520, 150, 18, 18, 12
#: Characters per label line: a label is wrapped, never cut, and sits on its own lines above
#: its bar (14 px text, about 8 px a character at worst, within the chart's width)
LABEL_CHARACTERS = 80


@dataclass
class Chart:
    title: str
    #: (label, value, text shown) per bar, in order; `value` is what the bar's length shows
    rows: list[tuple[str, float | None, str]]
    maximum: float
    svg: Markup
    unit: str = ""


def bar_chart(title: str, bars: list[tuple[str, float | None, str]], maximum: float | None = None,
              unit: str = "") -> Chart:
    """Horizontal bars: one per (label, value, text); None draws no bar and says so."""
    top = maximum if maximum else max([v for _, v, _ in bars if v is not None] or [1]) or 1
    width = BAR_WIDTH + RIGHT_MARGIN
    parts, y = [], 4
    for index, (label, value, text) in enumerate(bars):
        color = PALETTE[index % len(PALETTE)]
        for line in textwrap.wrap(label, LABEL_CHARACTERS) or [""]:
            y += LINE_HEIGHT
            parts.append(f'<text x="0" y="{y - 4}" font-size="14" fill="#1d2433">'
                         f'{escape(line)}</text>')
        length = 0 if value is None else max(0.0, min(1.0, value / top)) * BAR_WIDTH
        parts.append(f'<rect x="0" y="{y + 2}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" '
                     f'fill="#eceef3" rx="3"/>')
        if length:
            parts.append(f'<rect x="0" y="{y + 2}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                         f'fill="{color}" rx="3"/>')
        parts.append(f'<text x="{BAR_WIDTH + 8}" y="{y + 16}" font-size="14" '
                     f'fill="#1d2433">{escape(text)}</text>')
        y += BAR_HEIGHT + GAP
    svg = (f'<svg class="chart" viewBox="0 0 {width} {y}" width="100%" role="img" '
           f'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
           + "".join(parts) + "</svg>")
    return Chart(title, bars, top, Markup(svg), unit)



def ratio_bar(label: str, value) -> tuple[str, float | None, str]:
    """A bar for a {"n", "of"} figure, as a percentage with its numbers ("n / of" first)."""
    if not isinstance(value, dict) or not value["of"]:
        return (label, None, "non renseigné" if not isinstance(value, str) else value)
    n, of, pct, caution = ratio_parts(value)
    return (label, 100 * n / of, f"{n} / {of} ({pct} %{CAUTION_MARK if caution else ''})")


def stage_charts(figures: dict, months: int | None = None) -> list[Chart]:
    """Gender and age, the five objectives, the situations and the referents' observations at
    the follow-up (once due)."""
    people = figures["participants"]
    charts = [
        bar_chart("Genre et âge", [
            ("Femmes", figures["femmes"], str(figures["femmes"])),
            ("Hommes", figures["hommes"], str(figures["hommes"])),
            ("Autre / non précisé", figures["autres"], str(figures["autres"])),
            ("Moins de 26 ans", figures["moins_26"]["n"], str(figures["moins_26"]["n"])),
            ("26 ans et plus", people - figures["moins_26"]["n"], str(people - figures["moins_26"]["n"])),
        ], maximum=max(people, 1)),
        bar_chart("Les cinq objectifs (moyenne sur 4)", [
            (OBJECTIVE_LABELS[key], figures["objectifs"][key]["moyenne"],
             _mean(figures["objectifs"][key]["moyenne"])) for key in OBJECTIVES
        ], maximum=4),
    ]
    situations = figures["suivi_situation"]
    if isinstance(situations, dict):
        answered = sum(situations.values())
        charts.append(bar_chart(at_followup("Situation au suivi (une réponse par personne)", months), [
            (SITUATION_LABELS[key], situations[key], str(situations[key])) for key in SITUATIONS
        ], maximum=max(answered, 1)))
        charts.append(bar_chart("Observations des référent·e·s (plutôt oui ou tout à fait)", [
            ratio_bar(FIGURES[key][0], figures[key]) for key in OBSERVATIONS
        ], maximum=100, unit="%"))
    return charts


def comparison_chart(stages, tables, key: str, label: str) -> Chart:
    """One figure side by side for every stage (e.g. "restés jusqu'à la fin")."""
    return bar_chart(label, [
        ratio_bar(f"{s.start_date.year} · {s.title}", tables[s.id].figures[key]) for s in stages
    ], maximum=100, unit="%")


def _mean(value) -> str:
    return "non renseigné" if value is None else f"{value:.1f}".replace(".", ",") + " / 4"
