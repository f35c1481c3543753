"""Team pages: the stage report (printable page, DOCX) and the team's texts in it."""
from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaires import clock
from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.impact.labels import FIGURES, OBJECTIVE_LABELS
from questionnaires.impact.report import texts as team_texts
from questionnaires.impact.report.document import TEXT_LABELS
from questionnaires.impact.report.render import blocks_of, docx_bytes, file_name
from questionnaires.models.report import MAX_TEXT, TEXT_KEYS
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ConfirmForm
from questionnaires.team.lookup import stage_or_404

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def section_label(key: str) -> str:
    """What the edit page calls a section."""
    if key.startswith("chiffre."):
        return f"Bilan chiffré — {FIGURES[key.split('.', 1)[1]][0]} (complément)"
    if key.startswith("objectif."):
        return f"Objectif — {OBJECTIVE_LABELS[key.split('.', 1)[1]]} (appréciation)"
    return TEXT_LABELS[key]


@bp.route("/stages/<int:stage_id>/rapport")
def report(stage_id: int):
    """The report for funders, as the team hands it out: print it or save it as PDF."""
    stage = stage_or_404(stage_id)
    today = clock.today()
    return render_template("team/report.html", stage=stage, today=today,
                           blocks=blocks_of(stage, today))


@bp.route("/stages/<int:stage_id>/rapport.docx")
def report_docx(stage_id: int):
    """The same report as a DOCX the team can still edit."""
    stage = stage_or_404(stage_id)
    return Response(docx_bytes(stage, clock.today()), mimetype=DOCX, headers={
        "Content-Disposition": f'attachment; filename="{file_name(stage, "docx")}"'})


@bp.route("/stages/<int:stage_id>/rapport/textes", methods=["GET", "POST"])
def report_texts(stage_id: int):
    """The team's sections of the report and its funders, one text box each."""
    stage = stage_or_404(stage_id)
    form = ConfirmForm()
    stored = team_texts.texts_of(stage)
    funders = team_texts.funders_of(stage)
    values = {key: text.body for key, text in stored.items()}
    funders_value = team_texts.funders_text(funders)
    errors: dict = {}
    if request.method == "POST":
        values = {key: request.form[key] for key in TEXT_KEYS if key in request.form}
        funders_value = request.form.get("funders", "")
        if not form.validate():
            errors["_form"] = "Le formulaire a expiré : rechargez la page et recommencez."
        else:
            stamps = {key: request.form.get(f"stamp-{key}", "") for key in TEXT_KEYS}
            parsed, problem = team_texts.parse_funders(funders_value)
            if "funders" not in request.form:
                parsed = [(f.name, f.kind) for f in funders]
            errors = team_texts.save_texts(stage, values, stamps, current_user, utcnow())
            if problem:
                errors["funders"] = problem
            if not errors:
                team_texts.save_funders(stage, parsed)
                db.session.commit()
                flash("Textes du rapport enregistrés.", "success")
                return redirect(url_for("team.report", stage_id=stage.id))
            db.session.rollback()
        values = {**{key: text.body for key, text in stored.items()}, **values}
    sections = [(key, section_label(key)) for key in TEXT_KEYS]
    return render_template("team/report_texts.html", stage=stage, form=form, sections=sections,
                           values=values, stored=stored, stamp=team_texts.stamp, errors=errors,
                           funders=funders_value, max_text=MAX_TEXT,
                           previous=team_texts.previous_stage(stage))


@bp.route("/stages/<int:stage_id>/rapport/textes/reprendre", methods=["POST"])
def report_texts_copy(stage_id: int):
    """Fill the empty sections from the previous stage of the same theme."""
    stage = stage_or_404(stage_id)
    if not ConfirmForm().validate_on_submit():
        flash("Le formulaire a expiré : rechargez la page et recommencez.", "error")
    else:
        source = team_texts.copy_previous(stage, utcnow())
        db.session.commit()
        flash(f"Textes vides repris de « {source.title} » : relisez-les." if source else
              "Aucun stage précédent du même thème : rien à reprendre.",
              "success" if source else "info")
    return redirect(url_for("team.report_texts", stage_id=stage.id))
