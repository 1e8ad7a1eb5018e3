"""Ingest's parsing workers start light: they import app/mail/prepare.py, not the app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.demo.corpus import generate_corpus
from app.mail.prepare import prepare_batch
from storage.blobs import open_local_blob_store

HEAVY = ("app.cli", "app.context", "storage.models", "sqlalchemy.orm")

# Run as the `relaydesk` console script is: a file whose one import is the CLI.
SCRIPT = """
import json, sys
from app.cli import run_as_package_main
from app.mail.fetcher import make_pool
if __name__ == "__main__":
    if {announce}:
        run_as_package_main()
    probe = "sorted(m for m in __import__('sys').modules if m in {heavy!r})"
    with make_pool() as pool:
        print(json.dumps(pool.submit(eval, probe).result(timeout=120)))
"""


@pytest.mark.parametrize("announce", [True, False], ids=["as-package-main", "bare-script"])
def test_a_worker_spawned_from_the_console_script_imports_only_what_it_needs(
    tmp_path: Path, announce: bool
) -> None:
    script = tmp_path / "relaydesk"
    script.write_text(SCRIPT.format(announce=announce, heavy=HEAVY))
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=Path(__file__).parents[3],
        check=True,
    )
    loaded = json.loads(done.stdout.splitlines()[-1])
    if announce:
        assert loaded == [], "the worker ran the script's imports"
    else:  # what the script costs each worker without it
        assert "app.cli" in loaded


def test_preparing_a_batch_needs_neither_the_orm_nor_the_models(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from app.mail.prepare import prepare_batch\n"
        "from app.demo.corpus import generate_corpus\n"
        f"raw = [(m.raw, n) for n, m in enumerate(generate_corpus(3, seed=5))]\n"
        f"prepared = prepare_batch(raw, True, {str(tmp_path / 'blobs.sqlite3')!r})\n"
        f"print(json.dumps([len(prepared), [m for m in sys.modules if m in {HEAVY!r}]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout) == [3, []]


def test_a_prepared_batch_is_in_the_blob_store(tmp_path: Path) -> None:
    corpus = generate_corpus(4, seed=6)
    path = tmp_path / "blobs.sqlite3"
    prepared = prepare_batch([(m.raw, n) for n, m in enumerate(corpus)], False, str(path))
    store = open_local_blob_store(path)
    assert [store.get(p.raw_hash) for p in prepared] == [m.raw for m in corpus]
