"""Claim throughput and latency: many agents draining one PostgreSQL queue through ``apply``.

    python -m bench.claims [--agents 50] [--interactions 20000] [--processes 2]
                           [--without-unclaimed-index] [--paths one-statement,general]
    python -m bench.claims --notices [--interactions 60000] [--block 2]

Every claim is the real operation: one transaction with FOR UPDATE SKIP LOCKED, the fence
bump, the agent's state, the recorded operation and its audit event. Agents run as threads
spread over processes (one process cannot keep PostgreSQL busy through the GIL). Real desks
run on machines of their own; here they share the server's cores, and two processes leave
it the most of them (2026-12-02: 1,801 / 1,605 claims/s, p99 64 / 75 ms with 2 processes
against 1,686 / 1,532/s, p99 101 / 109 ms with 10, alternating). Prints claims per second,
latency percentiles and the double-claim check as JSON.

``--notices`` compares, in one run, the one statement's quiet commits announced afterwards
by the store (storage/notices.py) with the same statement on sessions whose commits
announce themselves through the deferred trigger (migration 0017), as before: the agents
switch between the two every ``--block`` seconds, so both see the same machine. Separate
runs of the two differed less than one run from the next (the machine's speed moves by a
third within minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import statistics
import threading
import time
from collections import Counter
from typing import Any

from sqlalchemy import event, func, insert, select, text

from app.services import accounts, claims_pg
from app.services.agents import add_agent
from app.services.operations import Operation, apply
from storage.engine import Store, allocate_change_seqs
from storage.ids import new_id
from storage.migrate import ensure_current
from storage.models import CLAIM_ORDER_INDEX, Event, Interaction, Queue
from tests.servers.postgres import create_database, database_name, drop_database

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def seed(store: Store, agents: int, interactions: int) -> list[str]:
    accounts.add_project(store, "Bench", "BEN")
    account = accounts.add_account(
        store,
        name="bench",
        email="bench@acme.test",
        username="b",
        smtp_host="smtp.test",
        project="BEN",
    )
    names = [f"agent{i:03d}" for i in range(agents)]
    for name in names:
        add_agent(store, name, accounts=["bench"])
    with store.connect() as conn:
        project_id, queue_id = conn.execute(
            select(Queue.project_id, Queue.id).where(Queue.is_default.is_(True))
        ).one()
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        seqs = allocate_change_seqs(conn, interactions)
        rows = [
            {
                "id": new_id(),
                "change_seq": seq,
                "project_id": project_id,
                "account_id": account.id,
                "queue_id": queue_id,
                "subject": f"Bench {i}",
                "created_at": start + dt.timedelta(milliseconds=i),
                "last_activity_at": start,
            }
            for i, seq in enumerate(seqs)
        ]
        for offset in range(0, len(rows), 5000):
            conn.execute(insert(Interaction), rows[offset : offset + 5000])
    with store.connect() as conn:
        conn.execute(text("ANALYZE interactions"))
    return names


# --notices: which way the claims of this moment announce (0: trigger, 1: quiet + announce).
_mode = threading.local()
_blocks: tuple[float, float] | None = None  # (start, block seconds) in time.time()


def _loud_or_quiet(store: Store) -> None:
    """Make ``store``'s quiet pool announce through the trigger in the trigger's blocks."""
    quiet_announce = store.announce

    def announce(*tables: str) -> None:
        if getattr(_mode, "quiet", True):
            quiet_announce(*tables)

    store.announce = announce  # type: ignore[method-assign]

    with store.statements() as conn:
        quiet_pool = conn.engine

    @event.listens_for(quiet_pool, "checkout")
    def on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        quiet = getattr(_mode, "quiet", True)  # the announcer's own connection: as it was
        if record.info.get("quiet", True) != quiet:
            dbapi_conn.execute(f"SET relaydesk.announce = '{'quiet' if quiet else ''}'")
            record.info["quiet"] = quiet


def _block(at: float) -> int:
    assert _blocks is not None
    return int((at - _blocks[0]) // _blocks[1])


def _agent_loop(store: Store, name: str, out: list[tuple[str, float, float]]) -> None:
    while True:
        if _blocks is not None:
            at = time.time()
            _mode.quiet = _block(at) % 2 == 1
        started = time.perf_counter()
        result = apply(store, Operation("claim", name))
        ended = time.perf_counter()
        if not result.result:
            return
        out.append((result.result["id"], at if _blocks is not None else started, ended - started))


def worker(
    url: str,
    names: list[str],
    barrier: Any,
    results: Any,
    fast: bool,
    blocks: tuple[float, float] | None = None,
) -> None:
    global _blocks
    claims_pg.enabled = fast
    store = Store(url, pool_size=len(names), max_overflow=0)
    if blocks is not None:
        _blocks = blocks
        _loud_or_quiet(store)
    with store.read() as session:  # connect before the clock starts
        session.execute(select(1))
    # Each agent's first claim, untimed, as their desk makes when they start work: it goes
    # through the general rule, which puts them in email status. Without it the first
    # claims fill the general rule's pool beside the one statement's, two pools of
    # len(names) per process, and 10 processes of 5 agents ran out of PostgreSQL's
    # default 100 connections ("too many clients": an agent's thread died mid-run).
    warm_up = []
    for name in names:
        first = apply(store, Operation("claim", name))
        if first.result:
            warm_up.append(name + "|" + first.result["id"])
    if fast:
        store.engine.dispose()
    taken: list[tuple[str, float, float]] = []
    per_thread: list[list[tuple[str, float, float]]] = [[] for _ in names]
    threads = [
        threading.Thread(target=_agent_loop, args=(store, name, per_thread[i]))
        for i, name in enumerate(names)
    ]
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = time.perf_counter()
    for i, name in enumerate(names):
        taken.extend((name + "|" + iid, at, took) for iid, at, took in per_thread[i])
    results.put((began, finished, taken, warm_up))
    store.dispose()


def run(
    url: str,
    agents: int,
    interactions: int,
    processes: int,
    fast: bool = True,
    block: float | None = None,
) -> dict[str, Any]:
    store = Store(url)
    names = seed(store, agents, interactions)
    mp = multiprocessing.get_context("spawn")
    barrier, results = mp.Barrier(processes), mp.Queue()
    groups = [names[i::processes] for i in range(processes)]
    blocks = None if block is None else (0.0, block)  # blocks of the wall clock: shared
    procs = [
        mp.Process(target=worker, args=(url, g, barrier, results, fast, blocks)) for g in groups
    ]
    for proc in procs:
        proc.start()
    reports = [results.get(timeout=1800) for _ in procs]
    for proc in procs:
        proc.join()
    began = min(r[0] for r in reports)
    finished = max(r[1] for r in reports)
    claims = [c for r in reports for c in r[2]]
    warm_up = [key for r in reports for key in r[3]]
    latencies = sorted(took for _, _, took in claims)
    by_interaction = Counter(key.split("|")[1] for key in [c[0] for c in claims] + warm_up)
    with store.read() as session:
        unclaimed = session.execute(
            select(func.count()).where(Interaction.claimed_by_id.is_(None))
        ).scalar()
        fences = session.execute(select(func.count()).where(Interaction.claim_fence != 1)).scalar()
        events = session.execute(
            select(func.count()).select_from(Event).where(Event.kind == "claim")
        ).scalar()
    store.dispose()
    wall = finished - began

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2)

    report: dict[str, Any] = {}
    if block is not None:
        report["notices"] = _by_mode(claims, block)
    return report | {
        "agents": agents,
        "processes": processes,
        "interactions": interactions,
        "claims": len(claims),
        "warm_up_claims": len(warm_up),
        "seconds": round(wall, 2),
        "claims_per_s": round(len(claims) / wall, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1] * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2),
        "double_claims": sum(1 for n in by_interaction.values() if n > 1),
        "unclaimed_left": unclaimed,
        "fences_not_1": fences,
        "claim_events": events,
    }


def _by_mode(claims: list[tuple[str, float, float]], block: float) -> dict[str, Any]:
    """Claims per second and p99 of the trigger's blocks and the quiet ones (whole blocks:
    the first and the last, cut by the start and the end, are left out)."""
    per_block = Counter(int(at // block) for _, at, _ in claims)
    first, last = min(per_block), max(per_block)
    whole = [b for b in per_block if first < b < last]
    out: dict[str, Any] = {"blocks": len(whole), "block_s": block}
    for mode, parity in (("trigger", 0), ("quiet", 1)):
        mine = {b for b in whole if b % 2 == parity}
        took = sorted(t for _, at, t in claims if int(at // block) in mine)
        out[f"{mode}_claims_per_s"] = round(sum(per_block[b] for b in mine) / (block * len(mine)))
        out[f"{mode}_p99_ms"] = round(took[int(0.99 * len(took))] * 1000, 1)
    out["quiet_over_trigger"] = round(out["quiet_claims_per_s"] / out["trigger_claims_per_s"], 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--interactions", type=int, default=20000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument(
        "--without-unclaimed-index",
        action="store_true",
        help="drop the indexes of free rows (ix_interactions_unclaimed and the claim order's) "
        "first, to see what they are worth",
    )
    parser.add_argument(
        "--paths",
        default="one-statement,general",
        help="comma-separated: one-statement (claims_pg, the default path on PostgreSQL) "
        "and/or general (the ORM rule), each on a fresh database in this run",
    )
    parser.add_argument(
        "--notices",
        action="store_true",
        help="the one statement only, switching every --block seconds between quiet commits "
        "announced by the store and commits announced by the trigger (see above)",
    )
    parser.add_argument("--block", type=float, default=2.0)
    args = parser.parse_args()
    reports = []
    paths = ["one-statement"] if args.notices else args.paths.split(",")
    for path in paths:
        url = create_database(args.admin_url, prefix="relaydesk_bench_")
        try:
            store = Store(url)
            ensure_current(store.engine)
            if args.without_unclaimed_index:
                with store.connect() as conn:
                    conn.execute(text("DROP INDEX ix_interactions_unclaimed"))
                    conn.execute(text(f"DROP INDEX {CLAIM_ORDER_INDEX}"))
            store.dispose()
            processes = min(args.processes, args.agents)
            block = args.block if args.notices else None
            report = run(url, args.agents, args.interactions, processes, path != "general", block)
            report["path"] = path
            report["unclaimed_index"] = not args.without_unclaimed_index
            reports.append(report)
            print(json.dumps(report, indent=2), flush=True)
        finally:
            drop_database(args.admin_url, database_name(url))
    if len(reports) == 2:
        ratio = reports[0]["claims_per_s"] / reports[1]["claims_per_s"]
        print(f"{reports[0]['path']} / {reports[1]['path']}: {ratio:.2f}x claims/s")


if __name__ == "__main__":
    main()
