"""Team pages for a stage's bilans: status, read-only answers, links sheet, lock, collective bilan."""

import segno
from flask import flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from questionnaires import clock
from questionnaires.participant import bilan
from questionnaires.stages.variants import stage_definition
from questionnaires.engine.answers import read_answers, redisplayed
from questionnaires.extensions import db
from questionnaires.models import Participant, Referent, Response
from questionnaires.clock import utcnow
from questionnaires.stages import collective as collective_bilan
from questionnaires.stages.programme import activity_choices
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ConfirmForm
from questionnaires.team.lookup import in_stage_or_404, stage_or_404


def _responses_by_participant(stage) -> dict:
    rows = db.session.scalars(select(Response).where(
        Response.stage_id == stage.id, Response.questionnaire == bilan.QUESTIONNAIRE)
        .options(selectinload(Response.assisted_by)))
    return {r.participant_id: r for r in rows}


@bp.route("/stages/<int:stage_id>/bilans")
def bilans(stage_id: int):
    """Each participant's bilan status, the lock and the collective bilan."""
    stage = stage_or_404(stage_id)
    responses = _responses_by_participant(stage)
    rows = [(p, responses.get(p.id), bilan.status(responses.get(p.id))) for p in stage.enrolled]
    return render_template("team/bilans.html", stage=stage, rows=rows,
                           collective=collective_bilan.response_of(stage),
                           form=ConfirmForm())


@bp.route("/stages/<int:stage_id>/bilans/verrou", methods=["POST"])
def bilans_lock(stage_id: int):
    """Lock (or unlock) the stage's individual bilans."""
    stage = stage_or_404(stage_id)
    if ConfirmForm().validate_on_submit():
        stage.bilans_locked_at = None if stage.bilans_locked_at else utcnow()
        db.session.commit()
        flash("Bilans verrouillés : les participant·e·s ne peuvent plus les modifier."
              if stage.bilans_locked_at else "Bilans déverrouillés : ils peuvent de nouveau être corrigés.",
              "success")
    return redirect(url_for("team.bilans", stage_id=stage.id))


@bp.route("/stages/<int:stage_id>/bilans/<int:participant_id>")
def bilan_view(stage_id: int, participant_id: int):
    """One participant's bilan, read-only, with the questions' own labels."""
    stage = stage_or_404(stage_id)
    participant = in_stage_or_404(Participant, participant_id, stage)
    response = bilan.response_of(participant)
    definition = bilan.definition_of(response) if response else \
        stage_definition(stage.id, bilan.QUESTIONNAIRE)
    referents = db.session.scalars(select(Referent).order_by(Referent.name)).all()
    return render_template(
        "team/bilan_view.html", stage=stage, participant=participant, response=response,
        definition=definition, slots={k: label for k, label in activity_choices(stage)},
        status=bilan.status(response), form=ConfirmForm(), referents=referents,
        expires=bilan.link_expires_on(participant, bilan.link_days()), link=_link(participant),
    )


@bp.route("/stages/<int:stage_id>/bilans/<int:participant_id>/aide", methods=["POST"])
def bilan_assisted(stage_id: int, participant_id: int):
    """Set who helped the participant fill in their bilan."""
    stage = stage_or_404(stage_id)
    participant = in_stage_or_404(Participant, participant_id, stage)
    if ConfirmForm().validate_on_submit():
        referent_id = request.form.get("referent_id", type=int)
        referent = db.session.get(Referent, referent_id) if referent_id else None
        response = bilan.draft_for(participant)
        response.assisted_by = referent
        db.session.commit()
        flash("Aide enregistrée." if referent else "Aide retirée.", "success")
    return redirect(url_for("team.bilan_view", stage_id=stage.id, participant_id=participant.id))


@bp.route("/stages/<int:stage_id>/bilans/<int:participant_id>/nouveau-lien", methods=["POST"])
def bilan_new_link(stage_id: int, participant_id: int):
    """Make a new personal link; the old one stops working at once."""
    stage = stage_or_404(stage_id)
    participant = in_stage_or_404(Participant, participant_id, stage)
    if ConfirmForm().validate_on_submit():
        bilan.renew_link(participant)
        db.session.commit()
        flash(f"Nouveau lien créé pour {participant.first_name}. L'ancien ne fonctionne plus : "
              "imprimez la nouvelle fiche.", "success")
    if request.form.get("retour") == "fiche":
        return redirect(url_for("team.bilan_links", stage_id=stage.id))
    return redirect(url_for("team.bilan_view", stage_id=stage.id, participant_id=participant.id))


def _link(participant) -> str:
    return url_for("participant.open_link", token=bilan.link_token(participant), _external=True)


@bp.route("/stages/<int:stage_id>/liens")
def bilan_links(stage_id: int):
    """Printable sheet: one personal link and QR code (SVG, made here) per participant."""
    stage = stage_or_404(stage_id)
    cards = []
    for participant in stage.enrolled:
        link = _link(participant)
        svg = segno.make(link, error="m").svg_inline(scale=4, dark="#1d2433", omitsize=True)
        expires = bilan.link_expires_on(participant, bilan.link_days())
        cards.append((participant, link, Markup(svg), expires))
    return render_template("team/bilan_links.html", stage=stage, cards=cards, today=clock.today())


@bp.route("/stages/<int:stage_id>/bilan-collectif", methods=["GET", "POST"])
def collective(stage_id: int):
    """The collective bilan, filled by the team at the end-of-stage group session."""
    stage = stage_or_404(stage_id)
    response = collective_bilan.response_of(stage)
    definition = collective_bilan.definition_of(response, stage)
    questions, choices = definition.section_questions(), activity_choices(stage)
    form = ConfirmForm()  # the CSRF token only: the questions are written by render_question
    displayed, errors = (response.answers if response else {}), {}
    if request.method == "POST":
        raw = read_answers(questions, request.form)
        displayed = redisplayed(displayed, raw)
        if form.validate():
            final = request.form.get("action") == "valider"
            response, errors = collective_bilan.save(stage, response, raw,
                                                     [key for key, _ in choices], final=final,
                                                     now=utcnow())
            if not errors:
                db.session.commit()
                flash("Bilan collectif validé." if final else "Brouillon enregistré.", "success")
                return redirect(url_for("team.bilans", stage_id=stage.id))
    # Shown again after a post only when it was refused (an error, or an expired page).
    return render_template("team/collective.html", stage=stage, form=form, definition=definition,
                           questions=questions, displayed=displayed,
                           errors=errors, activities=choices, refused=request.method == "POST")
