"""The one-time keys of the team's forms: a form that sends or changes something acts once."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from questionnaires.extensions import db
from questionnaires.models.types import UTCDateTime


class FormUse(db.Model):
    """A form's one-time key, stored when the form first acts (web/once.py).

    A double click, or the same page posted again, brings the same key: the primary key makes
    the second one fail, also when both arrive at the same moment in two processes.
    """

    #: The random key the page put in the form (secrets.token_urlsafe)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: When it was used; keys older than a week are deleted (no page stays open that long)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
