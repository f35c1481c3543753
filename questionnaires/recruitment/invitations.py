"""The information session's invitations: one mail to the referent of each person invited
(state `info_collective`), with the date, the place and what to bring. Planned under one key
per person, so inviting twice sends once (a changed date before the send updates the mail)."""
from datetime import datetime

from questionnaires.models import RecruitmentPage
from questionnaires.recruitment import mails
from questionnaires.recruitment.rules import by_state

NOTHING = "rien de particulier"


def place_of(page: RecruitmentPage) -> str:
    venue = page.session_venue
    if venue is None:
        return ""
    return ", ".join(part for part in (venue.name, venue.address, venue.city) if part)


def invite_all(page: RecruitmentPage, now: datetime) -> tuple[int, str | None]:
    """Plan the invitations; (how many, None) or (0, why not, in French). The caller commits."""
    if page.session_at is None or page.session_venue is None:
        return 0, ("Indiquez d'abord la date, l'heure et le lieu de l'information collective "
                   "dans les réglages de la page Candidatures.")
    people = by_state(page.stage)["info_collective"]
    if not people:
        return 0, "Personne n'est invité·e à l'information collective pour l'instant."
    for candidate in people:
        when = candidate.session_at or page.session_at
        mails.plan("recrutement_info", candidate, now, when=mails.moment_text(when),
                   place=place_of(page), bring=page.session_bring or NOTHING)
    return len(people), None
