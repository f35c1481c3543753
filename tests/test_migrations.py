"""`flask db upgrade` builds, in an empty database, exactly the schema the models describe."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from questionnaires.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _upgrade(database_url: str) -> subprocess.CompletedProcess:
    """The README's command, run as a newcomer would, on `database_url`."""
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def _differences(database_url: str) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), db.metadata)
    finally:
        engine.dispose()


def test_upgrade_creates_the_model_schema_in_an_empty_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    result = _upgrade(url)
    assert result.returncode == 0, result.stderr
    assert _differences(url) == []


@pytest.mark.postgres
def test_upgrade_creates_the_model_schema_on_postgresql(postgres_url):
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    result = _upgrade(postgres_url)
    assert result.returncode == 0, result.stderr
    assert _differences(postgres_url) == []
