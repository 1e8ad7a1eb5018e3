"""Engines and sessions for the local SQLite store and a PostgreSQL database.

SQLite runs in WAL mode with foreign keys on; write transactions start with BEGIN IMMEDIATE
so two writers queue on the lock instead of failing halfway with "database is locked".
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, create_engine, event, func, literal_column, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.notices import Announcer

log = logging.getLogger("db")

BUSY_TIMEOUT_S = 30.0
CHANGE_SEQUENCE = "change_seq"
# The writing transaction's id, which pulls page by (PostgreSQL). A trigger stamps every row
# written without it (migration 0018); writers that set it save the server that call.
CURRENT_XID = "pg_current_xact_id()::text::bigint"


class StoreError(Exception):
    """The store cannot be opened or used (locked, corrupt, wrong schema)."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the pragmas and transaction behaviour the store relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
            # The connection used last goes out first: SQLite drops a connection's page cache
            # whenever another one has written since its last read, so the link's thread,
            # which reads and writes at every change, keeps its cache warm on one connection.
            pool_use_lifo=True,
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE is ours to issue.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextlib.contextmanager
def driver_cursor(engine: Engine, *, write: bool = False) -> Iterator[sqlite3.Cursor]:
    """A sqlite3 cursor on one of ``engine``'s pooled connections, for the hot paths every
    desk runs at every change (no engine events, no result objects, no reset on return).

    To write, the block is one transaction begun IMMEDIATE as the store's writers, committed
    when it ends and rolled back when it raises; a read is one statement, which SQLite runs
    in a snapshot of its own. Driver errors come out as SQLAlchemy's, as from the engine, so
    callers handle one kind of failure.
    """
    conn = engine.raw_connection()
    try:
        with _driver_block(cast(sqlite3.Connection, conn.driver_connection), write) as cursor:
            yield cursor
    finally:
        conn.close()


class KeptSqlite:
    """One of ``engine``'s SQLite connections, kept out of its pool for one owner's writes
    (a desk's usual pull), with the foreign-key check off for good: a pull writes rows whose
    parents may come later. Switching the check per pull cost more than the pull's own
    statements, since SQLite prepares every statement of a connection again after it. The
    owner serialises its use; ``close`` ends it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: sqlite3.Connection | None = None
        self._finalizer: weakref.finalize | None = None

    @contextlib.contextmanager
    def cursor(self, *, write: bool = False) -> Iterator[sqlite3.Cursor]:
        """As ``driver_cursor``, on the kept connection."""
        if self._conn is None:
            proxied = self.engine.raw_connection()  # made by the engine: its pragmas
            conn = cast(sqlite3.Connection, proxied.driver_connection)
            proxied.detach()  # ours now: the pool forgets it
            with _driver_block(conn, write=False) as setup:
                setup.execute("PRAGMA foreign_keys=OFF")
            self._conn = conn
            self._finalizer = weakref.finalize(self, conn.close)
        with _driver_block(self._conn, write) as cursor:
            yield cursor

    def close(self) -> None:
        finalizer, self._finalizer, self._conn = self._finalizer, None, None
        if finalizer is not None:
            finalizer()


@contextlib.contextmanager
def _driver_block(conn: sqlite3.Connection, write: bool) -> Iterator[sqlite3.Cursor]:
    try:
        cursor = conn.cursor()
        try:
            if not write:
                yield cursor
                return
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                if conn.in_transaction:  # it may have ended
                    cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")
        finally:
            cursor.close()
    except sqlite3.Error as exc:
        raise DBAPIError.instance(None, None, exc, sqlite3.Error) from exc


def driver_row(
    conn: Connection, statement: str, params: dict[str, Any] | None = None
) -> tuple[Any, ...] | None:
    """One PostgreSQL statement on ``conn``'s own psycopg cursor: its first row, or None
    (no row, or a statement that returns none, such as BEGIN or COMMIT).

    For the claims, which run one statement each: no execution context and no result
    object, about half the client CPU of ``exec_driver_sql``. psycopg still prepares the
    statement once it recurs, and ``before_cursor_execute`` listeners still see it (the
    tests count statements so). Errors come out as SQLAlchemy's, as from the engine; one
    that broke the connection invalidates it (``connection_invalidated``), so the pool
    drops it.
    """
    rows = _on_driver(conn, statement, params, 1)
    return rows[0] if rows else None


def driver_rows(
    conn: Connection, statement: str, params: dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """``driver_row`` for a statement whose every row is wanted (a desk's push)."""
    return _on_driver(conn, statement, params, None)


def _on_driver(
    conn: Connection, statement: str, params: dict[str, Any] | None, most: int | None
) -> list[tuple[Any, ...]]:
    import psycopg  # PostgreSQL's driver: a SQLite-only process never needs it

    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    try:
        with raw.cursor() as cursor:
            conn.dispatch.before_cursor_execute(conn, cursor, statement, params, None, False)
            cursor.execute(statement, params)
            if cursor.description is None:
                return []
            return cursor.fetchmany(most) if most is not None else cursor.fetchall()
    except psycopg.Error as exc:
        broken = raw.broken or raw.closed
        if broken:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            statement, params, exc, psycopg.Error, connection_invalidated=broken
        ) from exc


def allocate_change_seqs(conn: Connection, count: int) -> list[int]:
    """Reserve ``count`` change markers, increasing and never reused in this database."""
    if count <= 0:
        return []
    if conn.dialect.name == "sqlite":
        last = conn.execute(
            text("UPDATE change_counter SET value = value + :n WHERE id = 1 RETURNING value"),
            {"n": count},
        ).scalar_one()
        return list(range(last - count + 1, last + 1))
    return list(
        conn.execute(
            text(f"SELECT nextval('{CHANGE_SEQUENCE}') FROM generate_series(1, :n)"),
            {"n": count},
        ).scalars()
    )


def _stamp_changes(session: Session, _flush_context: Any, _instances: Any) -> None:
    from storage.models import Synced  # here, as the ORM in Store.__init__

    touched = [
        obj
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, Synced) and (obj in session.new or session.is_modified(obj))
    ]
    if not touched:
        return
    if session.get_bind().dialect.name == "postgresql":
        # The sequence inline in each row's INSERT or UPDATE, not reserved first: one round
        # trip less per flush (the worker flushes every operation it applies). The attribute
        # is then expired; nothing reads it back. The transaction's id likewise, so the
        # stamping trigger has nothing left to do.
        for obj in touched:
            obj.change_seq = func.nextval(CHANGE_SEQUENCE)
            obj.change_xid = literal_column(CURRENT_XID)
        return
    seqs = allocate_change_seqs(session.connection(), len(touched))
    for obj, seq in zip(touched, seqs, strict=True):
        obj.change_seq = seq


class Store:
    """One database: engine, session factories and the change-marker hook."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._engine_kwargs = engine_kwargs
        self._hot: Engine | None = None
        self._walks: Engine | None = None
        self._autocommits: Engine | None = None
        self._hot_lock = threading.Lock()
        self._announcer: Announcer | None = None
        # The ORM is imported here, not at the top: the blob store's users need engines
        # only (ingest's worker processes import just app/mail/prepare.py).
        from sqlalchemy.orm import sessionmaker

        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", _stamp_changes)
        self._hot_sessions = sessionmaker(expire_on_commit=False)
        event.listen(self._hot_sessions, "before_flush", _stamp_changes)
        self._read_engine = self.engine.execution_options(readonly=True)
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction, committed on success."""
        with self._sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (SQLite: a deferred transaction that takes no write lock)."""
        # Closing (not rolling back) ends the transaction without expiring loaded objects.
        with self._read_sessions() as session:
            yield session

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection in one write transaction, for bulk paths."""
        with self.engine.begin() as conn:
            yield conn

    def _unpinged(self) -> Engine:
        """The hot paths' pool: no liveness ping at checkout (a round trip as dear as a
        claim). Its users retry or requeue work on a dropped connection themselves."""
        if self._hot is None:
            with self._hot_lock:
                if self._hot is None:
                    self._hot = make_engine(
                        self.url, **{**self._engine_kwargs, "pool_pre_ping": False}
                    )
                    self._hot_sessions.configure(bind=self._hot)
        return self._hot

    @contextlib.contextmanager
    def queue_statements(self) -> Iterator[Connection]:
        """``statements`` on connections whose planner walks indexes, for the statements
        that take the oldest row of a queue (ORDER BY ... LIMIT 1 over a partial index).

        Their plans are cached per connection, and one made while the statistics said the
        queue was nearly empty (a new table, a queue that is usually drained) may read
        every queued row through a bitmap or sequential scan and sort them to take the
        first: fine for three rows, a collapse for a backlog of thousands, where each take
        grew to 17 ms (160 claims/s). With those two scans off on these connections (set at
        connect, before any plan is made), the walk along the index is the plan whatever
        the statistics say.
        """
        with self._walking().connect() as conn:
            yield conn

    def _walking(self) -> Engine:
        """The pool of ``queue_statements`` (PostgreSQL only)."""
        if self._walks is None:
            with self._hot_lock:
                if self._walks is None:
                    options = "-c enable_bitmapscan=off -c enable_seqscan=off"
                    self._walks = make_engine(self.url, **self._autocommit_kwargs(options))
        return self._walks

    @contextlib.contextmanager
    def statements(self) -> Iterator[Connection]:
        """A connection in autocommit: each statement is its own transaction (hot paths).

        From a pool of its own, in autocommit for good and with no ping at checkout:
        callers run idempotent statements and retry once when the error says the
        connection was invalidated.
        """
        with self._quiet().connect() as conn:
            yield conn

    def _quiet(self) -> Engine:
        """The pool of ``statements``: on PostgreSQL, its commits do not announce
        themselves (storage/notices.py); callers name what they changed to ``announce``."""
        if self._autocommits is None:
            with self._hot_lock:
                if self._autocommits is None:
                    from storage.notices import QUIET_OPTION

                    options = QUIET_OPTION if self.dialect == "postgresql" else ""
                    self._autocommits = make_engine(self.url, **self._autocommit_kwargs(options))
        return self._autocommits

    def announce(self, *tables: str) -> None:
        """Tell the desks, soon, that a commit on ``statements`` changed ``tables``.

        Call it after the commit has returned. The notices of many commits go together
        from a thread of this store's, at most one round per ``notices.SPACING_S``.
        """
        if self.dialect != "postgresql":
            return  # a SQLite store has no listeners: its desks share the file
        with self._hot_lock:
            if self._announcer is None:
                from storage.notices import Announcer
                from storage.sync import NOTIFY_CHANNEL

                self._announcer = Announcer(self._notices_connection, NOTIFY_CHANNEL)
            announcer = self._announcer
        announcer.announce(tables)

    def _notices_connection(self) -> Any:
        """A connection of the announcer's own, taken from the quiet pool for good."""
        fairy = self._quiet().raw_connection()
        driver = fairy.driver_connection
        assert driver is not None
        fairy.detach()  # the pool opens another in its place when it needs one
        driver.autocommit = True
        # A notice needs no flush of its own: what it announces was flushed at its commit.
        driver.execute("SET synchronous_commit = off")
        return driver

    def _autocommit_kwargs(self, options: str = "") -> dict[str, Any]:
        # Autocommit for the pool's life, not switched at each checkout: SQLAlchemy sets
        # and resets a connection's isolation level around every use, about a fifth of
        # a claim's client CPU (0.28 -> 0.21 ms, measured beside a bare psycopg cursor).
        # ``options``: settings for the pool's sessions, after any the store was given.
        kwargs = {**self._engine_kwargs, "pool_pre_ping": False, "isolation_level": "AUTOCOMMIT"}
        if options:
            connect_args = dict(kwargs.get("connect_args") or {})
            connect_args["options"] = f"{connect_args.get('options', '')} {options}".strip()
            kwargs["connect_args"] = connect_args
        return kwargs

    @contextlib.contextmanager
    def hot_write(self) -> Iterator[Session]:
        """Like ``write``, from the unpinged pool, for loops that requeue work whose
        connection dropped (team mode's appliers)."""
        self._unpinged()
        with self._hot_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        with self._hot_lock:
            announcer, self._announcer = self._announcer, None
        if announcer is not None:
            announcer.close()  # what is pending goes first
        self.engine.dispose()
        if self._hot is not None:
            self._hot.dispose()
        if self._walks is not None:
            self._walks.dispose()
        if self._autocommits is not None:
            self._autocommits.dispose()
