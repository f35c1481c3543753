"""Candidates of a stage (recruitment/): the list by state, one action per state change, the
notes, and the public proposal page's settings and link."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, url_for
from sqlalchemy import select

from questionnaires import clock
from questionnaires.extensions import db
from questionnaires.models import CANDIDATE_STATES, Candidate, Venue
from questionnaires.recruitment import invitations, rules
from questionnaires.recruitment.forms import MoveForm, NotesForm, PageSettingsForm
from questionnaires.team.blueprint import bp
from questionnaires.team.lookup import in_stage_or_404, stage_or_404

#: What each action's button says
ACTIONS = {"entretien": "Fixer l'entretien individuel",
           "info_collective": "Inviter à l'information collective",
           "retenu": "Retenir (inscrire au stage)", "non_retenu": "Ne pas retenir",
           "desiste": "Désistement"}


def to_utc(local: datetime | None) -> datetime | None:
    """A date-time typed in the association's time zone, as stored (UTC)."""
    if local is None:
        return None
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return local.replace(tzinfo=zone).astimezone(timezone.utc)


def to_local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).replace(tzinfo=None)


def _settings_form(page) -> PageSettingsForm:
    form = PageSettingsForm(obj=page)
    venues = db.session.scalars(select(Venue).order_by(Venue.name)).all()
    form.session_venue_id.choices = [(0, "— Pas encore choisi —")] + [(v.id, str(v)) for v in venues]
    return form


@bp.route("/stages/<int:stage_id>/candidats")
def candidates(stage_id: int):
    """The candidates by state, each with the actions its state allows."""
    stage = stage_or_404(stage_id)
    page = rules.page_for(stage)
    db.session.commit()
    form = _settings_form(page)
    form.session_at.data = to_local(page.session_at)
    form.session_venue_id.data = page.session_venue_id or 0
    return render_template(
        "recruitment/candidates.html", stage=stage, page=page, form=form,
        groups=rules.by_state(stage), states=CANDIDATE_STATES, next_steps=rules.NEXT,
        actions=ACTIONS, move_form=MoveForm(), notes_form=NotesForm(),
        closed=rules.closed_because(page, clock.today()),
        link=url_for("proposition.page", page_key=page.token, _external=True))


@bp.route("/stages/<int:stage_id>/candidats/reglages", methods=["POST"])
def recruitment_settings(stage_id: int):
    stage = stage_or_404(stage_id)
    page = rules.page_for(stage)
    form = _settings_form(page)
    if form.validate_on_submit():
        page.closes_on, page.max_proposals = form.closes_on.data, form.max_proposals.data
        page.session_at = to_utc(form.session_at.data)
        page.session_venue_id = form.session_venue_id.data or None
        page.session_bring = (form.session_bring.data or "").strip() or None
        db.session.commit()
        flash("Réglages enregistrés.", "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return redirect(url_for("team.candidates", stage_id=stage.id))


@bp.route("/stages/<int:stage_id>/candidats/nouveau-lien", methods=["POST"])
def recruitment_new_link(stage_id: int):
    stage = stage_or_404(stage_id)
    if NotesForm().validate_on_submit():
        rules.new_link(rules.page_for(stage))
        db.session.commit()
        flash("Nouveau lien créé : l'ancien ne fonctionne plus. Envoyez le nouveau à votre "
              "réseau.", "success")
    return redirect(url_for("team.candidates", stage_id=stage.id))


@bp.route("/stages/<int:stage_id>/candidats/<int:candidate_id>/<step>", methods=["POST"])
def candidate_move(stage_id: int, candidate_id: int, step: str):
    """One state change (the step is the new state)."""
    stage = stage_or_404(stage_id)
    candidate = in_stage_or_404(Candidate, candidate_id, stage)
    if step not in ACTIONS:
        abort(404, description="Cette étape n'existe pas.")
    form = MoveForm()
    back = redirect(url_for("team.candidates", stage_id=stage.id, _anchor=f"c{candidate.id}"))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return back
    if candidate.anonymised_at is not None:
        flash("Cette candidature a été effacée : elle ne peut plus changer.", "error")
        return back
    change = rules.Move(step, to_utc(form.when.data), form.reason.data)
    problem = rules.move(candidate, change, clock.utcnow())
    if problem:
        db.session.rollback()
        flash(problem, "error")
        return back
    db.session.commit()
    flash(f"{candidate.display_name} : {CANDIDATE_STATES[step].lower()}."
          + (" Le ou la référent·e reçoit un e-mail." if step in ("retenu", "non_retenu") else ""),
          "success")
    return back


@bp.route("/stages/<int:stage_id>/candidats/<int:candidate_id>/notes", methods=["POST"])
def candidate_notes(stage_id: int, candidate_id: int):
    stage = stage_or_404(stage_id)
    candidate = in_stage_or_404(Candidate, candidate_id, stage)
    form = NotesForm()
    if form.validate_on_submit() and candidate.anonymised_at is None:
        candidate.notes = (form.notes.data or "").strip() or None
        db.session.commit()
        flash("Notes enregistrées.", "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return redirect(url_for("team.candidates", stage_id=stage.id, _anchor=f"c{candidate.id}"))


@bp.route("/stages/<int:stage_id>/candidats/information-collective")
def info_session_list(stage_id: int):
    """The printable list of the people invited to the information session."""
    stage = stage_or_404(stage_id)
    page = rules.page_for(stage)
    db.session.commit()
    return render_template("recruitment/info_session.html", stage=stage, page=page,
                           people=rules.by_state(stage)["info_collective"],
                           invite_form=NotesForm())


@bp.route("/stages/<int:stage_id>/candidats/information-collective", methods=["POST"])
def info_session_invite(stage_id: int):
    """A mail to the referent of each person invited to the session (once per person)."""
    stage = stage_or_404(stage_id)
    back = redirect(url_for("team.info_session_list", stage_id=stage.id))
    if not NotesForm().validate_on_submit():
        flash("Le formulaire a expiré : rechargez la page et recommencez.", "error")
        return back
    count, problem = invitations.invite_all(rules.page_for(stage), clock.utcnow())
    if problem:
        flash(problem, "error")
        return back
    db.session.commit()
    flash(f"Invitations prévues : {count} e-mail(s) aux référent·e·s, envoyés dans les "
          "prochaines minutes (voir la boîte d'envoi).", "success")
    return back
