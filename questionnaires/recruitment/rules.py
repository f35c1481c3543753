"""The candidates' rules: the proposal page open or closed, a proposal stored, one state change
at a time, and `retenu` making the participant with the referent who proposed them.

Plain functions given `now`/`today`; the caller commits.
"""
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from questionnaires.extensions import db
from questionnaires.models import (
    Candidate, Participant, RecruitmentPage, Referent, Stage, Structure,
)
from questionnaires.recruitment import mails
from questionnaires.stages.enrolment import capacity_message, enrolled_count

#: The one action the team may take from each state (recrutement.md: the order of the states;
#: a person may be refused or withdraw at any step before the end)
NEXT = {
    "propose": ("entretien", "non_retenu", "desiste"),
    "entretien": ("info_collective", "non_retenu", "desiste"),
    "info_collective": ("retenu", "non_retenu", "desiste"),
    "retenu": (),
    "non_retenu": (),
    "desiste": (),
}
#: The states that end a recruitment
FINAL = ("retenu", "non_retenu", "desiste")


def page_for(stage: Stage) -> RecruitmentPage:
    """The stage's proposal page settings, made with a new public key the first time."""
    page = db.session.get(RecruitmentPage, stage.id)
    if page is None:
        page = RecruitmentPage(stage_id=stage.id, token=secrets.token_urlsafe(24))
        db.session.add(page)
        db.session.flush()
    return page


def new_link(page: RecruitmentPage) -> None:
    """A new public key: the old link stops working (shared too widely, or spammed)."""
    page.token = secrets.token_urlsafe(24)


def find_page(token: str) -> RecruitmentPage | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(RecruitmentPage).where(RecruitmentPage.token == token))


def closed_because(page: RecruitmentPage, today: date) -> str | None:
    """Why the page takes no proposal today, in French; None when it is open."""
    stage = page.stage
    if page.closes_on is not None and today > page.closes_on:
        return (f"Les propositions pour ce stage sont closes depuis le "
                f"{page.closes_on:%d/%m/%Y}. Pour un autre stage, demandez le lien à l'équipe.")
    if today >= stage.start_date:
        return "Ce stage a déjà commencé : il ne prend plus de proposition."
    if enrolled_count(stage) >= stage.capacity:
        return ("Ce stage est complet : toutes les places sont prises. Merci ! L'équipe vous "
                "écrira pour le prochain stage.")
    if page.max_proposals is not None:
        taken = db.session.scalar(select(func.count(Candidate.id))
                                  .where(Candidate.stage_id == stage.id))
        if taken >= page.max_proposals:
            return ("L'équipe a reçu assez de propositions pour ce stage : la page est close. "
                    "Merci ! L'équipe vous écrira pour le prochain stage.")
    return None


def propose(page: RecruitmentPage, person: dict, now: datetime) -> Candidate:
    """Store a proposal the consent of which was ticked (the form checks it: without it,
    nothing reaches this function). `person` holds the Candidate's typed fields."""
    candidate = Candidate(stage_id=page.stage_id, state="propose", consent_at=now,
                          proposed_at=now, **person)
    db.session.add(candidate)
    db.session.flush()
    return candidate


@dataclass(frozen=True)
class Move:
    """A state change the team asked for: the new state, and what it carries."""

    to: str
    when: datetime | None = None
    reason: str | None = None


def move(candidate: Candidate, change: Move, now: datetime) -> str | None:
    """Apply one state change; a French message (and nothing changed) when it cannot be.

    `retenu` makes the participant; `retenu` and `non_retenu` plan the referent's mail."""
    if change.to not in NEXT.get(candidate.state, ()):
        return "Cette étape n'est plus possible : la page avait changé. Rechargez-la."
    if change.to in ("entretien", "info_collective") and change.when is None:
        return "Indiquez la date et l'heure."
    if change.to == "non_retenu" and not (change.reason or "").strip():
        return "Indiquez la raison, qui sera dite à la personne qui a proposé la candidature."
    if change.to == "retenu":
        message = capacity_message(candidate.stage)
        if message:
            return message
        retain(candidate)
    if change.to == "entretien":
        candidate.interview_at = change.when
    elif change.to == "info_collective":
        candidate.session_at = change.when
    elif change.to == "non_retenu":
        candidate.reason = change.reason.strip()
    candidate.state = change.to
    candidate.decided_at = now
    if change.to in ("retenu", "non_retenu"):
        mails.plan(f"recrutement_{change.to}", candidate, now, reason=candidate.reason or "")
    return None


def referent_for(name: str, email: str, structure_name: str) -> Referent:
    """The referent with this e-mail, else a new one in the structure of this name (found or
    made): the same e-mail is always the same referent."""
    email = email.strip().lower()
    referent = db.session.scalar(select(Referent).where(Referent.email == email))
    if referent is not None:
        return referent
    structure = db.session.scalar(select(Structure).where(
        func.lower(Structure.name) == structure_name.strip().lower()))
    if structure is None:
        structure = Structure(name=structure_name.strip())
        db.session.add(structure)
    referent = Referent(name=name.strip(), email=email, structure=structure)
    db.session.add(referent)
    db.session.flush()
    return referent


def retain(candidate: Candidate) -> Participant:
    """The participant the candidate becomes, followed by the referent who proposed them."""
    referent = referent_for(candidate.referent_name, candidate.referent_email,
                            candidate.structure_name)
    participant = Participant(
        stage_id=candidate.stage_id, first_name=candidate.first_name,
        last_name=candidate.last_name, birth_date=candidate.birth_date, city=candidate.city,
        phone=candidate.phone, email=candidate.email, qpv=candidate.qpv, referent=referent,
        status="inscrit", pmsmp="a_faire")
    db.session.add(participant)
    db.session.flush()
    candidate.participant_id, candidate.referent_id = participant.id, referent.id
    return participant


def by_state(stage: Stage) -> dict[str, list[Candidate]]:
    """The stage's candidates grouped by state, in the states' order, oldest first."""
    groups: dict[str, list[Candidate]] = {state: [] for state in NEXT}
    for candidate in db.session.scalars(select(Candidate).where(Candidate.stage_id == stage.id)
                                        .order_by(Candidate.proposed_at, Candidate.id)):
        groups[candidate.state].append(candidate)
    return groups
