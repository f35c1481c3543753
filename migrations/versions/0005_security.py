"""Security: link hashes, the audit log, login throttling.

Revision ID: 0005
Revises: 0004

Existing links keep working: each row's salt (the former nonce) stays, and the hash of its
token is computed here with the installation's SECRET_KEY (environment or instance/secret_key,
as the app reads it). Run the upgrade with the same SECRET_KEY as the app.
"""
import base64
import hashlib
import hmac

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _moment(name: str, nullable: bool = True) -> sa.Column:
    """A UTC date-time column (models.types.UTCDateTime stores timezone-aware values)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _hash(key: str, purpose: str, salt: str) -> str:
    """Frozen copy of tokens.hash_for: a migration must not change when the module does."""
    digest = hmac.new(key.encode(), f"{purpose}:{salt}".encode(), hashlib.sha256).digest()[:16]
    token = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hashlib.sha256(token.encode()).hexdigest()


def _secret_key() -> str:
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config["SECRET_KEY"]
    from config import _secret_key

    return _secret_key()


def _add_hash(table: str, salt_column: str, hash_column: str, purpose: str) -> None:
    with op.batch_alter_table(table) as batch_op:
        batch_op.add_column(sa.Column(hash_column, sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT id, {salt_column} FROM {table}")).all()
    if rows:
        key = _secret_key()
        for row_id, salt in rows:
            connection.execute(
                sa.text(f"UPDATE {table} SET {hash_column} = :hash WHERE id = :id"),
                {"hash": _hash(key, purpose, salt), "id": row_id},
            )
    with op.batch_alter_table(table) as batch_op:
        batch_op.alter_column(hash_column, existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(f"uq_{table}_{hash_column}", [hash_column])


def upgrade():
    _add_hash("participant", "bilan_nonce", "bilan_token_hash", "bilan")
    _add_hash("followup_invitation", "nonce", "token_hash", "suivi")

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        _moment("at", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=120), nullable=True),
        sa.Column("user_email", sa.String(length=254), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.CheckConstraint(
            "action IN ('viewed', 'changed', 'exported', 'imported', 'purged', 'logged_in', "
            "'login_failed', 'logged_out', 'account')",
            name=op.f("ck_audit_event_action_known"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="SET NULL",
                                name=op.f("fk_audit_event_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"])
        batch_op.create_index(batch_op.f("ix_audit_event_user_id"), ["user_id"])
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"])
        batch_op.create_index(batch_op.f("ix_audit_event_stage_id"), ["stage_id"])

    op.create_table(
        "login_throttle",
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        _moment("window_started_at", nullable=False),
        _moment("locked_until"),
        sa.PrimaryKeyConstraint("email_hash", name=op.f("pk_login_throttle")),
    )


def downgrade():
    op.drop_table("login_throttle")
    op.drop_table("audit_event")
    with op.batch_alter_table("followup_invitation") as batch_op:
        batch_op.drop_constraint("uq_followup_invitation_token_hash", type_="unique")
        batch_op.drop_column("token_hash")
    with op.batch_alter_table("participant") as batch_op:
        batch_op.drop_constraint("uq_participant_bilan_token_hash", type_="unique")
        batch_op.drop_column("bilan_token_hash")
