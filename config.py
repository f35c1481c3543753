"""Configuration classes, read from the environment.

`create_app()` picks one by FLASK_CONFIG (development, testing, production) and then
reads `instance/config.py` if it exists, so one installation can override anything.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one kept in instance/ (made once, never committed)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        INSTANCE_DIR.mkdir(exist_ok=True)
        # Several processes may start at once (gunicorn workers, two test passes): the file is
        # made by exactly one of them (O_EXCL) and written whole, by a rename, before anyone reads it.
        candidate = INSTANCE_DIR / f".secret_key.{os.getpid()}"
        candidate.write_text(secrets.token_hex(32))
        candidate.chmod(0o600)
        try:
            os.link(candidate, key_file)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return key_file.read_text().strip()


def _int_list(name: str, default: str) -> tuple[int, ...]:
    """A comma-separated list of whole numbers from the environment ("7,14")."""
    raw = os.environ.get(name, default)
    try:
        return tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise SystemExit(f"{name} : nombres entiers séparés par des virgules attendus "
                         f"(exemple : {default}), reçu « {raw} ».") from None


def _clock_time(name: str, default: str) -> str:
    """A time of day "HH:MM" from the environment ("17:00"), checked at start."""
    raw = os.environ.get(name, default).strip()
    hours, _, minutes = raw.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60
            and len(minutes) == 2):
        raise SystemExit(f"{name} : une heure HH:MM est attendue (exemple : {default}), "
                         f"reçu « {raw} ».")
    return f"{int(hours):02d}:{minutes}"


def _database_url() -> str:
    """DATABASE_URL, else the SQLite file in instance/ that `make run` uses."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'questionnaires.sqlite'}"


class Config:
    """Defaults for every environment."""

    SECRET_KEY = None  # filled lazily by create_app() so importing config writes nothing
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Uploads (participant spreadsheets, stage archives) are small; refuse anything huge early.
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long meeting must still submit
    WTF_I18N_ENABLED = False  # use WTForms' bundled French messages (no Babel needed)
    ASSOCIATION_NAME = os.environ.get("ASSOCIATION_NAME", "Cultures du Cœur Val-de-Marne")
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/Paris")
    #: A participant's bilan link works this many days after the stage (or after it was remade)
    BILAN_LINK_DAYS = int(os.environ.get("BILAN_LINK_DAYS", "30"))
    #: A tablet left alone this long asks "Vous êtes toujours là ?", then after the warning
    #: ends the session as "Changer de personne" does (answers stay saved on the server)
    TABLET_IDLE_SECONDS = int(os.environ.get("TABLET_IDLE_SECONDS", "600"))
    TABLET_IDLE_WARNING_SECONDS = int(os.environ.get("TABLET_IDLE_WARNING_SECONDS", "60"))
    #: Base of the links printed by `flask` commands, where no request tells the host
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"}
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "stages@example.org")
    #: Where referents write back; also named on the expired-link page
    MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO")
    #: Seconds before an unresponsive SMTP server counts as a failed attempt (below the lease)
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "30"))
    # Data protection (docs/privacy.md) ---------------------------------------------------------
    #: Who is responsible for the data ("responsable du traitement"), named in the privacy notice
    PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER") or ASSOCIATION_NAME
    #: Where people write to see, correct or erase their data; else MAIL_REPLY_TO, then the sender
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT")
    #: Years after a stage's last day before its participants are anonymised automatically
    RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "5"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # Accessibility (templates/accessibility.html, the statement linked from every footer) -----
    #: The RGAA state the footer and the statement show: "non conforme" until an audit, then
    #: "partiellement conforme" or "totalement conforme" as the audit says
    ACCESSIBILITY_STATUS = os.environ.get("ACCESSIBILITY_STATUS", "non conforme")
    #: When the statement was last written or checked ("2 décembre 2026")
    ACCESSIBILITY_STATEMENT_DATE = os.environ.get("ACCESSIBILITY_STATEMENT_DATE",
                                                  "2 décembre 2026")
    #: Where people report an accessibility problem; else the privacy contact
    ACCESSIBILITY_CONTACT = os.environ.get("ACCESSIBILITY_CONTACT")

    # Security (docs/security.md) -------------------------------------------------------------
    #: Wrong passwords for one address, within the window, before it is locked
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))
    #: How long a locked address stays locked
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    #: Flask-Limiter's storage: memory:// is per process; use redis://… to share it between
    #: gunicorn workers (the database lockout above holds across workers in any case)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1").lower() in {"1", "true", "yes"}
    #: Failed login posts per client address: beyond, a wrong password answers 429 (a right one
    #: still logs in: a colleague on the same Wi-Fi is never refused)
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour")
    #: All login posts per client address: a ceiling on the password-hashing work only
    RATELIMIT_LOGIN_CEILING = os.environ.get("RATELIMIT_LOGIN_CEILING", "60 per minute")
    #: Each failure past the first RATELIMIT_MISS_FREE (unknown link, wrong password) of an
    #: address waits longer: STEP seconds, doubling, at most MAX seconds
    RATELIMIT_MISS_FREE = int(os.environ.get("RATELIMIT_MISS_FREE", "5"))
    RATELIMIT_MISS_DELAY_STEP = float(os.environ.get("RATELIMIT_MISS_DELAY_STEP", "0.1"))
    RATELIMIT_MISS_DELAY_MAX = float(os.environ.get("RATELIMIT_MISS_DELAY_MAX", "2"))
    #: Personal-link requests that open nothing (404), per client address: what guessing looks like
    RATELIMIT_BAD_LINKS = os.environ.get("RATELIMIT_BAD_LINKS", "20 per 10 minutes")
    #: All personal-link requests per client address: ten tablets behind one Wi-Fi autosaving
    #: every few seconds stay far below it
    RATELIMIT_LINKS = os.environ.get("RATELIMIT_LINKS", "1200 per minute")

    # The referents' follow-up (docs/followups.md) ------------------------------------------
    #: Local hour at which invitations and reminders fall due
    FOLLOWUP_HOUR = int(os.environ.get("FOLLOWUP_HOUR", "9"))
    FOLLOWUP_TIMEZONE = os.environ.get("FOLLOWUP_TIMEZONE") or TIMEZONE
    #: Reminders, in days after the first send, while part A is not answered for everyone
    REMINDER_DAYS = _int_list("REMINDER_DAYS", "7,14")
    #: The referent's link works this many days after the first send (or after a reopening)
    FOLLOWUP_LINK_DAYS = int(os.environ.get("FOLLOWUP_LINK_DAYS", "60"))
    #: A follow-up this many days overdue when first planned is only ever sent by hand
    FOLLOWUP_OVERDUE_DAYS = int(os.environ.get("FOLLOWUP_OVERDUE_DAYS", "30"))
    #: Minutes between two dispatch passes of the scheduler
    DISPATCH_INTERVAL_MINUTES = int(os.environ.get("DISPATCH_INTERVAL_MINUTES", "5"))
    #: A claimed mail not recorded within this time (a pass that died) may be retried
    CLAIM_LEASE_MINUTES = int(os.environ.get("CLAIM_LEASE_MINUTES", "15"))
    #: Failed attempts before a mail is marked "échec"; retries wait 5, 20, 80… minutes
    MAX_SEND_ATTEMPTS = int(os.environ.get("MAX_SEND_ATTEMPTS", "6"))
    RETRY_BASE_MINUTES = int(os.environ.get("RETRY_BASE_MINUTES", "5"))
    #: Red banner for the team when mails have been due this long and nothing could be sent
    SEND_ALARM_HOURS = int(os.environ.get("SEND_ALARM_HOURS", "6"))
    #: Run the dispatcher inside this process (`make run` sets it for the dev server only)
    SCHEDULER_IN_APP = os.environ.get("SCHEDULER_IN_APP", "").lower() in {"1", "true", "yes"}

    # The week of a stage (docs/week.md) --------------------------------------------
    #: Local time, the day before each day of a stage, of the message with the next day's
    #: places and times to participants who gave an e-mail
    EVENING_MAIL_TIME = _clock_time("EVENING_MAIL_TIME", "17:00")
    #: The team's phone during the week, printed on "Ma semaine" and in the evening messages
    TEAM_PHONE = os.environ.get("TEAM_PHONE")
    #: Where the DejaVu fonts of the "Ma semaine" PDF are (Debian package fonts-dejavu-core)
    PDF_FONT_DIR = os.environ.get("PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu")

    # Recruitment before a stage (docs/recruitment.md) -----------------------------------------
    #: Posts of the public proposal page per client address: a structure whose referents share
    #: one address proposes a few people an hour; a flood is refused with a French 429
    RATELIMIT_PROPOSALS = os.environ.get("RATELIMIT_PROPOSALS", "6 per minute;40 per hour")
    #: Months after a stage's last day when non-retained and withdrawn candidates are erased
    CANDIDATE_RETENTION_MONTHS = int(os.environ.get("CANDIDATE_RETENTION_MONTHS", "6"))
    #: The host's part of the PMSMP conventions: the association's address and the tutor from
    #: the team (printed "à compléter" when unset)
    ASSOCIATION_ADDRESS = os.environ.get("ASSOCIATION_ADDRESS")
    CONVENTION_TUTOR = os.environ.get("CONVENTION_TUTOR")

    # Operations (docs/deployment.md) --------------------------------------------------------
    #: Where `flask backup create` writes, and how many backups it keeps (the oldest go first)
    BACKUP_DIR = os.environ.get("BACKUP_DIR") or str(INSTANCE_DIR / "backups")
    BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed. 0 when
    #: clients reach the app directly: trusting the headers would let anyone pick their address.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    #: The proxies' own addresses, comma-separated: X-Forwarded-* is believed only from them
    #: (a client reaching gunicorn directly is seen as it is)
    PROXY_ADDRESSES = os.environ.get("PROXY_ADDRESSES", "127.0.0.1,::1")
    #: Set by ProductionConfig: start only with a real PUBLIC_URL and SECRET_KEY, no demo data
    PRODUCTION = False


class DevelopmentConfig(Config):
    """`make run`: SQLite in instance/, mail to the local outbox."""


class TestingConfig(Config):
    """pytest: each test passes its own database URL."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    #: Other suites send many requests; the limiter's own tests turn it on
    RATELIMIT_ENABLED = False


class ProductionConfig(Config):
    """Behind gunicorn and a TLS proxy."""

    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = "https"
    PRODUCTION = True
    #: nginx in front (docs/deployment.md): the client's address and https come from it
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "1"))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
