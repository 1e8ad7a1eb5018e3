"""Team-mode latency: an operation from one desk's submit to its effect in every other desk.

    python -m bench.sync_latency [--clients 20] [--warmup 20] [--ops 200] [--budget-s 90]
                                 [--gap-ms 20] [--idle-wait S] [--lease-ttl 15] [--admin-url URL]
                                 [--desk link|loop] [--profile FILE]

A migrated central PostgreSQL database; one worker process running the worker's appliers
under the operation queue's lease (``push.start_appliers``, as ``relaydesk worker`` does);
``--clients`` desk processes, each with its own local SQLite store. By default each desk runs
the desktop's own link (``TeamLink``: a submit wakes the link's thread, whose tick pushes,
settles and pulls; a change notice wakes a tick); ``--desk loop`` runs a bare ``SyncLoop``
with ``push.submit`` and ``push.push`` on the desk's main thread instead. Round robin, one
desk at a time submits a note and every other desk records when the note is in its local
store (right after the pull committed). A listener in this process records when each
operation is applied centrally (its outcome committed). Then worker failover: two worker
processes share the lease, the holder is killed with SIGKILL and the time until the other
applies the next operation is measured. Prints JSON.

By default the central database lives in a throwaway cluster (as ``bench.sync``): a pull
reads only below the oldest open transaction of the whole cluster, so a shared server's
other users would make the figures theirs. ``--admin-url`` uses an existing server.

Every desk process pulls on every operation, so on a machine with few cores the desks
compete for the CPU and the figures measure that machine: the JSON notes the core count and
load. ``--budget-s`` stops submitting after that long.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import json
import multiprocessing
import os
import queue
import signal
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from multiprocessing import connection as mp_connection
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, select, text

from app.services import push
from app.services.operations import Operation
from app.services.sync import CentralConfig, CentralSync, SyncLoop
from app.services.team import TeamLink
from bench.claims import seed
from storage import leases
from storage.blobs import open_local_blob_store
from storage.engine import Store, sqlite_url
from storage.migrate import ensure_current
from storage.models import Interaction, Note
from storage.models import Operation as OperationRow
from storage.sync import NOTIFY_CHANNEL, PullResult
from tests.servers.postgres import (
    create_database,
    database_name,
    drop_database,
    libpq_url,
    start_throwaway_postgres,
)

SEEN_TIMEOUT_S = 10.0
"""How long one operation may take to reach every desk before the next goes anyway."""


# --- the desk processes -----------------------------------------------------------------------


def desk(
    index: int,
    url: str,
    work: str,
    agent: str,
    commands: Any,
    reports: Any,
    interval: float,
    kind: str = "link",
    profile: str | None = None,
) -> None:
    """One desk: its own SQLite store, pulling on notices, submitting when told to.

    ``link``: the desktop's own link (``TeamLink``: submit wakes its thread, whose tick
    pushes, settles and pulls). ``loop``: a bare ``SyncLoop`` pulling, with ``push.submit``
    and ``push.push`` called on this process's main thread (the pull and push alone).
    """
    path = Path(work) / f"desk{index:02d}.sqlite3"
    local = Store(sqlite_url(path))
    ensure_current(local.engine)
    high = [0]  # local change_seq of the newest note looked at
    pulls: Counter[str] = Counter()
    pushed_at: dict[str, float] = {}
    pushed_now = threading.Event()
    # The bench's instrument, kept light, since it runs on the cores the desks share: its own
    # SQLite connection (no pool, no engine events) and a pipe written by the thread that
    # reports (no queue feeder thread to wake). Its CPU is counted apart (``look_cpu``).
    look = sqlite3.connect(path, check_same_thread=False)
    look_cpu = [0.0]
    send_lock = threading.Lock()

    def report(*message: Any) -> None:
        with send_lock:
            reports.send(message)

    def on_pulled(result: PullResult | None) -> None:
        at = time.monotonic()
        if result is None:
            return
        began = time.thread_time()
        pulls["rounds" if result.rows else "empty"] += 1
        if result.tables.get("notes"):
            rows = look.execute(
                "SELECT body, change_seq FROM notes WHERE change_seq > ?", (high[0],)
            ).fetchall()
            for body, seq in rows:
                high[0] = max(high[0], seq)
                report("seen", index, body, at)
        look_cpu[0] += time.thread_time() - began

    central = None
    link: TeamLink | None = None
    # --profile: this desk's pulls (the link's thread), measured operations only.
    profiler: cProfile.Profile | None = None
    if kind == "link":
        # With a blob file, as the desktop: a pull also sweeps blobs of mail deleted centrally.
        blobs = open_local_blob_store(Path(work) / f"desk{index:02d}.blobs.sqlite3")
        link = TeamLink(
            local, CentralConfig(url, "bench"), interval=interval, batch_size=5000, blobs=blobs
        )
        sync = link.sync
        pull = sync.pull

        def pull_and_look(*args: Any, **kwargs: Any) -> PullResult | None:
            if profiler is not None:
                profiler.enable()
            try:
                result = pull(*args, **kwargs)
            finally:
                if profiler is not None:
                    profiler.disable()
            on_pulled(result)
            return result

        sync.pull = pull_and_look  # type: ignore[method-assign]
        real_push = push.push

        def push_and_stamp(*args: Any, **kwargs: Any) -> push.PushReport:
            report = real_push(*args, **kwargs)
            if report.pushed:
                at = time.monotonic()
                for body in list(pushed_at):
                    if not pushed_at[body]:
                        pushed_at[body] = at
                pushed_now.set()
            return report

        push.push = push_and_stamp
        loop: SyncLoop = link
    else:
        central = Store(url, pool_size=1, max_overflow=0)  # push's connection
        sync = CentralSync(local, CentralConfig(url, "bench"), batch_size=5000)
        loop = SyncLoop(sync, interval=interval, on_pulled=on_pulled)
    loop.start()
    while not (sync.first_sync_done and loop.listening.is_set()):
        time.sleep(0.05)
    report("ready", index)
    pulls.clear()
    cpu_before = time.process_time()
    threads_before = thread_cpu()
    while (command := commands.get()) is not None:
        if command == "measure":
            # The warm-up is over (every desk's first push, the compiled statements, the
            # operation rules imported at the first submit): count from here.
            pulls.clear()
            look_cpu[0] = 0.0
            if profile:
                profiler = cProfile.Profile()
            cpu_before = time.process_time()
            threads_before = thread_cpu()
            continue
        op_id, seq, interaction = command
        body = f"lat-{seq}"
        op = Operation("note", agent, {"interaction": interaction, "body": body}, uuid.UUID(op_id))
        began = time.monotonic()
        if link is not None:
            pushed_at[body] = 0.0
            pushed_now.clear()
            link.submit(op)  # the link's thread pushes it
            pushed_now.wait(SEEN_TIMEOUT_S)
            pushed = pushed_at.pop(body) or time.monotonic()
        else:
            assert central is not None
            push.submit(local, op)
            push.push(local, central)
            pushed = time.monotonic()
        report("submitted", index, body, began, pushed)
    cpu_s = time.process_time() - cpu_before
    threads = thread_cpu()
    split = {name: t - threads_before.get(name, 0.0) for name, t in threads.items()}
    if link is not None:
        deadline = time.monotonic() + 30
        while link.status.pending and time.monotonic() < deadline:
            link.pull_now()
            time.sleep(0.1)
        left = link.status.pending
        link.stop()
    else:
        assert central is not None
        push.settle(local, central)
        left = push.pending_count(local)
        loop.stop()
        loop.join(timeout=15)
        sync.close()
        central.dispose()
    split["pull_loop"] = split.get("pull_loop", 0.0) - look_cpu[0]
    split["bench_instrument"] = look_cpu[0]
    if profiler is not None and profile:
        profiler.dump_stats(profile)
    report("done", index, left, dict(pulls), cpu_s, split)
    look.close()
    local.dispose()


def thread_cpu() -> dict[str, float]:
    """CPU seconds of this process's threads so far, by role: the pulling loop, the change
    listener, and the main thread (submit and push)."""
    roles = {
        "MainThread": "submit_and_push",
        "central-listen": "listener",
        "team-listen": "listener",
    }
    spent: dict[str, float] = {}
    for thread in threading.enumerate():
        if thread.ident is None:
            continue
        role = roles.get(thread.name, "pull_loop" if isinstance(thread, SyncLoop) else "other")
        try:
            clock = time.pthread_getcpuclockid(thread.ident)
            spent[role] = spent.get(role, 0.0) + time.clock_gettime(clock)
        except OSError:  # ended meanwhile
            continue
    return spent


# --- the worker processes ---------------------------------------------------------------------


def worker(url: str, ttl: float, idle_wait: float | None, started: Any) -> None:
    """The worker's appliers under the queue's lease, until SIGTERM or SIGKILL."""
    central = Store(url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if idle_wait is None:
        push.start_appliers(central, stop, lease_name=push.QUEUE_LEASE, lease_ttl_s=ttl)
    else:  # the same, with another idle poll than the worker's push.IDLE_WAIT_S
        keeper = leases.LeaseKeeper(central.engine, push.QUEUE_LEASE, ttl_s=ttl)
        keeper.start(stop)
        for _ in range(2):
            applier = push.Applier(central, keeper=keeper, idle_wait_s=idle_wait)
            threading.Thread(target=applier.run, args=(stop,), daemon=True).start()
    started.put(os.getpid())
    stop.wait()
    time.sleep(0.5)  # the keeper releases the lease
    central.dispose()


def lease_holder(store: Store) -> str | None:
    with store.read() as session:
        return session.execute(
            text("SELECT holder FROM leases WHERE name = :n AND expires_at > clock_timestamp()"),
            {"n": push.QUEUE_LEASE},
        ).scalar()


# --- this process: the applied-centrally listener ---------------------------------------------


class AppliedWatch(threading.Thread):
    """Records when each awaited operation leaves 'pending' (woken by the change notices)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = libpq_url(url)
        self.awaited: set[uuid.UUID] = set()
        self.applied: dict[uuid.UUID, float] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.listening = threading.Event()

    def expect(self, op_id: uuid.UUID) -> None:
        with self.lock:
            self.awaited.add(op_id)

    def run(self) -> None:
        with (
            psycopg.connect(self.url, autocommit=True) as listener,
            psycopg.connect(self.url, autocommit=True) as reader,
        ):
            listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self.listening.set()
            while not self.stop.is_set():
                for _ in listener.notifies(timeout=0.5, stop_after=1):
                    pass
                at = time.monotonic()
                with self.lock:
                    ids = list(self.awaited)
                if not ids:
                    continue
                rows = reader.execute(
                    "SELECT id FROM operations WHERE id = ANY(%s) AND status <> 'pending'",
                    (ids,),
                ).fetchall()
                with self.lock:
                    for (op_id,) in rows:
                        self.awaited.discard(op_id)
                        self.applied[op_id] = at


# --- the run ----------------------------------------------------------------------------------


class Reports:
    """The desks' reports, each desk on a pipe of its own, read in arrival order."""

    def __init__(self, receivers: list[Any]) -> None:
        self.receivers = receivers
        self.ready: collections.deque[tuple[Any, ...]] = collections.deque()

    def get(self, timeout: float) -> tuple[Any, ...]:
        if not self.ready:
            for conn in mp_connection.wait(self.receivers, timeout):
                while conn.poll():
                    self.ready.append(conn.recv())
        if not self.ready:
            raise queue.Empty
        return self.ready.popleft()


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (Linux /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in fields]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "samples": len(values),
        "p50_ms": pct(values, 0.50),
        "p99_ms": pct(values, 0.99),
        "max_ms": round(max(values) * 1000, 1) if values else None,
        "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else None,
    }


def run(args: argparse.Namespace, url: str, work: Path) -> dict[str, Any]:
    central = Store(url)
    names = seed(central, args.clients, args.clients)
    with central.read() as session:
        interactions = [str(i) for i in session.execute(select(Interaction.id)).scalars()]
    mp = multiprocessing.get_context("spawn")
    pipes = [mp.Pipe(duplex=False) for _ in range(args.clients)]
    reports = Reports([receiver for receiver, _ in pipes])
    started = mp.Queue()
    load_before = os.getloadavg()
    first_worker = mp.Process(target=worker, args=(url, args.lease_ttl, args.idle_wait, started))
    first_worker.start()
    started.get(timeout=120)
    commands = [mp.Queue() for _ in range(args.clients)]
    desks = [
        mp.Process(
            target=desk,
            args=(
                i,
                url,
                str(work),
                names[i],
                commands[i],
                pipes[i][1],
                args.interval,
                args.desk,
                args.profile if i == 1 else None,
            ),
        )
        for i in range(args.clients)
    ]
    boot = time.monotonic()
    for proc in desks:
        proc.start()
    ready = 0
    while ready < args.clients:
        if reports.get(timeout=300)[0] == "ready":
            ready += 1
    boot_s = time.monotonic() - boot
    watch = AppliedWatch(url)
    watch.start()
    watch.listening.wait(10)

    submitted: dict[str, tuple[int, float, float, uuid.UUID]] = {}
    seen: dict[str, dict[int, float]] = {}

    def take(block_s: float) -> None:
        try:
            report = reports.get(timeout=block_s)
        except queue.Empty:
            return
        if report[0] == "submitted":
            _, index, body, began, pushed = report
            submitted[body] = (index, began, pushed, submitted[body][3])
        elif report[0] == "seen":
            _, index, body, at = report
            seen.setdefault(body, {}).setdefault(index, at)

    def submit(seq: int, by: int) -> uuid.UUID:
        op_id = uuid.uuid4()
        body = f"lat-{seq}"
        submitted[body] = (by, 0.0, 0.0, op_id)
        watch.expect(op_id)
        commands[by].put((str(op_id), seq, interactions[seq % len(interactions)]))
        return op_id

    def reached_all(body: str) -> bool:
        by = submitted[body][0]
        return len(set(seen.get(body, {})) - {by}) >= args.clients - 1

    late = 0
    # Warm-up first: each desk's first push opens its connection to the centre and every
    # process compiles and prepares its statements once; those operations are not measured.
    measured_ops = args.warmup + args.ops
    busy_before = machine_busy_s()
    budget = float("inf")
    for seq in range(args.warmup + args.ops):
        if seq == args.warmup:
            for command in commands:
                command.put("measure")
            busy_before = machine_busy_s()
            budget = time.monotonic() + args.budget_s
        if time.monotonic() > budget:
            measured_ops = seq
            break
        body = f"lat-{seq}"
        submit(seq, seq % args.clients)
        deadline = time.monotonic() + SEEN_TIMEOUT_S
        while not reached_all(body) and time.monotonic() < deadline:
            take(0.05)
        late += not reached_all(body)
        pause = time.monotonic() + args.gap_ms / 1000
        while time.monotonic() < pause:
            take(max(0.0, pause - time.monotonic()))
    drain = time.monotonic() + SEEN_TIMEOUT_S
    while time.monotonic() < drain and not all(
        reached_all(f"lat-{s}") for s in range(measured_ops)
    ):
        take(0.05)
    load_after_latency = os.getloadavg()
    busy_s = machine_busy_s() - busy_before

    # Worker failover: a second worker joins; the lease holder is killed with SIGKILL.
    second_worker = mp.Process(target=worker, args=(url, args.lease_ttl, args.idle_wait, started))
    second_worker.start()
    started.get(timeout=120)
    workers = {p.pid or 0: p for p in (first_worker, second_worker)}
    holder = lease_holder(central)
    assert holder is not None, "nobody holds the queue's lease"
    victim = next(pid for pid in workers if f":{pid}:" in holder)
    seq = measured_ops
    warm = submit(seq, seq % args.clients)
    while warm not in watch.applied:
        take(0.05)
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    after = submit(seq + 1, (seq + 1) % args.clients)
    while after not in watch.applied and time.monotonic() - killed < args.lease_ttl * 3 + 30:
        take(0.05)
    failover_s = watch.applied[after] - killed if after in watch.applied else None
    new_holder = lease_holder(central)

    for command in commands:
        command.put(None)
    pending_left = 0
    done = 0
    desk_pulls: Counter[str] = Counter()
    desk_cpu_s = 0.0
    desk_split: Counter[str] = Counter()
    while done < args.clients:
        report = reports.get(timeout=120)
        if report[0] == "done":
            done += 1
            pending_left += report[2]
            desk_pulls.update(report[3])
            desk_cpu_s += report[4]
            desk_split.update(report[5])
    for proc in desks:
        proc.join(timeout=30)
    watch.stop.set()
    for pid, proc in workers.items():
        if proc.is_alive():
            os.kill(pid, signal.SIGTERM)
        proc.join(timeout=30)

    total = measured_ops - args.warmup + 2  # what the desks counted: the failover's two too
    with central.read() as session:
        statuses = dict(
            session.execute(
                select(OperationRow.status, func.count()).group_by(OperationRow.status)
            ).all()
        )
        bodies = session.execute(
            select(Note.body, func.count()).group_by(Note.body).having(func.count() > 1)
        ).all()
    central.dispose()

    measured = [f"lat-{s}" for s in range(args.warmup, measured_ops)]
    push_s = [submitted[b][2] - submitted[b][1] for b in measured]
    applied_s = [
        watch.applied[submitted[b][3]] - submitted[b][1]
        for b in measured
        if submitted[b][3] in watch.applied
    ]
    visible_s = [
        at - submitted[b][1]
        for b in measured
        for index, at in seen.get(b, {}).items()
        if index != submitted[b][0]
    ]
    # The operations whose last desk saw them latest: where the tail comes from.
    slowest = sorted(
        (
            (max(seen[b].values()) - submitted[b][1], s)
            for s, b in enumerate(measured, args.warmup)
            if seen.get(b)
        ),
        reverse=True,
    )[:8]
    return {
        "clients": args.clients,
        "desk": args.desk,
        "operations": len(measured),
        "warmup_operations": args.warmup,
        "gap_ms": args.gap_ms,
        "worker_idle_poll_s": args.idle_wait if args.idle_wait is not None else push.IDLE_WAIT_S,
        "cpus": os.cpu_count(),
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after_latency": [round(x, 2) for x in load_after_latency],
        "desks_ready_s": round(boot_s, 1),
        "submit_and_push": summary(push_s),
        "submit_to_applied_centrally": summary(applied_s),
        "submit_to_visible_in_other_desk": summary(visible_s),
        "visible_expected": len(measured) * (args.clients - 1),
        "slowest_ops_ms": [[seq, round(t * 1000)] for t, seq in slowest],
        # What the desks spent after the warm-up (the failover's included): pulls that brought
        # rows, pulls that found nothing new, and their processes' CPU per operation.
        "desk_pulls_per_op": {k: round(v / total, 1) for k, v in desk_pulls.items()},
        "desk_cpu_ms_per_op": round(desk_cpu_s * 1000 / total, 1),
        "desk_cpu_ms_per_op_by_thread": {
            k: round(v * 1000 / total, 1) for k, v in sorted(desk_split.items())
        },
        # Every process of the machine (desks, worker, PostgreSQL, this one) while submitting.
        "machine_cpu_ms_per_op": round(busy_s * 1000 / max(1, len(measured)), 1),
        "ops_late_over_10s": late,
        "targets_ms": {"p50": 30, "p99": 100},
        "failover": {
            "lease_ttl_s": args.lease_ttl,
            "killed_holder_to_next_applied_s": round(failover_s, 2) if failover_s else None,
            "new_holder_differs": new_holder is not None and new_holder != holder,
        },
        "integrity": {
            "central_statuses": statuses,
            "expected_operations": measured_ops + 2,
            "notes_applied_twice": len(bodies),
            "desk_outbox_unsettled": pending_left,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument(
        "--budget-s", type=float, default=90, help="stop submitting after this many seconds"
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="operations first, not measured (one per desk)"
    )
    parser.add_argument("--gap-ms", type=int, default=20, help="pause between two operations")
    parser.add_argument(
        "--idle-wait", type=float, default=None, help="applier idle poll (default the worker's)"
    )
    parser.add_argument("--lease-ttl", type=float, default=leases.DEFAULT_TTL_S)
    parser.add_argument(
        "--interval", type=float, default=60, help="desks' periodic pull (the setting's default)"
    )
    parser.add_argument("--admin-url", help="an existing server instead of a throwaway cluster")
    parser.add_argument(
        "--desk",
        choices=("link", "loop"),
        default="link",
        help="link: the desktop's TeamLink; loop: a bare SyncLoop with push on the main thread",
    )
    parser.add_argument(
        "--profile", help="write cProfile statistics of one desk's pulls (link desks) to this file"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="relaydesk-bench-latency-") as tmp:
        work = Path(tmp)
        cluster = None if args.admin_url else start_throwaway_postgres(work / "pg")
        admin_url = args.admin_url or (cluster.url if cluster else "")
        url = create_database(admin_url, prefix="relaydesk_bench_")
        try:
            store = Store(url)
            ensure_current(store.engine)
            store.dispose()
            print(json.dumps(run(args, url, work), indent=2))
        finally:
            drop_database(admin_url, database_name(url))
            if cluster is not None:
                cluster.stop()


if __name__ == "__main__":
    main()
