"""Turning fetched raw messages into stored messages and conversations, losslessly.

A batch is prepared (parsed, hashed, cleaned for language detection) outside any
transaction, possibly in worker processes; it is then written in ONE transaction together
with the folder state that covers it, so a crash at any point either keeps the whole batch
or none of it, and re-running never duplicates: the server identity (account, folder,
UIDVALIDITY, UID) and the content hash are unique keys.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Table,
    TextualSelect,
    and_,
    bindparam,
    case,
    func,
    insert,
    select,
    text,
    update,
)

from app.mail.language import detect_language
from app.mail.prepare import PreparedMessage
from storage.engine import allocate_change_seqs
from storage.ids import new_id
from storage.models import (
    Attachment,
    EmailAccount,
    FolderState,
    IngestTombstone,
    Interaction,
    MailboxEntry,
    Message,
    Project,
    Queue,
    UTCDateTime,
    utcnow,
)
from storage.search_index import indexing_inserted_messages

log = logging.getLogger("imap")

INTERACTIONS = Interaction.__table__
MESSAGES = Message.__table__
ATTACHMENTS = Attachment.__table__
ENTRIES = MailboxEntry.__table__
FOLDERS = FolderState.__table__


@dataclass(frozen=True)
class FetchedMessage:
    """What the IMAP server gave us for one UID."""

    uid: int
    raw: bytes
    flags: tuple[str, ...] = ()
    internaldate: dt.datetime | None = None
    modseq: int | None = None


@dataclass(frozen=True)
class AccountInfoForIngest:
    id: uuid.UUID
    project_id: uuid.UUID
    email: str
    language_detection: bool
    language_queues: bool
    default_queue_id: uuid.UUID | None
    language_queue_ids: dict[str, uuid.UUID]
    subject_window: dt.timedelta


def load_account(conn: Connection, account_id: uuid.UUID, window_days: int) -> AccountInfoForIngest:
    acc = conn.execute(
        select(EmailAccount.id, EmailAccount.project_id, EmailAccount.email).where(
            EmailAccount.id == account_id
        )
    ).one()
    proj = conn.execute(
        select(Project.language_detection, Project.language_queues).where(
            Project.id == acc.project_id
        )
    ).one()
    queues = conn.execute(
        select(Queue.id, Queue.language, Queue.is_default).where(
            Queue.project_id == acc.project_id, Queue.deleted_at.is_(None)
        )
    ).all()
    default = next((q.id for q in queues if q.is_default), None)
    by_language = {q.language: q.id for q in queues if q.language}
    return AccountInfoForIngest(
        acc.id,
        acc.project_id,
        acc.email.lower(),
        proj.language_detection,
        proj.language_queues,
        default,
        by_language,
        dt.timedelta(days=window_days),
    )


@dataclass
class BatchOutcome:
    new_messages: int = 0
    new_interactions: int = 0
    linked_duplicates: int = 0
    already_stored: int = 0
    tombstoned: int = 0
    unparseable: int = 0
    new_interaction_ids: list[uuid.UUID] = field(default_factory=list)
    continued_interaction_ids: list[uuid.UUID] = field(default_factory=list)
    # The new messages among them (an unsubscribe request in a reply, say).
    continued_message_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass
class _Thread:
    """An interaction touched by this batch: new, or existing with deltas to apply."""

    id: uuid.UUID
    is_new: bool
    row: dict[str, Any] = field(default_factory=dict)
    added: int = 0
    added_unparseable: int = 0
    last_message_at: dt.datetime | None = None
    language: str = "unknown"


@dataclass(frozen=True)
class _Known:
    interaction_id: uuid.UUID
    status: str
    ticket_id: uuid.UUID | None
    claimed_by_id: uuid.UUID | None
    language: str = "unknown"


def _message_date(prep: PreparedMessage, fetched: FetchedMessage, now: dt.datetime) -> dt.datetime:
    if prep.parsed is not None and prep.parsed.date is not None:
        return prep.parsed.date
    return fetched.internaldate or now


class _ThreadIndex:
    """Batch-wide lookups for threading: one query per kind instead of one per message.

    Each query is written so that its only indexed condition is the one that narrows it
    (a Message-ID, a subject and its sender): SQLite's planner, with no statistics, would
    otherwise take ``account_id = ?`` for the narrower condition and read every message of
    the account for every batch, which grows with the mailbox (a catch-up of N messages
    cost O(N^2)). tests/app/mail/test_ingest_plans.py holds the plans.
    """

    def __init__(
        self, conn: Connection, account: AccountInfoForIngest, items: Sequence[PreparedMessage]
    ) -> None:
        self.account = account
        refs: set[str] = set()
        own: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for prep in items:
            p = prep.parsed
            if p is None:
                continue
            if p.in_reply_to:
                refs.add(p.in_reply_to)
            refs.update(p.references)
            if p.message_id:
                own.add(p.message_id)
            if prep.is_reply and prep.thread_key and p.from_ is not None:
                pairs.add((prep.thread_key, p.from_.email.lower()))
        self.by_msgid = _known_by(conn, account.id, Message.message_id_hdr, refs)
        # Replies that arrived before the message they answer (UID order is not date order).
        self.by_reply_to = _known_by(conn, account.id, Message.in_reply_to, own)
        self.by_subject: dict[tuple[str, str], list[tuple[_Known, dt.datetime | None]]] = {}
        if pairs:
            for row in conn.execute(
                _open_by_subject(conn.dialect.name),
                {"account": account.id, "pairs": json.dumps(sorted(pairs))},
            ):
                key = (str(row.thread_subject), str(row.customer_email))
                known = _Known(row.id, "open", row.ticket_id, row.claimed_by_id, row.language)
                self.by_subject.setdefault(key, []).append((known, row.last_message_at))
        self.batch_msgid: dict[str, _Known] = {}

    def remember_batch(
        self,
        prep: PreparedMessage,
        interaction_id: uuid.UUID,
        status: str,
        language: str = "unknown",
    ) -> None:
        p = prep.parsed
        if p is None:
            return
        known = _Known(interaction_id, status, None, None, language)
        if p.message_id:
            self.batch_msgid.setdefault(p.message_id, known)
        if prep.thread_key and p.from_ is not None:
            self.by_subject.setdefault((prep.thread_key, p.from_.email.lower()), []).append(
                (known, p.date)
            )

    def lookup(self, prep: PreparedMessage, when: dt.datetime | None) -> _Known | None:
        p = prep.parsed
        if p is None:
            return None
        for ref in ([p.in_reply_to] if p.in_reply_to else []) + list(reversed(p.references)):
            hit = self.batch_msgid.get(ref) or self.by_msgid.get(ref)
            if hit is not None:
                return hit
        if p.message_id and p.message_id in self.by_reply_to:
            return self.by_reply_to[p.message_id]
        if prep.is_reply and prep.thread_key and p.from_ is not None:
            candidates = self.by_subject.get((prep.thread_key, p.from_.email.lower()), [])
            when = when or p.date
            for known, last in reversed(candidates):
                if when is None or last is None or abs(when - last) <= self.account.subject_window:
                    return known
        return None


# The batch's (subject, sender) pairs travel as one JSON parameter: one statement whatever
# their number, compiled and prepared once (a VALUES list of bind parameters cost SQLAlchemy
# 7-17 ms to compile per batch, against 1-2 ms to run). SQLite cannot estimate a table-valued
# function, so CROSS JOIN (which SQLite never reorders) walks the pairs and looks each one up
# in ix_interactions_thread_lookup; PostgreSQL plans the join from its statistics.
_OPEN_BY_SUBJECT = """
SELECT i.thread_subject, i.customer_email, i.id, i.last_message_at, i.ticket_id,
       i.claimed_by_id, i.language
FROM {pairs} AS w CROSS JOIN interactions AS i
WHERE i.account_id = :account AND i.thread_subject = {subject} AND i.customer_email = {email}
  AND i.status = 'open' AND i.deleted_at IS NULL"""
_PAIRS = {
    "sqlite": (
        "json_each(:pairs)",
        "json_extract(w.value, '$[0]')",
        "json_extract(w.value, '$[1]')",
    ),
    "postgresql": (
        "json_array_elements(CAST(:pairs AS json))",
        "(w.value ->> 0)",
        "(w.value ->> 1)",
    ),
}


@functools.cache
def _open_by_subject(dialect: str) -> TextualSelect:
    pairs, subject, email = _PAIRS[dialect]
    return (
        text(_OPEN_BY_SUBJECT.format(pairs=pairs, subject=subject, email=email))
        .bindparams(bindparam("account", type_=Interaction.account_id.type))
        .columns(
            Interaction.thread_subject,
            Interaction.customer_email,
            Interaction.id,
            Interaction.last_message_at,
            Interaction.ticket_id,
            Interaction.claimed_by_id,
            Interaction.language,
        )
    )


def _known_by(
    conn: Connection, account_id: uuid.UUID, key: Any, wanted: set[str]
) -> dict[str, _Known]:
    """Interactions of the account holding messages whose ``key`` is one of ``wanted``.

    The account is checked here, not in SQL (see _ThreadIndex): the same Message-ID in
    another account's mail is rare and costs a row."""
    found: dict[str, _Known] = {}
    for chunk in _chunks(sorted(wanted), 500):
        rows = conn.execute(
            select(
                key,
                Interaction.account_id,
                Interaction.id,
                Interaction.status,
                Interaction.ticket_id,
                Interaction.claimed_by_id,
                Interaction.language,
            )
            .join(Interaction, Interaction.id == Message.interaction_id)
            .where(key.in_(chunk))
        )
        for value, owner, *rest in rows:
            if owner == account_id:
                found.setdefault(str(value), _Known(*rest))
    return found


def _chunks(values: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _addresses(values: Iterable[Any]) -> list[list[str]]:
    return [[a.name, a.email] for a in values]


def write_batch(
    conn: Connection,
    account: AccountInfoForIngest,
    folder: str,
    uidvalidity: int,
    fetched: Sequence[FetchedMessage],
    prepared: Sequence[PreparedMessage],
    *,
    now: dt.datetime | None = None,
    detect: Callable[[str], str] = detect_language,
) -> BatchOutcome:
    """Store one batch and advance the folder state, all inside ``conn``'s transaction.

    The blobs must already be stored (``prepare_batch``): they are made durable before the
    rows that reference them commit.
    """
    now = now or utcnow()
    outcome = BatchOutcome()
    # Two fetchers on one folder take turns here (SQLite: BEGIN IMMEDIATE already did), so
    # the second one sees the first one's rows below and stores nothing twice.
    conn.execute(
        select(FolderState.id)
        .where(FolderState.account_id == account.id, FolderState.folder == folder)
        .with_for_update()
    )
    uids = [f.uid for f in fetched]
    present = set(
        conn.execute(
            select(MailboxEntry.uid).where(
                MailboxEntry.account_id == account.id,
                MailboxEntry.folder == folder,
                MailboxEntry.uidvalidity == uidvalidity,
                MailboxEntry.uid.in_(uids),
            )
        ).scalars()
    )
    hashes = sorted({p.raw_hash for p in prepared})
    stored_by_hash: dict[str, uuid.UUID] = {
        row.raw_hash: row.id
        for row in conn.execute(
            select(Message.raw_hash, Message.id).where(
                Message.account_id == account.id, Message.raw_hash.in_(hashes)
            )
        )
    }
    # By hash alone (see _ThreadIndex): deletions leave a tombstone per message, and by
    # account SQLite would read them all for every batch.
    tombstoned = {
        raw_hash
        for raw_hash, owner in conn.execute(
            select(IngestTombstone.raw_hash, IngestTombstone.account_id).where(
                IngestTombstone.raw_hash.in_(hashes)
            )
        )
        if owner == account.id
    }
    index = _ThreadIndex(conn, account, prepared)
    threads: dict[uuid.UUID, _Thread] = {}
    message_rows: list[dict[str, Any]] = []
    attachment_rows: list[dict[str, Any]] = []
    entry_rows: list[dict[str, Any]] = []

    for fetched_msg, prep in zip(fetched, prepared, strict=True):
        if fetched_msg.uid in present:
            outcome.already_stored += 1
            continue
        if prep.raw_hash in tombstoned:
            outcome.tombstoned += 1
            continue
        existing = stored_by_hash.get(prep.raw_hash)
        if existing is None:
            when = _message_date(prep, fetched_msg, now)
            thread = _place(index, threads, account, prep, when, detect, now)
            message_id = new_id()
            message_rows.append(
                _message_row(message_id, thread.id, account, prep, fetched_msg, now)
            )
            attachment_rows.extend(_attachment_rows(message_id, prep))
            stored_by_hash[prep.raw_hash] = message_id
            if not thread.is_new:
                outcome.continued_message_ids.append(message_id)
            thread.added += 1
            if prep.parsed is None:
                thread.added_unparseable += 1
                outcome.unparseable += 1
            if thread.last_message_at is None or when > thread.last_message_at:
                thread.last_message_at = when
            outcome.new_messages += 1
        else:
            # The same bytes under another UID (UIDVALIDITY reset, copy): one message.
            message_id = existing
            outcome.linked_duplicates += 1
        entry_rows.append(
            {
                "id": new_id(),
                "account_id": account.id,
                "folder": folder,
                "uidvalidity": uidvalidity,
                "uid": fetched_msg.uid,
                "message_id": message_id,
                "modseq": fetched_msg.modseq,
                "flags": " ".join(fetched_msg.flags),
            }
        )

    new_threads = [t for t in threads.values() if t.is_new]
    outcome.new_interactions = len(new_threads)
    outcome.new_interaction_ids = [t.id for t in new_threads]
    outcome.continued_interaction_ids = [t.id for t in threads.values() if not t.is_new and t.added]
    for thread in new_threads:
        thread.row.update(
            message_count=thread.added,
            unparseable_count=thread.added_unparseable,
            last_message_at=thread.last_message_at,
        )
    _insert(conn, INTERACTIONS, [t.row for t in new_threads])
    # Full text: indexed in bulk in this transaction (twice as cheap as row by row).
    with indexing_inserted_messages(conn, message_rows):
        _insert(conn, MESSAGES, message_rows)
    _insert(conn, ATTACHMENTS, attachment_rows)
    _insert(conn, ENTRIES, entry_rows)
    _touch_continued(conn, [t for t in threads.values() if not t.is_new and t.added], now)
    if uids:
        _advance_folder(conn, account.id, folder, uidvalidity, max(uids) + 1, now)
    return outcome


def _touch_continued(conn: Connection, continued: list[_Thread], now: dt.datetime) -> None:
    """Conversations that got new messages: counts, last message, unread. One executemany
    for the batch (one statement per conversation cost ~0.5 ms each in a large catch-up)."""
    if not continued:
        return
    table = cast(Table, Interaction.__table__)
    last = bindparam("b_last", type_=UTCDateTime())
    # SQLite's max() with two arguments is the scalar maximum; PostgreSQL calls it greatest().
    greatest = func.max if conn.dialect.name == "sqlite" else func.greatest
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            message_count=table.c.message_count + bindparam("b_added"),
            unparseable_count=table.c.unparseable_count + bindparam("b_unparseable"),
            # A batch without a date leaves it; else the later of the two (or the new one).
            last_message_at=case(
                (last.is_(None), table.c.last_message_at),
                else_=func.coalesce(greatest(table.c.last_message_at, last), last),
            ),
            last_activity_at=now,
            unread=True,
            change_seq=bindparam("b_seq"),
        )
    )
    seqs = allocate_change_seqs(conn, len(continued))
    conn.execute(
        statement,
        [
            {
                "b_id": thread.id,
                "b_added": thread.added,
                "b_unparseable": thread.added_unparseable,
                "b_last": thread.last_message_at,
                "b_seq": seq,
            }
            for thread, seq in zip(continued, seqs, strict=True)
        ],
    )


def _place(
    index: _ThreadIndex,
    threads: dict[uuid.UUID, _Thread],
    account: AccountInfoForIngest,
    prep: PreparedMessage,
    when: dt.datetime,
    detect: Callable[[str], str],
    now: dt.datetime,
) -> _Thread:
    # A delivery report gets a conversation of its own even when it names our message in
    # References (Exim's bounces do): routing settles it there, and it is never offered to
    # agents as part of the customer's conversation.
    report = prep.parsed is not None and prep.parsed.is_bounce_or_report
    known = None if report else index.lookup(prep, when)
    if known is not None and known.status == "open":
        thread = threads.get(known.interaction_id)
        if thread is None:
            thread = _Thread(known.interaction_id, False, language=known.language)
            threads[known.interaction_id] = thread
        index.remember_batch(prep, thread.id, "open", thread.language)
        return thread
    # A new conversation; a reply to a closed one starts a follow-up in the same ticket.
    p = prep.parsed
    if p is None or not account.language_detection:
        language = "unknown"
    else:
        # detect cleans the text itself: a reply's prepared text was left uncleaned (empty)
        language = prep.language or detect(prep.detect_text or p.text)
    thread = _Thread(new_id(), True, language=language)
    queue_id = account.default_queue_id
    if account.language_detection and account.language_queues:
        queue_id = account.language_queue_ids.get(language, account.default_queue_id)
    thread.row = {
        "id": thread.id,
        "project_id": account.project_id,
        "account_id": account.id,
        "queue_id": queue_id,
        "ticket_id": known.ticket_id if known else None,
        "preferred_agent_id": known.claimed_by_id if known else None,
        "subject": (p.subject if p else _crude_subject(prep)) or "",
        "thread_subject": prep.thread_key,
        "customer_email": (p.from_.email.lower() if p and p.from_ else ""),
        "customer_name": (p.from_.name if p and p.from_ else ""),
        "language": language,
        "status": "open",
        "unread": True,
        "first_message_at": when,
        "last_activity_at": now,
        "created_at": now,
    }
    threads[thread.id] = thread
    index.remember_batch(prep, thread.id, "open", language)
    return thread


def _crude_subject(prep: PreparedMessage) -> str:
    return "(message that could not be read)"


def _message_row(
    message_id: uuid.UUID,
    interaction_id: uuid.UUID,
    account: AccountInfoForIngest,
    prep: PreparedMessage,
    fetched: FetchedMessage,
    now: dt.datetime,
) -> dict[str, Any]:
    p = prep.parsed
    row: dict[str, Any] = {
        "id": message_id,
        "interaction_id": interaction_id,
        "account_id": account.id,
        "direction": "in",
        "raw_hash": prep.raw_hash,
        "raw_size": prep.size,
        "received_at": fetched.internaldate or now,
        "parse_error": prep.parse_error,
    }
    if p is None:
        return row
    is_ours = p.from_ is not None and p.from_.email.lower() == account.email
    row.update(
        direction="out" if is_ours else "in",
        message_id_hdr=(p.message_id or None) and p.message_id[:998],
        in_reply_to=(p.in_reply_to or None) and p.in_reply_to[:998],
        references=" ".join(p.references),
        subject=p.subject,
        from_email=p.from_.email.lower()[:320] if p.from_ else "",
        from_name=p.from_.name[:200] if p.from_ else "",
        recipients={
            "to": _addresses(p.to),
            "cc": _addresses(p.cc),
            "reply_to": _addresses(p.reply_to),
        },
        sent_at=p.date,
        text_body=p.text,
        html_body=p.html,
        defects="\n".join(p.defects),
        auto_submitted=p.is_auto_submitted,
        is_report=p.is_bounce_or_report,
        attachment_count=len(p.attachments),
    )
    return row


def _attachment_rows(message_id: uuid.UUID, prep: PreparedMessage) -> list[dict[str, Any]]:
    if prep.parsed is None:
        return []
    return [
        {
            "id": new_id(),
            "message_id": message_id,
            "position": n,
            "filename": a.filename[:255],
            "original_filename": a.original_filename,
            "content_type": a.content_type[:255],
            "content_id": a.content_id[:998] if a.content_id else None,
            "inline": a.inline,
            "dangerous": a.dangerous,
            "size": size,
            "blob_hash": blob_hash,
        }
        for n, (a, (blob_hash, size)) in enumerate(
            zip(prep.parsed.attachments, prep.attachment_blobs, strict=True)
        )
    ]


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    for row, seq in zip(rows, allocate_change_seqs(conn, len(rows)), strict=True):
        row["change_seq"] = seq
    # executemany needs the same keys in every row
    keys = set().union(*(r.keys() for r in rows))
    defaults = {c.name: c.default.arg for c in table.columns if c.default is not None}
    for row in rows:
        for key in keys - row.keys():
            value = defaults.get(key)
            row[key] = value(None) if callable(value) else value
    conn.execute(insert(table), rows)


def _advance_folder(
    conn: Connection,
    account_id: uuid.UUID,
    folder: str,
    uidvalidity: int,
    uidnext: int,
    now: dt.datetime,
) -> None:
    seq = allocate_change_seqs(conn, 1)[0]
    conn.execute(
        update(FolderState)
        .where(
            and_(
                FolderState.account_id == account_id,
                FolderState.folder == folder,
                FolderState.uidvalidity == uidvalidity,
                FolderState.uidnext < uidnext,
            )
        )
        .values(uidnext=uidnext, last_fetch_at=now, change_seq=seq)
    )
