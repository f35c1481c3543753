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
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


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
    #: Base of the links printed by `flask` commands, where no request tells the host
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"}
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "stages@example.org")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True


class DevelopmentConfig(Config):
    """`make run`: SQLite in instance/, mail to the local outbox."""


class TestingConfig(Config):
    """pytest: each test passes its own database URL."""

    TESTING = True
    SECRET_KEY = "test-secret-key"


class ProductionConfig(Config):
    """Behind gunicorn and a TLS proxy."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
