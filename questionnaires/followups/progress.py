"""Where each referent's follow-up stands: their link, and one card per participant they follow.

Part A is one response per participant the referent follows in the stage (one "card" each);
part B one response per referent and stage. The participants are read live from the data, so
the page always shows who this referent follows now, and nobody else.
"""
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from questionnaires.engine.definitions import Definition, get_definition
from questionnaires.extensions import db
from questionnaires.followups.plan import followed_by
from questionnaires.models import FollowupHandover, FollowupInvitation, Participant, Response
from questionnaires import tokens

QUESTIONNAIRE = "suivi-referent"
PURPOSE = "suivi"
LOST = "perdu_de_vue"


#: Where a follow-up link opens (the referent blueprint's page; a test checks it)
LINK_PATH = "/suivi/{token}"


def link_token(invitation: FollowupInvitation) -> str:
    """The token of the referent's personal link."""
    return tokens.make_token(PURPOSE, invitation.link_salt)


def link_url(invitation: FollowupInvitation, public_url: str) -> str:
    """The referent's personal link on the service's public address (PUBLIC_URL): a dispatch
    pass runs outside any request, so the address comes from the configuration."""
    return public_url.rstrip("/") + LINK_PATH.format(token=link_token(invitation))


def definition() -> Definition:
    return get_definition(QUESTIONNAIRE)


# Cards ----------------------------------------------------------------------------------------

@dataclass
class Card:
    """One participant on the referent's page, with their part A and the quick answers."""

    participant: Participant
    response: Response | None
    handed_over: bool

    @property
    def submitted(self) -> bool:
        return self.response is not None and self.response.submitted_at is not None

    @property
    def done(self) -> bool:
        return self.submitted or self.handed_over

    @property
    def status(self) -> str:
        """"envoyé", "perdu de vue", "plus son référent", "en cours" or "pas commencé"."""
        if self.handed_over:
            return "plus son référent"
        if self.submitted:
            return "perdu de vue" if self.response.answers.get("situation") == LOST else "envoyé"
        return "en cours" if self.response is not None and self.response.answers else "pas commencé"


_RESPONSES = select(Response).where(
    Response.stage_id == bindparam("stage_id"), Response.referent_id == bindparam("referent_id"),
    Response.questionnaire == QUESTIONNAIRE)


def responses_by_participant(invitation: FollowupInvitation) -> dict:
    rows = db.session.scalars(_RESPONSES, {"stage_id": invitation.stage_id,
                                           "referent_id": invitation.referent_id})
    return {r.participant_id: r for r in rows}


def cards(invitation: FollowupInvitation, responses: dict | None = None) -> list[Card]:
    """The referent's participants in this stage, each with their part A.

    `responses` is what responses_by_participant gives, when the caller has read it already.
    """
    responses = responses_by_participant(invitation) if responses is None else responses
    handed = _handed_over(invitation)
    return [Card(p, responses.get(p.id), p.id in handed)
            for p in followed_by(invitation.stage_id, invitation.referent_id)]


#: Who the referent said they no longer follow: ids only (the page needs no handover object)
_HANDED = select(FollowupHandover.participant_id).where(
    FollowupHandover.invitation_id == bindparam("invitation_id"))


def _handed_over(invitation: FollowupInvitation) -> set[int]:
    """Ids handed over. A plain Core read unless this request loaded (maybe changed) the list:
    the ORM's lazy load of the collection was ~10 % of the referent page's CPU."""
    if "handovers" in invitation.__dict__:
        return {h.participant_id for h in invitation.handovers}
    db.session.flush()  # what the lazy load would have autoflushed
    return set(db.session.connection().execute(_HANDED, {"invitation_id": invitation.id})
               .scalars())


def cards_and_part_b(invitation: FollowupInvitation) -> tuple[list[Card], Response | None]:
    """What the referent's page shows, with the responses read once for both."""
    responses = responses_by_participant(invitation)
    return cards(invitation, responses), responses.get(None)


def part_b(invitation: FollowupInvitation) -> Response | None:
    return responses_by_participant(invitation).get(None)


def all_part_a_done(invitation: FollowupInvitation) -> bool:
    """Whether nothing is left to ask about any participant (reminders stop then)."""
    return all(card.done for card in cards(invitation))
