""""Ma semaine": each participant's programme on a sheet to print, and all of them in one PDF."""
from pathlib import Path

from flask import Response, current_app, flash, redirect, render_template, request, url_for

from questionnaires import mail
from questionnaires.archive.tables import export_name
from questionnaires.stages.contacts import tel_link
from questionnaires.stages.week import days_of
from questionnaires.stages.week_pdf import FontMissing, week_pdf
from questionnaires.team.blueprint import bp
from questionnaires.team.lookup import stage_or_404

FORMATS = ("A4", "A5")


def _people(stage):
    """Who gets a sheet: those on the stage (not who withdrew or left); ?participant=ID: one."""
    people = [p for p in stage.participants if p.status == "inscrit"]
    wanted = request.args.get("participant", type=int)
    return [p for p in people if p.id == wanted] if wanted else people


def _format() -> str:
    chosen = request.args.get("format", "A4").upper()
    return chosen if chosen in FORMATS else "A4"


def team_contact() -> tuple[str | None, str]:
    """The team's phone (TEAM_PHONE, optional) and the address people may write to."""
    return current_app.config.get("TEAM_PHONE") or None, mail.reply_to()


def footer_text() -> str:
    phone, address = team_contact()
    call = f"appelez l'équipe au {phone} ou " if phone else ""
    return f"Un empêchement, un retard ? Prévenez-nous : {call}écrivez à {address}."


@bp.route("/stages/<int:stage_id>/ma-semaine")
def week_sheets(stage_id: int):
    """One sheet per participant to print: each half-day's place, address, time, pictogram."""
    stage = stage_or_404(stage_id)
    phone, address = team_contact()
    return render_template("team/week_sheets.html", stage=stage, people=_people(stage),
                           everyone=[p for p in stage.participants if p.status == "inscrit"],
                           days=days_of(stage), page_format=_format(), team_phone=phone,
                           team_phone_link=tel_link(phone), team_address=address,
                           one=request.args.get("participant", type=int))


@bp.route("/stages/<int:stage_id>/ma-semaine.pdf")
def week_pdf_download(stage_id: int):
    """The same sheets in one PDF file."""
    stage = stage_or_404(stage_id)
    page_format = _format()
    try:
        data = week_pdf(stage, _people(stage), days_of(stage), page_format,
                        Path(current_app.config["PDF_FONT_DIR"]), footer_text())
    except FontMissing as error:
        current_app.logger.error("Ma semaine PDF: %s", error)
        flash(f"Le PDF n'a pas pu être fait ({error}). Imprimez cette page à la place : "
              "menu du navigateur, « Imprimer », puis « Enregistrer au format PDF ».", "error")
        return redirect(url_for("team.week_sheets", stage_id=stage.id, format=page_format))
    name = export_name(stage, f"ma-semaine-{page_format.lower()}", "pdf")
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
