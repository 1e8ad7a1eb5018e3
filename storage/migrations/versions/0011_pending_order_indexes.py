"""pending order indexes: the queue's indexes carry the id that orders equal times

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 16:30:00

Appliers take the oldest pending operation by ``(created_at, id)``, and an operation waits
while its agent has an earlier one pending. The two partial indexes of pending rows held
``created_at`` alone (and ``actor_id, created_at``): the walk had to sort each group of equal
times, and the per-agent check could not stop at the exact row. With ``id`` in both indexes
the walk stops at the first free row and the check is one index probe.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PENDING = "status = 'pending'"
INDEXES = {
    "ix_operations_pending": (["created_at"], ["created_at", "id"]),
    "ix_operations_pending_actor": (["actor_id", "created_at"], ["actor_id", "created_at", "id"]),
}


def _recreate(columns_at: int) -> None:
    for name, columns in INDEXES.items():
        op.drop_index(name, table_name="operations")
        op.create_index(
            name,
            "operations",
            columns[columns_at],
            unique=False,
            postgresql_where=sa.text(PENDING),
            sqlite_where=sa.text(PENDING),
        )


def upgrade() -> None:
    _recreate(1)


def downgrade() -> None:
    _recreate(0)
