"""claim order index: claims walk an index that only claims can use

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 14:30:00

PostgreSQL only. A claim takes the oldest free open row of the agent's queues by walking
``ix_interactions_unclaimed (queue_id, created_at)``, which holds only free open rows. But
``ix_interactions_age (created_at, id)`` gives the same order, filtered as it goes. With one
queue and statistics taken while every row was free (a new install, a backlog just
imported), PostgreSQL costs the two walks alike, and the plan a connection caches for the
claim statement may keep the age walk: it then steps over every row claimed since, and each
claim costs more than the last until the next ANALYZE replans it (1.3 -> 2.7 ms a claim as
5,000 preloaded claims drained). This index orders each queue's free rows by
``created_at AT TIME ZONE 'UTC'`` (``storage.models.claim_order``), an order no other index
gives, so the claim statements that ask for it walk it whatever the statistics say.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEX = "ix_interactions_claim_order"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE INDEX {INDEX} ON interactions (queue_id, (created_at AT TIME ZONE 'UTC')) "
        "WHERE claimed_by_id IS NULL AND status = 'open'"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX {INDEX}")
