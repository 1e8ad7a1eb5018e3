"""The mail worker: fetches, sends the outbox, runs due timers and retention, headless.

``relaydesk worker`` runs it on a server; in standalone mode the desktop runs the same
thing in the background. Every duty is safe to run again after a crash: fetching is
idempotent, sending never repeats an uncertain message, a timer fires with its effect.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from app.context import AppContext
from app.errors import RelaydeskError
from app.mail import outbox
from app.mail.fetch import FetchReport, fetch_once, inbound_accounts
from app.mail.fetcher import FetchOptions, MailboxSync, imap_settings
from app.services import push, retention, timers
from storage.engine import Store
from storage.models import utcnow

log = logging.getLogger("app")

TICK_S = 1.0


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
        # Team mode: apply agents' operations from the central queue (app/services/push.py).
        threads += push.start_appliers(central, stop, lease_name=push.QUEUE_LEASE)
    for account_id in inbound_accounts(ctx):
        try:
            sync = MailboxSync(ctx, imap_settings(ctx, account_id), options)
        except RelaydeskError as exc:
            stats.errors.append(str(exc))
            log.error("not fetching account %s: %s", account_id, exc)
            continue
        thread = threading.Thread(
            target=sync.run, args=(stop,), daemon=True, name=f"fetch-{account_id}"
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
