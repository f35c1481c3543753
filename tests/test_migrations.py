"""`flask db upgrade` builds, in an empty database, exactly the schema the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

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
