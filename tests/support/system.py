"""What the suite needs from the machine: PostgreSQL or not, free ports, `flask db` runs.

A missing system part skips its tests, or fails them when REQUIRE_SYSTEM_PARTS=1 (.ci/run sets
it, so that a CI machine without PostgreSQL or Chromium cannot pass by skipping).
"""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
#: The seed report (shared/seeds/, beside the repository here and in CI): what the demo's 2021
#: stage must reproduce
SEED = ROOT.parent / "shared" / "seeds" / "000_04fd7734f46174d6.txt"
#: Set by .ci/run: a missing system part (PostgreSQL, Chromium) fails instead of skipping.
REQUIRE_SYSTEM_PARTS = os.environ.get("REQUIRE_SYSTEM_PARTS") == "1"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
#: When set (`make test` sets it on its PostgreSQL pass), every `app` test runs on that server.
DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def missing(message: str) -> None:
    """Skip the test for want of a system part, or fail it when the parts are required."""
    if REQUIRE_SYSTEM_PARTS:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def postgres_url():
    """The PostgreSQL test database, or a skip saying how to get one."""
    if not POSTGRES_URL:
        missing("PostgreSQL absent: set TEST_POSTGRES_URL=postgresql+psycopg://app:app@127.0.0.1/appdb "
                "(apt-get install postgresql; see .ci/run) to run this test.")
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A SQLite file, then (marked postgres) the PostgreSQL test database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'database.sqlite'}"
    return request.getfixturevalue("postgres_url")


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


def free_port() -> int:
    """A port free on 127.0.0.1 (aiosmtpd's Controller cannot bind port 0 itself)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
