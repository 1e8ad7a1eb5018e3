"""Keeping the store in step with an IMAP folder: catch up, watch flags, IDLE, reconnect.

The server is only ever read: the folder is EXAMINEd (read-only), bodies are fetched with
BODY.PEEK[], and no flag is set or cleared, so agents' work never shows up as \\Seen on the
server and other mail clients on the same mailbox are undisturbed.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import logging
import multiprocessing
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from app import oauth, secrets
from app.context import AppContext
from app.errors import AuthError, ConfigError, RelaydeskError, ServerError
from app.mail import imap, protocol_log
from app.mail.ingest import BatchOutcome, FetchedMessage, load_account, write_batch
from app.mail.prepare import PreparedMessage, prepare_batch
from app.settings import get_value
from storage.engine import allocate_change_seqs
from storage.ids import new_id
from storage.leases import LeaseLost
from storage.models import EmailAccount, FolderState, MailboxEntry, utcnow

log = logging.getLogger("imap")

# How often IDLE wakes up to look at the stop flag and the socket.
IDLE_POLL_S = 5.0
# Below this many new messages a process pool costs more (0.7 s to spawn) than it saves.
POOL_MIN_MESSAGES = 1000
# A batch holds at most this much mail as well as fetch_batch_size messages. One batch is
# read while the one before is prepared and the one before that written, so three are in
# memory at once: 200 scanned invoices of 15 MB each would have been 9 GB.
BATCH_BYTES = 32 * 1024 * 1024
SIZE_WINDOW = 5000  # new messages whose sizes are asked at once


def batches(uids: Sequence[int], sizes: dict[int, int], count: int, budget: int) -> list[list[int]]:
    """``uids`` in order, cut into batches of at most ``count`` messages and ``budget``
    bytes (by RFC822.SIZE); a message bigger than the budget is a batch of its own."""
    out: list[list[int]] = []
    current: list[int] = []
    weight = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if current and (len(current) >= count or weight + size > budget):
            out.append(current)
            current, weight = [], 0
        current.append(uid)
        weight += size
    if current:
        out.append(current)
    return out


@dataclass
class SyncResult:
    new: int = 0
    updated: int = 0
    unparseable: int = 0
    seen: int = 0

    def add(self, other: SyncResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unparseable += other.unparseable
        self.seen += other.seen


Progress = Callable[[int, int], None]


@dataclass
class FetchOptions:
    batch_size: int = 200
    full_check_interval: dt.timedelta = dt.timedelta(minutes=15)
    idle_renew: dt.timedelta = dt.timedelta(minutes=10)
    poll_interval: dt.timedelta = dt.timedelta(seconds=30)  # servers without IDLE
    subject_window_days: int = 14
    backoff_base: float = 1.0
    backoff_max: float = 300.0
    use_pool: bool = True
    progress: Progress | None = None
    on_synced: Callable[[SyncResult], None] | None = None
    clock: Callable[[], dt.datetime] = field(default=utcnow)


def load_options(ctx: AppContext, **overrides: Any) -> FetchOptions:
    with ctx.store.read() as session:
        opts = FetchOptions(
            batch_size=get_value(session, "global", "fetch_batch_size"),
            full_check_interval=dt.timedelta(
                minutes=get_value(session, "global", "full_check_minutes")
            ),
            idle_renew=dt.timedelta(seconds=get_value(session, "global", "idle_renew_seconds")),
            poll_interval=dt.timedelta(seconds=get_value(session, "global", "imap_poll_seconds")),
            subject_window_days=get_value(session, "global", "thread_subject_window_days"),
        )
    for key, value in overrides.items():
        setattr(opts, key, value)
    return opts


def imap_settings(ctx: AppContext, account_id: uuid.UUID) -> ImapTarget:
    with ctx.store.read() as session:
        acc = session.get(EmailAccount, account_id)
        if acc is None or acc.deleted_at is not None:
            raise ConfigError(f"The email account {account_id} no longer exists.")
        if not acc.imap_host:
            raise ConfigError(f"Email account {acc.name!r} has no IMAP server (sender only).")
        name, host, port = acc.name, acc.imap_host, acc.imap_port or 993
        security, auth, username = acc.imap_security, acc.imap_auth, acc.imap_username
        mailbox, ct, at = acc.imap_mailbox, acc.connect_timeout, acc.auth_timeout
        service = acc.service
    password = ""
    if auth == "xoauth2":
        with ctx.store.read() as session:
            provider = oauth.configured_provider(session, service)
        password = oauth.access_token(account_id, provider)
    elif auth != "none":
        stored = secrets.get_secret(account_id, "password")
        if stored is None:
            raise ConfigError(
                f"No password is stored for email account {name!r} in this machine's keyring; "
                "add it again with --password-stdin."
            )
        password = stored
    settings = imap.ImapSettings(
        host, port, security, username, password, mailbox, auth, float(ct), float(at)
    )
    return ImapTarget(account_id, name, settings)


@dataclass(frozen=True)
class ImapTarget:
    account_id: uuid.UUID
    name: str
    settings: imap.ImapSettings


class MailboxSync:
    """One account's folder: catch up with the server, then keep up."""

    def __init__(
        self,
        ctx: AppContext,
        target: ImapTarget,
        options: FetchOptions,
        executor: concurrent.futures.Executor | None = None,
        *,
        fence: Callable[[Connection], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.target = target
        self.options = options
        # Team mode: called first in every write transaction (the mailbox lease's check,
        # which raises when another worker took the mailbox over: nothing is written).
        self._fence = fence
        self.folder = target.settings.mailbox
        self._executor = executor
        self._last_full_check: dt.datetime | None = None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction on the store, fenced when a lease guards this mailbox."""
        with self.ctx.store.connect() as conn:
            if self._fence is not None:
                self._fence(conn)
            yield conn

    # --- one pass ----------------------------------------------------------------------

    def sync(self, client: IMAPClient) -> SyncResult:
        """Fetch everything new, then reconcile flags and removals."""
        result = SyncResult()
        info = client.select_folder(self.folder, readonly=True)
        uidvalidity = int(info[b"UIDVALIDITY"])
        highestmodseq = info.get(b"HIGHESTMODSEQ")
        condstore = highestmodseq is not None and client.has_capability("CONDSTORE")
        state = self._folder_state(uidvalidity)
        if state["uidvalidity"] != uidvalidity:
            self._reset_uidvalidity(state["uidvalidity"], uidvalidity)
            state = self._folder_state(uidvalidity)
        start = int(state["uidnext"])
        uids = [u for u in imap.search_uids(client, f"UID {start}:*") if u >= start]
        result.seen = len(uids)
        if uids:
            result.add(self._fetch_new(client, uidvalidity, uids, condstore))
        result.updated += self._reconcile(
            client,
            uidvalidity,
            state,
            condstore,
            highestmodseq,
            fresh=set(uids),
            empty=not info.get(b"EXISTS"),
        )
        return result

    def _folder_state(self, uidvalidity: int) -> dict[str, Any]:
        with self._writing() as conn:
            row = conn.execute(
                select(FolderState).where(
                    FolderState.account_id == self.target.account_id,
                    FolderState.folder == self.folder,
                )
            ).first()
            if row is not None:
                return dict(row._mapping)
            dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            # Another fetcher may create the row at the same moment: keep whichever lands.
            conn.execute(
                dialect_insert(FolderState)
                .values(
                    id=new_id(),
                    account_id=self.target.account_id,
                    folder=self.folder,
                    uidvalidity=uidvalidity,
                    uidnext=1,
                    change_seq=allocate_change_seqs(conn, 1)[0],
                )
                .on_conflict_do_nothing(index_elements=["account_id", "folder"])
            )
        return self._folder_state(uidvalidity)

    def _reset_uidvalidity(self, old: int | None, new: int) -> None:
        """The server renumbered the folder: start over without losing or doubling anything.

        Old server identities are retired, not the messages: everything is fetched again
        and the content hash links each old message to its new UID.
        """
        if old is not None:  # None: only an error was recorded before the first select
            log.warning(
                "UIDVALIDITY of %s/%s changed from %s to %s: resynchronising",
                self.target.name,
                self.folder,
                old,
                new,
            )
        now = self.options.clock()
        with self._writing() as conn:
            conn.execute(
                update(MailboxEntry)
                .where(
                    MailboxEntry.account_id == self.target.account_id,
                    MailboxEntry.folder == self.folder,
                    MailboxEntry.uidvalidity != new,
                    MailboxEntry.gone_at.is_(None),
                )
                .values(gone_at=now, change_seq=allocate_change_seqs(conn, 1)[0])
            )
            conn.execute(
                update(FolderState)
                .where(
                    FolderState.account_id == self.target.account_id,
                    FolderState.folder == self.folder,
                )
                .values(
                    uidvalidity=new,
                    uidnext=1,
                    highestmodseq=None,
                    change_seq=allocate_change_seqs(conn, 1)[0],
                )
            )

    def _fetch_new(
        self, client: IMAPClient, uidvalidity: int, uids: Sequence[int], condstore: bool
    ) -> SyncResult:
        with contextlib.ExitStack() as stack:
            executor = self._executor
            if executor is None and self.options.use_pool and len(uids) >= POOL_MIN_MESSAGES:
                # A big catch-up: parse and detect languages on the other cores.
                executor = stack.enter_context(make_pool())
            return self._fetch_pipelined(client, uidvalidity, uids, condstore, executor)

    def _fetch_pipelined(
        self,
        client: IMAPClient,
        uidvalidity: int,
        uids: Sequence[int],
        condstore: bool,
        executor: concurrent.futures.Executor | None,
    ) -> SyncResult:
        result = SyncResult()
        total = len(uids)
        done = 0
        attrs = [b"BODY.PEEK[]", b"FLAGS", b"INTERNALDATE"] + ([b"MODSEQ"] if condstore else [])
        batch_size = max(1, self.options.batch_size)
        with self.ctx.store.read() as session:
            account = load_account(
                session.connection(), self.target.account_id, self.options.subject_window_days
            )
        # Sizes by windows: a catch-up of 100,000 starts storing after the first window's
        # sizes, not after all of them.
        windows = [uids[i : i + SIZE_WINDOW] for i in range(0, total, SIZE_WINDOW)]
        chunks = (
            chunk
            for window in windows
            for chunk in batches(window, self._sizes(client, window), batch_size, BATCH_BYTES)
        )
        # While workers prepare batch k, this thread writes batch k-1 and reads batch k+1.
        pending: tuple[list[FetchedMessage], Callable[[], list[PreparedMessage]]] | None = None
        for chunk in chunks:
            fetched = self._fetch_chunk(client, chunk, attrs)
            prepared = self._prepare(fetched, account.language_detection, executor)
            if pending is not None:
                done += len(pending[0])
                self._count(result, self._write(account, uidvalidity, *pending), done, total)
            pending = (fetched, prepared)
        if pending is not None:
            done += len(pending[0])
            self._count(result, self._write(account, uidvalidity, *pending), done, total)
        return result

    def _count(self, result: SyncResult, outcome: BatchOutcome, done: int, total: int) -> None:
        result.new += outcome.new_messages
        result.unparseable += outcome.unparseable
        if self.options.progress:
            self.options.progress(done, total)

    def _sizes(self, client: IMAPClient, uids: Sequence[int]) -> dict[int, int]:
        """Each new message's size, to cut batches by bytes (about 30 bytes a message)."""
        sizes: dict[int, int] = {}
        with protocol_log.bulk(client, f"UID FETCH <{len(uids)} messages> (RFC822.SIZE)"):
            for message_set in imap.uid_sets(uids):
                answer = imap.fetch_uid_set(client, message_set, [b"RFC822.SIZE"])
                sizes.update((uid, int(d.get(b"RFC822.SIZE") or 0)) for uid, d in answer.items())
        return sizes

    def _fetch_chunk(
        self, client: IMAPClient, uids: list[int], attrs: list[bytes]
    ) -> list[FetchedMessage]:
        command = f"UID FETCH <{len(uids)} messages> ({' '.join(a.decode() for a in attrs)})"
        with protocol_log.bulk(client, command) as note:
            response = client.fetch(uids, attrs)
            size = sum(len(d.get(b"BODY[]") or b"") for d in response.values())
            note.outcome = f"OK <message data, {size} bytes in {len(response)} messages>"
        fetched: list[FetchedMessage] = []
        for uid in uids:
            data = response.get(uid)
            if data is None or b"BODY[]" not in data:
                # Expunged between SEARCH and FETCH: nothing to keep.
                continue
            internal = data.get(b"INTERNALDATE")
            if isinstance(internal, dt.datetime) and internal.tzinfo is None:
                internal = internal.astimezone(dt.UTC)
            fetched.append(
                FetchedMessage(
                    uid=uid,
                    raw=bytes(data[b"BODY[]"]),
                    flags=_flags(data.get(b"FLAGS")),
                    internaldate=internal.astimezone(dt.UTC) if internal else None,
                    modseq=_modseq(data.get(b"MODSEQ")),
                )
            )
        return fetched

    def _prepare(
        self,
        fetched: list[FetchedMessage],
        detect: bool,
        executor: concurrent.futures.Executor | None,
    ) -> Callable[[], list[PreparedMessage]]:
        """Start preparing a batch; the returned callable waits for the result."""
        items = [(f.raw, f.uid) for f in fetched]
        if executor is None or len(items) < 2:
            prepared = prepare_batch(items, detect, self.ctx.blobs)
            return lambda: prepared
        half = len(items) // 2
        address = self.ctx.blob_address
        futures = [
            executor.submit(prepare_batch, part, detect, address)
            for part in (items[:half], items[half:])
        ]
        return lambda: [p for future in futures for p in future.result()]

    def _write(
        self,
        account: Any,
        uidvalidity: int,
        fetched: list[FetchedMessage],
        prepared: Callable[[], list[PreparedMessage]],
    ) -> BatchOutcome:
        if not fetched:
            return BatchOutcome()
        ready = prepared()
        with self._writing() as conn:
            outcome = write_batch(
                conn, account, self.folder, uidvalidity, fetched, ready, now=self.options.clock()
            )
        self._route(outcome)
        return outcome

    def _route(self, outcome: BatchOutcome) -> None:
        """Action plans, acknowledgements and waits; a broken template must not stop mail."""
        from app.services import routing

        now = self.options.clock()
        try:
            if outcome.new_interaction_ids:
                routing.on_new_interactions(self.ctx, outcome.new_interaction_ids, now)
            if outcome.continued_interaction_ids:
                routing.on_new_messages(
                    self.ctx.store,
                    outcome.continued_interaction_ids,
                    now,
                    message_ids=outcome.continued_message_ids,
                )
        except RelaydeskError as exc:
            log.error("%s: routing after ingest failed: %s", self.target.name, exc)

    # --- flags and removals --------------------------------------------------------------

    def _reconcile(
        self,
        client: IMAPClient,
        uidvalidity: int,
        state: dict[str, Any],
        condstore: bool,
        highestmodseq: Any,
        *,
        fresh: set[int],
        empty: bool,
    ) -> int:
        """Flags changed and messages removed elsewhere. With CONDSTORE the changes since the
        last sync come by CHANGEDSINCE; every message's UID (SEARCH ALL: 700 KB for a
        mailbox of 100,000 without ESEARCH) only at the periodic full comparison, not at
        every new mail."""
        now = self.options.clock()
        updated = 0
        last_modseq = state.get("highestmodseq")
        full_due = (
            self._last_full_check is None
            or now - self._last_full_check >= self.options.full_check_interval
        )
        if condstore and last_modseq and not empty:
            command = f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {last_modseq})"
            with protocol_log.bulk(client, command):
                changed = imap.fetch_uid_set(
                    client, "1:*", [b"FLAGS"], [f"CHANGEDSINCE {last_modseq}"]
                )
            updated += self._store_flags(uidvalidity, changed)
        if full_due:
            on_server = imap.search_uids(client, "ALL")
            updated += self._full_check(
                client, uidvalidity, on_server, with_flags=not condstore, fresh=fresh
            )
            self._last_full_check = now
        with self._writing() as conn:
            conn.execute(
                update(FolderState)
                .where(
                    FolderState.account_id == self.target.account_id,
                    FolderState.folder == self.folder,
                )
                .values(
                    highestmodseq=int(highestmodseq) if condstore else None,
                    last_full_check_at=now if full_due else FolderState.last_full_check_at,
                    last_fetch_at=now,
                    last_error="",
                    change_seq=allocate_change_seqs(conn, 1)[0],
                )
            )
        return updated

    def _store_flags(self, uidvalidity: int, response: dict[int, dict[bytes, Any]]) -> int:
        if not response:
            return 0
        new_flags = {
            uid: " ".join(_flags(data.get(b"FLAGS")))
            for uid, data in response.items()
            if b"FLAGS" in data
        }
        changed = 0
        wanted = sorted(new_flags)
        with self._writing() as conn:
            rows = [
                row
                # In chunks: SQLite takes at most 32,766 parameters in one statement.
                for start in range(0, len(wanted), 1000)
                for row in conn.execute(
                    select(MailboxEntry.id, MailboxEntry.uid, MailboxEntry.flags).where(
                        MailboxEntry.account_id == self.target.account_id,
                        MailboxEntry.folder == self.folder,
                        MailboxEntry.uidvalidity == uidvalidity,
                        MailboxEntry.uid.in_(wanted[start : start + 1000]),
                    )
                )
            ]
            for entry_id, uid, flags in rows:
                if _same_flags(flags, new_flags[uid]):
                    continue
                conn.execute(
                    update(MailboxEntry)
                    .where(MailboxEntry.id == entry_id)
                    .values(flags=new_flags[uid], change_seq=allocate_change_seqs(conn, 1)[0])
                )
                changed += 1
        return changed

    def _full_check(
        self,
        client: IMAPClient,
        uidvalidity: int,
        uids: list[int],
        *,
        with_flags: bool,
        fresh: set[int],
    ) -> int:
        """Compare every UID with the server; a message missing twice in a row is gone.

        One missing response is not enough: a server mid-restart or a proxy can answer
        short, so the first miss only marks the entry and a later check confirms it.
        """
        on_server = set(uids)
        now = self.options.clock()
        changed = 0
        # Messages fetched in this sync came with their flags.
        stale = sorted(on_server - fresh)
        if with_flags and stale:
            flags: dict[int, dict[bytes, Any]] = {}
            wanted = set(stale)
            with protocol_log.bulk(client, f"UID FETCH <{len(stale)} messages> (FLAGS)"):
                # As sequence sets: a list of single UIDs outgrows what servers accept.
                for message_set in imap.uid_sets(stale):
                    answer = imap.fetch_uid_set(client, message_set, [b"FLAGS"])
                    flags.update((uid, d) for uid, d in answer.items() if uid in wanted)
            changed += self._store_flags(uidvalidity, flags)
        with self._writing() as conn:
            rows = conn.execute(
                select(MailboxEntry.id, MailboxEntry.uid, MailboxEntry.missing_since).where(
                    MailboxEntry.account_id == self.target.account_id,
                    MailboxEntry.folder == self.folder,
                    MailboxEntry.uidvalidity == uidvalidity,
                    MailboxEntry.gone_at.is_(None),
                )
            ).all()
            for entry_id, uid, missing_since in rows:
                values: dict[str, Any] | None = None
                if uid in on_server and missing_since is not None:
                    values = {"missing_since": None}
                elif uid not in on_server and missing_since is None:
                    values = {"missing_since": now}
                elif uid not in on_server:
                    values = {"gone_at": now}
                    changed += 1
                if values is not None:
                    values["change_seq"] = allocate_change_seqs(conn, 1)[0]
                    conn.execute(
                        update(MailboxEntry).where(MailboxEntry.id == entry_id).values(**values)
                    )
        return changed

    # --- staying connected ---------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Sync, then IDLE until something changes; reconnect with jittered backoff."""
        with protocol_log.capture(self.target.account_id):
            self._run(stop)

    def _run(self, stop: threading.Event) -> None:
        attempt = 0
        while not stop.is_set():
            client: IMAPClient | None = None
            try:
                client = imap.connect(self.target.settings)
                attempt = 0
                self._notify(self.sync(client))
                self._idle_loop(client, stop)
            except AuthError as exc:
                self._record_error(str(exc))
                log.error("%s: %s", self.target.name, exc)
                attempt += 1
            except (ServerError, OSError, IMAPClientError, EOFError) as exc:
                self._record_error(str(exc))
                log.warning("%s: connection lost (%s); reconnecting", self.target.name, exc)
                attempt += 1
            except DBAPIError as exc:
                # The store went away (a central database restarting, say): nothing was
                # committed half-way, so back off and sync again once it answers.
                log.warning(
                    "%s: the store is unreachable (%s); retrying", self.target.name, exc.orig
                )
                attempt += 1
            finally:
                if client is not None:
                    imap.logout(client)
            if attempt and not stop.is_set():
                delay = min(
                    self.options.backoff_max, self.options.backoff_base * 2 ** (attempt - 1)
                )
                stop.wait(delay * random.uniform(0.5, 1.0))

    def _idle_loop(self, client: IMAPClient, stop: threading.Event) -> None:
        if not client.has_capability("IDLE"):
            # No push: look again every poll_interval, on the same connection. (Sending
            # IDLE anyway got a BAD, recorded as an error, and a reconnect each time.)
            while not stop.wait(self.options.poll_interval.total_seconds()):
                self._notify(self.sync(client))
            return
        renew_s = self.options.idle_renew.total_seconds()
        while not stop.is_set():
            if self._behind(client):
                self._notify(self.sync(client))
                continue
            client.idle()
            started = time.monotonic()
            try:
                while not stop.is_set() and time.monotonic() - started < renew_s:
                    wait = min(IDLE_POLL_S, renew_s)
                    polled = time.monotonic()
                    responses = imap.idle_check(client, wait)
                    if any(_is_bye(r) for r in responses):
                        raise ServerError("the server closed the connection (BYE)")
                    if any(_is_change(r) for r in responses):
                        break
                    # WORKAROUND: imapclient's idle_check() swallows EOF and returns []; an
                    # empty answer before the timeout means the socket was readable but
                    # closed. Reconnecting is always safe: the next sync catches up.
                    if not responses and time.monotonic() - polled < wait * 0.8:
                        raise ServerError("the connection closed during IDLE")
            finally:
                # Watchdog: a dead socket shows here, as no answer to DONE within the timeout.
                client.socket().settimeout(30.0)
                client.idle_done()
                client.socket().settimeout(imap.COMMAND_TIMEOUT_S)
            if not stop.is_set():
                # New mail, or the renewal point: either way a sync is cheap and keeps
                # flags and the periodic full check current.
                self._notify(self.sync(client))

    def _behind(self, client: IMAPClient) -> bool:
        """Did mail arrive during the last sync? Its EXISTS went to a command, not to IDLE.

        Re-selecting also makes anything arriving from now on show up inside IDLE.
        """
        info = client.select_folder(self.folder, readonly=True)
        uidnext = info.get(b"UIDNEXT")
        if uidnext is None:
            return False
        with self.ctx.store.read() as session:
            stored = session.execute(
                select(FolderState.uidnext).where(
                    FolderState.account_id == self.target.account_id,
                    FolderState.folder == self.folder,
                )
            ).scalar()
        return stored is None or int(uidnext) > int(stored)

    def _notify(self, result: SyncResult) -> None:
        if self.options.on_synced is not None:
            self.options.on_synced(result)

    def _record_error(self, message: str) -> None:
        # Upserted: an account that never got as far as selecting its folder (wrong host,
        # refused password) has no row yet, and the status bar must still say why.
        try:
            with self._writing() as conn:
                dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
                statement = dialect_insert(FolderState).values(
                    id=new_id(),
                    account_id=self.target.account_id,
                    folder=self.folder,
                    uidvalidity=None,
                    uidnext=1,
                    last_error=message[:1000],
                    change_seq=allocate_change_seqs(conn, 1)[0],
                )
                conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=["account_id", "folder"],
                        set_={
                            "last_error": statement.excluded.last_error,
                            "change_seq": statement.excluded.change_seq,
                        },
                    )
                )
        except LeaseLost:
            raise  # another worker has the mailbox: this one stops, it does not record
        except Exception:  # the store may be the thing failing; the log line stays
            log.exception("could not record the fetch error")


def _flag(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _flags(values: Any) -> tuple[str, ...]:
    # \Recent belongs to whichever session saw the message first: not a change to track.
    return tuple(f for f in (_flag(v) for v in values or ()) if f != "\\Recent")


def _same_flags(a: str, b: str) -> bool:
    return sorted(a.split()) == sorted(b.split())


def _modseq(value: Any) -> int | None:
    if isinstance(value, (tuple, list)) and value:
        value = value[0]
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _is_bye(response: Any) -> bool:
    return isinstance(response, tuple) and len(response) >= 1 and response[0] == b"BYE"


def _is_change(response: Any) -> bool:
    return (
        isinstance(response, tuple)
        and len(response) >= 2
        and response[1]
        in (
            b"EXISTS",
            b"EXPUNGE",
            b"FETCH",
            b"RECENT",
        )
    )


def make_pool() -> concurrent.futures.ProcessPoolExecutor:
    """Workers for parsing and language detection; spawned, not forked (threads live here)."""
    from app.mail.language import init_worker

    return concurrent.futures.ProcessPoolExecutor(
        max_workers=2,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
    )
