"""PMSMP conventions of a stage (recruitment/conventions.py): the list with each one's status,
the printable page, the DOCX, and the status moved a_faire → envoyee → signee."""
from flask import Response, abort, current_app, flash, redirect, render_template, url_for

from questionnaires.extensions import db
from questionnaires.models import Participant
from questionnaires.recruitment import conventions
from questionnaires.recruitment.forms import NotesForm
from questionnaires.team.blueprint import bp
from questionnaires.team.lookup import in_stage_or_404, stage_or_404

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: What the button says for each move
MOVES = {"envoyee": "Marquer envoyée", "signee": "Marquer signée"}


def _participant(stage, participant_id: int) -> Participant:
    participant = in_stage_or_404(Participant, participant_id, stage)
    if not conventions.applies(participant):
        abort(404, description="Pas de convention PMSMP pour cette personne (désistée, ou "
                               "PMSMP « sans objet »).")
    return participant


@bp.route("/stages/<int:stage_id>/conventions")
def conventions_list(stage_id: int):
    stage = stage_or_404(stage_id)
    return render_template("recruitment/conventions.html", stage=stage,
                           people=conventions.of_stage(stage), next_status=conventions.NEXT_STATUS,
                           moves=MOVES)


@bp.route("/stages/<int:stage_id>/conventions/<int:participant_id>")
def convention_page(stage_id: int, participant_id: int):
    stage = stage_or_404(stage_id)
    participant = _participant(stage, participant_id)
    convention = conventions.convention_for(participant, conventions.host_from(current_app.config))
    return render_template("recruitment/convention.html", stage=stage, participant=participant,
                           convention=convention)


@bp.route("/stages/<int:stage_id>/conventions/<int:participant_id>.docx")
def convention_docx(stage_id: int, participant_id: int):
    stage = stage_or_404(stage_id)
    participant = _participant(stage, participant_id)
    convention = conventions.convention_for(participant, conventions.host_from(current_app.config))
    return Response(conventions.to_docx(convention), mimetype=DOCX, headers={
        "Content-Disposition": f'attachment; filename="{conventions.file_name(participant)}"'})


@bp.route("/stages/<int:stage_id>/conventions/<int:participant_id>/statut", methods=["POST"])
def convention_status(stage_id: int, participant_id: int):
    """The convention's next status (sent, then signed)."""
    stage = stage_or_404(stage_id)
    participant = _participant(stage, participant_id)
    if NotesForm().validate_on_submit():
        following = conventions.NEXT_STATUS.get(participant.pmsmp)
        if following is None:
            flash("La convention est déjà signée.", "error")
        else:
            participant.pmsmp = following
            db.session.commit()
            flash(f"Convention de {participant.display_name} : "
                  f"{'envoyée' if following == 'envoyee' else 'signée'}.", "success")
    return redirect(url_for("team.conventions_list", stage_id=stage.id))
