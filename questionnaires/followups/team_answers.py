"""Follow-up answers the team records itself, and the participants nobody will be asked about.

The seed: "L'équipe … tente de garder un lien avec les participants après le stage … par des
appels téléphoniques pour avoir des nouvelles". When no referent will answer (none, or one
without a usable e-mail), the team records the news as a part A without referent, dated the
day of the news. It counts like a referent's answer: the latest part A of a participant wins
(impact/figures.py), whoever gave it.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import and_, case, exists, select

from questionnaires.engine.answers import validate_answers
from questionnaires.engine.definitions import get_definition
from questionnaires.extensions import db
from questionnaires.followups.plan import FOLLOWED
from questionnaires.followups.progress import LOST, QUESTIONNAIRE
from questionnaires.followups.settings import Settings
from questionnaires.stages.variants import stage_definition, stage_version
from questionnaires.models import (
    FollowupInvitation, FollowupMessage, Participant, Referent, Response, Stage, User,
)

#: What the team can still tell about someone lost from sight (as for a referent)
KEPT_WHEN_LOST = ("nouvelles", "situation", "commentaire")
#: Hour of the day a team answer is dated at, local time (the day matters, not the hour)
NEWS_HOUR = 12

#: Why nobody will be asked, and what the team can do about it
REASONS = {
    "sans_referent": "Pas de référent·e : indiquez-en un·e, ou enregistrez des nouvelles.",
    "sans_email": "Son ou sa référent·e n'a plus d'adresse e-mail (anonymisé·e) : "
                  "enregistrez des nouvelles.",
    "echec": "L'e-mail au ou à la référent·e n'a pas pu partir : corrigez son adresse, "
             "ou enregistrez des nouvelles.",
}


@dataclass
class Unreachable:
    participant: Participant
    #: A key of REASONS
    reason: str
    #: The team's own answer, if one was recorded
    answer: Response | None = None


def unreachable(stage: Stage) -> list[Unreachable]:
    """Followed participants of `stage` about whom no referent will be asked (one select)."""
    failed = exists().where(
        FollowupMessage.invitation_id == FollowupInvitation.id,
        FollowupMessage.state == "failed", FollowupMessage.kind != "relance")
    reason = case(
        (Participant.referent_id.is_(None), "sans_referent"),
        (Referent.anonymised_at.isnot(None), "sans_email"),
        (and_(FollowupInvitation.id.isnot(None), FollowupInvitation.first_sent_at.is_(None),
              failed), "echec"),
        else_=None)
    team = db.aliased(Response)
    rows = db.session.execute(
        select(Participant, reason.label("reason"), team)
        .outerjoin(Referent, Referent.id == Participant.referent_id)
        .outerjoin(FollowupInvitation, and_(FollowupInvitation.stage_id == Participant.stage_id,
                                            FollowupInvitation.referent_id == Referent.id))
        .outerjoin(team, and_(team.participant_id == Participant.id,
                              team.questionnaire == QUESTIONNAIRE, team.referent_id.is_(None)))
        .where(Participant.stage_id == stage.id, Participant.status.in_(FOLLOWED),
               Participant.anonymised_at.is_(None))
        .order_by(Participant.first_name, Participant.id)).all()
    return [Unreachable(person, why, answer) for person, why, answer in rows if why]


def team_answer(participant: Participant) -> Response | None:
    """The team's part A about `participant`, if any (at most one: uq_response_suivi_equipe)."""
    return db.session.scalar(select(Response).where(
        Response.participant_id == participant.id, Response.questionnaire == QUESTIONNAIRE,
        Response.referent_id.is_(None)))


def questions(response: Response | None, stage_id: int | None = None) -> list:
    """Part A questions, in the version the team's answer was given in (else the stage's)."""
    version = response.version if response else \
        stage_version(stage_id, QUESTIONNAIRE) if stage_id is not None else None
    return get_definition(QUESTIONNAIRE, version).section_questions("participant")


def news_moment(day: date, s: Settings | None = None) -> datetime:
    """The moment a team answer is dated at: the day of the news, at noon local time, in UTC."""
    s = s or Settings.current()
    return datetime.combine(day, time(NEWS_HOUR), s.tz).astimezone(timezone.utc)


def local_day(moment: datetime) -> date:
    """The day of the news a team answer is dated at (its local calendar day)."""
    return moment.astimezone(Settings.current().tz).date()


def check_day(stage: Stage, day: date | None, now: datetime) -> str | None:
    """Why `day` cannot be the day of the news (None if it can): from the stage's last day
    to today, where the association is."""
    today = now.astimezone(Settings.current().tz).date()
    if day is None:
        return "Indiquez la date des nouvelles."
    if day < stage.end_date:
        return f"La date doit être le dernier jour du stage ({stage.end_date:%d/%m/%Y}) ou après."
    if day > today:
        return "La date des nouvelles ne peut pas être dans le futur."
    return None


def record(stage: Stage, participant: Participant, raw: dict, day: date | None, user: User | None,
           now: datetime) -> tuple[Response | None, dict]:
    """Record (or correct) the team's part A about `participant`; returns (response, errors).

    Complete answers only, as a referent's sent card: someone lost from sight needs only the
    situation. With any error nothing is stored. The caller commits.
    """
    if participant.stage_id != stage.id or participant.status not in FOLLOWED \
            or participant.anonymised_at is not None:
        return None, {"_form": "Cette personne n'est pas suivie dans ce stage."}
    response = team_answer(participant)
    asked = questions(response, stage.id)
    answers, errors = validate_answers(asked, raw, complete=True)
    if answers.get("situation") == LOST:
        answers = {k: v for k, v in answers.items() if k in KEPT_WHEN_LOST}
        errors = {k: v for k, v in errors.items() if k in ("situation", "_form")}
    errors.pop("_form", None)
    problem = check_day(stage, day, now)
    if problem:
        errors["date"] = problem
    if errors:
        return response, errors
    if response is None:
        definition = stage_definition(stage.id, QUESTIONNAIRE)
        response = Response(stage_id=stage.id, participant_id=participant.id, referent_id=None,
                            questionnaire=QUESTIONNAIRE, version=definition.version)
        db.session.add(response)
    response.answers = {k: v for k, v in answers.items() if v is not None}
    response.submitted_at = news_moment(day)
    response.recorded_by_id = user.id if user is not None else None
    return response, {}
