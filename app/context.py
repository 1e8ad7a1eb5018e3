"""The open local store, blob store and data directory a process works with."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from app import paths
from app.errors import ConfigError
from storage.blobs import SqlBlobStore, open_local_blob_store
from storage.engine import Store, StoreError, sqlite_url
from storage.migrate import ensure_current

log = logging.getLogger("db")


@dataclass
class AppContext:
    data_dir: Path
    store: Store
    blobs: SqlBlobStore

    @property
    def blob_path(self) -> Path:
        """The local blob file (a desk's, or a standalone worker's)."""
        url = self.blobs.engine.url
        if url.get_backend_name() != "sqlite" or not url.database:
            raise ValueError(f"the blob store is not a local file but {url.get_backend_name()}")
        return Path(url.database)

    @property
    def blob_address(self) -> str:
        """Where worker processes find this blob store: the local file, or (team mode's
        worker) the central database's URL, password included: pass it, never log it."""
        url = self.blobs.engine.url
        if url.get_backend_name() == "sqlite":
            return str(self.blob_path)
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        self.store.dispose()
        self.blobs.dispose()


def open_local(data_dir: Path, *, migrate: bool = True) -> AppContext:
    """Open (creating when new) the store in ``data_dir``, upgrading its schema first."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"Cannot create the data directory {data_dir}: {exc.strerror}") from exc
    path = paths.store_path(data_dir)
    store = Store(sqlite_url(path))
    try:
        if migrate:
            ensure_current(store.engine)
    except StoreError as exc:
        store.dispose()
        raise ConfigError(str(exc)) from exc
    except DatabaseError as exc:
        store.dispose()
        raise ConfigError(
            f"{path} is not a Relaydesk store or is damaged ({exc.orig}); restore a backup "
            "(the relaydesk.before-*.sqlite3 files beside it) or choose another --data-dir."
        ) from exc
    return AppContext(data_dir, store, open_local_blob_store(paths.blob_path(data_dir)))
