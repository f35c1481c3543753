"""Charts drawn on the server as SVG (no script, no CDN), each with its numbers as a table.

The SVG is decorative for screen readers (`aria-hidden`); the table next to it carries the
same numbers, so nothing is only in the picture.
"""
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from questionnaires.impact.figures import OBJECTIVES, SITUATIONS
from questionnaires.impact.labels import OBJECTIVE_LABELS, SITUATION_LABELS

PALETTE = ["#8a1538", "#1a5fd0", "#1e6b3a", "#b35c00", "#5a3d8a", "#00707a", "#6b6b6b"]
ROW_HEIGHT, LABEL_WIDTH, BAR_WIDTH, RIGHT_MARGIN = 34, 330, 420, 130
#: Characters of a label line (14 px text in LABEL_WIDTH); a longer label wraps, never cut
LABEL_LINE, LINE_HEIGHT = 40, 17


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
    labels = [_lines(label) for label, _, _ in bars]
    heights = [max(ROW_HEIGHT, LINE_HEIGHT * len(lines) + 14) for lines in labels]
    height = sum(heights) + 10
    width = LABEL_WIDTH + BAR_WIDTH + RIGHT_MARGIN
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">']
    for index, (label, value, text) in enumerate(bars):
        # Each row grows with its label's lines; the bar sits on the row's middle.
        y = 5 + sum(heights[:index]) + (heights[index] - ROW_HEIGHT) / 2
        color = PALETTE[index % len(PALETTE)]
        length = 0 if value is None else max(0.0, min(1.0, value / top)) * BAR_WIDTH
        lines = labels[index]
        first = y + 21 - LINE_HEIGHT * (len(lines) - 1) / 2
        spans = "".join(f'<tspan x="{LABEL_WIDTH - 8}" y="{first + LINE_HEIGHT * i:.1f}">'
                        f'{escape(line)}</tspan>' for i, line in enumerate(lines))
        parts.append(f'<text text-anchor="end" font-size="14" fill="#1d2433">{spans}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 6}" width="{BAR_WIDTH}" height="20" '
                     f'fill="#eceef3" rx="3"/>')
        if length:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 6}" width="{length:.1f}" height="20" '
                         f'fill="{color}" rx="3"/>')
        parts.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 21}" font-size="14" '
                     f'fill="#1d2433">{escape(text)}</text>')
    parts.append("</svg>")
    return Chart(title, bars, top, Markup("".join(parts)), unit)


def _lines(label: str) -> list[str]:
    """A label cut into lines of at most LABEL_LINE characters, at spaces (a longer word stays
    whole on its own line)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_LINE:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def ratio_bar(label: str, value) -> tuple[str, float | None, str]:
    """A bar for a {"n", "of"} figure, as a percentage with its numbers."""
    if not isinstance(value, dict) or not value["of"]:
        return (label, None, "non renseigné" if not isinstance(value, str) else value)
    share = 100 * value["n"] / value["of"]
    return (label, share, f"{value['n']}/{value['of']} ({round(share)} %)")


def stage_charts(figures: dict) -> list[Chart]:
    """Gender and age, the five objectives, the situations at three months."""
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
        charts.append(bar_chart("Situation à 3 mois (réponses des référent·e·s)", [
            (SITUATION_LABELS[key], situations[key], str(situations[key])) for key in SITUATIONS
        ], maximum=max(answered, 1)))
    return charts


def comparison_chart(stages, tables, key: str, label: str) -> Chart:
    """One figure side by side for every stage (e.g. "restés jusqu'à la fin")."""
    return bar_chart(label, [
        ratio_bar(f"{s.start_date.year} · {s.title}", tables[s.id].figures[key]) for s in stages
    ], maximum=100, unit="%")


def _mean(value) -> str:
    return "non renseigné" if value is None else f"{value:.1f}".replace(".", ",") + " / 4"
