"""Team-mode operation queue throughput: 50 agents submit claims, workers apply them.

    python -m bench.sync_ops [--agents 50] [--claims-per-agent 100] [--interactions 10000]
                             [--submit-processes 2] [--apply-processes 2] [--apply-threads 2]
                             [--batch 50] [--preload] [--rate N] [--poll-ms N]
                             [--without-pending-index]

Submitters push each claim as a desk does (one pending row per transaction, keyed by its
idempotency id) into the central ``operations`` table on PostgreSQL; applier processes run
the worker's ``Applier`` (each operation claimed with SKIP LOCKED and applied in its own
transaction with the standalone rules). Prints operations applied per second, submit-to-
applied latency and the double-claim checks as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import threading
import time
from collections import Counter
from typing import Any

from sqlalchemy import func, select, text

from app.services import push
from app.services.agents import find_agent
from app.services.queue_wake import QueueWake
from bench.claims import ADMIN_URL, seed
from storage import opqueue
from storage.engine import Store
from storage.ids import new_id
from storage.migrate import ensure_current
from storage.models import Event, Interaction, Operation
from tests.servers.postgres import create_database, database_name, drop_database


def _submit_loop(store: Store, agent_id: Any, count: int, gap_s: float) -> None:
    # As a desk's push goes on PostgreSQL (push._queue_centrally): one statement in
    # autocommit, the actor resolved by the statement itself. ``gap_s``: this agent's pace
    # (0: as fast as it can), from a random phase so the agents do not push in step.
    actor = str(agent_id)
    due = time.perf_counter() + random.random() * gap_s
    for _ in range(count):
        if gap_s:
            time.sleep(max(0.0, due - time.perf_counter()))
            due += gap_s
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            opqueue.push_pending(conn, [opqueue.QueuedOp(new_id(), "claim", actor, {})])


def submitter(
    url: str, agent_ids: list[Any], count: int, gap_s: float, barrier: Any, results: Any
) -> None:
    # A desk's central pool: no liveness ping at checkout (TeamLink's).
    store = Store(url, pool_size=len(agent_ids), max_overflow=0, pool_pre_ping=False)
    threads = [
        threading.Thread(target=_submit_loop, args=(store, agent, count, gap_s))
        for agent in agent_ids
    ]
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(("submit", began, time.perf_counter()))
    store.dispose()


def applier(
    url: str, threads: int, batch: int, total: int, barrier: Any, results: Any, poll_s: float
) -> None:
    store = Store(url, pool_size=threads + 1, max_overflow=0)
    stop = threading.Event()
    if poll_s:  # appliers that look at the queue every poll_s, hearing no notices
        appliers = [push.Applier(store, batch=batch, idle_wait_s=poll_s) for _ in range(threads)]
    else:  # the worker's layout (push.start_appliers): woken by the notices of pushes
        listener = QueueWake(store.engine)
        listener.start(stop)
        listener.listening.wait(10)
        appliers = [push.Applier(store, batch=batch, wake=listener.bell) for _ in range(threads)]
    runners = [threading.Thread(target=a.run, args=(stop,)) for a in appliers]
    barrier.wait()
    began = time.perf_counter()
    for runner in runners:
        runner.start()
    with store.read() as session:
        # Until every submitted operation is settled (the submitters may still be running).
        while (
            session.execute(
                select(func.count()).select_from(Operation).where(Operation.status != "pending")
            ).scalar_one()
            < total
        ):
            session.rollback()
            stop.wait(0.05)
    finished = time.perf_counter()
    stop.set()
    for runner in runners:
        runner.join()
    results.put(("apply", began, finished, sum(a.applied for a in appliers)))
    store.dispose()


def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    store = Store(url)
    names = seed(store, args.agents, args.interactions)
    with store.read() as session:
        agent_ids = [find_agent(session, name).id for name in names]
    total = args.agents * args.claims_per_agent
    mp = multiprocessing.get_context("spawn")
    groups = [agent_ids[i :: args.submit_processes] for i in range(args.submit_processes)]
    results = mp.Queue()
    # Together (the default): submitting and applying at once. --preload: queue everything
    # first, then time the appliers alone.
    phases = [args.submit_processes, args.apply_processes]
    if not args.preload:
        phases = [sum(phases)]
    barriers = [mp.Barrier(n) for n in phases]
    submit_barrier = barriers[0]
    apply_barrier = barriers[-1]
    # --rate: the agents together offer that many operations a second, each at its pace.
    gap_s = args.agents / args.rate if args.rate else 0.0
    submitters = [
        mp.Process(
            target=submitter,
            args=(url, g, args.claims_per_agent, gap_s, submit_barrier, results),
        )
        for g in groups
    ]
    appliers = [
        mp.Process(
            target=applier,
            args=(
                url,
                args.apply_threads,
                args.batch,
                total,
                apply_barrier,
                results,
                args.poll_ms / 1000,
            ),
        )
        for _ in range(args.apply_processes)
    ]
    reports = []
    for group in [submitters, appliers] if args.preload else [submitters + appliers]:
        for proc in group:
            proc.start()
        reports += [results.get(timeout=3600) for _ in group]
        for proc in group:
            proc.join()
    submit_began = min(r[1] for r in reports if r[0] == "submit")
    submit_end = max(r[2] for r in reports if r[0] == "submit")
    began = min(r[1] for r in reports if r[0] == "apply" or not args.preload)
    finished = max(r[2] for r in reports if r[0] == "apply")
    with store.read() as session:
        statuses = Counter(session.execute(select(Operation.status)).scalars())
        timeline = sorted(
            session.execute(
                select(Operation.created_at, Operation.applied_at).where(
                    Operation.applied_at.is_not(None)
                )
            ).all()
        )
        latencies = sorted((applied - created).total_seconds() for created, applied in timeline)
        # Per second of submission: how many came and the slowest, to see a backlog form.
        per_second: dict[int, list[float]] = {}
        for created, applied in timeline:
            second = int((created - timeline[0][0]).total_seconds())
            per_second.setdefault(second, []).append((applied - created).total_seconds())
        claimed_ids = Counter(
            r["id"]
            for r in session.execute(
                select(Operation.result).where(Operation.status == "applied")
            ).scalars()
            if r and r.get("id")
        )
        claim_events = Counter(
            session.execute(select(Event.interaction_id).where(Event.kind == "claim")).scalars()
        )
        holders = session.execute(
            select(func.count()).where(Interaction.claimed_by_id.is_not(None))
        ).scalar_one()
    store.dispose()
    wall = finished - began

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    return {
        "agents": args.agents,
        "operations": total,
        "interactions": args.interactions,
        "submit_processes": args.submit_processes,
        "apply_processes": args.apply_processes,
        "apply_threads": args.apply_threads,
        "appliers_wait_for": f"a poll every {args.poll_ms:g} ms" if args.poll_ms else "notices",
        "batch": args.batch,
        "pending_index": not args.without_pending_index,
        "preload": args.preload,
        "offered_per_s": args.rate or None,
        "submitted_per_s": round(total / (submit_end - submit_began), 1),
        "seconds": round(wall, 2),
        "applied_per_s": round((statuses["applied"] + statuses["rejected"]) / wall, 1),
        "statuses": dict(statuses),
        "submit_to_applied_p50_ms": pct(0.50),
        "submit_to_applied_p99_ms": pct(0.99),
        "claims_with_an_interaction": sum(claimed_ids.values()),
        "by_second_of_submission": {
            second: [len(lat), round(max(lat) * 1000, 1)] for second, lat in per_second.items()
        },
        "double_claims": sum(1 for n in claimed_ids.values() if n > 1),
        "double_claim_events": sum(1 for n in claim_events.values() if n > 1),
        "interactions_held": holders,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--claims-per-agent", type=int, default=100)
    parser.add_argument("--interactions", type=int, default=10000)
    parser.add_argument("--submit-processes", type=int, default=2)
    parser.add_argument("--apply-processes", type=int, default=2)
    parser.add_argument("--apply-threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=push.APPLY_BATCH)
    parser.add_argument(
        "--preload", action="store_true", help="queue every operation first, then apply"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="operations a second the agents offer together (default: as fast as they can)",
    )
    parser.add_argument(
        "--poll-ms",
        type=float,
        default=0.0,
        help="appliers look at the queue every N ms instead of waiting for the pushes' "
        "notices as the worker's do (the bench's layout until 2026-12-01: 5)",
    )
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument(
        "--without-pending-index",
        action="store_true",
        help="drop ix_operations_pending first, to see what it is worth",
    )
    args = parser.parse_args()
    url = create_database(args.admin_url, prefix="relaydesk_bench_")
    try:
        store = Store(url)
        ensure_current(store.engine)
        if args.without_pending_index:
            with store.connect() as conn:
                conn.execute(text("DROP INDEX ix_operations_pending"))
        store.dispose()
        print(json.dumps(run(args, url), indent=2))
    finally:
        drop_database(args.admin_url, database_name(url))


if __name__ == "__main__":
    main()
