"""Referents in the week (recruitment/guests.py): the programme with who comes to each slot,
the form inviting a participant's referent, the suggested referents."""
from flask import current_app, flash, redirect, render_template, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from questionnaires import clock
from questionnaires.extensions import db
from questionnaires.models import Participant, Referent
from questionnaires.models.values import PERIODS
from questionnaires.recruitment import guests
from questionnaires.recruitment.forms import GuestForm
from questionnaires.team.blueprint import bp
from questionnaires.team.lookup import stage_or_404


def _form(stage) -> tuple[GuestForm, list[Referent]]:
    suggested = guests.suggested(stage)
    followers = db.session.scalars(select(Referent).join(Participant, Participant.referent_id == Referent.id)
                                   .where(Participant.stage_id == stage.id).distinct()).all()
    form = GuestForm()
    known = {r.id for r in followers}
    form.referent_id.choices = [(0, "— Choisir —")] + [
        (r.id, f"{r.name} — {r.structure.name}") for r in sorted(followers, key=lambda r: r.name)
    ] + [(r.id, f"{r.name} — {r.structure.name} (suggéré·e)") for r in suggested
         if r.id not in known]
    form.slot_ids.choices = [SelectChoice(s.id, f"{clock.french_day(s.date)}, "
                                          f"{PERIODS[s.period].lower()} : {s.title}")
                             for s in stage.slots]
    return form, suggested


@bp.route("/stages/<int:stage_id>/referents-semaine", methods=["GET", "POST"])
def week_guests(stage_id: int):
    stage = stage_or_404(stage_id)
    form, suggested = _form(stage)
    if form.validate_on_submit():
        referent = db.session.get(Referent, form.referent_id.data)
        slots = [s for s in stage.slots if s.id in set(form.slot_ids.data)]
        # The link is built on PUBLIC_URL, as every personal link (the team may work on an
        # internal host name the referent cannot reach)
        public = current_app.config["PUBLIC_URL"].rstrip("/")
        made = guests.invite(stage, referent, slots, clock.utcnow(), lambda token: public + url_for(
            "invitation.answer", token=token))
        db.session.commit()
        flash(f"{made} invitation(s) envoyée(s) à {referent.name}." if made else
              f"{referent.name} était déjà invité·e à ces moments : rien de plus n'est envoyé.",
              "success")
        return redirect(url_for("team.week_guests", stage_id=stage.id))
    return render_template("recruitment/week_guests.html", stage=stage, form=form,
                           suggested=suggested, guests=guests.by_slot(stage), periods=PERIODS), (
        422 if form.errors else 200)
