"""notify changed rows: a change notice only when a row was written

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 17:00:00

PostgreSQL only. Since 0004 a statement-level trigger sent the "pull now" notice for its
table after every INSERT, UPDATE or DELETE statement, even one that wrote no row. A
statement whose data-modifying parts found nothing to do (the applier's one-statement
claim with an empty queue, an UPDATE ... WHERE status = 'pending' that lost a race) still
woke every desk and every applier, and an applier woken by its own empty statement looped:
2,300 statements and xids a second on an idle queue, desks pulling without end. The row
trigger that stamps ``change_xid`` runs exactly for the rows written, so it now sends the
notice (identical payloads fold into one per transaction); the statement trigger stays for
DELETE only, which the stamp does not see.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

STAMP_AND_NOTIFY = """
CREATE OR REPLACE FUNCTION relaydesk_stamp_change_xid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    -- Identical payloads fold into one notification per transaction.
    PERFORM pg_notify('relaydesk_changes', TG_TABLE_NAME);
    RETURN NEW;
END
$$
"""

STAMP_ONLY = """
CREATE OR REPLACE FUNCTION relaydesk_stamp_change_xid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END
$$
"""


def _notified_tables() -> list[str]:
    rows = op.get_bind().exec_driver_sql(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = 'relaydesk_notify' ORDER BY c.relname"
    )
    return [row[0] for row in rows]


def _notify_on(events: str) -> None:
    for table in _notified_tables():
        op.execute(f'DROP TRIGGER relaydesk_notify ON "{table}"')
        op.execute(
            f'CREATE TRIGGER relaydesk_notify AFTER {events} ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION relaydesk_notify_change()"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(STAMP_AND_NOTIFY)
    _notify_on("DELETE")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(STAMP_ONLY)
    _notify_on("INSERT OR UPDATE OR DELETE")
