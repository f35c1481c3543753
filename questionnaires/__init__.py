"""Stages de remobilisation: the application factory."""
import os
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import CONFIGS, INSTANCE_DIR, _database_url, _secret_key

from questionnaires.admin import bp as admin_bp
from questionnaires.archive.commands import backup, stage
from questionnaires.auth.commands import links, users
from questionnaires.auth.views import bp as auth_bp
from questionnaires.demo.commands import demo
from questionnaires.designer.commands import questionnaires as questionnaires_commands
from questionnaires.engine import definitions
from questionnaires.extensions import csrf, db, login_manager, migrate
# Not bound as `mail`: that name is the module questionnaires/mail.py (render and send).
from questionnaires.extensions import mail as mail_extension
from questionnaires.followups import scheduler
from questionnaires.followups.commands import followups, scheduler as scheduler_commands
from questionnaires.impact.commands import impact, report
from questionnaires.participant.views import bp as participant_bp
from questionnaires.privacy.commands import privacy
from questionnaires.privacy.notice import bp as notice_bp
from questionnaires.privacy.retention import check_retention_years
from questionnaires.recruitment import views as recruitment_views
from questionnaires.recruitment.commands import pmsmp
from questionnaires.referent.views import bp as referent_bp
from questionnaires.stages import attendance  # noqa: F401  (registers its flush hook)
from questionnaires.team import bp as team_bp
from questionnaires.web import assets, errors, headers, jinja, ratelimit
from questionnaires.web.accessibility import bp as accessibility_bp
from questionnaires.web.health import bp as health_bp
from questionnaires.web.log_masking import mask_dev_server_log
from questionnaires.web.production import TrustedProxyFix, check_production

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
    check_production(app.config, os.environ)  # before a key is generated into instance/
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _secret_key()
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
    definitions.init_app(app)

    for blueprint in (auth_bp, health_bp, notice_bp, accessibility_bp, participant_bp,
                      referent_bp, team_bp, admin_bp):
        app.register_blueprint(blueprint)
    ratelimit.init_app(app)
    recruitment_views.init_app(app)  # after the limiter: it limits the proposal page
    errors.register(app)
    headers.init_app(app)
    mask_dev_server_log()
    jinja.register(app)
    assets.init_app(app)
    for group in (impact, report, users, stage, demo, followups, scheduler_commands, links,
                  backup, privacy, pmsmp, questionnaires_commands):
        app.cli.add_command(group)
    scheduler.init_app(app)
    return app


def _trust_proxy(app: Flask) -> None:
    """Behind PROXY_HOPS reverse proxies, read the client's address and scheme from them.

    Without it every request seems to come from 127.0.0.1 over http: rate limits and the
    audit log would see one client, and external URLs would say http. X-Forwarded-Host is not
    believed: nginx passes the Host header itself, and a client could forge the other one.
    The headers are believed only from PROXY_ADDRESSES (the proxy's own address).
    """
    hops = app.config.get("PROXY_HOPS") or 0
    if hops:
        addresses = {a.strip() for a in app.config["PROXY_ADDRESSES"].split(",") if a.strip()}
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, hops, addresses)


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
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            pass  # locked by another process right now; it switches at its next connection
        cursor.close()
