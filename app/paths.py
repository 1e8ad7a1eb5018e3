"""Where Relaydesk keeps its files: per-OS defaults, overridable by option or environment."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Relaydesk"
DATA_DIR_ENV = "RELAYDESK_DATA_DIR"
CACHE_DIR_ENV = "RELAYDESK_CACHE_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then ``RELAYDESK_DATA_DIR``, then the platform's data folder."""
    chosen = override or os.environ.get(DATA_DIR_ENV)
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return path.expanduser().resolve()


def store_path(root: Path) -> Path:
    return root / "relaydesk.sqlite3"


def blob_path(root: Path) -> Path:
    return root / "blobs.sqlite3"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Derived files worth keeping between runs and safe to delete: ``RELAYDESK_CACHE_DIR``,
    else the platform's cache folder."""
    chosen = os.environ.get(CACHE_DIR_ENV)
    return Path(chosen) if chosen else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
