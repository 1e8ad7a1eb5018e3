"""A team client's local blob cache kept in step with deletions pulled from the centre.

A desk keeps the raw mail and attachments it needed offline (app/services/sync.py
``keep_held_blobs``). When the central database deletes a conversation (retention purge, an
administrator's delete) the pulled rows arrive as tombstones, and the bytes they pointed at
must leave the desk too, or deleted personal data would live on in its cache.

Each sweep reads only the rows stamped since the last one (``change_seq``, which the pull
stamps on every row it writes, is indexed and only grows), so it costs next to nothing when
nothing was deleted; where it stopped is kept in ``sync_state``, so a sweep that did not run
(a pull cut off, the app closed) is caught up by the next.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, Engine, func, insert, select, union, update

from storage.blobs import SqlBlobStore
from storage.models import Attachment, Message, SyncState

SWEEP_KEY = "blob_sweep"
CHUNK = 500  # keys per query: well under SQLite's bound-variable limit


def _chunks(keys: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start : start + CHUNK]


def _swept_up_to(conn: Connection) -> int:
    value = conn.execute(select(SyncState.value).where(SyncState.key == SWEEP_KEY)).scalar()
    return int(value.get("v", 0)) if value else 0


def _keep_sweep_mark(conn: Connection, change_seq: int) -> None:
    value = {"v": change_seq}
    done = conn.execute(update(SyncState).where(SyncState.key == SWEEP_KEY).values(value=value))
    if not done.rowcount:
        conn.execute(insert(SyncState).values(key=SWEEP_KEY, value=value))


def _live(conn: Connection, keys: list[str]) -> set[str]:
    """Of ``keys``, those a live message or attachment still points at."""
    query = union(
        select(Message.raw_hash).where(Message.raw_hash.in_(keys), Message.deleted_at.is_(None)),
        select(Attachment.blob_hash).where(
            Attachment.blob_hash.in_(keys), Attachment.deleted_at.is_(None)
        ),
    )
    return {str(key) for key in conn.execute(query).scalars()}


def deleted_blob_keys(conn: Connection, since: int = 0) -> tuple[set[str], int]:
    """Blobs that only rows deleted after change marker ``since`` point at (no live row does),
    and the newest marker seen.

    A blob no row points at is never named: blobs are written before the rows that point at
    them commit (a draft's attachment being staged), so "unreferenced" may mean "not yet".
    """
    # The newest marker first: every row at or below it is then visible to the query below
    # (one writer at a time, markers allocated inside its transaction), so the next sweep
    # may start there even when nothing was deleted; else it would walk every row newer than
    # the last deletion, on every sweep, in a store of 100,000 messages.
    top = conn.execute(
        select(func.max(Message.change_seq)).union_all(select(func.max(Attachment.change_seq)))
    ).scalars()
    highest = max((int(value) for value in top if value is not None), default=since)
    messages = select(Message.raw_hash, Message.change_seq).where(
        Message.change_seq > since, Message.deleted_at.is_not(None)
    )
    attachments = select(Attachment.blob_hash, Attachment.change_seq).where(
        Attachment.change_seq > since, Attachment.deleted_at.is_not(None)
    )
    newest = since
    candidates: set[str] = set()
    for key, change_seq in conn.execute(union(messages, attachments)):
        candidates.add(str(key))
        newest = max(newest, int(change_seq))
    dead: set[str] = set()
    for chunk in _chunks(sorted(candidates)):
        dead.update(set(chunk) - _live(conn, chunk))
    return dead, max(newest, highest)


def drop_deleted_blobs(store: Engine, blobs: SqlBlobStore) -> int:
    """Remove from the cache ``blobs`` what only deleted messages or attachments of ``store``
    used, since the last sweep; returns how many cached blobs went."""
    with store.connect() as conn:
        since = _swept_up_to(conn)
        dead, newest = deleted_blob_keys(conn, since)
        conn.rollback()
    removed = 0
    for chunk in _chunks(sorted(dead)):
        removed += blobs.delete(chunk)  # keys the cache never held cost nothing
    if newest > since:
        # After the blobs went: a crash in between sweeps the same tombstones again.
        with store.begin() as conn:
            _keep_sweep_mark(conn, newest)
    return removed
