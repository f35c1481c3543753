"""The follow-up plan: what is due when, recomputed from the data (docs/followups.md).

Everything takes `now` (an aware datetime) so that tests and `flask followups send-due --now`
can move the clock. The plan is recomputed from the data at every pass (recent stages only) and
whenever the team opens a stage's follow-up page, so edits to a stage, a participant or a
referent re-plan what is not yet sent without hooks in the editing pages.
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from questionnaires.clock import add_months
from questionnaires.extensions import db
from questionnaires.followups.settings import Settings
from questionnaires.models import FollowupInvitation, FollowupMessage, Participant, Referent, Stage
from questionnaires.models.stage import FOLLOWUP_MONTHS_RANGE
from questionnaires.tokens import fresh_link

#: Participants whose referent is asked about them (not those who withdrew before the start)
FOLLOWED = ("inscrit", "abandon")
#: The longest follow-up delay a stage may have (its check constraint)
MAX_MONTHS = FOLLOWUP_MONTHS_RANGE[1]


# Dates ----------------------------------------------------------------------------------------

def at_hour(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """`day` at `hour` local time, in UTC (the offset of that very day, summer or winter)."""
    return datetime.combine(day, time(hour), tz).astimezone(timezone.utc)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar day of `moment` where the association is."""
    return moment.astimezone(tz).date()


def due_moment(end: date, months: int, hour: int, tz: ZoneInfo) -> datetime:
    """When a stage's follow-up is due: its last day + `months` (clamped to month end), at `hour`."""
    return at_hour(add_months(end, months), hour, tz)


def stage_due(stage: Stage, s: Settings) -> datetime:
    return due_moment(stage.end_date, stage.followup_months, s.hour, s.tz)


def reminder_moment(first_sent_at: datetime, days: int, s: Settings) -> datetime:
    """A reminder `days` after the first send, in the morning like the invitation."""
    return at_hour(local_day(first_sent_at, s.tz) + timedelta(days=days), s.hour, s.tz)


def link_expires_on(invitation: FollowupInvitation, s: Settings,
                    now: datetime | None = None) -> date | None:
    """Last day the link works: LINK_DAYS after the first send or the latest reopening.

    Before any send there is no deadline yet; `now` then gives the one the invitation will carry.
    """
    starts = [m for m in (invitation.first_sent_at, invitation.reopened_at) if m is not None]
    if not starts and now is None:
        return None
    return local_day(max(starts) if starts else now, s.tz) + timedelta(days=s.link_days)


def is_expired(invitation: FollowupInvitation, now: datetime, s: Settings) -> bool:
    expires = link_expires_on(invitation, s)
    return expires is not None and local_day(now, s.tz) > expires


def retry_delay(failures: int, s: Settings) -> timedelta:
    """Growing waits between attempts: base, ×4, ×16… capped at one day."""
    return min(s.retry_base * 4 ** (failures - 1), timedelta(days=1))


# Who is followed ------------------------------------------------------------------------------

def followed_by(stage_id: int, referent_id: int) -> list[Participant]:
    """The participants a referent answers about in a stage, read live from the data."""
    return db.session.scalars(_FOLLOWED_BY, {"stage_id": stage_id,
                                             "referent_id": referent_id}).all()


#: Built once: the referent's page reads it on every view
_FOLLOWED_BY = (
    select(Participant).where(Participant.stage_id == bindparam("stage_id"),
                              Participant.referent_id == bindparam("referent_id"),
                              Participant.status.in_(FOLLOWED),
                              # erased on request: no more questions about them
                              Participant.anonymised_at.is_(None))
    .order_by(Participant.first_name, Participant.id))


def _wanted(stage: Stage) -> set[int]:
    return set(db.session.scalars(
        select(Participant.referent_id).where(Participant.stage_id == stage.id,
                                              Participant.referent_id.isnot(None),
                                              Participant.status.in_(FOLLOWED),
                                              Participant.anonymised_at.is_(None))))


# The plan -------------------------------------------------------------------------------------

def plan_stage(stage: Stage, now: datetime, s: Settings | None = None) -> None:
    """Bring one stage's invitations in line with its data, then commit.

    Only what is not sent moves; a sent link whose email changed is remade and sent again. Two
    planners racing are harmless: unique constraints keep one invitation per referent, and the
    loser's work is rolled back for the next pass to redo.
    """
    s = s or Settings.current()
    due = stage_due(stage, s)
    wanted = _wanted(stage)
    # Referents read with their invitations: _follow_email compares each one's address.
    invitations = db.session.scalars(select(FollowupInvitation)
                                     .where(FollowupInvitation.stage_id == stage.id)
                                     .options(selectinload(FollowupInvitation.referent))).all()
    try:
        for invitation in invitations:
            if invitation.referent_id not in wanted:
                _withdraw(invitation)
            else:
                _follow_email(invitation, now)
                _move_due(invitation, due, now, s)
        missing = wanted - {i.referent_id for i in invitations}
        if missing:
            for referent in db.session.scalars(select(Referent).where(Referent.id.in_(missing))
                                               .order_by(Referent.id)):
                _create(stage, referent, due, now, s)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another pass planned the same thing at the same moment
    db.session.expire_all()


def _create(stage: Stage, referent: Referent, due: datetime, now: datetime, s: Settings) -> None:
    too_late = due < now - timedelta(days=s.overdue_days)
    invitation = FollowupInvitation(stage_id=stage.id, referent_id=referent.id,
                                    email=referent.email, due_at=due, too_late=too_late)
    invitation.messages.append(FollowupMessage(
        kind="invitation", sequence=0, due_at=due, state="held" if too_late else "planned",
        next_attempt_at=None if too_late else due))
    db.session.add(invitation)
    db.session.flush()


def _withdraw(invitation: FollowupInvitation) -> None:
    """The referent follows nobody in the stage any more: forget an invitation never sent."""
    if invitation.first_sent_at is not None:
        return  # its reminders see there is nobody left and cancel themselves
    busy = exists().where(FollowupMessage.invitation_id == invitation.id,
                          (FollowupMessage.claim_token.isnot(None))
                          | (FollowupMessage.state == "sent"))
    db.session.execute(delete(FollowupInvitation).where(
        FollowupInvitation.id == invitation.id, FollowupInvitation.first_sent_at.is_(None), ~busy))
    db.session.expunge(invitation)


def _follow_email(invitation: FollowupInvitation, now: datetime) -> None:
    """A new address for the referent: the old link dies; a link already sent goes again."""
    current = invitation.referent.email
    if invitation.email == current:
        return
    salt, token_hash = fresh_link("suivi")
    changed = db.session.execute(update(FollowupInvitation).where(
        FollowupInvitation.id == invitation.id, FollowupInvitation.email == invitation.email,
    ).values(email=current, link_salt=salt, token_hash=token_hash)).rowcount
    if changed == 1 and invitation.first_sent_at is not None:
        queue_resend(invitation, now)


def _move_due(invitation: FollowupInvitation, due: datetime, now: datetime, s: Settings) -> None:
    """The stage's dates or delay changed before the first send: move the invitation."""
    if invitation.first_sent_at is not None or invitation.due_at == due:
        return
    too_late = due < now - timedelta(days=s.overdue_days)
    db.session.execute(update(FollowupInvitation).where(FollowupInvitation.id == invitation.id)
                       .values(due_at=due, too_late=too_late))
    db.session.execute(update(FollowupMessage).where(
        FollowupMessage.invitation_id == invitation.id, FollowupMessage.kind == "invitation",
        FollowupMessage.state.in_(("planned", "held")), FollowupMessage.claim_token.is_(None),
    ).values(due_at=due, state="held" if too_late else "planned",
             next_attempt_at=None if too_late else due))


def queue_resend(invitation: FollowupInvitation, now: datetime) -> FollowupMessage:
    """A new "renvoi" of the link, due now (the next sequence number of its kind)."""
    last = db.session.scalar(select(func.max(FollowupMessage.sequence)).where(
        FollowupMessage.invitation_id == invitation.id, FollowupMessage.kind == "renvoi"))
    message = FollowupMessage(invitation_id=invitation.id, kind="renvoi",
                              sequence=(last or 0) + 1, due_at=now, next_attempt_at=now)
    db.session.add(message)
    db.session.flush()
    return message


def plan_recent(now: datetime, s: Settings | None = None) -> None:
    """Plan every stage whose follow-up may still be sent without the team (indexed on end_date)."""
    s = s or Settings.current()
    horizon = add_months(local_day(now, s.tz), -MAX_MONTHS) \
        - timedelta(days=max(s.overdue_days, s.link_days) + 1)
    for stage in db.session.scalars(select(Stage).where(Stage.end_date >= horizon)).all():
        plan_stage(stage, now, s)


def plan_reminders(invitation: FollowupInvitation, first_sent_at: datetime, s: Settings) -> None:
    """The reminders, once the first send is known (they are cancelled at send time if moot)."""
    for number, days in enumerate(sorted(set(s.reminder_days)), start=1):
        moment = reminder_moment(first_sent_at, days, s)
        db.session.add(FollowupMessage(invitation_id=invitation.id, kind="relance",
                                       sequence=number, due_at=moment, next_attempt_at=moment))
