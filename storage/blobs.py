"""Content-addressed blob store: raw messages and attachments, stored once by SHA-256.

One interface, two homes: locally a SQLite file beside the store (one file instead of a
million small ones that desktop virus scanners crawl through), centrally a table in
PostgreSQL. Blobs are written and made durable before the rows that point at them commit,
so a crash can leave an unreferenced blob (collected later) but never a dangling reference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    event,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.engine import make_engine

BLOB_METADATA = MetaData()
blobs = Table(
    "blobs",
    BLOB_METADATA,
    Column("hash", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...
    def put_many(self, items: Iterable[bytes]) -> list[str]: ...
    def get(self, key: str) -> bytes: ...
    def has(self, key: str) -> bool: ...
    def delete(self, keys: Iterable[str]) -> int: ...
    def keys(self) -> Iterator[str]: ...


class SqlBlobStore:
    """Blobs in a ``blobs`` table of any SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        BLOB_METADATA.create_all(engine)

    def put(self, data: bytes) -> str:
        return self.put_many([data])[0]

    def put_many(self, items: Iterable[bytes]) -> list[str]:
        pending: dict[str, bytes] = {}
        keys: list[str] = []
        for data in items:
            key = digest(data)
            keys.append(key)
            pending.setdefault(key, data)
        if not pending:
            return keys
        with self.engine.begin() as conn:
            # Attachments arrive again and again: skip sending bytes we already hold.
            known = set(
                conn.execute(select(blobs.c.hash).where(blobs.c.hash.in_(list(pending)))).scalars()
            )
            rows = [
                {"hash": k, "size": len(v), "data": v} for k, v in pending.items() if k not in known
            ]
            if rows:
                insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
                # No conflict target (the key is the only unique index): naming one needs
                # SELECT on it, and row security then asks that an agent's role may read the
                # new row, which it may not until mail refers to it (migration 0010).
                conn.execute(insert(blobs).on_conflict_do_nothing(), rows)
        return keys

    def get(self, key: str) -> bytes:
        with self.engine.connect() as conn:
            data = conn.execute(select(blobs.c.data).where(blobs.c.hash == key)).scalar()
        if data is None:
            raise KeyError(key)
        return bytes(data)

    def has(self, key: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(blobs.c.hash).where(blobs.c.hash == key)).first() is not None

    def delete(self, keys: Iterable[str]) -> int:
        key_list = list(keys)
        if not key_list:
            return 0
        with self.engine.begin() as conn:
            return conn.execute(delete(blobs).where(blobs.c.hash.in_(key_list))).rowcount

    def keys(self) -> Iterator[str]:
        with self.engine.connect() as conn:
            yield from conn.execute(select(blobs.c.hash).order_by(blobs.c.hash)).scalars()

    def dispose(self) -> None:
        self.engine.dispose()


def open_local_blob_store(path: Path) -> SqlBlobStore:
    """The desktop's blob file; commits are fsynced so blobs are durable before references."""
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def full_sync(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute("PRAGMA synchronous=FULL")  # type: ignore[attr-defined]

    return SqlBlobStore(engine)
