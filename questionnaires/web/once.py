"""Forms that act once: a double click on "Envoyer maintenant" must not send two mails.

Every ConfirmForm carries a random one-time key (`OnceForm`). A view that sends or changes
something calls `repeated(form)` first: the key is stored and committed before the action, so
a second post of the same page (a double click, two processes at once) finds it and does
nothing. A post without a key (not from our pages) is still judged by the CSRF token and the
state checks of each action.
"""
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from questionnaires.extensions import db
from questionnaires.models import FormUse
from questionnaires.web.forms import FrenchForm

#: How long a key is remembered: longer than any page stays open before it is used
KEPT = timedelta(days=7)
#: What the team reads after a second press
REPEATED = ("Cette action a déjà été faite (double clic ou page envoyée deux fois) : "
            "rien n'a été refait. Rechargez la page pour voir où elle en est.")


def _new_key() -> str:
    return secrets.token_urlsafe(16)


class OnceForm(FrenchForm):
    """A form with a one-time key (rendered by hidden_tag())."""

    once = HiddenField(default=_new_key)


def repeated(form, now: datetime) -> bool:
    """Whether this form's key was used already; else record it (committed) and say False."""
    key = form.once.data if hasattr(form, "once") else None
    if not isinstance(key, str) or not key.strip():
        return False
    db.session.execute(delete(FormUse).where(FormUse.used_at < now - KEPT))
    db.session.add(FormUse(key=key.strip()[:64], used_at=now))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return True
    return False
