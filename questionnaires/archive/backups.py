"""Backups of the whole database: create (with rotation), list and restore.

SQLite goes through the sqlite3 online backup API, which copies a consistent snapshot while
the app keeps writing (it never copies a half-written page, unlike `cp`). PostgreSQL goes
through `pg_dump --format=custom` and comes back with `pg_restore --single-transaction`, so a
restore that fails half-way changes nothing. The password reaches pg_dump through PGPASSWORD,
never through the command line (which every user of the machine can read in `ps`).

A backup is written under a temporary name and renamed once complete and checked, so a crash
never leaves a truncated file that rotation would count as good. File names carry the UTC time
(`stages-20261127T104512Z.sqlite`, `….dump`), so sorting by name sorts by age.
"""
import glob
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from questionnaires import clock

PREFIX = "stages-"
SUFFIXES = {"sqlite": ".sqlite", "postgresql": ".dump"}
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
NAME = re.compile(r"^stages-(\d{8}T\d{6}Z)(?:-(\d+))?\.(sqlite|dump)$")
#: A table every database of ours has: a file without it is not one of our backups
MARKER_TABLE = "stage"


class BackupError(Exception):
    """What went wrong, in French, for the person at the terminal."""


@dataclass(frozen=True)
class Backup:
    """One backup file in the backup folder."""

    path: Path
    created_at: datetime
    size: int


def kind_of(url: str) -> str:
    """"sqlite" or "postgresql", from a SQLAlchemy URL."""
    backend = make_url(url).get_backend_name()
    if backend not in SUFFIXES:
        raise BackupError(f"Base de données « {backend} » non prise en charge : seules SQLite "
                          "et PostgreSQL peuvent être sauvegardées.")
    return backend


def shown(url: str) -> str:
    """The database URL without its password, to name it in messages."""
    return make_url(url).render_as_string(hide_password=True)


# Listing and rotation ---------------------------------------------------------------------------

def list_backups(folder: Path) -> list[Backup]:
    """The backups in `folder`, newest first (other files are ignored)."""
    found = []
    for path in Path(folder).glob(f"{PREFIX}*"):
        match = NAME.match(path.name)
        if match and path.is_file():
            stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            found.append((stamp, int(match.group(2) or 0), Backup(path, stamp, path.stat().st_size)))
    return [backup for *_, backup in sorted(found, key=lambda row: row[:2], reverse=True)]


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups; the deleted paths."""
    removed = [backup.path for backup in list_backups(folder)[keep:]]
    for path in removed:
        path.unlink()
    return removed


def _new_path(folder: Path, suffix: str, now: datetime) -> Path:
    """A timestamped name not taken yet (two backups in one second get -1, -2…)."""
    stem = f"{PREFIX}{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"
    path, number = folder / f"{stem}{suffix}", 0
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}{suffix}"
    return path


# Create -----------------------------------------------------------------------------------------

def create(url: str, folder: Path, keep: int | None, now: datetime | None = None
           ) -> tuple[Path, list[Path]]:
    """Back the database up into `folder`, then keep only the `keep` newest (None: no rotation).

    Returns the new file and the files rotation deleted.
    """
    if keep is not None and keep < 1:
        raise BackupError(f"BACKUP_KEEP doit valoir au moins 1 (reçu : {keep}).")
    kind = kind_of(url)
    folder = Path(folder)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Impossible de créer le dossier de sauvegarde {folder} : "
                          f"{error.strerror}. Vérifiez BACKUP_DIR et les droits.") from None
    target = _new_path(folder, SUFFIXES[kind], now or clock.utcnow())
    partial = target.with_name(f".{target.name}.partial")
    # Readable by the service's user only (personal data), from the first byte written.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        if kind == "sqlite":
            _sqlite_copy(sqlite_file(url, must_exist=True), partial)
            _one_file(partial)
            check_sqlite(partial)
        else:
            _pg_dump(make_url(url), partial)
            check_pg_dump(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target, (rotate(folder, keep) if keep is not None else [])


def sqlite_file(url: str, must_exist: bool) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("Une base SQLite en mémoire ne peut pas être sauvegardée.")
    path = Path(database)
    if must_exist and not path.is_file():
        raise BackupError(f"La base SQLite {path} n'existe pas : rien à sauvegarder. "
                          "Vérifiez DATABASE_URL.")
    return path


def _sqlite_copy(source: Path, destination: Path) -> None:
    """Copy one SQLite database into another through the online backup API."""
    try:
        with closing(sqlite3.connect(_read_only(source), uri=True, timeout=30)) as src, \
                closing(sqlite3.connect(destination, timeout=30)) as dst:
            src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"La copie SQLite a échoué ({error}). Réessayez ; si cela se répète, "
                          "vérifiez l'espace disque et les droits sur les fichiers.") from None


def _one_file(path: Path) -> None:
    """Make a fresh copy a single self-contained file (rollback journal, no -wal or -shm).

    The service's SQLite runs in write-ahead-log mode and the online backup copies that mode;
    a backup left in it would grow -wal/-shm companions whenever it is opened, and a copy of the
    main file alone could miss what they hold.
    """
    try:
        with closing(sqlite3.connect(path, timeout=30)) as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"La copie SQLite a échoué ({error}). Réessayez ; si cela se répète, "
                          "vérifiez l'espace disque et les droits sur les fichiers.") from None


def _read_only(path: Path) -> str:
    """A read-only SQLite URI for `path` (percent-encoded: a "?" or "#" in a name is harmless)."""
    return f"{Path(path).resolve().as_uri()}?mode=ro"


# Checks: is this file one of our backups? -------------------------------------------------------

def _magic(path: Path, length: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(length)
    except FileNotFoundError:
        raise BackupError(f"Le fichier {path} n'existe pas. `flask backup list` montre les "
                          "sauvegardes disponibles.") from None
    except OSError as error:
        raise BackupError(f"Le fichier {path} ne peut pas être lu : {error.strerror}.") from None


def check_sqlite(path: Path) -> None:
    """Refuse anything but an intact SQLite database holding our tables."""
    if _magic(path, len(SQLITE_MAGIC)) != SQLITE_MAGIC:
        raise BackupError(f"{path} n'est pas une sauvegarde SQLite de ce service.")
    try:
        with closing(sqlite3.connect(_read_only(path), uri=True)) as connection:
            integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
            has_marker = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                (MARKER_TABLE,)).fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"{path} est une base SQLite illisible ({error}).") from None
    if integrity != "ok":
        raise BackupError(f"{path} est endommagée (contrôle d'intégrité : {integrity}).")
    if not has_marker:
        raise BackupError(f"{path} est une base SQLite, mais pas une sauvegarde de ce service "
                          f"(pas de table « {MARKER_TABLE} »).")


def check_pg_dump(path: Path) -> None:
    """Refuse anything but a pg_dump custom archive holding our tables."""
    if _magic(path, len(PGDUMP_MAGIC)) != PGDUMP_MAGIC:
        raise BackupError(f"{path} n'est pas une sauvegarde PostgreSQL de ce service "
                          "(format pg_dump --format=custom attendu).")
    listing = _run([pg_tool("pg_restore"), "--list", str(path)], env=None,
                   failure=f"{path} est une archive pg_dump illisible")
    if not re.search(rf"^\d+; .* TABLE \S+ {MARKER_TABLE} ", listing, re.MULTILINE):
        raise BackupError(f"{path} est une archive pg_dump, mais pas une sauvegarde de ce "
                          f"service (pas de table « {MARKER_TABLE} »).")


def check(url: str, path: Path) -> None:
    """The file exists, is a backup of ours, and suits the configured database."""
    kind = kind_of(url)
    head = _magic(path, len(SQLITE_MAGIC))
    if kind == "sqlite" and head.startswith(PGDUMP_MAGIC):
        raise BackupError(f"{path} est une sauvegarde PostgreSQL, mais la base configurée est "
                          "SQLite : vérifiez DATABASE_URL.")
    if kind == "postgresql" and head == SQLITE_MAGIC:
        raise BackupError(f"{path} est une sauvegarde SQLite, mais la base configurée est "
                          "PostgreSQL : vérifiez DATABASE_URL.")
    (check_sqlite if kind == "sqlite" else check_pg_dump)(path)


# Restore ----------------------------------------------------------------------------------------

def restore(url: str, path: Path) -> None:
    """Replace the whole configured database by the backup `path` (checked first).

    Callers close their own connections first: PostgreSQL's DROP waits for them.
    """
    path = Path(path)
    check(url, path)
    if kind_of(url) == "sqlite":
        database = sqlite_file(url, must_exist=False)
        database.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(path, database)
        return
    parsed = make_url(url)
    _run([pg_tool("pg_restore", _server_major(parsed)), "--clean", "--if-exists", "--no-owner",
          "--single-transaction", "--exit-on-error", "--dbname", _conninfo(parsed), str(path)],
         env=_pg_env(parsed),
         failure="La restauration a échoué ; la base n'a pas été modifiée (transaction unique)")


# PostgreSQL tools -------------------------------------------------------------------------------

def _pg_dump(url: URL, destination: Path) -> None:
    _run([pg_tool("pg_dump", _server_major(url)), "--format=custom", "--file", str(destination),
          "--dbname", _conninfo(url)], env=_pg_env(url), failure="pg_dump a échoué")


def pg_tool(name: str, server_major: int | None = None) -> str:
    """pg_dump or pg_restore: the one of the server's major version if installed, else PATH."""
    if server_major is not None:
        exact = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
        if exact.is_file():
            return str(exact)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_major_of_path)
    if versions:
        return versions[-1]
    raise BackupError(f"{name} est introuvable. Installez le paquet postgresql-client de la même "
                      "version majeure que le serveur (Debian : apt-get install postgresql-client).")


def _major_of_path(path: str) -> int:
    """15 for /usr/lib/postgresql/15/bin/pg_dump (Debian's layout)."""
    version = Path(path).parents[1].name
    return int(version) if version.isdigit() else 0


def _server_major(url: URL) -> int | None:
    """The server's major version (pg_dump refuses a newer server), or None if unknown."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000
    except Exception:  # the tool itself will then say why it cannot connect
        return None
    finally:
        engine.dispose()


def _conninfo(url: URL) -> str:
    """A libpq connection string without the password (which goes through PGPASSWORD)."""
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database,
             **{key: value for key, value in url.query.items() if isinstance(value, str)}}

    def quoted(value) -> str:
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

    return " ".join(f"{key}={quoted(value)}" for key, value in parts.items() if value is not None)


def _pg_env(url: URL) -> dict:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _run(command: list[str], env: dict | None, failure: str) -> str:
    """Run a PostgreSQL tool; its stdout, or a BackupError with what it said."""
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except OSError as error:
        raise BackupError(f"{failure} : {command[0]} ne peut pas être lancé ({error.strerror}).") from None
    if result.returncode != 0:
        said = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{failure} :\n{said}")
    return result.stdout
