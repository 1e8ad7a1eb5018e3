"""full text: message search index (SQLite FTS5 / PostgreSQL tsvector) and saved searches

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 07:50:00

SQLite: a contentless FTS5 table ``message_fts`` (subject, body, sender) whose rowid is the
``doc`` of ``message_search``, an INTEGER PRIMARY KEY handed out in arrival order. The
messages table has no integer key, and its implicit rowid is not stable (VACUUM and table
rebuilds renumber it), so the index does not key on it. Triggers on ``messages`` keep the
index in the transaction that writes the message, whatever path writes it (replies, sync,
edits, deletion). The FTS5 ``delete`` of a contentless table needs the
values that were indexed: the triggers pass ``old.*`` through the same expressions. A writer
that registers its new messages in ``message_search`` before inserting them indexes them
itself, with one INSERT ... SELECT in the same transaction (ingest's bulk path:
storage/search_index.py): FTS5 row by row through a trigger costs about twice as much.

PostgreSQL: a GIN index on an expression over the same columns; PostgreSQL maintains it
itself in the writing transaction. '@', '.', '/', '_', '-' and ':' become spaces first so
an address or host name is indexed as its words, as FTS5's unicode61 tokenizer does.

Bodies are indexed up to BODY_CHARS characters (a tsvector holds at most 1 MB).
The SQL mirrors app/services/fulltext.py on purpose: a migration must not change when
that module does (a test checks that the query still uses this index).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BODY_CHARS = 100_000

# --- SQLite -------------------------------------------------------------------------------


def _values(row: str) -> str:
    return (
        f"coalesce({row}.subject, ''), substr(coalesce({row}.text_body, ''), 1, {BODY_CHARS}), "
        f"coalesce({row}.from_name, '') || ' ' || coalesce({row}.from_email, '')"
    )


SQLITE_SETUP = [
    """
    CREATE TABLE message_search (
        doc INTEGER PRIMARY KEY,
        message_id CHAR(32) NOT NULL UNIQUE,
        interaction_id CHAR(32) NOT NULL
    )
    """,
    """
    CREATE VIRTUAL TABLE message_fts USING fts5(
        subject, body, sender, content='', tokenize='unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER message_search_insert AFTER INSERT ON messages
    WHEN new.deleted_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM message_search WHERE message_id = new.id)
    BEGIN
        INSERT INTO message_search (message_id, interaction_id)
            VALUES (new.id, new.interaction_id);
        INSERT INTO message_fts (rowid, subject, body, sender)
            SELECT doc, {_values("new")} FROM message_search WHERE message_id = new.id;
    END
    """,
    f"""
    CREATE TRIGGER message_search_update
    AFTER UPDATE OF subject, text_body, from_name, from_email, interaction_id, deleted_at
    ON messages
    BEGIN
        INSERT INTO message_fts (message_fts, rowid, subject, body, sender)
            SELECT 'delete', doc, {_values("old")} FROM message_search
            WHERE message_id = old.id;
        DELETE FROM message_search WHERE message_id = old.id AND new.deleted_at IS NOT NULL;
        UPDATE message_search SET interaction_id = new.interaction_id
            WHERE message_id = old.id;
        INSERT INTO message_search (message_id, interaction_id)
            SELECT new.id, new.interaction_id
            WHERE new.deleted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM message_search WHERE message_id = new.id);
        INSERT INTO message_fts (rowid, subject, body, sender)
            SELECT doc, {_values("new")} FROM message_search
            WHERE message_id = new.id AND new.deleted_at IS NULL;
    END
    """,
    f"""
    CREATE TRIGGER message_search_delete AFTER DELETE ON messages
    BEGIN
        INSERT INTO message_fts (message_fts, rowid, subject, body, sender)
            SELECT 'delete', doc, {_values("old")} FROM message_search
            WHERE message_id = old.id;
        DELETE FROM message_search WHERE message_id = old.id;
    END
    """,
    # Existing stores: oldest first, so newest-first by doc matches arrival for them too.
    """
    INSERT INTO message_search (message_id, interaction_id)
        SELECT id, interaction_id FROM messages WHERE deleted_at IS NULL
        ORDER BY received_at, rowid
    """,
    f"""
    INSERT INTO message_fts (rowid, subject, body, sender)
        SELECT s.doc, {_values("m")}
        FROM message_search AS s JOIN messages AS m ON m.id = s.message_id
    """,
]

SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS message_search_insert",
    "DROP TRIGGER IF EXISTS message_search_update",
    "DROP TRIGGER IF EXISTS message_search_delete",
    "DROP TABLE IF EXISTS message_fts",
    "DROP TABLE IF EXISTS message_search",
]

# --- PostgreSQL ---------------------------------------------------------------------------

PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, translate("
    "coalesce(subject, '') || ' ' || left(coalesce(text_body, ''), "
    f"{BODY_CHARS}) || ' ' || coalesce(from_name, '') || ' ' || coalesce(from_email, ''), "
    "'@./_-:', '      '))"
)

PG_SETUP = [f"CREATE INDEX ix_messages_full_text ON messages USING gin (({PG_DOCUMENT}))"]
PG_TEARDOWN = ["DROP INDEX IF EXISTS ix_messages_full_text"]


def _create_saved_searches() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("change_xid", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["agents.id"], name=op.f("fk_saved_searches_owner_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_saved_searches_owner_id_name")),
    )
    for column in ("owner_id", "change_seq", "change_xid"):
        op.create_index(op.f(f"ix_saved_searches_{column}"), "saved_searches", [column])
    if op.get_bind().dialect.name == "postgresql":
        # Like every synchronised table since 0004: stamped and announced for team-mode pulls.
        op.execute(
            "CREATE TRIGGER relaydesk_stamp BEFORE INSERT OR UPDATE ON saved_searches "
            "FOR EACH ROW EXECUTE FUNCTION relaydesk_stamp_change_xid()"
        )
        op.execute(
            "CREATE TRIGGER relaydesk_notify AFTER INSERT OR UPDATE OR DELETE ON saved_searches "
            "FOR EACH STATEMENT EXECUTE FUNCTION relaydesk_notify_change()"
        )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_SETUP if dialect == "sqlite" else PG_SETUP:
        op.execute(statement)
    _create_saved_searches()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table("saved_searches")
    for statement in SQLITE_TEARDOWN if dialect == "sqlite" else PG_TEARDOWN:
        op.execute(statement)
