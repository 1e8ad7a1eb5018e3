"""operations channel: new pending operations have a change channel of their own

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 19:45:00

PostgreSQL only. Since 0012 every row written sent its table's name on the one change
channel, which every desk and every applier listens to. For ``operations`` that woke all of
them twice per operation: at the desk's push (the appliers want that one; desks ignore it)
and at the applier's update of the row (desks ignore it unless they await an outcome, and an
applier woken by its own commit only finds the queue empty). Now a new operation (an INSERT)
notifies ``relaydesk_operations``, which only the appliers hear (app/services/queue_wake.py),
and its settling (an UPDATE) the change channel as before, for a desk awaiting a refusal or
an outcome that wrote nothing else. With 20 desks: 20 listener wake-ups fewer per operation,
and two empty picks fewer. Every other table notifies as before, and DELETE keeps 0012's
statement trigger.
"""

from __future__ import annotations

from alembic import op

from storage.migrate import revision_module

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

STAMP_AND_NOTIFY = """
CREATE OR REPLACE FUNCTION relaydesk_stamp_change_xid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    -- Identical payloads fold into one notification per transaction.
    IF TG_TABLE_NAME = 'operations' AND TG_OP = 'INSERT' THEN
        PERFORM pg_notify('relaydesk_operations', TG_TABLE_NAME);
    ELSE
        PERFORM pg_notify('relaydesk_changes', TG_TABLE_NAME);
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(STAMP_AND_NOTIFY)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Back to 0012's function, from 0012 itself.
    previous = revision_module("0012")
    op.execute(previous.STAMP_AND_NOTIFY)
