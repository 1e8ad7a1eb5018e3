"""The message full-text index's database objects, which live outside the models.

Migration 0005 makes them (SQLite: FTS5 tables and triggers; PostgreSQL: a GIN expression
index); comparing the models with a migrated database must look past them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Uuid, column, insert, table, text

from storage.models import CLAIM_ORDER_INDEX

SQLITE_TABLES = frozenset(
    {
        "message_search",
        "message_fts",
        "message_fts_data",
        "message_fts_idx",
        "message_fts_docsize",
        "message_fts_config",
        "message_fts_content",
    }
)
PG_INDEX = "ix_messages_full_text"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: False for the search index's own objects (and the
    central blob table, which storage/blobs.py declares and migration 0009 makes, the
    claims' expression index on PostgreSQL, migration 0015's, and the list of waiting
    appliers, 0016's, which storage/opqueue.py writes in SQL)."""
    if type_ == "table":
        return name not in SQLITE_TABLES and name not in ("blobs", "operation_waiters")
    if type_ == "index":
        return name not in (PG_INDEX, CLAIM_ORDER_INDEX)
    return True


# --- SQLite upkeep: the same expressions as migration 0005's triggers ----------------------
# (They must stay identical: FTS5 deletes from a contentless table by the indexed values.)

BODY_CHARS = 100_000
TRIGGERS = ("message_search_insert", "message_search_update", "message_search_delete")


def _values(row: str) -> str:
    return (
        f"coalesce({row}.subject, ''), substr(coalesce({row}.text_body, ''), 1, {BODY_CHARS}), "
        f"coalesce({row}.from_name, '') || ' ' || coalesce({row}.from_email, '')"
    )


def rebuild_sqlite(conn: Connection) -> int:
    """Index every live message again, oldest first; returns how many (one transaction)."""
    conn.execute(text("INSERT INTO message_fts (message_fts) VALUES ('delete-all')"))
    conn.execute(text("DELETE FROM message_search"))
    conn.execute(
        text(
            "INSERT INTO message_search (message_id, interaction_id) "
            "SELECT id, interaction_id FROM messages WHERE deleted_at IS NULL "
            "ORDER BY received_at, rowid"
        )
    )
    conn.execute(
        text(
            f"INSERT INTO message_fts (rowid, subject, body, sender) SELECT s.doc, {_values('m')} "
            "FROM message_search AS s JOIN messages AS m ON m.id = s.message_id"
        )
    )
    return int(conn.execute(text("SELECT count(*) FROM message_search")).scalar_one())


@contextlib.contextmanager
def bulk_load_sqlite(conn: Connection) -> Iterator[None]:
    """Insert many messages without per-row indexing, then index them all at once.

    FTS5 through a row trigger costs about twice a single INSERT ... SELECT; for loads of
    hundreds of thousands of rows (benchmarks, imports) that matters. The triggers are put
    back as they were, in the same transaction.
    """
    saved = [
        row[0]
        for row in conn.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (:a, :b, :c)"),
            dict(zip("abc", TRIGGERS, strict=True)),
        )
    ]
    if len(saved) != len(TRIGGERS):
        raise RuntimeError("the full-text triggers of migration 0005 are missing")
    for name in TRIGGERS:
        conn.execute(text(f"DROP TRIGGER {name}"))
    yield
    rebuild_sqlite(conn)
    for sql in saved:
        conn.exec_driver_sql(sql)


_DOCS = table("message_search", column("message_id", Uuid()), column("interaction_id", Uuid()))


@contextlib.contextmanager
def indexing_inserted_messages(
    conn: Connection, rows: Sequence[Mapping[str, Any]]
) -> Iterator[None]:
    """Index the messages ``rows`` (about to be inserted inside the block) in bulk, in the
    same transaction: registered first, so the row trigger leaves them alone, then indexed by
    one INSERT ... SELECT after the block. PostgreSQL maintains its index itself."""
    live = [r for r in rows if r.get("deleted_at") is None]
    if conn.dialect.name != "sqlite" or not live:
        yield
        return
    last = conn.execute(text("SELECT coalesce(max(doc), 0) FROM message_search")).scalar_one()
    conn.execute(
        insert(_DOCS),
        [{"message_id": r["id"], "interaction_id": r["interaction_id"]} for r in live],
    )
    yield
    conn.execute(
        text(
            f"INSERT INTO message_fts (rowid, subject, body, sender) SELECT s.doc, {_values('m')} "
            "FROM message_search AS s JOIN messages AS m ON m.id = s.message_id "
            "WHERE s.doc > :last"
        ),
        {"last": last},
    )
