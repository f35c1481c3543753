"""Team page: import participants from a spreadsheet, with a preview before writing."""
import base64
import binascii

from flask import flash, redirect, render_template, request, url_for

from questionnaires import clock
from questionnaires.extensions import db
from questionnaires.stages.participant_import import apply_import, plan_import
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ConfirmForm, UploadForm
from questionnaires.team.lookup import stage_or_404


@bp.route("/stages/<int:stage_id>/import", methods=["GET", "POST"])
def participants_import(stage_id: int):
    """Upload a CSV or XLSX file: show what would be created, or every error by line."""
    stage = stage_or_404(stage_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        plan = plan_import(stage, data, upload.filename or "", clock.today())
        return render_template(
            "team/import_preview.html", stage=stage, plan=plan, filename=upload.filename,
            payload=base64.b64encode(data).decode("ascii"), form=ConfirmForm(),
        )
    return render_template("team/import_upload.html", stage=stage, form=form)


@bp.route("/stages/<int:stage_id>/import/confirmer", methods=["POST"])
def participants_import_confirm(stage_id: int):
    """Write the previewed file, after checking it again against the current data."""
    stage = stage_or_404(stage_id)
    if not ConfirmForm().validate_on_submit():
        flash("Le formulaire a expiré. Envoyez le fichier à nouveau.", "error")
        return redirect(url_for("team.participants_import", stage_id=stage.id))
    try:
        data = base64.b64decode(request.form.get("payload", ""), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    plan = plan_import(stage, data, request.form.get("filename", ""), clock.today())
    if not plan.ok:
        flash("Le fichier n'est plus valide (les données ont changé entre-temps). "
              "Rien n'a été importé ; voici les erreurs.", "error")
        return render_template("team/import_preview.html", stage=stage, plan=plan,
                               filename=request.form.get("filename", ""), payload="",
                               form=ConfirmForm())
    created = apply_import(stage, plan)
    db.session.commit()
    flash(f"{len(created)} participant·e·s importé·e·s.", "success")
    return redirect(url_for("team.participants", stage_id=stage.id))
