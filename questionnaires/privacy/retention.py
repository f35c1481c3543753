"""Data protection: anonymise a participant or a referent, and the retention purge.

Anonymising keeps every row and every coded fact the impact table reads (gender, QPV, status,
attendance, coded answers, the referent and hence the structure) and removes what identifies
a person: names, town, e-mail, free texts, the personal link. The birth date is replaced by a
synthetic one that gives the same age at the stage's first day, so age figures do not move.
Nothing here commits: the caller does, once per request or per purge.

Each action is one function (`anonymise_participant`, `anonymise_referent`, `purge_expired`)
so that the audit log can record it in one place.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from questionnaires.clock import add_months
from questionnaires.extensions import db
from questionnaires.privacy import audit
from questionnaires.privacy.anonymise import (
    anonymise_participant, anonymise_referent, erase_candidate_registered,
)
from questionnaires.recruitment.retention import candidates_to_erase
from questionnaires.models import (
    Candidate,
    FollowupInvitation,
    Participant,
    Referent,
    Response,
    Stage,
)


# Retention ------------------------------------------------------------------------------------

@dataclass
class PurgeReport:
    """What a retention pass anonymised (or would, with dry_run)."""

    cutoff: date
    participants: list[Participant] = field(default_factory=list)
    referents: list[Referent] = field(default_factory=list)
    #: Recruitment candidates erased (recruitment/retention.py)
    candidates: list[Candidate] = field(default_factory=list)


def retention_cutoff(now: datetime, years: int) -> date:
    """Stages that ended before this day are past the retention period."""
    today = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    return add_months(today, -12 * years)


def _referents_to_anonymise(expired, kept):
    """Referents tied to an expired stage and to no stage still kept.

    Ties: following a participant, answering a follow-up or helping with a bilan, or an
    invitation. A referent tied to nothing (just added to the directory) is left alone.
    """
    def tied(stages):
        # NULLs left out: one NULL in a NOT IN list makes it match nothing.
        ties = [(Participant.referent_id, Participant.stage_id),
                (Response.referent_id, Response.stage_id),
                (Response.assisted_by_id, Response.stage_id),
                (FollowupInvitation.referent_id, FollowupInvitation.stage_id)]
        return db.union(*(select(referent).where(stage.in_(stages), referent.isnot(None))
                          for referent, stage in ties))

    return db.session.scalars(
        select(Referent).where(Referent.anonymised_at.is_(None),
                               Referent.id.in_(tied(expired)),
                               Referent.id.not_in(tied(kept)))
        .order_by(Referent.id)).all()


def check_retention_years(years) -> int:
    """RETENTION_YEARS as a number of years, refused below 1.

    A 0 (a typo, an empty variable) would make the next pass anonymise every finished stage,
    which nothing can undo: the app refuses to start with it.
    """
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise ValueError(f"RETENTION_YEARS doit être un nombre entier d'années, au moins 1 "
                         f"(valeur lue : {years!r}). Rien n'a été anonymisé.")
    return years


def purge_expired(now: datetime, dry_run: bool = False) -> PurgeReport:
    """Anonymise everyone whose stage ended more than RETENTION_YEARS ago (idempotent)."""
    years = check_retention_years(current_app.config["RETENTION_YEARS"])
    report = PurgeReport(retention_cutoff(now, years))
    expired = select(Stage.id).where(Stage.end_date < report.cutoff)
    kept = select(Stage.id).where(Stage.end_date >= report.cutoff)
    report.participants = db.session.scalars(
        select(Participant).where(Participant.stage_id.in_(expired),
                                  Participant.anonymised_at.is_(None))
        .order_by(Participant.id)).all()
    report.referents = _referents_to_anonymise(expired, kept)
    today = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    report.candidates = candidates_to_erase(
        today, report.cutoff, current_app.config["CANDIDATE_RETENTION_MONTHS"])
    if not dry_run:
        for candidate in report.candidates:
            erase_candidate_registered(candidate, now)
        for participant in report.participants:
            anonymise_participant(participant, now)
        for referent in report.referents:
            anonymise_referent(referent, now)
    return report


def record_purge(report: PurgeReport, how: str) -> None:
    """The audit event of a retention pass that anonymised someone (the caller commits)."""
    if report.participants or report.referents or report.candidates:
        audit.record("purged", target_type="participant",
                     detail=f"{how} : durée de conservation dépassée (stages finis avant le "
                            f"{report.cutoff:%d/%m/%Y}) : {len(report.participants)} "
                            f"participant·es, {len(report.referents)} référent·es anonymisé·es"
                            + (f", {len(report.candidates)} candidatures effacées"
                               if report.candidates else ""))
