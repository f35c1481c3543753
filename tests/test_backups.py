"""`flask backup create|list|restore`: a real round trip on a SQLite file and on PostgreSQL.

The data is the demo (two stages through the archive import); the backup is changed, then
restored, and every row of every table must be back exactly.
"""
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select, update

from questionnaires.archive import backups
from questionnaires.demo import load_demo
from questionnaires.extensions import db
from questionnaires.models import Participant, Referent, Stage, User
from tests.support.factories import dispose, make_app


@pytest.fixture
def demo_app(database_url, tmp_path):
    """The demo on `database_url`, backing up into tmp_path/backups."""
    app = make_app(database_url, BACKUP_DIR=str(tmp_path / "backups"), BACKUP_KEEP=3)
    with app.app_context():
        load_demo()
        db.session.remove()
    yield app
    dispose(app)


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with app.app_context():
        rows = {table.name: [tuple(row) for row in db.session.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables}
        db.session.remove()
    return rows


def vandalise(app) -> None:
    """Delete a stage (and, by cascade, its people and answers), edit and add rows."""
    with app.app_context():
        first = db.session.scalars(select(Stage).order_by(Stage.id)).first()
        db.session.execute(delete(Stage).where(Stage.id == first.id))
        db.session.execute(update(Referent).values(name="Nom changé"))
        db.session.execute(update(Participant).values(first_name="Anonyme"))
        user = User(email="intrus@example.org", name="Intrus", role="admin")
        user.set_password("mot-de-passe-1")
        db.session.add(user)
        db.session.commit()
        db.session.remove()


def cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["backup", *args], input=input)


def test_round_trip_brings_every_row_back(demo_app, tmp_path):
    before = snapshot(demo_app)
    assert len(before["stage"]) == 2 and len(before["participant"]) > 10
    assert before["response"] and before["referent"] and before["slot"]

    created = cli(demo_app, "create")
    assert created.exit_code == 0, created.output
    assert "Sauvegarde créée" in created.output
    [backup] = backups.list_backups(tmp_path / "backups")
    assert backup.path.stat().st_mode & 0o777 == 0o600  # personal data: the service's user only
    assert not list((tmp_path / "backups").glob(".*"))  # no partial file left behind

    vandalise(demo_app)
    changed = snapshot(demo_app)
    assert len(changed["stage"]) == 1 and changed["participant"] != before["participant"]

    restored = cli(demo_app, "restore", "--yes", backup.path.name)  # a name from `list` works
    assert restored.exit_code == 0, restored.output
    assert "Base restaurée" in restored.output
    assert snapshot(demo_app) == before

    # What the restore replaced was kept, so the restore itself can be undone.
    safety = [b for b in backups.list_backups(tmp_path / "backups") if b.path != backup.path]
    assert len(safety) == 1 and str(safety[0].path) in restored.output
    assert cli(demo_app, "restore", "--yes", str(safety[0].path)).exit_code == 0
    assert snapshot(demo_app) == changed


def test_declining_the_confirmation_changes_nothing(demo_app, tmp_path):
    assert cli(demo_app, "create").exit_code == 0
    [backup] = backups.list_backups(tmp_path / "backups")
    vandalise(demo_app)
    changed = snapshot(demo_app)
    result = cli(demo_app, "restore", str(backup.path), input="n\n")
    assert result.exit_code == 1
    assert "vont être remplacées" in result.output and "Restauration annulée" in result.output
    assert snapshot(demo_app) == changed


def test_missing_or_foreign_files_are_refused_and_nothing_changes(demo_app, tmp_path):
    before = snapshot(demo_app)
    missing = cli(demo_app, "restore", "--yes", str(tmp_path / "absent.sqlite"))
    assert missing.exit_code == 1 and "n'existe pas" in missing.output

    text_file = tmp_path / "notes.dump"
    text_file.write_text("ceci n'est pas une sauvegarde")
    foreign = cli(demo_app, "restore", "--yes", str(text_file))
    assert foreign.exit_code == 1 and "n'est pas une sauvegarde" in foreign.output

    other_db = tmp_path / "autre.sqlite"
    with sqlite3.connect(other_db) as connection:
        connection.execute("CREATE TABLE carnet (nom TEXT)")
    connection.close()
    result = cli(demo_app, "restore", "--yes", str(other_db))
    assert result.exit_code == 1
    assert ("pas une sauvegarde de ce service" in result.output  # SQLite app
            or "sauvegarde SQLite, mais la base configurée est PostgreSQL" in result.output)
    assert snapshot(demo_app) == before
    assert backups.list_backups(tmp_path / "backups") == []  # no safety copy for a refusal


def test_rotation_keeps_the_newest_and_leaves_other_files(demo_app, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "lisez-moi.txt").write_text("à garder")
    url = demo_app.config["SQLALCHEMY_DATABASE_URI"]
    start = datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc)
    made = []
    for day in range(5):
        path, removed = backups.create(url, folder, keep=3, now=start + timedelta(days=day))
        made.append(path)
        assert removed == made[:max(0, len(made) - 3)][-1:]  # each run drops the oldest one
    assert [b.path for b in backups.list_backups(folder)] == made[:1:-1]
    assert made[0].name == "stages-20261101T020000Z" + made[0].suffix
    assert (folder / "lisez-moi.txt").exists()

    result = cli(demo_app, "create")  # BACKUP_KEEP=3 from the app's settings
    assert "Ancienne sauvegarde supprimée (on en garde 3) : " + made[2].name in result.output
    listing = cli(demo_app, "list").output
    assert "3 sauvegarde(s)" in listing and made[4].name in listing and made[2].name not in listing


def test_two_backups_in_one_second_get_distinct_names(demo_app, tmp_path):
    url = demo_app.config["SQLALCHEMY_DATABASE_URI"]
    now = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
    first, _ = backups.create(url, tmp_path / "b", keep=5, now=now)
    second, _ = backups.create(url, tmp_path / "b", keep=5, now=now)
    assert first != second and first.exists() and second.exists()
    assert [b.path for b in backups.list_backups(tmp_path / "b")] == [second, first]


def test_sqlite_backup_is_consistent_while_another_connection_writes(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'busy.sqlite'}", BACKUP_DIR=str(tmp_path / "b"))
    with app.app_context():
        load_demo()
        db.session.remove()
        db.engine.dispose()
    writer = sqlite3.connect(tmp_path / "busy.sqlite", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE participant SET first_name = 'Pas encore validé'")
    result = cli(app, "create")
    writer.execute("COMMIT")
    writer.close()
    assert result.exit_code == 0, result.output
    [backup] = backups.list_backups(tmp_path / "b")
    backups.check_sqlite(backup.path)  # intact
    with sqlite3.connect(backup.path) as copy:
        names = {name for (name,) in copy.execute("SELECT first_name FROM participant")}
    copy.close()
    assert "Pas encore validé" not in names and len(names) > 5


def test_list_says_when_there_is_nothing(app, tmp_path):
    app.config["BACKUP_DIR"] = str(tmp_path / "vide")
    result = app.test_cli_runner().invoke(args=["backup", "list"])
    assert "Aucune sauvegarde" in result.output


def test_the_password_never_reaches_the_command_line():
    url = backups.make_url("postgresql+psycopg://app:s3cr'et@db.example.org:5433/stages")
    conninfo = backups._conninfo(url)
    assert "s3cr" not in conninfo
    assert conninfo == "host='db.example.org' port='5433' user='app' dbname='stages'"
    assert backups._pg_env(url)["PGPASSWORD"] == "s3cr'et"


def test_a_restore_erases_again_the_people_erased_since_the_backup(demo_app, tmp_path):
    """Issue 14, item 9: the erasure register outlives the restore and is applied again."""
    from questionnaires.models import Candidate, Erasure
    from questionnaires.privacy.anonymise import (
        anonymise_participant, anonymous_name, register_erasure,
    )

    assert cli(demo_app, "create").exit_code == 0
    [backup] = backups.list_backups(tmp_path / "backups")
    with demo_app.app_context():
        erased, deleted = db.session.scalars(select(Participant).order_by(Participant.id)
                                             .limit(2)).all()
        erased_id, deleted_id, name = erased.id, deleted.id, erased.first_name
        # The proposal that made the participant (the demo's recruitment) is erased with them
        proposals = db.session.scalars(select(Candidate.id).where(
            Candidate.participant_id == erased_id)).all()
        anonymise_participant(erased, datetime.now(timezone.utc))
        register_erasure("participant_deleted", deleted.id, datetime.now(timezone.utc))
        db.session.delete(deleted)  # as the team's "Retirer du stage" does
        db.session.commit()
        db.session.remove()
    restored = cli(demo_app, "restore", "--yes", str(backup.path))
    assert restored.exit_code == 0, restored.output
    assert "Registre des effacements réappliqué" in restored.output
    with demo_app.app_context():
        back = db.session.get(Participant, erased_id)
        assert back.first_name == anonymous_name(erased_id) and back.anonymised_at is not None
        assert db.session.get(Participant, deleted_id) is None
        assert sorted((e.kind, e.subject_id) for e in db.session.scalars(select(Erasure))) == \
            sorted([("participant", erased_id), ("participant_deleted", deleted_id)]
                   + [("candidate", c) for c in proposals])
        db.session.remove()
    [register] = (tmp_path / "backups").glob("registre-effacements-*.json")
    assert name not in register.read_text()  # ids and times only
    assert str(register) in restored.output
