"""sync: team-mode pull bookkeeping (change_xid on synced tables, sync_state, PG triggers)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 07:50:00

Every synchronised table (those with a ``change_seq`` column) gets a nullable ``change_xid``.
On PostgreSQL a row trigger stamps it with the writing transaction's id and a statement
trigger sends a small NOTIFY so clients pull at once; the central database also gets its
schema epoch and a random identity in ``sync_state``. The SQL mirrors storage/sync.py
(``stamp_trigger_sql``) on purpose: a migration must not change when that module does.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STAMP_FUNCTION = """
CREATE OR REPLACE FUNCTION relaydesk_stamp_change_xid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END
$$
"""

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION relaydesk_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Identical payloads fold into one notification per transaction.
    PERFORM pg_notify('relaydesk_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""


def _synced_tables() -> list[str]:
    inspector = sa.inspect(op.get_bind())
    return sorted(
        name
        for name in inspector.get_table_names()
        if any(c["name"] == "change_seq" for c in inspector.get_columns(name))
    )


def upgrade() -> None:
    tables = _synced_tables()
    for table in tables:
        op.add_column(table, sa.Column("change_xid", sa.BigInteger(), nullable=True))
        op.create_index(op.f(f"ix_{table}_change_xid"), table, ["change_xid"], unique=False)
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(STAMP_FUNCTION)
    op.execute(NOTIFY_FUNCTION)
    for table in tables:
        # Rows written before this revision sort first (xid 0): a new client pulls them all.
        op.execute(f'UPDATE "{table}" SET change_xid = 0')
        op.execute(
            f'CREATE TRIGGER relaydesk_stamp BEFORE INSERT OR UPDATE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION relaydesk_stamp_change_xid()"
        )
        op.execute(
            f'CREATE TRIGGER relaydesk_notify AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION relaydesk_notify_change()"
        )
    state = sa.table("sync_state", sa.column("key", sa.String), sa.column("value", sa.JSON))
    op.bulk_insert(
        state,
        [
            {"key": "epoch", "value": {"v": 1}},
            {"key": "central_id", "value": {"v": str(uuid.uuid4())}},
        ],
    )


def downgrade() -> None:
    tables = _synced_tables()
    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(f'DROP TRIGGER IF EXISTS relaydesk_stamp ON "{table}"')
            op.execute(f'DROP TRIGGER IF EXISTS relaydesk_notify ON "{table}"')
        op.execute("DROP FUNCTION IF EXISTS relaydesk_stamp_change_xid()")
        op.execute("DROP FUNCTION IF EXISTS relaydesk_notify_change()")
    op.drop_table("sync_state")
    for table in tables:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_change_xid"))
            batch_op.drop_column("change_xid")
