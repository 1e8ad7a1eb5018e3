"""The central PostgreSQL stops in the middle of a pull: nothing is lost, the pull resumes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.engine import Store, sqlite_url
from storage.migrate import ensure_current
from storage.models import Tag
from storage.sync import Puller
from tests.servers.central import CentralCluster

pytestmark = [pytest.mark.pg, pytest.mark.slow]


def test_central_stopped_mid_pull_loses_nothing_and_resumes(
    cluster: CentralCluster, tmp_path: Path
) -> None:
    central = Store(cluster.migrated_database())
    local = Store(sqlite_url(tmp_path / "local.sqlite3"))
    try:
        ensure_current(local.engine)
        with central.write() as session:
            session.add_all(Tag(name=f"t{i:02}") for i in range(30))
        with central.connect() as conn:  # the cluster runs with synchronous_commit=off
            conn.execute(text("CHECKPOINT"))
        stopped: list[int] = []

        def stop_central(done: int, total: int) -> None:
            if not stopped:
                stopped.append(done)
                cluster.crash()

        puller = Puller(local.engine, central.engine, batch_size=10)
        with pytest.raises(OperationalError):
            puller.pull(stop_central)
        assert stopped == [10]
        with local.read() as session:
            kept = session.execute(select(func.count()).select_from(Tag)).scalar_one()
        # The page after the first may have been on its way already (prefetch): 10 or 20.
        assert kept in (10, 20)
        state = puller.state()
        assert state is not None and state.cursor == 0 and state.target is not None

        cluster.restart()
        result = puller.pull()
        assert result.rows == 30 - kept, "it resumed after the rows it had committed"
        with local.read() as session:
            names = session.execute(select(Tag.name).order_by(Tag.name)).scalars().all()
        assert names == [f"t{i:02}" for i in range(30)]
        assert puller.pull().rows == 0
    finally:
        central.dispose()
        local.dispose()


def test_a_usual_pull_reconnects_after_a_restart_and_reports_an_outage(
    cluster: CentralCluster, tmp_path: Path
) -> None:
    # A desk in sync pulls on a connection it keeps (storage/central_link.py): a restart of
    # the centre leaves it dead, and the next pull connects again by itself; while the
    # centre is down the pull fails with SQLAlchemy's OperationalError, writing nothing.
    with _desk_in_sync(cluster, tmp_path, "before") as (central, local, puller):
        kept = puller._link._conn
        assert kept is not None

        cluster.crash()
        cluster.restart()
        central.engine.dispose()  # the pool's connections died too
        with central.write() as session:
            session.add(Tag(name="after restart"))
        assert puller.pull().tables == {"tags": 1}
        assert puller._link._conn is not kept and kept.closed

        cursor = puller.state().cursor  # type: ignore[union-attr]
        cluster.crash()
        with pytest.raises(OperationalError):
            puller.pull()
        assert puller.state().cursor == cursor  # type: ignore[union-attr]
        cluster.restart()
        with central.write() as session:
            session.add(Tag(name="after outage"))
        assert puller.pull().tables == {"tags": 1}
        with local.read() as session:
            names = set(session.execute(select(Tag.name)).scalars())
        assert names == {"before", "after restart", "after outage"}


def test_a_usual_pull_the_local_store_refuses_writes_nothing_and_comes_again(
    cluster: CentralCluster, tmp_path: Path
) -> None:
    # The usual pull writes on the store's raw connection: a refusal there (a trigger here;
    # a full disk or a locked file on a desk) rolls the whole pull back and comes out as
    # SQLAlchemy's error, which the desk's link words; the next pull brings the rows.
    with _desk_in_sync(cluster, tmp_path, "first") as (central, local, puller):
        cursor = puller.state().cursor  # type: ignore[union-attr]
        with local.connect() as conn:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON tags "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
        with central.write() as session:
            session.add_all([Tag(name="second"), Tag(name="third")])
        with pytest.raises(IntegrityError, match="refused by the test"):
            puller.pull()
        assert puller.state().cursor == cursor  # type: ignore[union-attr]
        with local.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            conn.execute(text("DROP TRIGGER refuse"))
        assert puller.pull().tables == {"tags": 2}
        with local.read() as session:
            names = set(session.execute(select(Tag.name)).scalars())
        assert names == {"first", "second", "third"}


@contextmanager
def _desk_in_sync(
    cluster: CentralCluster, tmp_path: Path, tag: str
) -> Iterator[tuple[Store, Store, Puller]]:
    """A desk's store past its first sync, and a usual pull that brought the tag ``tag``."""
    central = Store(cluster.migrated_database())
    local = Store(sqlite_url(tmp_path / "local.sqlite3"))
    puller = Puller(local.engine, central.engine)
    try:
        ensure_current(local.engine)
        puller.pull()
        with central.write() as session:
            session.add(Tag(name=tag))
        assert puller.pull().tables == {"tags": 1}
        yield central, local, puller
    finally:
        puller.close()
        central.dispose()
        local.dispose()
