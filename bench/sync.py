"""Initial sync rate: a fresh desktop pulls N interactions from the central PostgreSQL.

    python -m bench.sync [--interactions 100000] [--runs 3] [--batch 5000] [--admin-url URL]

Seeds a new central database (migrated to head: triggers stamp change_xid) with one
project, account and queue and N interactions with realistic text, then times a first pull
into a new, migrated SQLite store, ``--runs`` times. By default the central database lives
in a throwaway cluster: a pull waits for the oldest open transaction of the whole cluster,
and a shared server's other users would make the figure theirs. Prints JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from storage.engine import Store, allocate_change_seqs, sqlite_url
from storage.ids import new_id
from storage.migrate import ensure_current
from storage.models import EmailAccount, Interaction, Project, Queue
from storage.sync import Puller


def seed(store: Store, interactions: int) -> None:
    with store.write() as session:
        project = Project(name="Bench", key="BEN")
        session.add(project)
        session.flush()
        account = EmailAccount(
            project_id=project.id, name="bench", key="BEN", email="support@bench.test"
        )
        queue = Queue(project_id=project.id, name="Default", is_default=True)
        session.add_all([account, queue])
        session.flush()
        ids = (project.id, account.id, queue.id)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with store.connect() as conn:
        for offset in range(0, interactions, 10_000):
            count = min(10_000, interactions - offset)
            seqs = allocate_change_seqs(conn, count)
            rows: list[dict[str, Any]] = []
            for i, seq in enumerate(seqs, start=offset):
                at = start + dt.timedelta(seconds=i * 7)
                rows.append(
                    {
                        "id": new_id(),
                        "change_seq": seq,
                        "project_id": ids[0],
                        "account_id": ids[1],
                        "queue_id": ids[2],
                        "subject": f"Order {100000 + i} has not arrived yet",
                        "thread_subject": f"order {100000 + i} has not arrived yet",
                        "customer_email": f"customer{i % 20000}@example.test",
                        "customer_name": f"Customer {i % 20000}",
                        "language": "en",
                        "message_count": 1 + i % 4,
                        "first_message_at": at,
                        "last_message_at": at,
                        "last_activity_at": at,
                        "created_at": at,
                    }
                )
            conn.execute(insert(Interaction), rows)
    with store.connect() as conn:
        conn.execute(text("ANALYZE"))


def one_run(central: Store, work: Path, batch: int) -> dict[str, Any]:
    local = Store(sqlite_url(work / f"local-{time.monotonic_ns()}.sqlite3"))
    try:
        ensure_current(local.engine)
        puller = Puller(local.engine, central.engine, batch_size=batch)
        updates: list[int] = []
        started = time.perf_counter()
        result = puller.pull(progress=lambda done, total: updates.append(done))
        seconds = time.perf_counter() - started
        with local.read() as session:
            local_count = session.execute(select(func.count()).select_from(Interaction)).scalar()
        return {
            "seconds": round(seconds, 2),
            "rows": result.rows,
            "batches": result.batches,
            "interactions_local": local_count,
            "progress_updates": len(updates),
        }
    finally:
        local.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--admin-url", help="an existing server instead of a throwaway cluster")
    args = parser.parse_args()

    from tests.servers.postgres import create_database, start_throwaway_postgres

    with tempfile.TemporaryDirectory(prefix="relaydesk-bench-sync-") as tmp:
        work = Path(tmp)
        cluster = None if args.admin_url else start_throwaway_postgres(work / "pg")
        admin_url = args.admin_url or (cluster.url if cluster else "")
        central = Store(create_database(admin_url))
        try:
            ensure_current(central.engine)
            seeded = time.perf_counter()
            seed(central, args.interactions)
            seed_s = time.perf_counter() - seeded
            runs = [one_run(central, work, args.batch) for _ in range(args.runs)]
        finally:
            central.dispose()
            if cluster is not None:
                cluster.stop()
    median = statistics.median(r["seconds"] for r in runs)
    print(
        json.dumps(
            {
                "interactions": args.interactions,
                "batch": args.batch,
                "seed_seconds": round(seed_s, 2),
                "runs": runs,
                "median_seconds": median,
                "rows_per_second": round(runs[0]["rows"] / median) if median else None,
                "target_seconds": 10,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
