"""Team page: import participants from a spreadsheet, with a preview before writing."""
from flask import flash, redirect, render_template, request, url_for

from questionnaires import clock
from questionnaires.extensions import db
from questionnaires.stages.participant_import import (
    ImportPlan, apply_import, keep_preview, plan_import, plan_rows, take_preview,
)
from questionnaires.stages.participant_rows import LineError
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
        # The file is read here only: its rows are kept for the confirmation (issue 14).
        preview = keep_preview(stage, upload.filename, plan, clock.utcnow()) if plan.ok else ""
        db.session.commit()
        return render_template(
            "team/import_preview.html", stage=stage, plan=plan, filename=upload.filename,
            preview=preview, form=ConfirmForm(),
        )
    return render_template("team/import_upload.html", stage=stage, form=form)


@bp.route("/stages/<int:stage_id>/import/confirmer", methods=["POST"])
def participants_import_confirm(stage_id: int):
    """Write the rows kept at preview, after checking them again against the current data
    (the file is not read again)."""
    stage = stage_or_404(stage_id)
    if not ConfirmForm().validate_on_submit():
        flash("Le formulaire a expiré. Envoyez le fichier à nouveau.", "error")
        return redirect(url_for("team.participants_import", stage_id=stage.id))
    kept = take_preview(stage, request.form.get("apercu", ""), clock.utcnow())
    if kept is None:
        plan = ImportPlan(errors=[LineError(None, (
            "Cet aperçu n'est plus disponible (déjà importé, plus de deux heures, ou d'un autre "
            "stage). Envoyez le fichier à nouveau."))])
        filename = ""
    else:
        filename, sheet = kept
        plan = plan_rows(stage, sheet)
    if not plan.ok:
        db.session.commit()  # a preview that no longer fits is used up: the file is sent again
        flash("Le fichier n'est plus valide (les données ont changé entre-temps). "
              "Rien n'a été importé ; voici les erreurs.", "error")
        return render_template("team/import_preview.html", stage=stage, plan=plan,
                               filename=filename, preview="", form=ConfirmForm())
    created = apply_import(stage, plan)
    db.session.commit()
    flash(f"{len(created)} participant·e·s importé·e·s.", "success")
    return redirect(url_for("team.participants", stage_id=stage.id))
