"""The charts of the impact pages, built from the figures (no query of their own)."""
from .charts import Chart, bar_chart, ratio_bar
from .impact import OBJECTIVES, SITUATIONS
from .impact_labels import OBJECTIVE_LABELS, SITUATION_LABELS


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
