"""Fixtures: an app on a real SQLite file (or PostgreSQL), a client, a logged-in team member."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from questionnaires import create_app
from questionnaires.extensions import db
from questionnaires.models import User

ROOT = Path(__file__).resolve().parent.parent
#: Set by .ci/run: a missing system part (PostgreSQL, Chromium) fails instead of skipping.
REQUIRE_SYSTEM_PARTS = os.environ.get("REQUIRE_SYSTEM_PARTS") == "1"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
#: When set (`make test` sets it on its PostgreSQL pass), every `app` test runs on that server.
DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def make_app(database_url: str, **overrides):
    """An app in testing mode on `database_url`, with a fresh schema."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    """The app on a real SQLite file of its own (or on TEST_DATABASE_URL, schema recreated)."""
    app = make_app(DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite'}")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def postgres_url():
    """The PostgreSQL test database, or a skip saying how to get one."""
    if not POSTGRES_URL:
        message = ("PostgreSQL absent: set TEST_POSTGRES_URL=postgresql+psycopg://app:app@127.0.0.1/appdb "
                   "(apt-get install postgresql; see .ci/run) to run this test.")
        if REQUIRE_SYSTEM_PARTS:
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_URL


def empty_postgres_schema(url: str) -> None:
    """Drop every table of the PostgreSQL test database (migration tests start from nothing)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def flask_db(url: str, *args: str) -> subprocess.CompletedProcess:
    """`flask db <args>` as a newcomer runs it (README), on `url`, with the tests' key."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-secret-key"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log a team member in and out through the real login form."""

    def __init__(self, app, client):
        self._app, self._client = app, client

    def create(self, email="camille@example.org", password="mot-de-passe-1", role="team"):
        with self._app.app_context():
            user = User(email=email, name="Camille Équipe", role=role)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
        return email, password

    def login(self, email="camille@example.org", password="mot-de-passe-1"):
        with self._app.app_context():
            if db.session.query(User).filter_by(email=email).first() is None:
                self.create(email, password)
        page = self._client.get("/connexion")
        return self._client.post("/connexion", data={
            "email": email, "password": password, "csrf_token": csrf_token(page),
        })


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)


@pytest.fixture
def team(demo):
    """A client logged in as a team member, on the demo data."""
    client = demo.test_client()
    AuthActions(demo, client).login()
    return client


def csrf_token(response) -> str:
    """The CSRF token printed in a page's form."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)) \
        or re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def demo(app):
    """The two demo stages loaded through the archive import, as `make run` does."""
    from questionnaires.demo import load_demo

    with app.app_context():
        load_demo()
    return app
