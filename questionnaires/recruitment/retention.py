"""The candidates' retention (docs/privacy.md): a `non_retenu` or `desiste` candidate's
personal data are erased CANDIDATE_RETENTION_MONTHS after the stage's last day; every other
candidate with the stage's participants, RETENTION_YEARS after it. The row stays (the state
and the structure count in the recruitment's history); the caller commits."""
from datetime import date, datetime

from sqlalchemy import and_, delete, func, or_, select

from questionnaires.clock import add_months
from questionnaires.extensions import db
from questionnaires.models import Candidate, ScheduledMail, Stage
from questionnaires.recruitment.mails import MAIL_KINDS

NOT_KEPT = ("non_retenu", "desiste")
ERASED_NAME = "Candidat·e effacé·e"


def candidates_to_erase(today: date, cutoff: date, months: int) -> list[Candidate]:
    """Candidates not yet erased whose time is up: refused or withdrawn `months` after the
    stage, any of them once the stage ended before `cutoff`."""
    refused_until = add_months(today, -months)
    return db.session.scalars(
        select(Candidate).join(Stage, Stage.id == Candidate.stage_id)
        .where(Candidate.anonymised_at.is_(None),
               or_(Stage.end_date < cutoff,
                   and_(Candidate.state.in_(NOT_KEPT), Stage.end_date < refused_until)))
        .order_by(Candidate.id)).all()


def erase_candidate(candidate: Candidate, now: datetime) -> None:
    """Names, contacts, birth date and free texts gone; state, QPV and structure kept."""
    candidate.first_name, candidate.last_name = ERASED_NAME, None
    candidate.referent_name = "Référent·e effacé·e"
    candidate.referent_email = f"efface-{candidate.id}@anonyme.invalid"
    candidate.birth_date = candidate.city = candidate.phone = candidate.email = None
    candidate.motivation = candidate.notes = None
    if candidate.reason is not None:
        candidate.reason = "(effacé)"
    candidate.anonymised_at = now
    # Their mails hold the names too: gone with their outbox copies and delivery log lines
    # (both cascade from the scheduled mail).
    keys = [f"{kind}:{candidate.id}" for kind in MAIL_KINDS]
    db.session.execute(delete(ScheduledMail).where(ScheduledMail.dedupe_key.in_(keys)))


def forget_referent(referent_id: int, old_email: str | None, now: datetime) -> None:
    """A referent erased (privacy/anonymise.py): the candidates they proposed lose their
    name and address, and every mail waiting or kept for them goes with its outbox copy
    (a slot invitation holds their name and its link)."""
    address = (old_email or "").lower()
    candidates = db.session.scalars(select(Candidate).where(or_(
        Candidate.referent_id == referent_id,
        Candidate.referent_email == address if address else False))).all()
    for candidate in candidates:
        candidate.referent_name = "Référent·e effacé·e"
        candidate.referent_email = f"efface-{candidate.id}@anonyme.invalid"
    if address:
        db.session.execute(delete(ScheduledMail).where(
            func.lower(ScheduledMail.to_address) == address).execution_options(synchronize_session=False))
