"""Mails: rendered from templates/email/ (plain text and HTML), sent by Flask-Mail over SMTP, or
kept in the local outbox ("Boîte d'envoi") when no MAIL_SERVER is configured.

Shared by every capability that writes to people; what is due and when is theirs (the
follow-up's dispatch pass claims each message before calling `deliver`).
"""
import smtplib
from dataclasses import dataclass

from flask import current_app, render_template
from flask_mail import BadHeaderError, Connection, Message
from jinja2 import TemplateError

from questionnaires.extensions import db
from questionnaires.models import MailAttempt, OutboxMail
from questionnaires.web.log_masking import mask_tokens
from questionnaires.text import CONTROL, one_line


class MailBuildError(ValueError):
    """A mail that cannot be written as it stands (French message for the team)."""


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


def render(name: str, to: str, subject: str, **context) -> Email:
    """`templates/email/<name>.txt` and `.html` with the same context."""
    context.setdefault("association", current_app.config["ASSOCIATION_NAME"])
    # A subject is one line whatever a title stored before issue 14 holds: a line break in it
    # made Flask-Mail refuse the mail (BadHeaderError) for every referent of the stage.
    return Email(to, one_line(subject), render_template(f"email/{name}.txt", **context),
                 render_template(f"email/{name}.html", **context))


def uses_outbox() -> bool:
    """No SMTP server configured (the `make run` default): mails stay in the local outbox."""
    return not current_app.config.get("MAIL_SERVER")


def sender() -> tuple[str, str]:
    """(name, address): the association's name and MAIL_DEFAULT_SENDER."""
    return current_app.config["ASSOCIATION_NAME"], current_app.config["MAIL_DEFAULT_SENDER"]


def reply_to() -> str:
    """Where answers to the mails go (MAIL_REPLY_TO, else the sender): the contact that mails
    and the referent's pages give."""
    return current_app.config.get("MAIL_REPLY_TO") or current_app.config["MAIL_DEFAULT_SENDER"]


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout: a hung server must fail well within the
    claim lease, or another pass could take the mail over while this one still sends it."""

    def configure_host(self):
        state, timeout = self.mail, current_app.config["MAIL_TIMEOUT"]
        factory = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = factory(state.server, state.port, timeout=timeout)
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


def deliver(email: Email, message_id: int | None = None, scheduled_id: int | None = None) -> str:
    """Send over SMTP (raises on failure), or add to the outbox in the current transaction.

    Returns the transport used. The outbox row is committed by the caller together with the
    message's new state, so a mail is in the outbox exactly when it is marked sent. The row
    keeps personal links masked ("/suivi/***"): the database and its backups hold no working
    link; the team's outbox page puts the link back (followups.messages.outbox_copy).
    `message_id` names a follow-up message, `scheduled_id` a scheduled mail (mail_queue.py).
    """
    check_headers(email)
    name, address = sender()
    if uses_outbox():
        db.session.add(OutboxMail(message_id=message_id, scheduled_mail_id=scheduled_id,
                                  sender=f"{name} <{address}>",
                                  reply_to=reply_to(), to_address=email.to, subject=email.subject,
                                  body_text=mask_tokens(email.text),
                                  body_html=mask_tokens(email.html)))
        return "outbox"
    message = Message(email.subject, recipients=[email.to], body=email.text, html=email.html,
                      sender=(name, address), reply_to=reply_to())
    with _TimedConnection(current_app.extensions["mail"]) as connection:
        connection.send(message)
    return "smtp"


def check_headers(email: Email) -> None:
    """Refuse, in words the team can act on, a recipient or subject that a mail header cannot
    hold (a line break would also let the text add headers such as Bcc). Checked before both
    transports, so that the outbox refuses what SMTP would."""
    if one_line(email.to) != email.to.strip() or CONTROL.search(email.to):
        raise MailBuildError(
            "L'e-mail n'a pas pu être écrit : l'adresse du destinataire contient un saut de ligne "
            "ou un caractère invisible. Corrigez l'adresse sur la fiche du ou de la référent·e ; "
            "le message repartira au prochain essai.")
    if one_line(email.subject) != email.subject or CONTROL.search(email.subject):
        raise MailBuildError(
            "L'e-mail n'a pas pu être écrit : son objet contient un saut de ligne ou un "
            "caractère invisible (intitulé du stage ?). Corrigez-le ; le message repartira au "
            "prochain essai.")


def log_attempt(message_id: int | None, to: str, transport: str, now,
                error: str | None = None, scheduled_id: int | None = None) -> None:
    """One line of the delivery log, in the current transaction."""
    db.session.add(MailAttempt(message_id=message_id, scheduled_mail_id=scheduled_id, at=now,
                               to_address=to, transport=transport, ok=error is None,
                               error=error[:500] if error else None))


def describe(error: Exception) -> str:
    """An error in writing or sending a mail, in a line the team can read and pass on (never
    empty: the follow-up page shows it as the reason of the failure)."""
    if isinstance(error, MailBuildError):
        return str(error)[:500]
    if isinstance(error, BadHeaderError):  # Flask-Mail's own check, which has no message
        return ("L'e-mail n'a pas pu être écrit : l'objet, l'expéditeur ou une adresse contient "
                "un saut de ligne. Corrigez l'intitulé du stage ou l'adresse ; le message "
                "repartira au prochain essai.")
    if isinstance(error, TemplateError):
        return f"Le message n'a pas pu être écrit (modèle d'e-mail incomplet : {error})."[:500]
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        return f"Le serveur d'envoi a refusé ({error.smtp_code}) : {text}"[:500]
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "Adresse refusée par le serveur d'envoi : vérifiez l'e-mail du ou de la référent·e."
    if isinstance(error, (ConnectionError, TimeoutError, OSError, smtplib.SMTPServerDisconnected)):
        return f"Serveur d'envoi injoignable ({type(error).__name__} : {error})"[:500]
    detail = str(error).strip() or "sans détail"
    return (f"Le message n'a pas pu être écrit ou envoyé ({type(error).__name__} : {detail}). "
            "Prévenez l'administrateur·rice si cela se répète.")[:500]
