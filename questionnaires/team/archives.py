"""Team pages: download a stage's archive, import one as a new stage."""
from flask import Response, flash, redirect, render_template, url_for

from questionnaires.archive.stage import ArchiveError, dumps, export_stage, import_archive, loads
from questionnaires.extensions import db
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import UploadForm
from questionnaires.team.lookup import stage_or_404


@bp.route("/stages/<int:stage_id>/archive.json")
def archive_download(stage_id: int):
    """The stage's archive as a .json download."""
    stage = stage_or_404(stage_id)
    filename = f"stage-{stage.id}-{stage.start_date.isoformat()}.json"
    return Response(
        dumps(export_stage(stage)), mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/stages/importer", methods=["GET", "POST"])
def archive_upload():
    """Import a stage archive as a new stage; every error is listed, nothing half-written."""
    form = UploadForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            stage = import_archive(loads(form.file.data.read()))
            db.session.commit()
        except ArchiveError as error:
            db.session.rollback()
            errors = error.errors
        else:
            flash(f"Stage « {stage.title} » importé.", "success")
            return redirect(url_for("team.stage", stage_id=stage.id))
    return render_template("team/archive_upload.html", form=form, errors=errors)
