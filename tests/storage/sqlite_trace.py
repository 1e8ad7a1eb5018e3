"""The SQL a store's SQLite connections run, driver SQL of the hot paths included."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def traced_statements(engine: Engine) -> Iterator[list[str]]:
    """The statements that connections ``engine`` makes inside the block run (its pooled ones
    are closed first, so every connection used is made anew and traced, the ones an owner
    keeps out of the pool too)."""
    sent: list[str] = []

    def trace(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.set_trace_callback(sent.append)

    engine.dispose()
    event.listen(engine, "connect", trace)
    try:
        yield sent
    finally:
        event.remove(engine, "connect", trace)
        engine.dispose()
