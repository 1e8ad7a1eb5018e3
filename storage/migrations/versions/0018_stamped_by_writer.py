"""stamped by the writer: rows that already carry their transaction's id skip the trigger

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 07:30:00

PostgreSQL only. Since 0004 a BEFORE trigger stamps every written row of a synced table
with the writing transaction's id (``change_xid``), which is what pulls page by. It runs a
PL/pgSQL function per row: a claim writes three rows, and the three calls were about a
tenth of the server's CPU for it (perf, 50 agents claiming). The hot writers now set the
column themselves (``storage.engine.CURRENT_XID``: the claims' statements, the Core inserts
and the ORM's flushes on PostgreSQL), and the trigger runs only when the row does not
already hold this transaction's id. A writer that does not set it, or sets anything else,
is stamped as before, so every row still ends with the id of the transaction that last
wrote it, whoever wrote it.

The ``operations`` table keeps its trigger unconditional: the function also rings the
appliers for a pushed operation and announces the worker's commits. A pushed operation is
one whose row is inserted pending; one inserted already applied (a claim applied directly)
wakes no applier, so it no longer asks whether one waits.
"""

from __future__ import annotations

from alembic import op

from storage.migrate import revision_module

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# The trigger's condition: the row does not hold this transaction's id yet. Kept in step
# with storage.engine.CURRENT_XID by a test.
NOT_STAMPED = "NEW.change_xid IS DISTINCT FROM pg_current_xact_id()::text::bigint"


def stamp_function() -> str:
    """0017's function, but that only a pushed operation (inserted pending) asks whether
    an applier waits (read at run time: revisions load one another only then)."""
    awaited = "IF relaydesk_operations_awaited() THEN"
    stamp = str(revision_module("0017").STAMP)
    if awaited not in stamp:
        raise AssertionError("0017's STAMP no longer reads as this migration expects")
    return stamp.replace(
        awaited, "IF NEW.status = 'pending' AND relaydesk_operations_awaited() THEN"
    )


def _stamp_triggers(condition: str) -> None:
    # 0017's list: the stamped tables but ``operations``.
    for table in revision_module("0017")._stamped_tables():
        op.execute(f'DROP TRIGGER relaydesk_stamp ON "{table}"')
        op.execute(
            f'CREATE TRIGGER relaydesk_stamp BEFORE INSERT OR UPDATE ON "{table}" '
            f"FOR EACH ROW {condition}EXECUTE FUNCTION relaydesk_stamp_change_xid()"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(stamp_function())
    _stamp_triggers(f"WHEN ({NOT_STAMPED}) ")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _stamp_triggers("")
    op.execute(revision_module("0017").STAMP)
