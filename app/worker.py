"""The mail worker: fetches, sends the outbox, runs due timers and retention, headless.

``relaydesk worker`` runs it on a server; in standalone mode the desktop runs the same
thing in the background. Every duty is safe to run again after a crash: fetching is
idempotent, sending never repeats an uncertain message, a timer fires with its effect.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection

from app.context import AppContext
from app.errors import RelaydeskError
from app.mail import outbox
from app.mail.fetch import FetchReport, fetch_once, inbound_accounts
from app.mail.fetcher import FetchOptions, ImapTarget, MailboxSync, imap_settings
from app.services import push, retention, timers
from storage import leases
from storage.engine import Store
from storage.models import utcnow

log = logging.getLogger("app")

TICK_S = 1.0
LEASE_WAIT_S = 1.0


@dataclass
class WorkerStats:
    sent: int = 0
    timers: int = 0
    recovered: int = 0
    errors: list[str] = field(default_factory=list)
    last_purge: dt.datetime | None = None


PURGE_EVERY = dt.timedelta(hours=1)


def run_duties(ctx: AppContext, stats: WorkerStats) -> None:
    """One round of the duties that are not fetching: sending, timers, retention."""
    try:
        if stats.last_purge is None or utcnow() - stats.last_purge >= PURGE_EVERY:
            stats.last_purge = utcnow()
            retention.purge(ctx.store, ctx.blobs)
        reports = outbox.send_due(ctx)
        stats.sent += sum(1 for r in reports if r.state == "sent")
        for report in reports:
            if report.state in ("failed", "uncertain"):
                log.warning("message %s %s: %s", report.message_id, report.state, report.detail)
        stats.timers += timers.run_due(ctx.store)
    except RelaydeskError as exc:
        stats.errors.append(str(exc))
        log.error("worker duty failed: %s", exc)


def run_once(ctx: AppContext, options: FetchOptions) -> tuple[FetchReport, WorkerStats]:
    """Catch up on everything once (for cron, tests and the first start)."""
    stats = WorkerStats(recovered=outbox.recover(ctx))
    report = fetch_once(ctx, options)
    run_duties(ctx, stats)
    return report, stats


def mailbox_lease(account_id: uuid.UUID) -> str:
    return f"mailbox:{account_id}"


def fetch_while_leased(
    ctx: AppContext,
    target: ImapTarget,
    options: FetchOptions,
    keeper: leases.LeaseKeeper,
    stop: threading.Event,
) -> None:
    """Fetch the mailbox whenever ``keeper`` holds its lease, until ``stop``.

    Each holding runs one MailboxSync whose writes are fenced by that hold: when the lease is
    lost (expired while this worker stalled, or taken over) the sync is told to stop, and a
    write it attempts meanwhile raises LeaseLost inside its transaction, which then commits
    nothing. The lease may come back later with a new fence, and a new sync starts.
    """
    while not stop.is_set():
        if not keeper.held.wait(LEASE_WAIT_S):
            continue
        hold = keeper.hold
        if hold is None:
            continue
        ended = threading.Event()

        def watch(hold: leases.LeaseHold = hold, ended: threading.Event = ended) -> None:
            while keeper.hold == hold and not stop.is_set() and not ended.is_set():
                stop.wait(LEASE_WAIT_S)
            ended.set()

        watcher = threading.Thread(target=watch, daemon=True, name=f"lease-watch-{hold.name}")
        watcher.start()
        sync = MailboxSync(ctx, target, options, fence=functools.partial(_check_fence, hold=hold))
        try:
            log.info("%s: fetching under lease %s (fence %d)", target.name, hold.name, hold.fence)
            sync.run(ended)
        except leases.LeaseLost as exc:
            log.warning("%s: stopped fetching: %s", target.name, exc)
        except Exception:
            # A bug must not end this mailbox's fetching for good: log it, pause, go on.
            log.exception("%s: fetching failed; starting again", target.name)
            stop.wait(LEASE_WAIT_S)
        finally:
            ended.set()
            watcher.join()


def _check_fence(conn: Connection, *, hold: leases.LeaseHold) -> None:
    leases.check(conn, hold)


def run(
    ctx: AppContext,
    options: FetchOptions,
    stop: threading.Event,
    *,
    tick: float = TICK_S,
    on_tick: Callable[[WorkerStats], None] | None = None,
    central: Store | None = None,
) -> WorkerStats:
    """Until ``stop``: one IDLE connection per inbound account, and duties every tick."""
    stats = WorkerStats(recovered=outbox.recover(ctx))
    if stats.recovered:
        log.warning(
            "%d messages were being sent when the worker stopped: now uncertain", stats.recovered
        )
    threads = []
    if central is not None:
        # Team mode: apply agents' operations from the central queue (app/services/push.py);
        # replies read their attachments and quoted mail from the central blob table.
        threads += push.start_appliers(central, stop, lease_name=push.QUEUE_LEASE, blobs=ctx.blobs)
    for account_id in inbound_accounts(ctx):
        try:
            target = imap_settings(ctx, account_id)
        except RelaydeskError as exc:
            stats.errors.append(str(exc))
            log.error("not fetching account %s: %s", account_id, exc)
            continue
        if central is None:
            run_sync: Callable[[threading.Event], None] = MailboxSync(ctx, target, options).run
        else:
            # Team mode: several workers may run; each mailbox is fetched by the one holding
            # its lease, and every write it makes checks that lease's fence.
            keeper = leases.LeaseKeeper(central.engine, mailbox_lease(account_id))
            threads.append(keeper.start(stop))
            run_sync = functools.partial(fetch_while_leased, ctx, target, options, keeper)
        thread = threading.Thread(
            target=run_sync, args=(stop,), daemon=True, name=f"fetch-{account_id}"
        )
        thread.start()
        threads.append(thread)
    while not stop.is_set():
        run_duties(ctx, stats)
        if on_tick is not None:
            on_tick(stats)
        stop.wait(tick)
    for thread in threads:
        thread.join(timeout=60)
    return stats
