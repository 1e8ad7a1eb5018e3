"""shared notices: commits that end together share one change notice

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 01:30:00

PostgreSQL only. Since 0004 every transaction that writes a synced row sends a "pull now"
notice on ``relaydesk_changes``, and PostgreSQL commits notifying transactions one at a
time: a cluster-wide lock taken before the commit and held until its WAL flush. 50 agents
claiming at once queued on that lock (48 of 50 waiting on it, seen in pg_stat_activity),
so their commits could not share a flush.

A desk that hears any notice pulls everything committed below its snapshot's horizon (one
past the newest transaction that has ended), and pulls again shortly
(``CentralSync.chase_wait``) while an older transaction is still open. So a commit need
not announce itself when another commit's notice is sure to come after it has ended. The
notices now go at the commit, from a deferred constraint trigger per row (the row trigger
only stamps ``change_xid``), decided once per transaction with two advisory locks:

- the commit takes the gate lock shared (waiting while an announcer is finishing), then
  tries the announcer lock;
- the one that gets it is the announcer: it takes the gate exclusive, which waits until
  every commit holding it shared has ended, then notifies and commits;
- the others stay quiet: they hold the gate shared while an announcer holds its lock and
  has not yet taken the gate, so its notice comes after they have ended.

Commits arriving together thus share one notice and one round of flushes instead of one
flush each behind PostgreSQL's lock. A commit alone is its own announcer. An announcer that
failed after taking its lock would leave its quiet commits to the next notice, or to the
desks' periodic pull: late, never lost. The decision sets ``lock_timeout`` to 0 for the
rest of the commit: a session's own timeout must not make a commit fail here.

The ``operations`` table keeps its own notices (0014, 0016): a desk does not pull on the
notice of an operation's row, so such a notice must not stand in for others. A commit that
updates an operation (the worker applying it) notifies anyway, so it waits its turn at
PostgreSQL's lock whatever it does: it announces all its tables itself, without the locks.
Deletes keep their statement trigger and always notify.
"""

from __future__ import annotations

from alembic import op

from storage.migrate import revision_module

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The advisory locks' keys (storage.sync.ANNOUNCER_LOCK and NOTICE_GATE, held to these by a
# test).
ANNOUNCER_LOCK = 5_265_232_488
NOTICE_GATE = 5_265_232_489

STAMP = """
CREATE OR REPLACE FUNCTION relaydesk_stamp_change_xid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    IF TG_TABLE_NAME = 'operations' THEN
        -- Identical payloads fold into one notification per transaction.
        IF TG_OP = 'INSERT' THEN
            IF relaydesk_operations_awaited() THEN
                PERFORM pg_notify('relaydesk_operations', TG_TABLE_NAME);
            END IF;
        ELSE
            PERFORM pg_notify('relaydesk_changes', TG_TABLE_NAME);
            -- This commit notifies, so waits its turn, anyway: it announces the rest too.
            PERFORM set_config('relaydesk.announce', 'notify', true);
        END IF;
    END IF;
    -- Other tables are announced at the commit: relaydesk_announce_change().
    RETURN NEW;
END
$$
"""

ANNOUNCE = """
CREATE OR REPLACE FUNCTION relaydesk_announce_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    mode text := current_setting('relaydesk.announce', true);
BEGIN
    -- Decided once per transaction, at its first deferred row.
    IF mode = 'quiet' THEN
        RETURN NULL;
    END IF;
    IF mode IS NULL OR mode = '' THEN
        -- The commit's own: a session's lock_timeout must not make it fail here.
        PERFORM set_config('lock_timeout', '0', true);
        PERFORM pg_advisory_xact_lock_shared({gate});
        IF pg_try_advisory_xact_lock({lock}) THEN
            PERFORM pg_advisory_xact_lock({gate});  -- after every quiet commit has ended
            mode := 'notify';
        ELSE
            mode := 'quiet';  -- the announcer's notice comes after this commit has ended
        END IF;
        PERFORM set_config('relaydesk.announce', mode, true);
        IF mode = 'quiet' THEN
            RETURN NULL;
        END IF;
    END IF;
    -- Identical payloads fold into one notification per transaction.
    PERFORM pg_notify('relaydesk_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""


def _stamped_tables() -> list[str]:
    rows = op.get_bind().exec_driver_sql(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = 'relaydesk_stamp' AND c.relname <> 'operations' ORDER BY c.relname"
    )
    return [row[0] for row in rows]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(ANNOUNCE.format(gate=NOTICE_GATE, lock=ANNOUNCER_LOCK))
    for table in _stamped_tables():
        op.execute(
            f'CREATE CONSTRAINT TRIGGER relaydesk_announce AFTER INSERT OR UPDATE ON "{table}" '
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION relaydesk_announce_change()"
        )
    op.execute(STAMP)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(revision_module("0016").STAMP_AND_NOTIFY)
    for table in _stamped_tables():
        op.execute(f'DROP TRIGGER IF EXISTS relaydesk_announce ON "{table}"')
    op.execute("DROP FUNCTION relaydesk_announce_change()")
