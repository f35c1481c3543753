"""Everything a template can use, registered in one place: filters, globals, context processors.

A context processor runs for every template rendered, so only cheap, per-request values go
there (the privacy contact, read from the configuration). Constants are globals. What costs a
query (the mail alarm) is a function that the team's base template calls on the pages that show
its banner.
"""
from flask import Flask, request

from questionnaires.clock import today, utcnow
from questionnaires.engine.pictograms import SPEAKER, slot_kind
from questionnaires.engine.render import render_question
from questionnaires.followups.status import send_alarm
from questionnaires.impact.figures import FOLLOWUP_KEYS
from questionnaires.impact.labels import (
    CAUTION_NOTE, FIGURES, OBJECTIVE_LABELS, ORIENTATION_LABELS, SITUATION_LABELS, UNKNOWN_KEYS,
    has_caution, labels_for, ratio_parts,
)
from questionnaires.impact.people import CONDITIONS
from questionnaires.models import values
from questionnaires.privacy.notice import privacy_settings
from questionnaires.stages.contacts import tel_link
from questionnaires.web.accessibility import accessibility_status
from questionnaires.web.filters import (
    day_header, hours, label, local_datetime, long_date, short_date,
)

FILTERS = (long_date, short_date, day_header, local_datetime, label, hours, tel_link)


def mail_alarm() -> dict | None:
    """The red banner of the team pages (mails that cannot leave); None elsewhere."""
    if request.blueprint != "team":
        return None
    return send_alarm(utcnow())


def register(app: Flask) -> None:
    """Attach the filters, globals and context processors to the app's templates."""
    for function in FILTERS:
        app.add_template_filter(function)
    app.jinja_env.globals.update(
        values=values, render_question=render_question, mail_alarm=mail_alarm,
        slot_picto=slot_kind, local_today=today,
        figure_labels=FIGURES, linkable=CONDITIONS, unknown_keys=UNKNOWN_KEYS,
        objective_labels=OBJECTIVE_LABELS, orientation_labels=ORIENTATION_LABELS,
        situation_labels=SITUATION_LABELS, labels_for=labels_for, ratio_parts=ratio_parts,
        has_caution=has_caution, caution_note=CAUTION_NOTE, followup_keys=FOLLOWUP_KEYS,
        accessibility_status=accessibility_status, speaker=SPEAKER,
    )
    app.context_processor(privacy_settings)
