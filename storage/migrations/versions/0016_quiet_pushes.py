"""quiet pushes: a pushed operation rings the appliers only when one of them sleeps

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 23:00:00

PostgreSQL only. Since 0014 every desk's push notified ``relaydesk_operations``. PostgreSQL
commits notifying transactions one at a time (a cluster-wide lock held from before the
commit until after its WAL flush), so 50 desks pushing at once queued on that lock: in
``bench.sync_ops`` they pushed 1,143-1,256 operations a second with the notice and
1,876-1,940 without, and the appliers, on the same cores, applied 13% more. The notice
matters only to an applier that waits for it; a busy applier looks at the queue again
anyway before it waits.

So an applier about to wait enters ``operation_waiters`` (its id, and until when the entry
holds: an applier that died without leaving stops counting), and leaves it when it finds a
full batch waiting. A push notifies only while an entry holds. No wake-up is lost: the push
takes a shared advisory lock, which it holds to its commit, before it reads the entries (in
a statement of its own, so with a snapshot taken after the lock), and an applier enters
under the same lock exclusively, then looks at the queue once more before it waits. A push
that read no entry therefore committed before the applier entered, and the applier's look
finds its operation; a push after that reads the entry and rings.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.migrate import revision_module

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# The advisory lock's key (storage.opqueue.WAITERS_LOCK, which a test holds to this).
WAITERS_LOCK = 5_265_232_487

AWAITED = """
CREATE OR REPLACE FUNCTION relaydesk_operations_awaited() RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({lock});
    -- A statement of its own: its snapshot is taken after the lock is granted.
    RETURN EXISTS (SELECT 1 FROM operation_waiters WHERE until > clock_timestamp());
END
$$
"""

STAMP_AND_NOTIFY = """
CREATE OR REPLACE FUNCTION relaydesk_stamp_change_xid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    -- Identical payloads fold into one notification per transaction.
    IF TG_TABLE_NAME = 'operations' AND TG_OP = 'INSERT' THEN
        IF relaydesk_operations_awaited() THEN
            PERFORM pg_notify('relaydesk_operations', TG_TABLE_NAME);
        END IF;
    ELSE
        PERFORM pg_notify('relaydesk_changes', TG_TABLE_NAME);
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute("CREATE TABLE operation_waiters (id uuid PRIMARY KEY, until timestamptz NOT NULL)")
    op.execute(AWAITED.format(schema=f'"{schema}"', lock=WAITERS_LOCK))
    op.execute("REVOKE ALL ON FUNCTION relaydesk_operations_awaited() FROM PUBLIC")
    roles = revision_module("0009")  # the agents' and the worker's roles
    op.execute(
        f"GRANT EXECUTE ON FUNCTION relaydesk_operations_awaited() TO {roles.AGENT}, {roles.WORKER}"
    )
    op.execute(STAMP_AND_NOTIFY)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(revision_module("0014").STAMP_AND_NOTIFY)
    op.execute("DROP FUNCTION relaydesk_operations_awaited()")
    op.execute("DROP TABLE operation_waiters")
