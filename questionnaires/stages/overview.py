"""Where each stage stands and what comes next: the team's stage list and a stage's first page.

Counts only, one grouped query per fact for any number of stages (the list shows them all):
bilans sent, attendance marked, the collective bilan, the PMSMP agreements, the follow-up (its
due date, the mails sent, the participants answered for). `next_step` says, from the date and
those counts, the one thing the team should look at now.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import distinct, func, select

from questionnaires.extensions import db
from questionnaires.followups.plan import FOLLOWED
from questionnaires.models import Attendance, FollowupInvitation, Participant, Response, Slot, Stage
from questionnaires.clock import add_months

INDIVIDUAL, COLLECTIVE, FOLLOWUP = "bilan-individuel", "bilan-collectif", "suivi-referent"
#: PMSMP states still waiting for the team (a signed or pointless agreement needs nothing)
PMSMP_OPEN = ("a_faire", "envoyee")


@dataclass
class Overview:
    """One stage's progress, as counts."""

    stage: Stage
    enrolled: int = 0
    slots: int = 0
    bilans_sent: int = 0
    #: Bilans whose answers a tablet holds but could not send (the bilans were locked)
    bilans_waiting: int = 0
    marks: int = 0
    #: "validé", "brouillon" or "à faire"
    collective: str = "à faire"
    pmsmp: dict = field(default_factory=dict)
    #: Participants a referent will be asked about, and those already answered for (part A)
    followed: int = 0
    answered: int = 0
    invitations: int = 0
    invitations_sent: int = 0

    @property
    def cells(self) -> int:
        """Attendance cells of the grid: every enrolled participant at every half-day."""
        return self.enrolled * self.slots

    @property
    def followup_due(self) -> date:
        """The day the referents' follow-up falls due (the mails leave that morning)."""
        return add_months(self.stage.end_date, self.stage.followup_months)

    @property
    def pmsmp_open(self) -> int:
        return sum(self.pmsmp.get(state, 0) for state in PMSMP_OPEN)


def overviews(stages: list[Stage]) -> dict[int, Overview]:
    """The overview of each stage, by id, with six queries whatever their number."""
    found = {stage.id: Overview(stage) for stage in stages}
    if not found:
        return found
    ids = list(found)
    enrolled = Participant.status != "desiste"
    for stage_id, n in _grouped(Participant.stage_id, func.count(Participant.id), ids, enrolled):
        found[stage_id].enrolled = n
    for stage_id, n in _grouped(Slot.stage_id, func.count(Slot.id), ids):
        found[stage_id].slots = n
    for stage_id, n in _grouped(Attendance.stage_id, func.count(), ids,
                                Attendance.participant.has(enrolled)):
        found[stage_id].marks = n
    for stage_id, state, n in db.session.execute(
            select(Participant.stage_id, Participant.pmsmp, func.count())
            .where(Participant.stage_id.in_(ids), enrolled)
            .group_by(Participant.stage_id, Participant.pmsmp)):
        found[stage_id].pmsmp[state] = n
    _responses(found, ids)
    _followups(found, ids)
    return found


def _grouped(key, value, ids, *conditions):
    return db.session.execute(select(key, value).where(key.in_(ids), *conditions).group_by(key))


def _responses(found: dict, ids: list[int]) -> None:
    """Bilans sent (and waiting on a tablet), the collective bilan, part A answered."""
    rows = db.session.execute(
        select(Response.stage_id, Response.questionnaire, Response.participant_id.isnot(None),
               func.count(Response.submitted_at), func.count(Response.waiting_on_tablet_since),
               func.count())
        .where(Response.stage_id.in_(ids))
        .group_by(Response.stage_id, Response.questionnaire, Response.participant_id.isnot(None)))
    for stage_id, questionnaire, _, sent, waiting, total in rows:
        overview = found[stage_id]
        if questionnaire == INDIVIDUAL:
            overview.bilans_sent, overview.bilans_waiting = sent, waiting
        elif questionnaire == COLLECTIVE:
            overview.collective = "validé" if sent else ("brouillon" if total else "à faire")
    # Part A: a participant answered by two referents (a handover) counts once.
    for stage_id, n in db.session.execute(
            select(Response.stage_id, func.count(distinct(Response.participant_id)))
            .where(Response.stage_id.in_(ids), Response.questionnaire == FOLLOWUP,
                   Response.participant_id.isnot(None), Response.submitted_at.isnot(None))
            .group_by(Response.stage_id)):
        found[stage_id].answered = n


def _followups(found: dict, ids: list[int]) -> None:
    """Participants with a referent to ask, and the invitations planned and sent."""
    for stage_id, n in _grouped(Participant.stage_id, func.count(Participant.id), ids,
                                Participant.referent_id.isnot(None),
                                Participant.status.in_(FOLLOWED),
                                Participant.anonymised_at.is_(None)):
        found[stage_id].followed = n
    for stage_id, total, sent in db.session.execute(
            select(FollowupInvitation.stage_id, func.count(),
                   func.count(FollowupInvitation.first_sent_at))
            .where(FollowupInvitation.stage_id.in_(ids))
            .group_by(FollowupInvitation.stage_id)):
        found[stage_id].invitations, found[stage_id].invitations_sent = total, sent


def next_step(overview: Overview, today: date) -> tuple[str, str]:
    """(what to do now, in French; the section it is in: programme, participants, attendance,
    bilans, collective, followups or None when nothing is left)."""
    stage = overview.stage
    if today < stage.start_date:
        if not overview.slots:
            return "Remplir le programme de la semaine.", "programme"
        if overview.enrolled < stage.capacity:
            return (f"Inscrire les participants : {overview.enrolled} sur {stage.capacity} "
                    "places.", "participants")
        return f"Le stage commence le {stage.start_date:%d/%m/%Y} : tout est prêt.", None
    if today <= stage.end_date:
        return (f"Noter les présences : {overview.marks} cases sur {overview.cells}.",
                "attendance")
    if overview.bilans_waiting:
        return (f"{overview.bilans_waiting} bilan(s) ont des réponses en attente sur une "
                "tablette : déverrouillez les bilans pour les recevoir.", "bilans")
    if overview.bilans_sent < overview.enrolled:
        return (f"Recevoir les bilans individuels : {overview.bilans_sent} sur "
                f"{overview.enrolled}.", "bilans")
    if overview.collective != "validé":
        return "Remplir et valider le bilan collectif.", "collective"
    if overview.pmsmp_open:
        return f"Suivre les conventions PMSMP : {overview.pmsmp_open} à faire ou à signer.", \
            "participants"
    if overview.followed and today < overview.followup_due:
        return (f"Suivi des référents prévu le {overview.followup_due:%d/%m/%Y}.", "followups")
    if overview.answered < overview.followed:
        return (f"Suivi des référents : réponses pour {overview.answered} personne(s) sur "
                f"{overview.followed}.", "followups")
    return "Tout est fait pour ce stage.", None

