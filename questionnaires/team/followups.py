"""Team pages for the referents' follow-up: the plan of a stage, its actions, the outbox."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from questionnaires.followups import mail_texts
from questionnaires.followups.actions import after_email_change, resend, send_now
from questionnaires.followups.messages import outbox_copy
from questionnaires import mail
from questionnaires.extensions import db
from questionnaires.web.headers import allow_inline_styles
from questionnaires.followups.status import stage_summaries
from questionnaires.followups.plan import plan_stage
from questionnaires.followups.team_answers import REASONS, unreachable
from questionnaires.web.forms import FrenchForm
from questionnaires.web.once import REPEATED, repeated
from questionnaires.models import (
    FollowupInvitation,
    MailAttempt,
    OutboxMail,
    Referent,
    ScheduledMail,
)
from questionnaires.models.mailing import SCHEDULED_KINDS, SCHEDULED_STATES
from questionnaires.clock import utcnow
from questionnaires.team.blueprint import bp
from questionnaires.team.forms import ConfirmForm
from questionnaires.team.lookup import object_or_404, stage_or_404


#: The actions of a follow-up's row (each form acts once: web/once.py)
ACTIONS = ("envoyer", "renvoyer", "relances", "rouvrir")


class EmailForm(FrenchForm):
    email = EmailField("Nouvelle adresse e-mail", validators=[
        DataRequired("Indiquez l'adresse e-mail."), Length(max=254),
        Email("Adresse e-mail invalide (exemple : nom@structure.fr).", check_deliverability=False)])


@bp.route("/stages/<int:stage_id>/suivi")
def followups(stage_id: int):
    """The stage's follow-up plan, recomputed from the data first."""
    stage = stage_or_404(stage_id)
    now = utcnow()
    plan_stage(stage, now)
    return render_template("team/followups.html", stage=stage, rows=stage_summaries(stage.id, now),
                           form=ConfirmForm(), now=now, outbox=mail.uses_outbox(),
                           unreachable=unreachable(stage), unreachable_reasons=REASONS,
                           mail_texts=[(key, kind, mail_texts.wording(key, stage).source)
                                       for key, kind in mail_texts.KINDS.items()],
                           mail_text_sources=mail_texts.SOURCES)


def _invitation(stage_id: int, invitation_id: int) -> FollowupInvitation:
    stage = stage_or_404(stage_id)
    invitation = object_or_404(FollowupInvitation, invitation_id, "Ce suivi")
    if invitation.stage_id != stage.id:
        abort(404, description=f"Ce suivi n'existe pas dans le stage « {stage.title} ».")
    return invitation


def _back(invitation: FollowupInvitation):
    return redirect(url_for("team.followups", stage_id=invitation.stage_id,
                            _anchor=f"suivi-{invitation.id}"))


def _report(outcome, who: str) -> None:
    if outcome is None:
        flash("Cet e-mail est déjà en cours d'envoi : rechargez la page dans un instant.", "info")
    elif outcome.result == "sent":
        where = " (dans la boîte d'envoi)" if outcome.detail == "outbox" else ""
        flash(f"E-mail envoyé à {who} ({outcome.to}){where}.", "success")
    elif outcome.result == "cancelled":
        flash(f"E-mail non envoyé : {outcome.detail}", "warning")
    else:
        flash(f"L'e-mail n'a pas pu partir : {outcome.detail} Un nouvel essai est prévu.", "error")


@bp.route("/stages/<int:stage_id>/suivi/<int:invitation_id>/<action>", methods=["POST"])
def followup_action(stage_id: int, invitation_id: int, action: str):
    """"envoyer", "renvoyer", "relances" (pause or resume) and "rouvrir"."""
    invitation = _invitation(stage_id, invitation_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("Le formulaire a expiré : rechargez la page et recommencez.", "error")
        return _back(invitation)
    now, name = utcnow(), invitation.referent.name
    if action in ACTIONS and repeated(form, now):
        flash(REPEATED, "info")
        return _back(invitation)
    if action == "envoyer":
        _report(send_now(invitation, now), name)
    elif action == "renvoyer":
        _report(resend(invitation, now), name)
    elif action == "relances":
        paused = invitation.reminders_paused_at is None
        invitation.reminders_paused_at = now if paused else None
        db.session.commit()
        flash(f"Relances suspendues pour {name}." if paused
              else f"Relances reprises pour {name} (celles qui restent à venir).", "success")
    elif action == "rouvrir":
        invitation.reopened_at = now
        db.session.commit()
        days = current_app.config["FOLLOWUP_LINK_DAYS"]
        flash(f"Lien de {name} rouvert pour {days} jours. Prévenez-le ou utilisez « Renvoyer ».",
              "success")
    else:
        abort(404, description="Cette action n'existe pas.")
    return _back(invitation)


@bp.route("/stages/<int:stage_id>/suivi/<int:invitation_id>/email", methods=["GET", "POST"])
def followup_email(stage_id: int, invitation_id: int):
    """Correct the referent's email: the old link dies; a link already sent goes to the new one."""
    invitation = _invitation(stage_id, invitation_id)
    referent: Referent = invitation.referent
    form = EmailForm(data={"email": referent.email})
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        taken = db.session.scalar(select(Referent.id).where(
            func.lower(Referent.email) == email, Referent.id != referent.id))
        if taken:
            form.email.errors.append("Un·e autre référent·e utilise déjà cette adresse.")
        else:
            referent.email = email
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.email.errors.append("Un·e autre référent·e utilise déjà cette adresse.")
            else:
                after_email_change(referent, utcnow())
                flash(f"Adresse de {referent.name} corrigée : {referent.email}. L'ancien lien ne "
                      "fonctionne plus ; un lien déjà envoyé part à la nouvelle adresse.", "success")
                return _back(invitation)
    return render_template("team/followup_email.html", form=form, invitation=invitation,
                           stage=invitation.stage)


@bp.route("/boite-d-envoi")
def outbox():
    """The local outbox (mails kept here when no MAIL_SERVER is set) and the delivery log;
    `?mail=ID` shows one mail as the referent would see it."""
    mail_id = request.args.get("mail", type=int)
    if mail_id is not None:
        allow_inline_styles()  # the mail's own inline styles, in a sandboxed iframe
        kept = object_or_404(OutboxMail, mail_id, "Cet e-mail")
        text, html = outbox_copy(kept)
        return render_template("team/followup_mail.html", mail=kept, text=text, html=html)
    mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc()).limit(100)).all()
    attempts = db.session.scalars(select(MailAttempt).order_by(MailAttempt.id.desc())
                                  .limit(50)).all()
    # Scheduled mails (the evening messages…): the next ones to go, then the latest others.
    upcoming = db.session.scalars(select(ScheduledMail).where(ScheduledMail.state == "planned")
                                  .order_by(ScheduledMail.due_at, ScheduledMail.id).limit(50)).all()
    done = db.session.scalars(select(ScheduledMail).where(ScheduledMail.state != "planned")
                              .order_by(ScheduledMail.due_at.desc(), ScheduledMail.id.desc())
                              .limit(50)).all()
    return render_template("team/followup_outbox.html", mails=mails, attempts=attempts,
                           outbox=mail.uses_outbox(), scheduled=upcoming + done,
                           kinds=SCHEDULED_KINDS, states=SCHEDULED_STATES)
