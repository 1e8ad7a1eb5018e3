"""The content-addressed blob store."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.blobs import digest, open_local_blob_store


def test_blobs_are_stored_once_and_come_back_byte_exact(tmp_path: Path) -> None:
    store = open_local_blob_store(tmp_path / "blobs.sqlite3")
    raw = b"From: a@b\r\n\r\n\x00\xff binary \r\n"
    keys = store.put_many([raw, raw, b"other"])
    assert keys[0] == keys[1] == digest(raw)
    assert store.get(keys[0]) == raw
    assert sorted(store.keys()) == sorted({keys[0], keys[2]})
    assert store.delete([keys[0]]) == 1
    assert not store.has(keys[0])
    with pytest.raises(KeyError):
        store.get(keys[0])
    store.dispose()


def test_blobs_survive_reopening(tmp_path: Path) -> None:
    store = open_local_blob_store(tmp_path / "blobs.sqlite3")
    key = store.put(b"x" * 1_000_000)
    store.dispose()
    again = open_local_blob_store(tmp_path / "blobs.sqlite3")
    assert again.get(key) == b"x" * 1_000_000
    again.dispose()
