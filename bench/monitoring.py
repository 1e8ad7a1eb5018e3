"""How long the monitoring page's queries take on a large local store.

    python -m bench.monitoring [--rows 100000] [--open 1000] [--runs 30]

The page polls ``monitoring_version`` every second and reads ``snapshot`` only after a
change, so the version query is the steady cost and the snapshot the cost of a refresh.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from app.context import open_local
from app.services.monitoring import monitoring_version, snapshot
from storage.models import Interaction
from tests.ui.data import seed_interactions


def _times(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    fn()  # warm the page cache
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(int(len(samples) * 0.95) - 1, 0)], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=1000, help="open interactions; the rest closed")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ctx = open_local(Path(folder))
        try:
            started = time.perf_counter()
            seed_interactions(ctx.store, args.rows)
            with ctx.store.connect() as conn:  # history: all but the newest --open are closed
                conn.execute(
                    update(Interaction)
                    .where(
                        Interaction.id.not_in(
                            select(Interaction.id)
                            .order_by(Interaction.created_at.desc())
                            .limit(args.open)
                        )
                    )
                    .values(status="closed", claimed_by_id=None)
                )
            seeded = time.perf_counter() - started
            result = {
                "rows": args.rows,
                "open": min(args.open, args.rows),
                "seed_s": round(seeded, 1),
                "version": _times(lambda: monitoring_version(ctx.store), args.runs),
                "snapshot": _times(lambda: snapshot(ctx.store), args.runs),
            }
        finally:
            ctx.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
