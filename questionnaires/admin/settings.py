"""The effective settings an admin may need to check (never a secret)."""
from flask import current_app, render_template

from questionnaires.admin.blueprint import bp

#: (label, config key, unit) shown on the page; secrets (SECRET_KEY, MAIL_PASSWORD…) never are
SHOWN = [
    ("Lien de bilan des participant·es valable", "BILAN_LINK_DAYS", "jours après le stage"),
    ("Lien de suivi des référent·es valable", "FOLLOWUP_LINK_DAYS", "jours après l'envoi"),
    ("Heure d'envoi des e-mails de suivi", "FOLLOWUP_HOUR", "h"),
    ("Fuseau horaire des envois", "FOLLOWUP_TIMEZONE", ""),
    ("Relances après le premier envoi", "REMINDER_DAYS", "jours"),
    ("Suivi envoyé seulement à la main au-delà de", "FOLLOWUP_OVERDUE_DAYS", "jours de retard"),
    ("Intervalle entre deux passages d'envoi", "DISPATCH_INTERVAL_MINUTES", "minutes"),
    ("Tentatives d'envoi avant échec", "MAX_SEND_ATTEMPTS", ""),
    ("Serveur d'envoi (SMTP)", "MAIL_SERVER", ""),
    ("Port SMTP", "MAIL_PORT", ""),
    ("TLS vers le serveur SMTP", "MAIL_USE_TLS", ""),
    ("Expéditeur des e-mails", "MAIL_DEFAULT_SENDER", ""),
    ("Adresse de réponse", "MAIL_REPLY_TO", ""),
    ("Mots de passe erronés avant verrouillage", "LOGIN_MAX_FAILURES", ""),
    ("… comptés sur", "LOGIN_FAILURE_WINDOW_MINUTES", "minutes"),
    ("Durée du verrouillage", "LOGIN_LOCK_MINUTES", "minutes"),
    ("Limitation des requêtes active", "RATELIMIT_ENABLED", ""),
    ("Limite des connexions (par adresse IP)", "RATELIMIT_LOGIN", ""),
    ("Limite des liens invalides (par adresse IP)", "RATELIMIT_BAD_LINKS", ""),
    ("Limite des liens personnels (par adresse IP)", "RATELIMIT_LINKS", ""),
    ("Stockage des compteurs de limitation", "RATELIMIT_STORAGE_URI", ""),
    ("Cookies sécurisés (HTTPS uniquement)", "SESSION_COOKIE_SECURE", ""),
]
#: Never shown, even if a key name below would match
SECRET_WORDS = ("SECRET", "PASSWORD", "KEY", "TOKEN")


def _value(value) -> str:
    """A setting as shown: French yes/no, lists joined, no credentials inside a URL."""
    if isinstance(value, str) and "://" in value and "@" in value:
        scheme, rest = value.split("://", 1)
        value = f"{scheme}://***@{rest.rsplit('@', 1)[1]}"  # redis://user:pass@host → ***
    if value is None or value == "":
        return "non défini"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "aucune"
    return str(value)


def effective_settings() -> list[tuple[str, str, str]]:
    """(label, value, variable) of each shown setting, retention ones included when present."""
    config = current_app.config
    rows = [(label, f"{_value(config.get(key))} {unit}".strip(), key) for label, key, unit in SHOWN]
    for key in sorted(k for k in config if k.startswith("RETENTION")):
        rows.append((f"Conservation des données ({key})", _value(config[key]), key))
    return [row for row in rows if not any(word in row[2] for word in SECRET_WORDS)]


@bp.route("/reglages")
def settings():
    """A read-only table of the settings in force (they are changed in the environment)."""
    return render_template("admin/settings.html", rows=effective_settings())
