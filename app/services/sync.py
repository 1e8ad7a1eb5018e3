"""Team mode, client side: which central database, its schema, and the pull loop.

The central database is chosen, most specific first, by ``--central URL`` on the command line,
by ``central_url`` in the IT policy file (IT decides for every user of the machine), or by the
``central_url`` setting. None of them set: the local store stands alone and nothing here runs.
A password never sits in a URL that is stored: it lives in the keyring under the URL.

The loop pulls when PostgreSQL sends a change notice (LISTEN, one connection per client) and
at least every ``sync_interval_seconds`` as a safety net. A pooler in front of PostgreSQL
must run in session mode for LISTEN to work; size ``max_connections`` for three connections per
desktop (the listener and two pulling) plus the workers'.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError

from app import policy, secrets
from app.context import AppContext
from app.errors import ConfigError, ServerError
from app.settings import get_value, validate
from storage.blob_cache import drop_deleted_blobs
from storage.blobs import SqlBlobStore
from storage.engine import Store, StoreError, make_engine
from storage.migrate import current_revision, ensure_current
from storage.models import Attachment, Interaction, Message
from storage.sync import (
    NOTIFY_CHANNEL,
    CentralBlobs,
    Progress,
    PullCancelled,
    Puller,
    PullResult,
    SchemaMismatch,
    check_central_schema,
)

log = logging.getLogger("sync")

PASSWORD_PURPOSE = "central-password"
CONNECT_TIMEOUT_S = 5
LISTEN_WAIT_S = 1.0
CHASE_S = 0.05  # between pulls while a change may be held back by an open transaction
# A cut cable sends no reset: TCP keepalives notice a dead server in about 25 s instead of
# the operating system's two hours, so a pull or a LISTEN fails and is retried.
LIBPQ_TIMEOUTS: dict[str, Any] = {
    "connect_timeout": CONNECT_TIMEOUT_S,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


@dataclass(frozen=True)
class CentralConfig:
    """The chosen central database: its URL without a password, and where the choice came from."""

    url: str
    source: str  # "--central", the policy file's path, or "settings"

    @property
    def display(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)


def _parse(url: str, source: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"The central database URL from {source} is not a URL ({url!r}); "
            "write it as postgresql://host/database."
        ) from None
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError(
            f"The central database from {source} must be PostgreSQL "
            f"(postgresql://host/database), not {parsed.get_backend_name()!r}."
        )
    return parsed


def resolve_central(store: Store, override: str | None = None) -> CentralConfig | None:
    """The central database to use, or None when this store stands alone."""
    if override:
        _parse(override, "--central")
        return CentralConfig(override, "--central")
    chosen = policy.current().central_url
    if chosen:
        _parse(chosen, policy.current().source)
        return CentralConfig(chosen, policy.current().source)
    with store.read() as session:
        configured = str(get_value(session, "global", "central_url") or "")
    if configured:
        return CentralConfig(configured, "settings")
    return None


def _keyring_id(url: str) -> uuid.UUID:
    # One entry per server, database and user, whatever else the URL carries.
    parsed = make_url(url)
    key = f"{parsed.username}@{parsed.host}:{parsed.port or 5432}/{parsed.database}"
    return uuid.uuid5(uuid.NAMESPACE_URL, "relaydesk-central:" + key)


def store_password(url: str, password: str) -> None:
    """Keep the central database password in the keyring, keyed by server, database and user."""
    secrets.set_secret(_keyring_id(url), PASSWORD_PURPOSE, password)


def connect_url(config: CentralConfig) -> URL:
    """The URL to connect with: the password from the URL given, else from the keyring."""
    parsed = _parse(config.url, config.source)
    if parsed.password is None:
        password = secrets.get_secret(_keyring_id(config.url), PASSWORD_PURPOSE)
        if password:
            parsed = parsed.set(password=password)
    return parsed


def _engine(config: CentralConfig) -> Engine:
    url = connect_url(config).render_as_string(hide_password=False)
    return make_engine(
        url,
        pool_size=2,
        max_overflow=0,
        connect_args={"application_name": "relaydesk", **LIBPQ_TIMEOUTS},
    )


def _unreachable(config: CentralConfig, exc: Exception) -> ServerError:
    orig = getattr(exc, "orig", exc)
    reason = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return ServerError(
        f"The central database {config.display} cannot be reached ({reason}); "
        "working from the local store until it is back."
    )


def upgrade_central(config: CentralConfig) -> tuple[str | None, str | None]:
    """Create or migrate the central schema; returns (revision before, revision after)."""
    engine = _engine(config)
    try:
        before = current_revision(engine)
        ensure_current(engine, backup=False)
        return before, current_revision(engine)
    except StoreError as exc:
        raise ConfigError(str(exc)) from exc
    except OperationalError as exc:
        raise _unreachable(config, exc) from exc
    finally:
        engine.dispose()


class CentralSync:
    """One client's link to the central database: schema check at connect, then pulls."""

    def __init__(
        self,
        store: Store,
        config: CentralConfig,
        *,
        batch_size: int = 5000,
        blobs: SqlBlobStore | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.engine = _engine(config)
        self.puller = Puller(store.engine, self.engine, batch_size=batch_size)
        self._checked = False
        # The local blob cache: deleted mail pulled from the centre leaves it too.
        self.blobs = blobs
        self._swept = False  # the blob cache swept since this link began

    def check_schema(self) -> str:
        """The shared revision, or a ConfigError saying which side to upgrade."""
        try:
            revision = check_central_schema(self.engine)
        except SchemaMismatch as exc:
            raise ConfigError(str(exc)) from exc
        except OperationalError as exc:
            raise _unreachable(self.config, exc) from exc
        self._checked = True
        return revision

    @property
    def first_sync_done(self) -> bool:
        state = self.puller.state()
        return state is not None and state.synced_once

    def hint(self, table: str) -> None:
        """A change notice named ``table``: the next pull reads it with its first query."""
        self.puller.hint(table)

    def hinted(self) -> bool:
        """Whether a change notice came since the last pull began."""
        return self.puller.hinted()

    def pull(
        self, progress: Progress | None = None, cancel: Callable[[], bool] | None = None
    ) -> PullResult | None:
        """Pull what changed; None when cancelled (what was committed stays)."""
        if not self._checked:
            self.check_schema()
        result = self._pull(progress, cancel)
        if result is not None and self.blobs is not None and self._may_have_dropped(result):
            self._drop_deleted_blobs(self.blobs)
        return result

    def _may_have_dropped(self, result: PullResult) -> bool:
        """Whether the cache needs a sweep after ``result``: the pull wrote messages or
        attachments (a tombstone among them, perhaps), or this is the first pull here (a
        sweep cut off before the app closed is caught up). Most pulls bring other rows: at
        every change of every desk, a sweep per pull cost each desk 1.6 ms of CPU."""
        first, self._swept = not self._swept, True
        wrote = bool(result.tables.keys() & {"messages", "attachments"})
        return first or wrote or result.full or bool(result.pruned)

    def _drop_deleted_blobs(self, blobs: SqlBlobStore) -> None:
        # It reads only rows newer than its last sweep (deleted or not).
        try:
            removed = drop_deleted_blobs(self.store.engine, blobs)
        except OperationalError as exc:  # the local files busy: the next pull sweeps again
            log.warning("deleted mail stays in the local blob cache for now: %s", exc.orig)
            return
        if removed:
            log.info("dropped %d blobs of deleted mail from the local cache", removed)

    def _pull(
        self, progress: Progress | None, cancel: Callable[[], bool] | None
    ) -> PullResult | None:
        try:
            return self.puller.pull(progress, cancel)
        except PullCancelled:
            log.info("pull cancelled; it resumes from the last committed page")
            return None
        except OperationalError as exc:
            if not isinstance(exc.orig, psycopg.Error):
                raise ServerError(
                    f"The local store cannot take the pulled rows now ({exc.orig}); the pull "
                    "resumes from where it stopped next time."
                ) from exc
            # A restarted server may be at another schema: check again before the next pull.
            self._checked = False
            raise _unreachable(self.config, exc) from exc
        except IntegrityError as exc:
            raise ConfigError(
                f"The local store holds rows made before it joined the team that clash with "
                f"the central database's ({exc.orig}); join with a new data folder "
                "(--data-dir) and keep this one as it is. Nothing was lost on either side."
            ) from exc

    def close(self) -> None:
        self.puller.close()
        self.engine.dispose()


OPERATIONS_TABLE = "operations"


class SyncLoop(threading.Thread):
    """Pulls on every change notice and at least every ``interval`` seconds, until stopped.

    Failures are reported through ``on_error`` and retried at the next tick; the local store
    keeps working meanwhile.
    """

    def __init__(
        self,
        sync: CentralSync,
        *,
        interval: float,
        on_pulled: Callable[[PullResult], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        super().__init__(name="central-sync", daemon=True)
        self.sync = sync
        self.interval = interval
        self.on_pulled = on_pulled
        self.on_error = on_error
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._chase: int | None = None  # the horizon a held-back pull must still reach
        self._listener: psycopg.Connection[Any] | None = None
        self.listening = threading.Event()  # set while a LISTEN connection is up
        self._listen_tried = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def chase_wait(self, result: PullResult | None, wait: float) -> float:
        """How long until the next pull: soon while a change may be held back.

        A pull reads only below the oldest transaction open when it starts; a change that
        committed above it (its notice is what woke us) comes with a later pull, and no other
        notice may come. So after a held-back round, pull again shortly until the cursor has
        passed that round's horizon (open transactions are short), then wait as usual.
        """
        if result is None:  # no pull this time (a tick that only pushed): chase still
            return min(wait, CHASE_S) if self._chase is not None else wait
        if self._chase is None and result.held_back:
            self._chase = result.horizon
        if self._chase is not None and result.cursor >= self._chase:
            self._chase = None
        return min(wait, CHASE_S) if self._chase is not None else wait

    def pull_now(self) -> None:
        self._wake.set()

    def wants(self, table: str) -> bool:
        """Whether a change notice for ``table`` is worth a pull now.

        An operation's outcome is written to the central ``operations`` table (its push
        notifies only the appliers, migration 0014): with 20 desks, pulling on each of those
        notices doubled the pulls per operation, for rows that matter to the desk that
        pushed them (which settles them by id). Their effects write other tables, whose
        notices do wake a pull, and the operation rows come with it.
        """
        return table != OPERATIONS_TABLE

    def run(self) -> None:
        waiter = threading.Thread(target=self._listen, name="central-listen", daemon=True)
        waiter.start()
        # Listen before the first pull, so nothing changed between the two goes unnoticed.
        self._listen_tried.wait(CONNECT_TIMEOUT_S * 2)
        while not self._stopping.is_set():
            self._wake.clear()
            wait = self.interval
            try:
                result = self.sync.pull(cancel=self._stopping.is_set)
            except Exception as exc:  # reported, then retried on the next tick
                log.warning("pull failed: %s", exc)
                if self.on_error:
                    self.on_error(exc)
            else:
                if result is not None and self.on_pulled:
                    self.on_pulled(result)
                wait = self.chase_wait(result, wait)
            self._wake.wait(wait)
        waiter.join(timeout=CONNECT_TIMEOUT_S * 2)

    def _listen(self) -> None:
        libpq = connect_url(self.sync.config).set(drivername="postgresql")
        conninfo = libpq.render_as_string(hide_password=False)
        while not self._stopping.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True, **LIBPQ_TIMEOUTS) as conn:
                    self._listener = conn
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.listening.set()
                    if self._listen_tried.is_set():
                        self._wake.set()  # catch up on what changed while nobody listened
                    self._listen_tried.set()
                    while not self._stopping.is_set():
                        # A short wait so stop() is noticed; a notice ends it at once.
                        for notice in conn.notifies(timeout=LISTEN_WAIT_S, stop_after=1):
                            table = str(notice.payload)
                            self.sync.hint(table)
                            if self.wants(table):
                                self._wake.set()
            except psycopg.Error as exc:
                self._listen_tried.set()
                log.info("change notices unavailable (%s); pulling every %ss", exc, self.interval)
            finally:
                self._listener = None
                self.listening.clear()
            # Not connected: the periodic pull goes on; try to listen again a tick later.
            self._stopping.wait(self.interval)


def pull_interval(store: Store) -> int:
    with store.read() as session:
        return int(
            validate(
                "global",
                "sync_interval_seconds",
                get_value(session, "global", "sync_interval_seconds"),
            )
        )


def held_blob_keys(store: Store, agent_id: uuid.UUID) -> list[str]:
    """Raw messages and attachments of the interactions an agent holds."""
    with store.read() as session:
        held = select(Interaction.id).where(
            Interaction.claimed_by_id == agent_id, Interaction.deleted_at.is_(None)
        )
        messages = select(Message.id).where(
            Message.interaction_id.in_(held), Message.deleted_at.is_(None)
        )
        raws = session.execute(select(Message.raw_hash).where(Message.id.in_(messages)))
        keys = set(raws.scalars())
        attachments = session.execute(
            select(Attachment.blob_hash).where(
                Attachment.message_id.in_(messages), Attachment.deleted_at.is_(None)
            )
        )
        return sorted(keys | set(attachments.scalars()))


def keep_held_blobs(store: Store, blobs: CentralBlobs, agent_id: uuid.UUID) -> int:
    """Fetch what an agent needs offline (reading, search, .eml export); returns how many."""
    try:
        return blobs.prefetch(held_blob_keys(store, agent_id))
    except KeyError as exc:
        raise ServerError(f"The central database lacks the stored message {exc}.") from exc


def open_worker_context(data_dir: Path, config: CentralConfig) -> AppContext:
    """The team-mode worker's context: it writes the central database and its blob table.

    Agents' desktops only pull; the worker is the one writer of the domain tables, so its
    fetches, sends and timers and the operations it applies all act on the centre itself.
    """
    store = Store(connect_url(config).render_as_string(hide_password=False))
    try:
        check_central_schema(store.engine)
    except SchemaMismatch as exc:
        store.dispose()
        raise ConfigError(str(exc)) from exc
    except OperationalError as exc:
        store.dispose()
        raise _unreachable(config, exc) from exc
    return AppContext(data_dir, store, SqlBlobStore(store.engine))
