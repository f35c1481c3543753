"""The audit journal: newest first, paginated, filtered by person, action, stage and dates."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from questionnaires.privacy.audit import TARGET_LABELS
from questionnaires.extensions import db
from questionnaires.models import AUDIT_ACTIONS, AuditEvent, User
from questionnaires.admin.blueprint import bp
from questionnaires.admin.forms import JournalFilter

PER_PAGE = 50


def _whole_number(text: str | None, upper: int = 10**9) -> int | None:
    """A positive whole number from the query string, or None for anything else."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= upper else None


def _local_midnight(day) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))


def filtered(form: JournalFilter):
    """The select of events matching the valid filters (invalid ones are shown and ignored)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    user_id = _whole_number(form.utilisateur.data)
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    if form.action.data in AUDIT_ACTIONS:
        query = query.where(AuditEvent.action == form.action.data)
    if form.stage.data:
        stage_id = _whole_number(form.stage.data)
        if stage_id is None:
            form.stage.errors = list(form.stage.errors) + [
                "Numéro de stage invalide : un nombre entier, par exemple 12."]
        else:
            query = query.where(AuditEvent.stage_id == stage_id)
    if _day(form.du):
        query = query.where(AuditEvent.at >= _local_midnight(form.du.data))
    if _day(form.au):
        query = query.where(AuditEvent.at < _local_midnight(form.au.data + timedelta(days=1)))
    return query


def _day(field):
    """The field's date if it is usable (a year such as 0001 or 9999 is refused, not crashed)."""
    if not field.data or field.errors:
        return None
    if not 1900 <= field.data.year <= 2999:
        field.errors = list(field.errors) + ["Date hors limites : choisissez une année entre "
                                             "1900 et 2999."]
        return None
    return field.data


@bp.route("/journal")
def journal():
    """Who viewed, changed, exported, imported or purged what, and when."""
    form = JournalFilter(formdata=request.args)
    form.utilisateur.choices = [SelectChoice("", "Toutes")] + [
        SelectChoice(str(u.id), f"{u.name} ({u.email})")
        for u in db.session.scalars(select(User).order_by(User.name))]
    form.action.choices = [SelectChoice("", "Toutes")] + [
        SelectChoice(key, label) for key, label in AUDIT_ACTIONS.items()]
    form.validate()  # fills the date errors; the other filters are checked in `filtered`
    page = _whole_number(request.args.get("page"), upper=100_000) or 1
    events = db.paginate(filtered(form), page=page, per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and len(v) <= 100}
    return render_template("admin/journal.html", form=form, events=events, args=args,
                           actions=AUDIT_ACTIONS, targets=TARGET_LABELS)
