"""Rules about who may be enrolled in a stage."""
from sqlalchemy import func, select

from questionnaires.extensions import db
from questionnaires.models import Participant, Stage


def enrolled_count(stage: Stage, excluding: Participant | None = None) -> int:
    """Participants counting against capacity (those who withdrew before the start do not)."""
    query = select(func.count(Participant.id)).where(
        Participant.stage_id == stage.id, Participant.status != "desiste"
    )
    if excluding is not None and excluding.id is not None:
        query = query.where(Participant.id != excluding.id)
    return db.session.scalar(query)


def capacity_message(stage: Stage, adding: int = 1, excluding: Participant | None = None) -> str | None:
    """A French message if enrolling `adding` more people would exceed capacity, else None."""
    taken = enrolled_count(stage, excluding)
    if taken + adding <= stage.capacity:
        return None
    left = max(stage.capacity - taken, 0)
    return (
        f"Le stage est complet : {taken} inscrit·e·s pour {stage.capacity} places "
        f"(places restantes : {left}). Augmentez le nombre de places du stage, ou passez "
        "un·e participant·e en « désisté·e » pour libérer une place."
    )
