"""The local blob cache sweep on a real SQLite store: only bytes that deleted rows alone
pointed at go, each tombstone is read once, and a later deletion is caught by the next sweep."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, update

from app.context import AppContext
from storage.blob_cache import SWEEP_KEY, drop_deleted_blobs
from storage.models import Attachment, Message, SyncState, utcnow
from tests.app.workflow import make_world


def test_the_sweep_drops_only_what_deleted_rows_alone_used(
    sqlite_ctx: AppContext, data_dir: Path
) -> None:
    store, blobs = sqlite_ctx.store, sqlite_ctx.blobs
    world = make_world(store)
    first, second = world.interaction(), world.interaction()
    raw_first, raw_second, shared, own, staged = blobs.put_many(
        [b"raw one", b"raw two", b"shared pdf", b"own pdf", b"a draft's attachment"]
    )
    now = utcnow()
    with store.write() as session:
        for interaction, raw in ((first, raw_first), (second, raw_second)):
            session.add(Message(interaction_id=interaction, account_id=world.support, raw_hash=raw))
        session.flush()
        by_raw = {m.raw_hash: m.id for m in session.query(Message)}
        session.add_all(
            [
                Attachment(message_id=by_raw[raw_first], filename="s.pdf", blob_hash=shared),
                Attachment(message_id=by_raw[raw_first], filename="o.pdf", blob_hash=own),
                Attachment(message_id=by_raw[raw_second], filename="s.pdf", blob_hash=shared),
            ]
        )
    assert drop_deleted_blobs(store.engine, blobs) == 0, "nothing deleted yet"
    # The next sweep starts after the newest row, deleted or not: it reads no old row again.
    with store.read() as session:
        newest = session.execute(select(func.max(Attachment.change_seq))).scalar_one()
        mark = session.execute(select(SyncState.value).where(SyncState.key == SWEEP_KEY))
        assert mark.scalar_one() == {"v": newest}

    def tombstone(raw: str) -> None:
        with store.write() as session:  # as a pull writes them: deleted_at and a new marker
            message = by_raw[raw]
            session.execute(update(Message).where(Message.id == message).values(deleted_at=now))
            session.execute(
                update(Attachment).where(Attachment.message_id == message).values(deleted_at=now)
            )
            for row in session.query(Message).filter(Message.id == message):
                row.subject = "gone"  # stamps a new change_seq, as the pull's upsert does
            for row in session.query(Attachment).filter(Attachment.message_id == message):
                row.filename = "deleted"

    tombstone(raw_first)
    assert drop_deleted_blobs(store.engine, blobs) == 2
    assert not blobs.has(raw_first) and not blobs.has(own)
    assert blobs.has(shared), "a live attachment still uses it"
    assert blobs.has(staged), "not referenced yet is not deleted"
    assert blobs.has(raw_second)

    blobs.put(b"raw one")  # fetched again by someone: the old tombstone is not read again
    assert drop_deleted_blobs(store.engine, blobs) == 0 and blobs.has(raw_first)

    tombstone(raw_second)
    assert drop_deleted_blobs(store.engine, blobs) == 2
    assert not blobs.has(raw_second) and not blobs.has(shared)
    assert blobs.has(staged)
