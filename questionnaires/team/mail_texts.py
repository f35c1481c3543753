"""Team pages: the mails' texts per theme and per stage, with their preview (followups/mail_texts.py)."""
from datetime import timedelta

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from questionnaires import clock
from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.followups import mail_texts
from questionnaires.followups.messages import render, values
from questionnaires.models import Stage
from questionnaires.models.mail_text import MAX_BODY, MAX_SUBJECT
from questionnaires.privacy.audit import record
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ConfirmForm
from questionnaires.team.lookup import stage_or_404
from questionnaires.web.headers import allow_inline_styles

#: Example people of the preview (no one's real name is needed to judge a text)
EXAMPLE_REFERENT, EXAMPLE_NAMES = "Nadia Exemple", ["Alex", "Sam"]


def _themes() -> list[str]:
    return db.session.scalars(select(Stage.theme).distinct().order_by(Stage.theme)).all()


def _kind_or_404(kind: str) -> mail_texts.MailKind:
    found = mail_texts.KINDS.get(kind)
    if found is None:
        abort(404, description="Ce texte d'e-mail n'existe pas.")
    return found


def _theme_stage_or_404(theme: str) -> Stage:
    """The theme's latest stage: its values fill the theme's preview."""
    stage = db.session.scalar(select(Stage).where(Stage.theme == theme)
                              .order_by(Stage.start_date.desc(), Stage.id.desc()).limit(1))
    if stage is None:
        abort(404, description=f"Aucun stage n'a le thème « {theme} ».")
    return stage


def preview(kind_key: str, stage: Stage, subject: str, body: str) -> dict:
    """The mail as a referent of `stage` would get it, with example people and link."""
    link = current_app.config["PUBLIC_URL"].rstrip("/") + "/suivi/exemple-de-lien"
    deadline = clock.today() + timedelta(days=current_app.config["FOLLOWUP_LINK_DAYS"])
    filled = values(stage, EXAMPLE_REFERENT, EXAMPLE_NAMES, link, deadline)
    examples = mail_texts.KINDS[kind_key].examples  # another capability's mails (recruitment)
    if examples:
        filled = {**examples, "stage": stage.title, "association": filled["association"]}
    email = render(kind_key, "referente@example.org", subject, body, filled)
    return {"subject": email.subject, "text": email.text, "html": email.html}


@bp.route("/textes-des-mails")
def mail_texts_page():
    """Every theme and the wording each of its mails uses."""
    rows = [(theme, [(key, kind, mail_texts.wording(key, theme=theme).source)
                     for key, kind in mail_texts.KINDS.items()]) for theme in _themes()]
    return render_template("team/mail_texts.html", rows=rows, sources=mail_texts.SOURCES)


def _edit(kind_key: str, stage: Stage, *, theme: str | None, stage_id: int | None, back: str):
    """The edit page of one text for a theme or a stage: check, preview, save, reset."""
    kind = _kind_or_404(kind_key)
    current = mail_texts.wording(kind_key, stage if stage_id else None, theme=theme)
    form = ConfirmForm()
    subject, body, errors, shown = current.subject, current.body, {}, None
    scope = f"du stage « {stage.title} »" if stage_id else f"du thème « {theme} »"
    if request.method == "POST":
        action = request.form.get("action", "")
        subject = mail_texts.clean(request.form.get("subject"))
        body = mail_texts.clean(request.form.get("body"))
        if not form.validate():
            errors["_form"] = "Le formulaire a expiré. Rechargez la page et recommencez."
        elif action == "retablir":
            if mail_texts.reset(kind_key, theme=theme, stage_id=stage_id):
                record("changed", target_type="mail_text", target_id=kind_key, stage_id=stage_id,
                       detail=f"Texte « {kind.label} » {scope} : retour au texte précédent")
                db.session.commit()
            flash(f"« {kind.label} » {scope} : le texte du niveau au-dessus s'applique de nouveau.",
                  "success")
            return redirect(request.path)
        else:
            errors = mail_texts.problems(kind_key, subject, body)
            if not errors and action == "enregistrer":
                mail_texts.save(kind_key, subject, body, current_user.id, utcnow(),
                                theme=theme, stage_id=stage_id)
                record("changed", target_type="mail_text", target_id=kind_key, stage_id=stage_id,
                       detail=f"Texte « {kind.label} » {scope} enregistré")
                db.session.commit()
                flash(f"Texte « {kind.label} » {scope} enregistré.", "success")
                return redirect(back)
    if not errors:
        shown = preview(kind_key, stage, subject, body)
    allow_inline_styles()  # the mail's own inline styles, in a sandboxed iframe
    return render_template(
        "team/mail_text_form.html", kind=kind, kind_key=kind_key, stage=stage if stage_id else None,
        theme=theme, scope=scope, subject=subject, body=body, errors=errors, preview=shown,
        source=current.source, sources=mail_texts.SOURCES, form=form, back=back,
        max_subject=MAX_SUBJECT, max_body=MAX_BODY,
        preview_url=url_for("team.mail_text_preview", kind=kind_key,
                            stage_id=stage.id)), 422 if errors else 200


@bp.route("/textes-des-mails/<theme>/<kind>", methods=["GET", "POST"])
def mail_text_theme(theme: str, kind: str):
    """One text for every stage of a theme (a stage's own text still wins)."""
    stage = _theme_stage_or_404(theme)
    return _edit(kind, stage, theme=theme, stage_id=None, back=url_for("team.mail_texts_page"))


@bp.route("/stages/<int:stage_id>/suivi/textes/<kind>", methods=["GET", "POST"])
def mail_text_stage(stage_id: int, kind: str):
    """One text for this stage only."""
    stage = stage_or_404(stage_id)
    return _edit(kind, stage, theme=None, stage_id=stage.id,
                 back=url_for("team.followups", stage_id=stage.id, _anchor="textes"))


@bp.route("/stages/<int:stage_id>/suivi/apercu/<kind>", methods=["POST"])
def mail_text_preview(stage_id: int, kind: str):
    """The live preview: the posted subject and body checked and rendered with the values of
    `stage_id` (for a theme, its latest stage), as JSON."""
    _kind_or_404(kind)
    stage = stage_or_404(stage_id)
    if not ConfirmForm().validate():
        return jsonify(errors={"_form": "Le formulaire a expiré : rechargez la page."}), 400
    subject = mail_texts.clean(request.form.get("subject"))
    body = mail_texts.clean(request.form.get("body"))
    errors = mail_texts.problems(kind, subject, body)
    if errors:
        return jsonify(errors=errors)
    return jsonify(errors={}, **preview(kind, stage, subject, body))
