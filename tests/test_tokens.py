"""Personal links: 128-bit tokens, only their hash stored, same link twice, legacy links, migration."""
import pytest
from sqlalchemy import create_engine, inspect, select, text

from questionnaires.participant import bilan
from questionnaires import create_app, tokens
from questionnaires.followups import progress
from questionnaires.extensions import db
from questionnaires.followups.dispatch import dispatch_due
from questionnaires.followups.plan import plan_stage
from questionnaires.models import FollowupInvitation, Participant
from tests.support.factories import DUE, make_stage
from tests.support.queries import first_participant
from tests.support.system import empty_postgres_schema, flask_db


def test_a_token_carries_128_bits_and_only_its_hash_is_stored(demo):
    with demo.app_context():
        person = first_participant(demo)
        token = bilan.link_token(person)
        assert len(token) == 22 and "." not in token  # 16 bytes of HMAC in base64url
        assert len(person.bilan_link_salt) >= 22  # the salt: secrets.token_urlsafe(16)
        assert person.bilan_token_hash == tokens.token_hash(token)
        row = db.session.execute(text("SELECT * FROM participant WHERE id = :id"),
                                 {"id": person.id}).mappings().one()
        assert token not in {str(value) for value in row.values()}


def test_the_same_link_is_shown_twice_and_renewing_kills_the_old_one(demo):
    client = demo.test_client()
    with demo.app_context():
        person = first_participant(demo)
        first = bilan.link_token(person)
        assert bilan.link_token(db.session.get(Participant, person.id)) == first
        bilan.renew_link(person)
        db.session.commit()
        second = bilan.link_token(person)
        assert second != first
        assert person.bilan_token_hash == tokens.token_hash(second)
    assert client.get(f"/b/{first}").status_code == 404
    assert client.get(f"/b/{second}").status_code == 302


def test_the_database_alone_cannot_rebuild_a_link(demo):
    """Salt and hash without the key: a token made with another key opens nothing."""
    client = demo.test_client()
    with demo.app_context():
        person = first_participant(demo)
        forged = tokens.make_token("bilan", person.bilan_link_salt, key="a-guessed-key")
        purpose_swapped = tokens.make_token("suivi", person.bilan_link_salt)
    assert client.get(f"/b/{forged}").status_code == 404
    assert client.get(f"/b/{purpose_swapped}").status_code == 404


def test_rotating_the_secret_key_kills_every_link(demo, tmp_path):
    with demo.app_context():
        token = bilan.link_token(first_participant(demo))
    rotated = create_app({"TESTING": True, "SECRET_KEY": "another-key",
                          "SQLALCHEMY_DATABASE_URI": demo.config["SQLALCHEMY_DATABASE_URI"]})
    assert demo.test_client().get(f"/b/{token}").status_code == 302
    assert rotated.test_client().get(f"/b/{token}").status_code == 404


def test_a_link_made_before_the_hashes_still_opens(demo):
    """Old links read <salt>.<token>: printed sheets and sent mails keep working."""
    client = demo.test_client()
    with demo.app_context():
        person = first_participant(demo)
        legacy = f"{person.bilan_link_salt}.{bilan.link_token(person)}"
        wrong_salt = f"{tokens.new_salt()}.{bilan.link_token(person)}"
    assert client.get(f"/b/{legacy}").status_code == 302
    assert client.get(f"/b/{wrong_salt}").status_code == 404


def test_hostile_tokens_are_french_404s(demo):
    client = demo.test_client()
    for token in ("", ".", "a.b.c", "x" * 101, "é" * 30, "%00", "..", "a" * 22):
        response = client.get(f"/b/{token}")
        assert response.status_code in (404, 308), token
        if response.status_code == 404:
            assert "introuvable" in response.get_data(as_text=True).lower() \
                or "Lien inconnu" in response.get_data(as_text=True)


def test_referent_links_follow_the_same_scheme_and_a_new_address_kills_the_link(app):
    with app.app_context():
        make_stage({"nadia@example.org": ["Alex"]})
        dispatch_due(DUE)
        invitation = db.session.scalar(select(FollowupInvitation))
        token = progress.link_token(invitation)
        assert len(token) == 22
        assert invitation.token_hash == tokens.token_hash(token)
        assert progress.link_token(db.session.get(FollowupInvitation, invitation.id)) == token
    client = app.test_client()
    assert client.get(f"/suivi/{token}").status_code == 200
    assert client.get(f"/suivi/{token[:-2]}AA").status_code == 404
    with app.app_context():
        invitation = db.session.scalar(select(FollowupInvitation))
        invitation.referent.email = "nadia.nouvelle@example.org"
        db.session.commit()
        plan_stage(invitation.stage, DUE)
        db.session.commit()
        db.session.expire_all()
        invitation = db.session.scalar(select(FollowupInvitation))
        new_token = progress.link_token(invitation)
        assert new_token != token and invitation.token_hash == tokens.token_hash(new_token)
    assert client.get(f"/suivi/{token}").status_code == 404
    assert client.get(f"/suivi/{new_token}").status_code == 200


def test_the_migration_hashes_existing_links_with_the_installation_key(tmp_path):
    """Rows made before 0005 get the hash of the link they already had."""
    _migrate_with_rows(f"sqlite:///{tmp_path / 'migrated.sqlite'}")


@pytest.mark.postgres
def test_the_migration_hashes_existing_links_on_postgresql(postgres_url):
    empty_postgres_schema(postgres_url)
    _migrate_with_rows(postgres_url)


def _migrate_with_rows(url: str) -> None:
    result = flask_db(url, "upgrade")
    assert result.returncode == 0, result.stderr
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from questionnaires.demo import load_demo

        load_demo()
        before = {p.id: (bilan.link_token(p), p.bilan_token_hash)
                  for p in db.session.scalars(select(Participant))}
        db.session.remove()
        db.engine.dispose()
    assert before
    counts = _row_counts(url)
    result = flask_db(url, "downgrade", "0004")  # the revision before 0005
    assert result.returncode == 0, result.stderr
    at_0004 = _row_counts(url)
    # Nothing lost on the way down (SQLite rebuilds tables: with foreign keys on, that cascaded)
    assert at_0004 == {table: n for table, n in counts.items() if table in at_0004}
    result = flask_db(url, "upgrade")
    assert result.returncode == 0, result.stderr
    # Nor on the way up: every row of every table that 0004 has is back (tables made later,
    # such as the report's texts of 0017, are dropped on the way down by design)
    assert {table: n for table, n in _row_counts(url).items() if table in at_0004} == \
        {table: n for table, n in counts.items() if table in at_0004}
    engine = create_engine(url)
    with engine.connect() as connection:
        after = dict(connection.execute(text("SELECT id, bilan_token_hash FROM participant")).all())
    engine.dispose()
    assert after == {pid: stored for pid, (_, stored) in before.items()}
    client = app.test_client()
    for token, _ in before.values():
        assert client.get(f"/b/{token}").status_code in (302, 410)


def _row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
                    for table in tables if table != "alembic_version"}
    finally:
        engine.dispose()


def test_after_a_key_rotation_links_rehash_makes_new_links_work(demo):
    rotated = create_app({"TESTING": True, "SECRET_KEY": "another-key",
                          "SQLALCHEMY_DATABASE_URI": demo.config["SQLALCHEMY_DATABASE_URI"]})
    with rotated.app_context():
        old = bilan.link_token(first_participant(rotated))
    assert rotated.test_client().get(f"/b/{old}").status_code == 404
    result = rotated.test_cli_runner().invoke(args=["links", "rehash"])
    assert "recalculé" in result.output
    assert rotated.test_client().get(f"/b/{old}").status_code == 302


def test_links_built_from_public_url_open_the_routes_that_serve_them(demo):
    """Mails and the demo build links without a request: the paths must be the blueprints' own."""
    from flask import url_for

    demo.config["PUBLIC_URL"] = "https://stages.example.org/"
    with demo.test_request_context(base_url="https://stages.example.org"):
        person = db.session.scalars(select(Participant)).first()
        assert bilan.link_url(person, demo.config["PUBLIC_URL"]) == url_for(
            "participant.open_link", token=bilan.link_token(person), _external=True)
        invitation = FollowupInvitation(link_salt="0" * 32)
        assert progress.link_url(invitation, demo.config["PUBLIC_URL"]) == url_for(
            "referent.page", token=progress.link_token(invitation), _external=True)
