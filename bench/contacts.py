"""Contacts CSV: import N new contacts, export them, import the export again (all merges).

    python -m bench.contacts [--contacts 10000] [--runs 3] [--pg-admin-url URL]

Each contact has two addresses and two attributes (one personal). Runs on a new SQLite
store, and on a new PostgreSQL database when ``--pg-admin-url`` names a server. Prints
the median seconds of each step as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from app.services.agents import add_agent
from app.services.contact_io import export_contacts, import_contacts
from storage.engine import Store, sqlite_url
from storage.migrate import ensure_current


def sample(contacts: int) -> bytes:
    lines = ["name,phone,company,email,email2,attribute:Tier,personal:Birthday"]
    lines += [
        f"Person {i},+39 06 {i},Company {i % 100},p{i}@example.org,alt{i}@example.net,"
        f"gold,1980-01-{i % 28 + 1:02d}"
        for i in range(contacts)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def run_once(store: Store, data: bytes) -> dict[str, float]:
    ensure_current(store.engine)
    add_agent(store, "sam", supervisor=True)
    started = time.perf_counter()
    first = import_contacts(store, data, actor="sam")
    imported = time.perf_counter()
    text, count = export_contacts(store, actor="sam")
    exported = time.perf_counter()
    again = import_contacts(store, text.encode(), actor="sam")
    merged = time.perf_counter()
    assert first.created == count == again.updated and not first.problems
    return {
        "import_new_s": imported - started,
        "export_s": exported - imported,
        "import_merge_s": merged - exported,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg-admin-url", help="also run on a new database of this server")
    args = parser.parse_args()
    data = sample(args.contacts)
    results: dict[str, dict[str, float]] = {}
    runs: list[dict[str, float]] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as work:
            store = Store(sqlite_url(Path(work) / "store.sqlite3"))
            runs.append(run_once(store, data))
            store.dispose()
    results["sqlite"] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    if args.pg_admin_url:
        from tests.servers.postgres import create_database, database_name, drop_database

        runs = []
        for _ in range(args.runs):
            url = create_database(args.pg_admin_url, prefix="relaydesk_bench_")
            store = Store(url)
            try:
                runs.append(run_once(store, data))
            finally:
                store.dispose()
                drop_database(args.pg_admin_url, database_name(url))
        results["postgresql"] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(json.dumps({"contacts": args.contacts, "median_of": args.runs, **results}, indent=2))


if __name__ == "__main__":
    main()
