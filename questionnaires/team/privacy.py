"""Team pages (admins only): a participant's data, downloaded or anonymised on request."""
from flask import Response, flash, redirect, render_template, url_for

from questionnaires.auth.access import admin_required
from questionnaires.archive.stage import dumps, export_participant
from questionnaires.extensions import db
from questionnaires.models import Participant
from questionnaires.clock import utcnow
from questionnaires.privacy.anonymise import anonymise_participant
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ErasureForm
from questionnaires.team.lookup import in_stage_or_404, stage_or_404


@bp.route("/stages/<int:stage_id>/participants/<int:participant_id>/donnees.json")
@admin_required
def participant_data(stage_id: int, participant_id: int):
    """The participant's extract of the stage archive, to hand them on request (RGPD)."""
    stage = stage_or_404(stage_id)
    participant = in_stage_or_404(Participant, participant_id, stage)
    filename = f"donnees-participant-{participant.id}-stage-{stage.id}.json"
    return Response(
        dumps(export_participant(participant)), mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/stages/<int:stage_id>/participants/<int:participant_id>/anonymiser",
          methods=["GET", "POST"])
@admin_required
def participant_erase(stage_id: int, participant_id: int):
    """Anonymise a participant on request, after the first name is typed to confirm."""
    stage = stage_or_404(stage_id)
    participant = in_stage_or_404(Participant, participant_id, stage)
    back = url_for("team.participant_edit", stage_id=stage.id, participant_id=participant.id)
    if participant.anonymised_at is not None:
        flash("Cette personne est déjà anonymisée : il n'y a plus rien à effacer.", "info")
        return redirect(back)
    form = ErasureForm(participant.first_name)
    if form.validate_on_submit():
        anonymise_participant(participant, utcnow())
        db.session.commit()
        flash("Les données personnelles ont été effacées. La personne reste comptée, sans nom, "
              "dans le bilan chiffré du stage.", "success")
        return redirect(back)
    return render_template("team/participant_erase.html", stage=stage, participant=participant,
                           form=form)
