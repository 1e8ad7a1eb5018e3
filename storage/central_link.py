"""A desk's own connection to the central database for its usual pulls.

Every change wakes every desk, and a usual pull carries a few rows of a few tables, so its
round trips are what it costs, on the desk and on the server: through the engine's pool a pull
made nine (the checkout's ping, BEGIN, the opening, a page per changed table, COMMIT). This
connection is kept out of the pool (no ping at checkout), in autocommit (no BEGIN or COMMIT;
each statement reads its own snapshot, which is all a pull's window needs: the rows below the
opening's ``xmin`` were committed before it began), and sends the pages of every changed table
in one pipeline. Its statements stay prepared, since no ROLLBACK deallocates them.

Driver errors come out as SQLAlchemy's (``DBAPIError.instance``), as from the engine, so callers
handle one kind of failure whichever connection a pull used.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError


class StaleLink(Exception):
    """The kept connection died while idle (the server restarted); connect again."""


class CentralLink:
    """One psycopg connection made by ``engine`` (its URL, role and connect arguments), kept
    for this link's owner alone; the owner serialises its use."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: psycopg.Connection[Any] | None = None
        self._finalizer: weakref.finalize | None = None

    def _connection(self) -> tuple[psycopg.Connection[Any], bool]:
        """The kept connection, and whether it was made just now."""
        if self._conn is not None and not self._conn.closed:
            return self._conn, False
        try:
            proxied = self.engine.raw_connection()  # unlike connect(), raises the driver's error
        except psycopg.Error as exc:
            raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc
        conn = proxied.driver_connection
        proxied.detach()  # ours now: the pool forgets it (and never pings it again)
        assert isinstance(conn, psycopg.Connection)
        conn.autocommit = True
        self._conn = conn
        self._finalizer = weakref.finalize(self, conn.close)
        return conn, True

    @contextmanager
    def session(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection for one pull. A driver error closes a broken connection and comes
        out as SQLAlchemy's; raises StaleLink instead when the connection was kept from before
        and is found dead (the server restarted meanwhile): the caller writes nothing locally
        before its reads end, so it may start over once with a new ``session()``."""
        conn, fresh = self._connection()
        try:
            yield conn
        except psycopg.Error as exc:
            if conn.broken or conn.closed:
                self.close()
                if not fresh:
                    raise StaleLink() from exc
            raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc

    def close(self) -> None:
        finalizer, self._finalizer, self._conn = self._finalizer, None, None
        if finalizer is not None:
            finalizer()


def fetch_one_native(
    conn: psycopg.Connection[Any], sql: str, params: Sequence[Any]
) -> tuple[Any, ...] | None:
    """One row of ``sql`` written with PostgreSQL's own ``$1`` placeholders: psycopg then
    passes the text through as it is. (It caches its parsing of ``%s`` placeholders only for
    statements up to 4 KiB; parsing a longer one again cost a quarter of a pull's CPU.)"""
    return psycopg.RawCursor(conn).execute(sql, params).fetchone()


def fetch_all(
    conn: psycopg.Connection[Any], statements: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[list[tuple[Any, ...]]]:
    """Run ``statements`` in one pipeline (one round trip) and return each one's rows."""
    if len(statements) == 1:
        sql, params = statements[0]
        return [conn.execute(sql, params).fetchall()]
    with conn.pipeline():
        cursors = [conn.cursor().execute(sql, params) for sql, params in statements]
    return [cursor.fetchall() for cursor in cursors]
