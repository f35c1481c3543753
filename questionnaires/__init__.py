"""Stages de remobilisation: the application factory."""
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, INSTANCE_DIR, _database_url, _secret_key

from . import engine, presence  # noqa: F401  (presence: registers its flush hook)
from .extensions import csrf, db, login_manager, migrate
# Not bound as `mail`: that name is the module questionnaires/mail.py (render and send).
from .extensions import mail as mail_extension

ROOT_DIR = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        instance_relative_config=True,
        template_folder=str(ROOT_DIR / "templates"),
    )
    config_name = "testing" if test_config and test_config.get("TESTING") else None
    app.config.from_object(CONFIGS[config_name or os.environ.get("FLASK_CONFIG", "development")])
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _secret_key()
    from .privacy import check_retention_years

    check_retention_years(app.config["RETENTION_YEARS"])  # 0 would anonymise every stage
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        app.config.get("SQLALCHEMY_DATABASE_URI") or _database_url()
    )
    _tune_engine(app)
    _trust_proxy(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT_DIR / "migrations"))
    csrf.init_app(app)
    mail_extension.init_app(app)
    login_manager.init_app(app)
    engine.init_app(app)

    from . import (
        auth, choice_html, errors, filters, headers, health, notice, participant, pictograms,
        questionnaire_forms, ratelimit, referent, scheduler,
    )
    from .admin import bp as admin_bp
    from .team import bp as team_bp

    app.register_blueprint(auth.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(notice.bp)
    app.register_blueprint(participant.bp)
    app.register_blueprint(referent.bp)
    app.register_blueprint(team_bp)
    app.register_blueprint(admin_bp)
    ratelimit.init_app(app)
    errors.register(app)
    headers.init_app(app)
    filters.register(app)
    pictograms.register(app)
    app.jinja_env.globals["choice_options"] = questionnaire_forms.choice_options
    app.jinja_env.globals["referent_choices"] = choice_html.referent_choices

    from .cli import register_cli

    register_cli(app)
    scheduler.init_app(app)
    return app


def _trust_proxy(app: Flask) -> None:
    """Behind PROXY_HOPS reverse proxies, read the client's address and scheme from them.

    Without it every request seems to come from 127.0.0.1 over http: rate limits and the
    audit log would see one client, and external URLs would say http. X-Forwarded-Host is not
    believed: nginx passes the Host header itself, and a client could forge the other one.
    """
    hops = app.config.get("PROXY_HOPS") or 0
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _tune_engine(app: Flask) -> None:
    """Engine options per database.

    SQLite waits for locks instead of failing at once. PostgreSQL runs without JIT: the
    impact table's one large aggregate spent 0.6 s compiling for a 1 s query (bench/README.md).
    """
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # SQL errors are logged with their bound values (names, birth dates, link salts): not
    # outside development and tests.
    options.setdefault("hide_parameters", not (app.debug or app.testing))
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
    elif url.startswith("postgresql"):
        options.setdefault("connect_args", {"options": "-c jit=off"})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite, connection by connection: foreign keys on, and the write-ahead log.

    In WAL mode readers never wait for a writer, and a commit appends to one log file with one
    fsync instead of writing a rollback journal and the database with several; commits stay
    durable (synchronous=FULL, the default). The dispatch pass commits twice per mail: this took
    it from ~40 to ~150 mails/s on SQLite (bench/README.md). The mode is stored in the file; a
    database another process holds locked just keeps its journal mode for this connection.
    """
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            pass  # locked by another process right now; it switches at its next connection
        cursor.close()
