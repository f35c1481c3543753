"""The suite's fixtures: an app on a real SQLite file (or PostgreSQL), its client and CLI runner,
one way to log in (`auth`), the demo data, and clients logged in as a team member or an admin.

Forms are posted with `tests.support.forms.post_form(client, url, data, page_url=None)`: it
opens the page, takes its CSRF token and posts, as a browser does. The rest of what tests share
(factories, the SMTP server, the browser, the security world) is in tests/support/, loaded
below as pytest plugins: a test asks for their fixtures by name, and imports only plain
helpers (post_form, make_stage…), never a fixture.
"""
import pytest
from sqlalchemy import select

from questionnaires.demo import load_demo
from questionnaires.extensions import db
from questionnaires.models import User
from tests.support.factories import (
    ADMIN, EMAIL, PASSWORD, create_user, database_for, dispose, make_app,
)
from tests.support.forms import post_form

pytest_plugins = [
    "tests.support.system",
    "tests.support.factories",
    "tests.support.mail",
    "tests.support.browser",
    "tests.support.tablet",
    "tests.support.security",
]


@pytest.fixture
def app(tmp_path):
    """The app on a real SQLite file of its own (or on TEST_DATABASE_URL, schema recreated)."""
    app = make_app(database_for(tmp_path))
    yield app
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Team accounts, and logging in and out through the real login form."""

    def __init__(self, app, client):
        self._app, self._client = app, client

    def create(self, email=EMAIL, password=PASSWORD, role="team"):
        """An account (an admin with role="admin"); returns its email and password."""
        with self._app.app_context():
            create_user(email, password, role)
        return email, password

    def login(self, email=EMAIL, password=PASSWORD, client=None):
        """Log in with the test's client (or `client`), creating a team account if none."""
        with self._app.app_context():
            if db.session.scalar(select(User).where(User.email == email)) is None:
                self.create(email, password)
        return post_form(client or self._client, "/connexion",
                         {"email": email, "password": password})

    def logout(self, client=None):
        return post_form(client or self._client, "/deconnexion", page_url="/equipe/stages")


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)


@pytest.fixture
def demo(app):
    """The two demo stages loaded through the archive import, as `make run` does."""
    with app.app_context():
        load_demo()
    return app


@pytest.fixture
def team(demo, auth):
    """A client of its own logged in as a team member, on the demo data."""
    client = demo.test_client()
    auth.login(client=client)
    return client


@pytest.fixture
def admin(app, auth):
    """A client of its own logged in as an admin (after the demo data, when a test asks for
    `demo` first)."""
    client = app.test_client()
    auth.create(*ADMIN, role="admin")
    assert auth.login(*ADMIN, client=client).status_code == 302
    return client
