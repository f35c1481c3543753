"""The team's texts and funders of a stage's report.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# Frozen here on purpose, like the model's list was when this migration was written.
FIGURE_TEXTS = ("participants", "moins_26", "qpv", "structures", "lieux_culturels",
                "professionnels", "sortie_culturelle", "projet_plus_precis",
                "jusqu_au_bout_satisfaits", "isolement_rompu", "experience_groupe")
OBJECTIVES = ("obj_possibles", "obj_competences", "obj_remobilisation", "obj_confiance",
              "obj_territoire")
KEYS = (("sous_titre", "introduction", "organisation")
        + tuple(f"chiffre.{key}" for key in FIGURE_TEXTS)
        + ("objectifs_intro",) + tuple(f"objectif.{key}" for key in OBJECTIVES)
        + ("note_equipe", "preconisations"))


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        "stage_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("copied_from_stage_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(_in("key", KEYS), name=op.f("ck_stage_text_key_known")),
        sa.CheckConstraint("length(body) <= 20000", name=op.f("ck_stage_text_body_length")),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], name=op.f("fk_stage_text_stage_id_stage"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["copied_from_stage_id"], ["stage.id"],
                                name=op.f("fk_stage_text_copied_from_stage_id_stage"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"],
                                name=op.f("fk_stage_text_updated_by_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_text")),
        sa.UniqueConstraint("stage_id", "key", name=op.f("uq_stage_text_stage_id_key")),
    )
    op.create_index(op.f("ix_stage_text_stage_id"), "stage_text", ["stage_id"])
    op.create_table(
        "stage_funder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.CheckConstraint("kind IN ('financeur', 'partenaire')", name=op.f("ck_stage_funder_kind_known")),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_stage_funder_name_not_blank")),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"],
                                name=op.f("fk_stage_funder_stage_id_stage"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_funder")),
        sa.UniqueConstraint("stage_id", "position", name=op.f("uq_stage_funder_stage_id_position")),
    )
    op.create_index(op.f("ix_stage_funder_stage_id"), "stage_funder", ["stage_id"])


def downgrade():
    op.drop_index(op.f("ix_stage_funder_stage_id"), table_name="stage_funder")
    op.drop_table("stage_funder")
    op.drop_index(op.f("ix_stage_text_stage_id"), table_name="stage_text")
    op.drop_table("stage_text")
