"""Team mode's link for a desk: push the outbox, settle outcomes and pull, on one thread.

``TeamLink`` is the sync loop (``app/services/sync.py``: a LISTEN connection wakes it on a
change notice, a timer at least every ``interval`` seconds) with the push side added to each
tick: queued operations go to the central queue, their outcomes come back into the outbox,
then the changed rows are pulled, so a settled operation and its effect arrive together.

What the window shows is a frozen ``TeamStatus`` handed to ``on_status`` after every tick
(and while a first sync makes progress); newly settled operations go to ``on_settled``. Both
callbacks run on the link's thread: a UI bridges them to its own thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.errors import ConfigError, ServerError
from app.services import push
from app.services.operations import Operation, OpResult
from app.services.sync import (
    CONNECT_TIMEOUT_S,
    LIBPQ_TIMEOUTS,
    CentralConfig,
    CentralSync,
    SyncLoop,
    connect_url,
    pull_interval,
    resolve_central,
)
from storage import opqueue
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.migrate import current_revision, known_revisions
from storage.models import utcnow
from storage.sync import PullResult, SchemaMismatch

log = logging.getLogger("sync")

OFFLINE_RETRY_S = 5.0
"""Without change notices (offline, say), tick this often: the banner goes soon after."""
IDLE_TRUST_S = 5.0
"""How long a link takes its own word that the outbox is idle. This process's operations come
through ``push.submit``, which counts them; one kept by another process on the same store is
pushed at most this long after."""


@dataclass(frozen=True)
class TeamStatus:
    """The link as the status bar tells it; plain values, safe to hand to another thread."""

    online: bool
    pending: int  # operations this link pushes not settled yet (queued or pushed)
    last_error: str = ""  # why the last tick failed; "" when it went through
    first_sync: tuple[int, int] | None = None  # (rows done, rows in all) while a first sync runs
    last_pull_at: dt.datetime | None = None
    contacted: bool = False  # False until the first tick has ended, either way
    # The schemas differ: "central" (upgrade the central database) or "desk" (upgrade this
    # Relaydesk); "" otherwise. Not an outage: waiting does not help, an upgrade does.
    upgrade: str = ""
    # Other agents' operations waiting in this desk's outbox until they sign in here again
    # (a link connected as one agent's role pushes only theirs): (agent's name, count).
    others: tuple[tuple[str, int], ...] = ()


StatusCallback = Callable[[TeamStatus], None]
SettledCallback = Callable[[list[OpResult]], None]


class TeamLink(SyncLoop):
    """One desk's link to the central database, on its own thread until ``stop()``."""

    def __init__(
        self,
        local: Store,
        config: CentralConfig,
        *,
        interval: float,
        on_status: StatusCallback | None = None,
        on_settled: SettledCallback | None = None,
        batch_size: int = 5000,
        blobs: SqlBlobStore | None = None,
        agent: uuid.UUID | None = None,
    ) -> None:
        # With the desk's blob file the pull also drops blobs of mail deleted centrally.
        sync = CentralSync(local, config, batch_size=batch_size, blobs=blobs)
        super().__init__(sync, interval=interval)
        self.name = "team-link"
        self.local = local
        # The desk's blob file: attachments of queued replies are copied from it centrally.
        self.blobs = blobs
        self._central_blobs: SqlBlobStore | None = None
        self._schema_checked = False
        self._last_pull: PullResult | None = None  # for the held-back chase
        self.config = config
        self.on_status = on_status
        self.on_settled = on_settled
        # The agent who signed in with this link's role (None: the agents table says whose it
        # is, if anyone's): only their operations are pushed (push.actors_of).
        self.agent = agent
        self._actors: frozenset[str] | None = None
        self._actors_known = False  # _actors is asked again after a pull of agents' rows
        # The push side's own small pool: a tick pushes, settles and pulls one after another.
        # No ping at checkout (a round trip before every push): the push and the outcomes'
        # read may run twice and go again on a new connection when the kept one is dead.
        url = connect_url(config).render_as_string(hide_password=False)
        self.central = Store(
            url,
            pool_size=1,
            max_overflow=0,
            pool_pre_ping=False,
            connect_args={"application_name": "relaydesk-push", **LIBPQ_TIMEOUTS},
        )
        # Held while a status is made and handed on, so callbacks see them in order.
        self._lock = threading.RLock()
        self._status = TeamStatus(online=False, pending=0)
        # When the outbox was last read holding nothing unsettled, with how many operations
        # this process had submitted then (push.submissions). While that count holds (for
        # IDLE_TRUST_S), the outbox is idle without a look at the file: every desk ticks at
        # every change of any desk.
        self._idle_read: tuple[int, float] | None = None
        # Outcomes a pull brings settle inside its local transaction (see _in_pull),
        # for the operations of these actors; what settled there, until the tick hands it on.
        self._settle_for: Collection[str] | None = None
        self._settle_in_pull = False
        self._settled_in_pull: list[OpResult] = []
        sync.puller.in_pull = self._in_pull

    @property
    def status(self) -> TeamStatus:
        with self._lock:
            return self._status

    def submit(self, op: Operation) -> uuid.UUID:
        """Keep ``op`` in the outbox and wake the link to push it; returns at once.

        Offline, the operation waits in the outbox; the status's pending count says so.
        """
        op_id = push.submit(self.local, op)
        self.pull_now()  # the push first: the count is for the status bar
        # The link's thread keeps the answer (_actors_now); asked here, it is not kept: a
        # pull of agents' rows on that thread meanwhile would be undone by an older answer.
        known, actors = self._actors_known, self._actors
        if not known:
            actors = push.actors_of(self.local, role=link_role(self), agent=self.agent)
        with self._lock:  # counted and told in one go: a tick's later count is not undone
            self._publish(pending=push.pending_count(self.local, actors))
        return op_id

    def _actors_now(self) -> frozenset[str] | None:
        """Whose operations this link's role may queue (``push.actors_of``), on the link's
        thread. Kept until a pull brings agents' rows: the desk's copy of the agents table
        may name the role's agent only after one, and asking at every push cost more than
        the push."""
        if not self._actors_known:
            self._actors = push.actors_of(self.local, role=link_role(self), agent=self.agent)
            self._actors_known = True
        return self._actors

    def wants(self, table: str) -> bool:
        # While this desk waits for outcomes, a write of the operations table may be one
        # (a refusal writes nothing else): wake to settle it.
        return super().wants(table) or self.status.pending > 0

    def stop(self, timeout: float = CONNECT_TIMEOUT_S * 4) -> None:
        """Stop the thread, wait for it and close the central connections."""
        super().stop()
        if self.is_alive():
            self.join(timeout)
        self.sync.close()
        self.central.dispose()

    # --- the link's thread ----------------------------------------------------------------

    def run(self) -> None:
        waiter = threading.Thread(target=self._listen, name="team-listen", daemon=True)
        waiter.start()
        # Listen before the first pull, so nothing changed between the two goes unnoticed.
        self._listen_tried.wait(CONNECT_TIMEOUT_S * 2)
        while not self._stopping.is_set():
            self._wake.clear()
            self._last_pull = None  # a failed tick pulls nothing: no chase on old news
            status = self.tick()
            # Without change notices (offline, or the listener not back yet after an outage)
            # nothing wakes us when an outcome or a change arrives: look more often.
            notified = status.online and self.listening.is_set()
            wait = self.interval if notified else min(self.interval, OFFLINE_RETRY_S)
            # A change held back by an open transaction comes with a pull soon after.
            self._wake.wait(self.chase_wait(self._last_pull, wait))
        waiter.join(timeout=CONNECT_TIMEOUT_S * 2)

    def _in_pull(self, cursor: Any, tables: frozenset[str]) -> None:
        """The pull's hook, inside the local transaction that writes its last rows: the
        outcomes it brought settle there, so the desk never shows a claim held while its
        operation still says "waiting for the central database" (a window reader, polling
        the store, would otherwise catch the moment between the two commits)."""
        if self._settle_in_pull and "operations" in tables:
            self._settled_in_pull = push.settle_pulled(
                self.local, actors=self._settle_for, cursor=cursor
            )

    def tick(self) -> TeamStatus:
        """Push, settle, pull; publish the status (and the settled operations)."""
        settled: list[OpResult] = []
        error = upgrade = ""
        online = False
        pulled_at: dt.datetime | None = None
        idle = just_pushed = False
        submitted = push.submissions(self.local)
        idle_read = self._idle_read
        try:
            # Nearly every tick is another desk's change: with nothing in the outbox there
            # is nothing to push, settle or count, and the tick is the pull alone.
            if (
                idle_read is None
                or idle_read[0] != submitted
                or (time.monotonic() - idle_read[1] >= IDLE_TRUST_S)
            ):
                idle_read, read_at = None, time.monotonic()
                if push.outbox_idle(self.local):
                    idle_read = (submitted, read_at)
            idle = idle_read is not None
            if not self._schema_checked:
                # Before the first push: nothing goes to a central database of another schema.
                self.sync.check_schema()
                self._schema_checked = True
            actors = self._actors
            if not idle:
                actors = self._actors_now()
                report = push.push(
                    self.local, self.central, actors=actors, before=self._upload_attachments
                )
                # Refused at the push (the central database does not know the actor):
                # settled already, and told like any refusal.
                settled = list(report.refusals)
                settled += push.settle(self.local, self.central, actors=actors, skip=report.queued)
                just_pushed = bool(report.queued)
            first = not self.sync.first_sync_done
            if first:
                self._publish(first_sync=(0, 0))
            result: PullResult | None = None
            if just_pushed and not first and self.listening.is_set() and not self.sync.hinted():
                # Woken to push, and no change announced since the last pull: a pull now
                # would bring back only what was pushed, while the worker applies it. Its
                # outcome's notice wakes the next tick, which settles and pulls.
                pass
            else:
                self._settle_for, self._settle_in_pull = actors, not idle
                self._settled_in_pull = []
                try:
                    result = self.sync.pull(
                        progress=self._on_first_sync_progress if first else None,
                        cancel=self._stopping.is_set,
                    )
                finally:
                    self._settle_in_pull = False
                # Committed with the pull (a failed pull raised and settled nothing).
                settled += self._settled_in_pull
                if result is not None:
                    pulled_at = utcnow()
            online = True
            self._last_pull = result
            if result is not None and (result.full or result.tables.get("agents")):
                self._actors_known = False  # the role's agent may be named differently now
        except (ServerError, ConfigError) as exc:
            error = str(exc)
            upgrade = self._upgrade_side(exc)
            log.warning("team link: %s", exc)
        except Exception as exc:  # a bug must not end the link: logged, retried next tick
            error = str(exc) or type(exc).__name__
            log.exception("team link: the tick failed")
        changes: dict[str, object] = {
            "online": online,
            "last_error": error,
            "first_sync": None,
            "contacted": True,
            "upgrade": upgrade,
        }
        if not online:
            self._schema_checked = False  # a server back from an outage may be upgraded
        if pulled_at is not None:
            changes["last_pull_at"] = pulled_at
        with self._lock:  # as submit(): counted and told in one go
            same = submitted == push.submissions(self.local)
            counts = self._counts(idle_read if same else None)
            status = self._publish(**changes, **counts)
        if settled and self.on_settled is not None:
            self.on_settled(settled)
        return status

    def _counts(self, idle_read: tuple[int, float] | None) -> dict[str, object]:
        """The status's pending operations, this agent's and others'. ``idle_read``: the
        outbox held nothing unsettled when the tick began (the count and time of the read
        that said so), and nothing was submitted since. An operation kept while this counts
        is counted by ``push.submissions`` only after, so the next tick reads the outbox
        (and ``submit`` publishes its own count)."""
        self._idle_read = None
        pending = 0
        others: tuple[tuple[str, int], ...] = ()
        try:
            if idle_read is None:
                idle_read = (push.submissions(self.local), time.monotonic())
                pending, others = push.pending_counts(self.local, self._actors)
        except Exception:  # the local store busy or closing: keep the last count
            log.exception("team link: cannot count pending operations")
            return {"pending": self.status.pending, "others": self.status.others}
        if pending == 0 and not others:
            self._idle_read = idle_read
        return {"pending": pending, "others": others}

    def _upgrade_side(self, exc: Exception) -> str:
        """Which side an upgrade would fix a schema mismatch on; "" for other errors."""
        if not isinstance(exc, ConfigError) or not isinstance(exc.__cause__, SchemaMismatch):
            return ""
        try:
            theirs = current_revision(self.sync.engine)
        except Exception:  # the answer was there a moment ago: the central side is the likelier
            log.exception("team link: cannot read the central schema revision")
            return "central"
        return "desk" if theirs is not None and theirs not in known_revisions() else "central"

    def _upload_attachments(self, queued: Sequence[opqueue.QueuedOp]) -> None:
        """Copy the files of queued replies to the central blob table before they are pushed
        (``push.push`` hands each batch here first).

        The composer staged them in this desk's blob file; the worker's applier builds the
        message centrally and reads them there. Stored by hash: a repeat sends nothing.
        """
        if self.blobs is None:
            return
        keys = {
            str(item["blob"])
            for op in queued
            for item in op.payload.get("attachments") or []
            if isinstance(item, dict) and item.get("blob")
        }
        if not keys:
            return
        try:
            try:
                self._store_centrally(self.blobs, keys)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                # The pool's kept connection had died (no ping at checkout): stored by hash,
                # so going again on a new connection repeats nothing.
                self._store_centrally(self.blobs, keys)
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0][:200] if exc.orig else str(exc)
            if getattr(exc.orig, "sqlstate", None) == "42501":
                # This desk's database role may not write blobs: the rest of the queue must
                # not wait on it; the applier refuses the reply, saying which file is missing.
                log.warning("team link: attachments not stored centrally: %s", reason)
                return
            raise ServerError(
                f"The attachments of queued replies cannot be stored centrally ({reason}); "
                "they go with the next push."
            ) from exc

    def _store_centrally(self, blobs: SqlBlobStore, keys: set[str]) -> None:
        if self._central_blobs is None:
            self._central_blobs = SqlBlobStore(self.central.engine)
        central = self._central_blobs
        missing = [key for key in sorted(keys) if not central.has(key)]
        found = []
        for key in missing:
            try:
                found.append(blobs.get(key))
            except KeyError:  # gone here too: the applier refuses the reply with a reason
                log.warning("team link: attachment %s is not in the local blob file", key)
        central.put_many(found)

    def _on_first_sync_progress(self, done: int, total: int) -> None:
        self._publish(first_sync=(done, total))

    def _publish(self, **changes: object) -> TeamStatus:
        with self._lock:
            self._status = status = replace(self._status, **changes)  # type: ignore[arg-type]
            if self.on_status is not None:
                self.on_status(status)
        return status


def link_role(link: TeamLink) -> str:
    """The database role ``link`` connects as ("" when its URL names none)."""
    return make_url(link.config.url).username or ""


def as_role(config: CentralConfig, role: str) -> CentralConfig:
    """The same central database, connected as ``role``.

    The URL carries no password: ``connect_url`` takes the one the keyring keeps for this
    server, database and role (``db_roles.sign_in_role`` put it there when the central
    database accepted it), never the configured role's.
    """
    url = make_url(config.url).set(username=role, password=None)
    return CentralConfig(url.render_as_string(hide_password=False), config.source)


def open_link_as(
    link: TeamLink,
    role: str,
    *,
    on_status: StatusCallback | None = None,
    on_settled: SettledCallback | None = None,
    agent: uuid.UUID | None = None,
) -> TeamLink:
    """A new link (not started) like ``link`` on the same desk, connected as ``role``.

    Team mode's agent (``agent``, who signed in with ``role``) signs in with their own
    database role: pulls are then filtered by what that role may see, and the central
    database accepts the operations that agent queues (row security: only one's own). The
    outbox is the desk's: the new link pushes the agent's operations waiting in it, and
    leaves other agents' queued for their own sign-in. Stop ``link`` before starting this
    one: two links would push the same outbox.
    """
    return TeamLink(
        link.local,
        as_role(link.config, role),
        interval=link.interval,
        on_status=on_status,
        on_settled=on_settled,
        batch_size=link.sync.puller.batch_size,
        blobs=link.blobs,
        agent=agent,
    )


def open_team_link(
    local: Store,
    *,
    on_status: StatusCallback | None = None,
    on_settled: SettledCallback | None = None,
    blobs: SqlBlobStore | None = None,
) -> TeamLink | None:
    """The desk's link (not started) when a central database is configured, else None.

    The choice is the CLI's (``resolve_central``: IT policy, then the ``central_url``
    setting); the link ticks at the store's ``sync_interval_seconds``. It connects as the
    role the URL names until an agent signs in (``open_link_as``).
    """
    config = resolve_central(local)
    if config is None:
        return None
    return TeamLink(
        local,
        config,
        interval=pull_interval(local),
        on_status=on_status,
        on_settled=on_settled,
        blobs=blobs,
    )
