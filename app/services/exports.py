"""Taking interactions out: zips of the original .eml files, and deletion that lasts.

"With attachments" is the stored bytes unchanged; "without" removes attachment parts at
the byte level and leaves every other byte exactly as received, so headers, signatures
and the text stay verifiable. Deleting an interaction leaves ingest tombstones (account,
server identity, Message-ID, content hash) so no resync brings the mail back.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.errors import UserError
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.models import (
    Attachment,
    Event,
    IngestTombstone,
    Interaction,
    MailboxEntry,
    Message,
    utcnow,
)

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_PARAM = re.compile(rb'(?i)\bboundary\s*=\s*(?:"([^"]+)"|([^\s;]+))')


def _header(head: bytes, name: bytes) -> bytes:
    """The unfolded value of a header in a raw header block ('' when absent)."""
    unfolded = re.sub(rb"\r?\n[ \t]+", b" ", head)
    match = re.search(rb"(?im)^" + re.escape(name) + rb"[ \t]*:[ \t]*(.*?)\r?$", unfolded)
    return match.group(1) if match else b""


def _is_attachment(head: bytes) -> bool:
    disposition = _header(head, b"Content-Disposition").lower()
    ctype = _header(head, b"Content-Type").lower()
    if disposition.startswith(b"attachment"):
        return True
    named = b"filename" in disposition or re.search(rb"\bname\s*=", ctype) is not None
    # Named non-text parts are files even when sent "inline" (images in the text stay).
    return named and not ctype.startswith((b"text/", b"multipart/", b"image/"))


def strip_attachments(raw: bytes) -> bytes:
    """``raw`` without its attachment parts; every other byte unchanged."""
    split = _HEAD_END.search(raw)
    if split is None:
        return raw
    head, body = raw[: split.end()], raw[split.end() :]
    ctype = _header(head, b"Content-Type")
    if not ctype.lower().startswith(b"multipart/"):
        return raw
    param = _PARAM.search(ctype)
    if param is None:
        return raw
    boundary = param.group(1) or param.group(2)
    delimiter = re.compile(rb"(?m)^--" + re.escape(boundary) + rb"(--)?[ \t]*\r?\n?")
    marks = list(delimiter.finditer(body))
    if not marks:
        return raw
    out = [head, body[: marks[0].start()]]
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        part = body[mark.end() : following.start() if following else len(body)]
        if mark.group(1):  # the closing delimiter: keep it and the epilogue
            out.append(body[mark.start() :])
            break
        part_split = _HEAD_END.search(part)
        part_head = part[: part_split.end()] if part_split else part
        if _is_attachment(part_head):
            continue  # the delimiter line and the part go together
        out.append(body[mark.start() : mark.end()])
        out.append(strip_attachments(part) if part_split else part)
    return b"".join(out)


def eml_zip(
    store: Store, blobs: SqlBlobStore, interaction_id: uuid.UUID, *, attachments: bool
) -> bytes:
    """A zip of the conversation's messages as 001.eml, 002.eml … in the order they came."""
    with store.read() as session:
        hashes = (
            session.execute(
                select(Message.raw_hash)
                .where(Message.interaction_id == interaction_id, Message.deleted_at.is_(None))
                .order_by(Message.received_at, Message.id)
            )
            .scalars()
            .all()
        )
    if not hashes:
        raise UserError("That interaction has no messages to download.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, raw_hash in enumerate(hashes, start=1):
            raw = blobs.get(raw_hash)
            archive.writestr(f"{n:03d}.eml", raw if attachments else strip_attachments(raw))
    return buffer.getvalue()


def delete_interaction(
    store: Store, blobs: SqlBlobStore, interaction_id: uuid.UUID, actor_id: uuid.UUID | None
) -> int:
    """Delete a conversation for good: rows tombstoned, blobs nobody else needs removed,
    and ingest tombstones so a resync never brings it back. Returns the messages deleted."""
    with store.write() as session:
        count, unused = delete_interaction_rows(session, interaction_id)
        session.add(
            Event(
                kind="interaction.delete",
                actor_id=actor_id,
                interaction_id=interaction_id,
                data={"messages": count},
            )
        )
    # After the commit: a crash here leaves unreferenced blobs, never missing ones.
    blobs.delete(unused)
    return count


def delete_interaction_rows(session: Session, interaction_id: uuid.UUID) -> tuple[int, set[str]]:
    """The rows' part of ``delete_interaction``, in the caller's transaction: the messages
    deleted, and the blobs nobody else needs (for the caller to delete once committed)."""
    now = utcnow()
    interaction = session.get(Interaction, interaction_id)
    if interaction is None or interaction.deleted_at is not None:
        raise UserError("That interaction does not exist (or was deleted already).")
    messages = (
        session.execute(select(Message).where(Message.interaction_id == interaction_id))
        .scalars()
        .all()
    )
    message_ids = [m.id for m in messages]
    entries = (
        session.execute(select(MailboxEntry).where(MailboxEntry.message_id.in_(message_ids)))
        .scalars()
        .all()
    )
    for message in messages:
        found: list[MailboxEntry | None] = [e for e in entries if e.message_id == message.id]
        for entry in found or [None]:
            session.add(
                IngestTombstone(
                    account_id=message.account_id,
                    folder=entry.folder if entry else None,
                    uidvalidity=entry.uidvalidity if entry else None,
                    uid=entry.uid if entry else None,
                    message_id_hdr=message.message_id_hdr,
                    raw_hash=message.raw_hash,
                )
            )
    attachment_hashes = set(
        session.execute(
            select(Attachment.blob_hash).where(Attachment.message_id.in_(message_ids))
        ).scalars()
    )
    # Personal data goes; the rows stay as tombstones for sync.
    for message in messages:
        message.deleted_at = now
        message.text_body = ""
        message.html_body = None
        message.subject = ""
    for model in (Attachment, MailboxEntry):
        session.execute(
            update(model).where(model.message_id.in_(message_ids)).values(deleted_at=now)
        )
    interaction.deleted_at = now
    interaction.subject = ""
    session.flush()
    raw_hashes = {m.raw_hash for m in messages}
    still_used = set(
        session.execute(
            select(Attachment.blob_hash).where(
                Attachment.blob_hash.in_(attachment_hashes), Attachment.deleted_at.is_(None)
            )
        ).scalars()
    ) | set(
        session.execute(
            select(Message.raw_hash).where(
                Message.raw_hash.in_(raw_hashes), Message.deleted_at.is_(None)
            )
        ).scalars()
    )
    return len(messages), (attachment_hashes | raw_hashes) - still_used
