"""notices carry xids: a change notice says which transaction wrote its table

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 16:20:00

PostgreSQL only. Since 0012 a written row sends its table's name on the change channel. A
desk could not tell from a name whether the rows it announced were already in its store, so
every pull asked the central database which of the 33 tables had changed since its cursor
(the opening's probe): at every change, on every desk. The payload is now
``"<table> <xid> <bound>"``: the writing transaction's id, and the ``xmin`` of a snapshot it
took, below which every transaction had ended before it committed. Notifications reach a
listener in commit order, so a desk that has heard a notice with bound ``B`` has heard every
notice of every transaction below ``B`` that committed while it listened
(``storage.sync.Puller.notice``). The bound is taken at the transaction's first notice and
kept for the rest of it (a transaction-local setting): one payload per table and
transaction, which PostgreSQL folds into one notification as before. New operations keep
their own channel (0014) and payload.
"""

from __future__ import annotations

from alembic import op

from storage.migrate import revision_module

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

STAMP_AND_NOTIFY = """
CREATE OR REPLACE FUNCTION relaydesk_stamp_change_xid() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bound text;
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    IF TG_TABLE_NAME = 'operations' AND TG_OP = 'INSERT' THEN
        PERFORM pg_notify('relaydesk_operations', TG_TABLE_NAME);
    ELSE
        bound := current_setting('relaydesk.notice_bound', true);
        IF bound IS NULL OR bound = '' THEN
            bound := pg_snapshot_xmin(pg_current_snapshot())::text;
            PERFORM set_config('relaydesk.notice_bound', bound, true);
        END IF;
        -- Identical payloads fold into one notification per transaction.
        PERFORM pg_notify(
            'relaydesk_changes', TG_TABLE_NAME || ' ' || NEW.change_xid || ' ' || bound
        );
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
    # Back to 0014's function, from 0014 itself.
    previous = revision_module("0014")
    op.execute(previous.STAMP_AND_NOTIFY)
