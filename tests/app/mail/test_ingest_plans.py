"""Threading a batch looks up only what the batch names: no statement of ``write_batch``
reads every message or conversation of the account.

SQLite plans without statistics (the store never runs ANALYZE), and for
``account_id = ? AND message_id_hdr IN (...)`` it took the account's index: every batch read
all the account's messages twice, so a catch-up of N messages cost O(N^2). The plans are
read here from the statements ``write_batch`` really runs, with their parameters.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event, func, select

from app.context import AppContext
from app.mail.ingest import FetchedMessage, load_account, write_batch
from app.mail.prepare import prepare_batch
from app.services.accounts import add_account
from storage.models import FolderState, Interaction

# A plan step on messages, conversations or deleted messages' tombstones that reads by
# account alone, or scans.
WHOLE_ACCOUNT = re.compile(
    r"^(SEARCH|SCAN) (messages|interactions|ingest_tombstones|m|i)\b(?!.*\(id=\?\))"
    r"(.*\(account_id=\?\)$|(?!.*USING).*$|.*USING (COVERING )?INDEX \S+$)"
)


def _mail(n: int, sender: str, subject: str, **headers: str) -> bytes:
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (
        f"From: {sender}\r\nTo: support@acme.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <p{n}@example.org>\r\nDate: Mon, 05 Jan 2026 09:{n % 60:02d}:00 +0000\r\n"
        f"{extra}\r\nAbout my order {n}.\r\n"
    ).encode()


def _write(ctx: AppContext, account_id: Any, raws: list[bytes], first_uid: int) -> None:
    fetched = [FetchedMessage(uid=first_uid + i, raw=raw) for i, raw in enumerate(raws)]
    prepared = prepare_batch([(f.raw, f.uid) for f in fetched], False, str(ctx.blob_path))
    with ctx.store.connect() as conn:
        write_batch(conn, load_account(conn, account_id, 14), "INBOX", 1, fetched, prepared)


def test_threading_a_batch_reads_only_what_it_names(sqlite_ctx: AppContext) -> None:
    ctx = sqlite_ctx
    account_id = add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username="support",
        imap_host="imap.acme.test",
    ).id
    with ctx.store.write() as session:
        session.add(FolderState(account_id=account_id, folder="INBOX", uidvalidity=1))
    senders = [f"customer{k}@example.org" for k in range(8)]
    first = [_mail(n, senders[n % 8], f"Order {n % 5} is late") for n in range(40)]
    _write(ctx, account_id, first, 1)

    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    # Replies by header, by subject alone, and one that arrives before what it answers.
    replies = [
        _mail(
            100 + n,
            senders[n % 8],
            f"Re: Order {n % 5} is late",
            **{"In-Reply-To": f"<p{n}@example.org>"},
        )
        for n in range(0, 40, 3)
    ] + [_mail(200 + n, senders[n % 8], f"RE: Order {n % 5} is late") for n in range(1, 40, 7)]
    replies.append(
        _mail(300, "late@example.org", "Re: Parcel", **{"In-Reply-To": "<p301@example.org>"})
    )
    event.listen(ctx.store.engine, "before_cursor_execute", record)
    try:
        _write(ctx, account_id, replies, 100)
        _write(ctx, account_id, [_mail(301, "late@example.org", "Parcel")], 200)
    finally:
        event.remove(ctx.store.engine, "before_cursor_execute", record)

    with ctx.store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        plans = [
            (statement, [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, params)])
            for statement, params in statements
        ]
    looked_up = [
        step
        for _, steps in plans
        for step in steps
        if re.match(r"^SEARCH (messages|interactions|m|i)\b", step)
    ]
    assert any("ix_messages_message_id_hdr" in step for step in looked_up)
    assert any("ix_messages_in_reply_to" in step for step in looked_up)
    assert any("ix_interactions_thread_lookup" in step for step in looked_up)
    whole = [
        (statement, step)
        for statement, steps in plans
        for step in steps
        if WHOLE_ACCOUNT.match(step)
    ]
    assert whole == []

    # And the lookups found their conversations: 40 first messages in 40 conversations,
    # every reply joined one, the early reply made one that its original then joined.
    with ctx.store.read() as session:
        assert session.execute(select(func.count()).select_from(Interaction)).scalar_one() == 41
