"""The store's engine: SQLite pragmas, immediate write transactions, change markers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from app.context import AppContext
from storage.engine import Store, allocate_change_seqs, sqlite_url
from storage.migrate import ensure_current
from storage.models import Project, Tag


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_ctx: AppContext) -> None:
    with sqlite_ctx.store.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_write_transactions_take_the_lock_up_front(tmp_path: Path) -> None:
    """Two writers queue on BEGIN IMMEDIATE instead of failing halfway on upgrade."""
    store = Store(sqlite_url(tmp_path / "s.sqlite3"))
    ensure_current(store.engine)
    first_inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        with store.write() as session:
            session.add(Tag(name="first"))
            session.flush()
            first_inside.set()
            release.wait(10)
            order.append("first")

    thread = threading.Thread(target=first)
    thread.start()
    assert first_inside.wait(10)
    second_done = threading.Event()

    def second() -> None:
        with store.write() as session:
            # Holding the lock from BEGIN, this read sees the first writer's commit.
            names = session.execute(select(Tag.name)).scalars().all()
            session.add(Tag(name="second"))
            order.append(f"second saw {sorted(names)}")
        second_done.set()

    other = threading.Thread(target=second)
    other.start()
    assert not second_done.wait(0.3), "the second writer must wait for the first"
    release.set()
    thread.join(10)
    other.join(10)
    assert order == ["first", "second saw ['first']"]
    store.dispose()


def test_readers_do_not_block_a_writer(sqlite_ctx: AppContext) -> None:
    store = sqlite_ctx.store
    with store.read() as reader:
        reader.execute(select(Tag)).all()
        with store.write() as writer:
            writer.add(Tag(name="while-reading"))
    with store.read() as session:
        assert session.execute(select(Tag.name)).scalars().all() == ["while-reading"]


def test_change_markers_grow_on_insert_and_update(ctx: AppContext) -> None:
    with ctx.store.write() as session:
        session.add_all([Tag(name="a"), Tag(name="b")])
    with ctx.store.read() as session:
        first = dict(session.execute(select(Tag.name, Tag.change_seq)).all())
    assert first["a"] != first["b"] and min(first.values()) > 0
    with ctx.store.write() as session:
        tag = session.execute(select(Tag).where(Tag.name == "a")).scalar_one()
        tag.name = "a2"
    with ctx.store.read() as session:
        updated = session.execute(select(Tag.change_seq).where(Tag.name == "a2")).scalar_one()
    assert updated > max(first.values())


def test_core_inserts_can_reserve_change_markers(ctx: AppContext) -> None:
    with ctx.store.connect() as conn:
        seqs = allocate_change_seqs(conn, 3)
        more = allocate_change_seqs(conn, 2)
        assert len(set(seqs + more)) == 5 and min(more) > max(seqs)
        conn.execute(
            insert(Project),
            [{"id": __import__("uuid").uuid4(), "name": "P", "key": "PPP", "change_seq": seqs[0]}],
        )
    with ctx.store.read() as session:
        assert session.execute(select(Project.change_seq)).scalar_one() == seqs[0]


def test_datetimes_come_back_in_utc(ctx: AppContext) -> None:
    import datetime as dt

    when = dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with ctx.store.write() as session:
        session.add(Project(name="TZ", key="TZZ", created_at=when))
    with ctx.store.read() as session:
        got = session.execute(select(Project.created_at)).scalar_one()
    assert got == when and got.tzinfo is not None and got.utcoffset() == dt.timedelta(0)


def test_naive_datetimes_are_refused(sqlite_ctx: AppContext) -> None:
    import datetime as dt

    with pytest.raises(Exception, match="naive datetime"), sqlite_ctx.store.write() as session:
        session.add(Project(name="N", key="NNN", created_at=dt.datetime(2026, 1, 1)))
