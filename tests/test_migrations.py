"""`flask db upgrade` builds, in an empty database, exactly the schema the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from questionnaires.extensions import db
from tests.support.system import empty_postgres_schema, flask_db



def _differences(database_url: str) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), db.metadata)
    finally:
        engine.dispose()


def test_upgrade_creates_the_model_schema_in_an_empty_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    result = flask_db(url, "upgrade")
    assert result.returncode == 0, result.stderr
    assert _differences(url) == []


@pytest.mark.postgres
def test_upgrade_creates_the_model_schema_on_postgresql(postgres_url):
    empty_postgres_schema(postgres_url)
    result = flask_db(postgres_url, "upgrade")
    assert result.returncode == 0, result.stderr
    assert _differences(postgres_url) == []


def test_upgrade_publishes_the_shipped_questionnaires_and_downgrade_removes_the_v2(tmp_path):
    """A migrated database serves what a fresh one does: the v1s (0024) and suivi v2 (0028)."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    assert flask_db(url, "upgrade").returncode == 0
    assert _published(url) == {("bilan-collectif", 1), ("bilan-individuel", 1),
                               ("suivi-referent", 1), ("suivi-referent", 2)}
    result = flask_db(url, "downgrade", "0027")
    assert result.returncode == 0, result.stderr
    assert ("suivi-referent", 2) not in _published(url)


def _published(database_url: str) -> set:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(text(
                "SELECT questionnaire, version FROM questionnaire_version "
                "WHERE status = 'published'")).all())
    finally:
        engine.dispose()
