"""The stage report as one description (a list of blocks), which the page and the DOCX render.

Sections in the order of shared/domain/report.md. `build_report` reads its data in a constant
number of queries (the impact table, the programme, structures, the collective bilan, the
testimonials, the texts, the funders), whatever the size of the stage.
"""
from dataclasses import dataclass, field
from typing import ClassVar
from datetime import date

from sqlalchemy import select

from questionnaires.clock import DAYS, MONTHS
from questionnaires.engine.definitions import answers_by_role
from questionnaires.extensions import db
from questionnaires.impact.charts import Chart, stage_charts
from questionnaires.impact.figures import OBJECTIVES, StageFigures, stage_table
from questionnaires.impact.labels import CAUTION_NOTE, OBJECTIVE_LABELS, has_caution
from questionnaires.impact.people import testimonials
from questionnaires.impact.report import sentences, texts as team_texts
from questionnaires.models import Participant, Referent, Stage, Structure
from questionnaires.models.report import TEXT_KEYS
from questionnaires.models.values import PERIODS
from questionnaires.stages import collective

TITLE = "Bilan du stage de remobilisation professionnelle"
#: Default hours of each period in the calendar (config REPORT_PERIOD_HOURS)
PERIOD_HOURS = {"matin": "10h à 12h30", "apres-midi": "13h30 à 17h", "soiree": "Soirée"}
#: Headings of report.md, in order (a test finds each one in both renderers)
HEADINGS = ("Introduction", "Comment s'est organisé le stage", "Calendrier du stage",
            "Bilan chiffré", "Les objectifs du stage", "Suivi à", "Bilan collectif",
            "Note de l'équipe", "Préconisations d'amélioration",
            "Les témoignages des participants", "Le projet a été soutenu par")
#: Section names of the team's texts, for the "à relire" list and the edit page
TEXT_LABELS = {"sous_titre": "Sous-titre", "introduction": "Introduction",
               "organisation": "Comment s'est organisé le stage",
               "objectifs_intro": "Les objectifs : introduction",
               "note_equipe": "Note de l'équipe", "preconisations": "Préconisations"}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Heading:
    #: What the templates dispatch on (report/_blocks.html)
    tag: ClassVar[str] = "heading"
    text: str
    level: int = 1


@dataclass
class Para:
    #: What the templates dispatch on (report/_blocks.html)
    tag: ClassVar[str] = "para"
    runs: list[Run]
    #: "title", "subtitle", "lead" or "" (a plain paragraph)
    style: str = ""


@dataclass
class Bullets:
    #: What the templates dispatch on (report/_blocks.html)
    tag: ClassVar[str] = "bullets"
    items: list[list[Run]]


@dataclass
class Table:
    #: What the templates dispatch on (report/_blocks.html)
    tag: ClassVar[str] = "table"
    header: list[str]
    #: Cells are text; a "\n" in a cell is a line break
    rows: list[list[str]]
    #: Relative widths of the columns
    widths: list[float] = field(default_factory=list)
    #: "calendar" (small print) or "" (a plain table)
    kind: str = ""


@dataclass
class ChartBlock:
    #: What the templates dispatch on (report/_blocks.html)
    tag: ClassVar[str] = "chartblock"
    chart: Chart


@dataclass
class Quote:
    #: What the templates dispatch on (report/_blocks.html)
    tag: ClassVar[str] = "quote"
    name: str
    text: str


@dataclass
class Note:
    """A note about the report itself: `screen_only` ones never print nor go to the DOCX."""

    #: What the templates dispatch on (report/_blocks.html)
    tag: ClassVar[str] = "note"
    text: str
    screen_only: bool = False


def _runs(runs) -> list[Run]:
    return [Run(text, bold) for text, bold in runs]


def _team_text(texts: dict, key: str) -> list:
    """A section the team writes, or a note (on screen only) that it is still to be written."""
    return _text_blocks(texts.get(key)) or [
        Note(f"« {TEXT_LABELS[key]} » est encore à écrire : « Modifier les textes de l'équipe ».",
             screen_only=True)]


def _text_blocks(body: str | None) -> list:
    blocks = []
    for part in team_texts.parse(body):
        if isinstance(part, team_texts.BulletList):
            blocks.append(Bullets([[Run(item)] for item in part.items]))
        else:
            blocks.append(Para([Run("\n".join(part.lines))]))
    return blocks


def _places(stage: Stage) -> dict:
    """Structures (by id), venues and roles of the professionals met (in programme order)."""
    structures = db.session.scalars(
        select(Structure).where(Structure.id.in_(
            select(Referent.structure_id).join(Participant, Participant.referent_id == Referent.id)
            .where(Participant.stage_id == stage.id, Participant.status != "desiste")))
        .order_by(Structure.id)).all()
    venues, professionals = [], {}
    for slot in stage.slots:
        if slot.venue is not None and slot.venue.kind == "culturel" and slot.venue not in venues:
            venues.append(slot.venue)
        for professional in slot.professionals:  # in the programme's order, as the seed lists them
            professionals.setdefault(professional.id, professional.role)
    return {"structures": [sentences.Place(s.name, s.city) for s in structures],
            "venues": [sentences.Place(v.name, v.city) for v in venues],
            "roles": list(professionals.values())}


def calendar(stage: Stage, period_hours: dict) -> Table:
    """The programme half-day by half-day, each cell its title's parts and its venue."""
    by_cell = {(slot.date, slot.period): slot for slot in stage.slots}
    days = stage.days
    rows = []
    for period in PERIODS:
        cells = []
        for day in days:
            slot = by_cell.get((day, period))
            if slot is None:
                cells.append("")
                continue
            lines = [part.strip() for part in slot.title.split(" · ") if part.strip()]
            if slot.venue is not None:
                lines.append(f"Lieu {slot.venue.name} {slot.venue.city}".strip())
            cells.append("\n".join(lines))
        if period == "soiree" and not any(cells):
            continue
        rows.append([period_hours.get(period, PERIODS[period])] + cells)
        if period == "matin":
            rows.append(["Repas"] + [""] * len(days))
    header = ["Horaires"] + [DAYS[day.weekday()].capitalize() for day in days]
    return Table(header, rows, [1.2] + [2] * len(days), kind="calendar")


def _dates(stage: Stage) -> str:
    """"du 22 au 26 novembre 2021" (months and years only when they differ)."""
    start, end = stage.start_date, stage.end_date
    first = f"{start.day}"
    if (start.month, start.year) != (end.month, end.year):
        first += f" {MONTHS[start.month - 1]}"
    if start.year != end.year:
        first += f" {start.year}"
    return f"du {first} au {end.day} {MONTHS[end.month - 1]} {end.year}"


def _objectives(f: dict, texts: dict) -> Table:
    rows = []
    for key in OBJECTIVES:
        part = f["objectifs"][key]
        mean = "non renseigné" if part["moyenne"] is None else \
            f"{part['moyenne']:.1f}".replace(".", ",") + " / 4"
        rows.append([OBJECTIVE_LABELS[key], mean, sentences.share(part),
                     (texts.get(f"objectif.{key}") or "").strip()])
    return Table(["Objectif", "Moyenne sur 4", "Réponses 3 ou 4 sur 4", "Appréciation de l'équipe"],
                 rows, [3, 1.2, 1.6, 4])


def _collective(stage: Stage) -> list:
    """What the group liked most, what it would change, the activities it acclaimed."""
    response = collective.response_of(stage)
    if response is None or response.submitted_at is None:
        return [Note("Le bilan collectif n'a pas encore été validé.")]
    # Figure roles through the response's version; "points_ameliorer" carries no role: its id
    answers = {**(response.answers or {}), **answers_by_role(response)}
    titles = {slot.key: slot.title for slot in stage.slots}
    blocks: list = []
    for key, title in (("points_forts", "Ce que le groupe a le plus apprécié"),
                       ("points_ameliorer", "Ce que le groupe changerait")):
        if isinstance(answers.get(key), str) and answers[key]:
            blocks += [Heading(title, 2), *_text_blocks(answers[key])]
    acclaimed = [titles[key] for key in answers.get("activites_plebiscitees") or []
                 if isinstance(key, str) and key in titles]
    if acclaimed:
        blocks += [Heading("Les activités plébiscitées", 2),
                   Bullets([[Run(title)] for title in acclaimed])]
    return blocks


def build_report(stage: Stage, today: date, association: str,
                 period_hours: dict | None = None) -> list:
    """The whole report of `stage` as blocks, figures computed for `today`."""
    table: StageFigures = stage_table(stage, today)
    f, notes, months = table.figures, table.notes, stage.followup_months
    stored = team_texts.texts_of(stage)
    texts = {key: text.body for key, text in stored.items()}
    blocks: list = [
        Para([Run(TITLE)], "title"),
        Para([Run(texts.get("sous_titre") or stage.title)], "subtitle"),
        Para([Run(f"{MONTHS[stage.start_date.month - 1].capitalize()} {stage.start_date.year}")],
             "lead"),
        Para([Run(association)], "lead"),
    ]
    unread = [key for key in TEXT_KEYS if key in stored and stored[key].copied_from_stage_id]
    if unread:
        source = stored[unread[0]].copied_from
        blocks.append(Note(f"Textes repris de « {source.title if source else 'un autre stage'} » "
                           f"— à relire : {', '.join(TEXT_LABELS.get(k, k) for k in unread)}.",
                           screen_only=True))
    blocks += [Heading("Introduction"), *_team_text(texts, "introduction")]
    blocks += [Heading("Comment s'est organisé le stage"),
               *_team_text(texts, "organisation")]
    blocks += [Heading(f"Calendrier du stage {_dates(stage)}"),
               calendar(stage, period_hours or PERIOD_HOURS)]
    charts = stage_charts(f, months)
    blocks += [Heading("Bilan chiffré"),
               Bullets([_runs(line) for line in
                        sentences.bilan_chiffre(f, notes, _places(stage), texts, months)]),
               ChartBlock(charts[0])]
    blocks += [Heading("Les objectifs du stage"), *_text_blocks(texts.get("objectifs_intro")),
               _objectives(f, texts), ChartBlock(charts[1])]
    blocks.append(Heading(f"Suivi à {months} mois"))
    if notes.get("suivi"):
        blocks.append(Para([Run(f"Le suivi est prévu le {notes['suivi']:%d/%m/%Y} : ses chiffres "
                                "seront dans ce rapport ensuite.")]))
    else:
        blocks += [Bullets([_runs(line) for line in sentences.followup(f, notes, months)]),
                   *[ChartBlock(chart) for chart in charts[2:]]]
    blocks += [Heading("Bilan collectif"), *_collective(stage)]
    blocks += [Heading("Note de l'équipe"), *_team_text(texts, "note_equipe")]
    blocks += [Heading("Préconisations d'amélioration"),
               *_team_text(texts, "preconisations")]
    quotes = testimonials(stage)
    blocks.append(Heading("Les témoignages des participants"))
    blocks += [Quote(name, text) for name, text in quotes] or \
        [Note("Aucun témoignage publiable (accord de publication donné).")]
    funders = team_texts.funders_of(stage)
    blocks.append(Heading("Le projet a été soutenu par"))
    blocks += [Para([Run(funder.name, bold=funder.kind == "financeur")]) for funder in funders] \
        or [Note("Aucun financeur indiqué.", screen_only=True)]
    if has_caution(f):
        blocks.append(Note(CAUTION_NOTE))
    return blocks
