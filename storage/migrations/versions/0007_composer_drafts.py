"""composer drafts: what an agent is writing, kept across crashes and restarts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "composer_drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("slot", sa.String(length=64), nullable=False),
        sa.Column("interaction_id", sa.Uuid(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_composer_drafts_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_composer_drafts")),
        sa.UniqueConstraint("agent_id", "slot", name=op.f("uq_composer_drafts_agent_id_slot")),
    )
    with op.batch_alter_table("composer_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_composer_drafts_agent_id"), ["agent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("composer_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_composer_drafts_agent_id"))
    op.drop_table("composer_drafts")
