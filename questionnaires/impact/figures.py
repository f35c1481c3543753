"""The impact table ("Bilan chiffré") of shared/domain/impact.md, computed in SQL.

One subquery gives a row per enrolled participant with a flag for each figure
(`participant_flags`); the figures are SQL aggregates of it, grouped by stage, so the number
of queries does not grow with stages, participants or answers. The drill-down lists of the
team pages read the same flags, so a figure and its list of names always agree.
"""
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date

from sqlalchemy import and_, bindparam, case, distinct, extract, func, or_, select

from questionnaires.clock import add_months, age_on
from questionnaires.extensions import db
from questionnaires.models import (
    Participant,
    Referent,
    Response,
    Slot,
    Stage,
    Venue,
    slot_professionals,
)

OBJECTIVES = ("obj_possibles", "obj_competences", "obj_remobilisation", "obj_confiance",
              "obj_territoire")
POSITIVE = ("emploi", "formation", "stage", "benevolat")
SITUATIONS = ("emploi", "formation", "stage", "benevolat", "recherche_active", "sans_changement",
              "perdu_de_vue")
ORIENTATIONS = ("stage", "formation", "benevolat", "emploi", "autre")


def _answer(response, key: str):
    """One aggregated answer, from its typed copy (see Response.fact_*), never from the JSON."""
    return getattr(response, f"fact_{key}")


def _flag(condition):
    return case((condition, 1), else_=0)


def _younger_than_26(dialect: str):
    """Born less than 26 years before the stage's first day."""
    if dialect == "sqlite":
        return Participant.birth_date > func.date(Stage.start_date, "-26 years")
    return Participant.birth_date > Stage.start_date - func.make_interval(26)


#: The referents' observations: figure key → fact (grilles.md role) of part A
OBSERVATIONS = {"suivi_apport": "apport_stage", "suivi_confiance": "confiance_observee",
                "suivi_mobilite": "mobilite_observee"}
#: Orientations that a follow-up situation can realise ("autre" never does)
REALISABLE = tuple(value for value in ORIENTATIONS if value in SITUATIONS)
LOST = "perdu_de_vue"
NOT_DUE = "pas encore dû"
#: The figures of the follow-up, "pas encore dû" before its date
FOLLOWUP_KEYS = ("suivi_reponses", "suivi_situation", "sorties_positives", "suivi_apport",
                 "suivi_confiance", "suivi_mobilite", "projet_realise", "referents_idees")


def _ticked(column, value: str):
    """Whether a list fact (",a,b,", Response.fact_orientation) holds `value`."""
    return column.like(f"%,{value},%")


def _latest_part_a():
    """The id of a participant's winning part A: the latest submitted (ties: the higher id).

    Correlated on the participant, so one index seek each (ix_response_part_a); after a
    handover between referents, or a team answer, exactly one part A counts per person.
    """
    part_a = db.aliased(Response)
    return (select(part_a.id)
            .where(part_a.participant_id == Participant.id,
                   part_a.questionnaire == "suivi-referent", part_a.submitted_at.isnot(None))
            .order_by(part_a.submitted_at.desc(), part_a.id.desc())
            .limit(1).scalar_subquery())


def participant_flags(stage_ids, dialect: str):
    """One row per enrolled participant of `stage_ids` (a select of ids), with every flag."""
    bilan = db.aliased(Response)
    followup = db.aliased(Response)
    satisfaction = _answer(bilan, "satisfaction_globale")
    situation = _answer(followup, "situation")
    has_followup = followup.id.isnot(None)
    # Known and not lost from sight: the observations and the realised project need both
    observable = and_(has_followup, func.coalesce(situation, "") != LOST)
    projet = _answer(bilan, "projet_plus_precis")
    orientation = _answer(bilan, "orientation")
    columns = [
        Participant.id.label("participant_id"),
        Participant.stage_id.label("stage_id"),
        Participant.gender.label("gender"),
        Participant.birth_date.label("birth_date"),
        _flag(_younger_than_26(dialect)).label("under_26"),
        _flag(Participant.qpv.in_(("oui", "veille"))).label("qpv"),
        _flag(Participant.qpv == "inconnu").label("qpv_unknown"),
        # The attendance summary kept on the row (presence.py), not an aggregate of every mark
        _flag(Participant.went_out).label("went_out"),
        _flag(Participant.present_last_day).label("last_day"),
        _flag(Participant.marked_last_day).label("last_day_known"),
        _flag(bilan.id.isnot(None)).label("has_bilan"),
        satisfaction.label("satisfaction"),
        _flag(and_(Participant.present_last_day, satisfaction >= 3)).label("last_day_satisfied"),
        projet.label("projet"),
        orientation.label("orientation"),
        _answer(bilan, "isolement_rompu").label("isolement"),
        _flag(and_(_answer(bilan, "experience_groupe") == "oui",
                   _answer(bilan, "demarche_active") == "oui")).label("experience"),
        _flag(and_(_answer(bilan, "experience_groupe").isnot(None),
                   _answer(bilan, "demarche_active").isnot(None))).label("experience_known"),
        _flag(has_followup).label("has_followup"),
        situation.label("fu_situation"),
        followup.submitted_at.label("fu_at"),
        followup.referent_id.label("fu_referent_id"),
        _flag(and_(has_followup, followup.referent_id.is_(None))).label("fu_by_team"),
        _flag(situation.in_(POSITIVE)).label("positive"),
        _flag(observable).label("observable"),
        _flag(and_(observable, projet == "oui")).label("realise_of"),
        _flag(and_(observable, projet == "oui",
                   or_(*[and_(situation == value, _ticked(orientation, value))
                         for value in REALISABLE]))).label("realise"),
    ]
    for key, fact in OBSERVATIONS.items():
        value = _answer(followup, fact)
        columns += [_flag(and_(observable, value.isnot(None))).label(f"{key}_known"),
                    _flag(and_(observable, value >= 3)).label(f"{key}_high")]
    columns += [_answer(bilan, key).label(key) for key in OBJECTIVES]
    return (
        select(*columns)
        .join(Stage, Stage.id == Participant.stage_id)
        .outerjoin(bilan, and_(bilan.participant_id == Participant.id,
                               bilan.questionnaire == "bilan-individuel",
                               bilan.submitted_at.isnot(None)))
        # Part B rows have no participant: they never join here
        .outerjoin(followup, followup.id == _latest_part_a())
        .where(Participant.stage_id.in_(stage_ids), Participant.status != "desiste")
        # Computed once: otherwise the database re-reads the JSON answers for every aggregate
        # that mentions a flag (about three times as many JSON parses).
        .cte("participant_flags").prefix_with("MATERIALIZED")
    )


@dataclass
class StageFigures:
    """The table of one stage (or of a selection of stages, for totals)."""

    stage_id: int | None
    figures: dict
    #: Inputs missing behind a figure ("non renseigné"), by figure key
    unknown: dict = field(default_factory=dict)
    #: Facts that explain a figure (no cultural outing planned, follow-up not due yet)
    notes: dict = field(default_factory=dict)
    #: Sum of each objective's scores, so that totals average exactly (means are rounded)
    sums: dict = field(default_factory=dict)


def _people_totals(flags):
    c = flags.c
    columns = [
        func.count().label("participants"),
        func.sum(_flag(c.gender == "F")).label("femmes"),
        func.sum(_flag(c.gender == "H")).label("hommes"),
        func.sum(_flag(c.gender == "X")).label("autres"),
        func.max(c.birth_date).label("youngest"), func.min(c.birth_date).label("oldest"),
        func.sum(_flag(c.birth_date.is_(None))).label("age_unknown"),
        func.sum(c.under_26).label("under_26"), func.sum(c.qpv).label("qpv"),
        func.sum(c.qpv_unknown).label("qpv_unknown"), func.sum(c.went_out).label("went_out"),
        func.sum(c.last_day).label("last_day"), func.sum(c.last_day_known).label("last_day_known"),
        func.sum(c.last_day_satisfied).label("last_day_satisfied"),
        func.sum(c.has_bilan).label("bilans"),
        func.sum(_flag(c.projet == "oui")).label("projet"), func.count(c.projet).label("projet_known"),
        func.sum(_flag(c.isolement == "oui")).label("isolement"),
        func.count(c.isolement).label("isolement_known"),
        func.sum(c.experience).label("experience"), func.sum(c.experience_known).label("experience_known"),
        func.sum(c.has_followup).label("followups"), func.sum(c.positive).label("positive"),
        func.sum(c.fu_by_team).label("by_team"), func.sum(c.observable).label("observable"),
        func.sum(c.realise).label("realise"), func.sum(c.realise_of).label("realise_of"),
    ]
    for value in SITUATIONS:
        columns.append(func.sum(_flag(c.fu_situation == value)).label(f"situation_{value}"))
    for value in ORIENTATIONS:
        columns.append(func.sum(_flag(and_(c.projet == "oui", _ticked(c.orientation, value))))
                       .label(f"orientation_{value}"))
    for key in OBSERVATIONS:
        columns += [func.sum(getattr(c, f"{key}_high")).label(f"{key}_high"),
                    func.sum(getattr(c, f"{key}_known")).label(f"{key}_known")]
    for key in OBJECTIVES:  # the mean is sum / known, computed in Python from exact integers
        column = getattr(c, key)
        columns += [func.count(column).label(f"{key}_known"),
                    func.sum(_flag(column >= 3)).label(f"{key}_high"),
                    func.sum(column).label(f"{key}_sum")]
    return columns


@dataclass(frozen=True)
class Selection:
    """The stages a table covers: one stage, or every stage of a year and/or a theme (or all)."""

    stage_id: int | None = None
    year: int | None = None
    theme: str | None = None

    @property
    def shape(self) -> tuple[bool, bool, bool]:
        """Which filters are set: the statements are built once per shape (see `_statements`)."""
        return (self.stage_id is not None, self.year is not None, self.theme is not None)

    @property
    def params(self) -> dict:
        values = {"stage_id": self.stage_id, "year": self.year, "theme": self.theme}
        return {key: value for key, value in values.items() if value is not None}


@lru_cache(maxsize=None)
def selected_ids(shape: tuple[bool, bool, bool]):
    one, year, theme = shape
    query = select(Stage.id)
    if one:
        query = query.where(Stage.id == bindparam("stage_id"))
    if year:
        query = query.where(extract("year", Stage.start_date) == bindparam("year"))
    if theme:
        query = query.where(Stage.theme == bindparam("theme"))
    return query


@dataclass(frozen=True)
class _Statements:
    people: object
    stages: object
    structures: object
    slots: object
    professionals: object
    referents_b: object


@lru_cache(maxsize=None)
def _statements(dialect: str, shape: tuple[bool, bool, bool]) -> _Statements:
    """The table's statements for one kind of selection, built once per process.

    Building the flags select and its forty aggregates took more CPU than running them on a
    stage's dashboard (bench/README.md): the statements are built once, with the selection as
    bound parameters, and only executed per request.
    """
    stage_ids = selected_ids(shape)
    flags = participant_flags(stage_ids, dialect)
    return _Statements(
        people=select(flags.c.stage_id, *_people_totals(flags)).group_by(flags.c.stage_id),
        stages=select(Stage.id, Stage.start_date, Stage.end_date, Stage.followup_months)
        .where(Stage.id.in_(stage_ids)),
        structures=select(Participant.stage_id, func.count(distinct(Referent.structure_id)))
        .join(Referent, Referent.id == Participant.referent_id)
        .where(Participant.stage_id.in_(stage_ids), Participant.status != "desiste")
        .group_by(Participant.stage_id),
        slots=select(Slot.stage_id,
                     func.count(distinct(case((Venue.kind == "culturel", Slot.venue_id)))
                                ).label("venues"),
                     func.sum(_flag(Slot.kind == "sortie_culturelle")).label("outings"))
        .outerjoin(Venue, Venue.id == Slot.venue_id)
        .where(Slot.stage_id.in_(stage_ids)).group_by(Slot.stage_id),
        professionals=select(Slot.stage_id, func.count(distinct(slot_professionals.c.professional_id)))
        .join(slot_professionals, slot_professionals.c.slot_id == Slot.id)
        .where(Slot.stage_id.in_(stage_ids)).group_by(Slot.stage_id),
        referents_b=_part_b_counts(stage_ids),
    )


def compute(selection: Selection, today: date, stages=None) -> dict[int, StageFigures]:
    """The impact table of every selected stage, keyed by stage id.

    `stages` may pass the stage rows the caller already has, to spare reading them again.
    """
    statements = _statements(db.engine.dialect.name, selection.shape)
    params = selection.params
    run = lambda statement: db.session.execute(statement, params)  # noqa: E731
    result = run(statements.people)
    names = list(result.keys())
    # Plain dicts (zip) rather than Row._asdict(): 10 000 stages made the difference measurable.
    people = {row[0]: dict(zip(names, row)) for row in result}
    if stages is None:
        stages = run(statements.stages).all()
    extras = {"structures": dict(run(statements.structures).all()),
              "slots": {row.stage_id: row for row in run(statements.slots)},
              "professionals": dict(run(statements.professionals).all()),
              "referents_b": {row[0]: (row[1], row[2]) for row in run(statements.referents_b)}}
    return {stage.id: _stage_figures(stage, people.get(stage.id), extras, today)
            for stage in stages}


_OBJECTIVE_COLUMNS = [(key, f"{key}_sum", f"{key}_high", f"{key}_known") for key in OBJECTIVES]
#: What a stage without any enrolled participant aggregates to
_NO_PEOPLE = dict.fromkeys(
    ["participants", "femmes", "hommes", "autres", "under_26", "qpv", "went_out", "last_day",
     "last_day_satisfied", "isolement", "experience", "projet", "bilans", "followups", "positive",
     "by_team", "observable", "realise", "realise_of"]
    + [column for _, *columns in _OBJECTIVE_COLUMNS for column in columns]
    + [f"situation_{value}" for value in SITUATIONS]
    + [f"orientation_{value}" for value in ORIENTATIONS]
    + [f"{key}_{part}" for key in OBSERVATIONS for part in ("high", "known")], 0)
_NO_PEOPLE.update(youngest=None, oldest=None)
#: Column names, formatted once (the shaping below runs once per stage, 10 000 times)
_SITUATION_COLUMNS = [(value, f"situation_{value}") for value in SITUATIONS]
_ORIENTATION_COLUMNS = [(value, f"orientation_{value}") for value in ORIENTATIONS]
_OBSERVATION_COLUMNS = [(key, f"{key}_high", f"{key}_known") for key in OBSERVATIONS]
#: Many stages share an end date and a follow-up delay
_followup_date = lru_cache(maxsize=4096)(add_months)


def _stage_figures(stage, row, extras: dict, today: date) -> StageFigures:
    """Shape one stage's aggregates into the figures of impact.md.

    Runs once per stage (10 000 times for the across-stages exports), hence the plain dict
    literals: the SQL sums of a stage's rows are never NULL, only a stage without participants
    has no row at all (`_NO_PEOPLE`). Every sum is of integers (0/1 flags, scores), which both
    databases return as int.
    """
    c = _NO_PEOPLE if row is None else row
    enrolled = c["participants"]
    figures: dict = {"participants": enrolled, "femmes": c["femmes"], "hommes": c["hommes"],
                     "autres": c["autres"],
                     "age_min": age_on(c["youngest"], stage.start_date),
                     "age_max": age_on(c["oldest"], stage.start_date),
                     "moins_26": {"n": c["under_26"], "of": enrolled},
                     "qpv": {"n": c["qpv"], "of": enrolled},
                     "structures": extras["structures"].get(stage.id, 0)}
    slots = extras["slots"].get(stage.id)
    figures["lieux_culturels"] = slots.venues if slots else 0
    figures["professionnels"] = extras["professionals"].get(stage.id, 0)
    for key, column in (("sortie_culturelle", "went_out"), ("jusqu_au_bout", "last_day"),
                        ("jusqu_au_bout_satisfaits", "last_day_satisfied"),
                        ("isolement_rompu", "isolement"), ("experience_groupe", "experience")):
        figures[key] = {"n": c[column], "of": enrolled}
    figures["projet_plus_precis"] = {
        "n": c["projet"], "of": enrolled,
        "orientation": {value: c[column] for value, column in _ORIENTATION_COLUMNS}}
    objectives = figures["objectifs"] = {}
    sums = {}
    for key, total, high, known in _OBJECTIVE_COLUMNS:
        score, answered = c[total] or 0, c[known]
        sums[key] = score
        objectives[key] = {"moyenne": round(score / answered, 2) if answered else None,
                           "n": c[high] or 0, "of": answered}
    figures["bilans_recus"] = c["bilans"]
    notes: dict = {"sorties_proposees": slots.outings if slots else 0}
    followup_date = _followup_date(stage.end_date, stage.followup_months)
    if followup_date <= today:
        _followup_figures(figures, c, enrolled, extras["referents_b"].get(stage.id, (0, 0)))
        notes["par_l_equipe"] = c["by_team"]
    else:
        figures.update(dict.fromkeys(FOLLOWUP_KEYS, NOT_DUE))
        notes["suivi"] = followup_date
    if not (slots and slots.outings):
        notes["sans_sortie"] = True
    unknown = {"age": c["age_unknown"], "qpv": c["qpv_unknown"],
               "presence_dernier_jour": enrolled - c["last_day_known"],
               "bilans": enrolled - c["bilans"],
               "projet_plus_precis": enrolled - c["projet_known"],
               "isolement_rompu": enrolled - c["isolement_known"],
               "experience_groupe": enrolled - c["experience_known"],
               # "je ne sais pas" or no answer, among those observed (not lost from sight)
               **{key: c["observable"] - c[known] for key, _, known in _OBSERVATION_COLUMNS},
               } if row is not None else {}
    return StageFigures(stage.id, figures, unknown, notes, sums)



def _followup_figures(figures: dict, c: dict, enrolled: int, part_b: tuple[int, int]) -> None:
    """The follow-up's figures, once due: one part A per participant (the latest)."""
    answered = c["followups"]
    figures["suivi_reponses"] = {"n": answered, "of": enrolled}
    figures["suivi_situation"] = {value: c[column] for value, column in _SITUATION_COLUMNS}
    # Lost from sight stays in the denominator: it is an outcome, not a missing answer
    figures["sorties_positives"] = {"n": c["positive"], "of": answered}
    for key, high, known in _OBSERVATION_COLUMNS:
        figures[key] = {"n": c[high], "of": c[known]}
    figures["projet_realise"] = {"n": c["realise"], "of": c["realise_of"]}
    answers, ideas = part_b
    figures["referents_idees"] = {"n": ideas, "of": answers}


def _part_b_counts(stage_ids):
    """Per stage, the referents' submitted part B and how many say it gave them ideas ("nsp"
    stays in the denominator: impact.md counts over referents with a part B)."""
    return (
        select(Response.stage_id, func.count(),
               func.sum(_flag(_answer(Response, "nouvelles_methodes") == "oui")))
        .where(Response.stage_id.in_(stage_ids), Response.questionnaire == "suivi-referent",
               Response.participant_id.is_(None), Response.submitted_at.isnot(None))
        .group_by(Response.stage_id))


def stage_table(stage: Stage, today: date) -> StageFigures:
    """The impact table of one stage."""
    return compute(Selection(stage_id=stage.id), today)[stage.id]
