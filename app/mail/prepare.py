"""The CPU-heavy half of ingest, kept light to import: it runs in spawned worker processes.

Parsing, hashing and language detection of fetched messages, and writing their raw bytes
and attachments to the blob store, need none of the ORM or the domain models; a worker
process that imports only this module starts in a fraction of the time (app/mail/fetcher.py
submits ``prepare_batch``; app/mail/ingest.py writes the rows).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from app.mail.conversations import strip_prefixes, thread_subject
from app.mail.language import clean_for_detection, detect_language, detect_many
from app.mail.parse import ParsedMessage, parse_message
from storage.blobs import SqlBlobStore, digest, open_local_blob_store
from storage.engine import make_engine

log = logging.getLogger("imap")


@dataclass(frozen=True)
class PreparedMessage:
    """The CPU-heavy work on one message, done outside transactions (picklable)."""

    uid: int
    raw_hash: str
    size: int
    parsed: ParsedMessage | None
    parse_error: str | None
    detect_text: str
    thread_key: str
    is_reply: bool
    language: str | None = None
    attachment_blobs: tuple[tuple[str, int], ...] = ()  # (hash, size) per attachment


def prepare(raw: bytes, uid: int = 0, *, detect: bool = True) -> PreparedMessage:
    """Parse and hash one message. Never raises: a failure is kept as ``parse_error``.

    A message with no threading headers and no reply prefix almost always starts a new
    conversation, the only place a language is detected, so its language is detected here,
    where the work runs beside the database writes; the rare other new conversation gets its
    language while being written.
    """
    raw_hash = digest(raw)
    try:
        parsed = parse_message(raw)
    except Exception as exc:  # a parser bug must not stop the mailbox: keep the raw bytes
        log.warning("message uid %s could not be parsed: %s", uid, exc)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return PreparedMessage(uid, raw_hash, len(raw), None, detail, "", "", False)
    _, has_prefix = strip_prefixes(parsed.subject)
    is_reply = has_prefix or bool(parsed.in_reply_to) or bool(parsed.references)
    # Only a conversation's first message is detected: a reply's text is cleaned only in
    # the rare case it starts one (ingest.py), not for every reply here.
    text = "" if is_reply else clean_for_detection(parsed.text)
    return PreparedMessage(
        uid,
        raw_hash,
        len(raw),
        parsed,
        None,
        text,
        thread_subject(parsed.subject),
        is_reply,
        detect_language(text, cleaned=True) if detect and not is_reply else None,
        tuple((digest(a.data), len(a.data)) for a in parsed.attachments),
    )


def prepare_many(items: Sequence[tuple[bytes, int]], detect: bool = True) -> list[PreparedMessage]:
    """``prepare`` of each, with the languages of the batch detected side by side
    (``detect_many``: the same answers, several times faster than one by one)."""
    prepared = [prepare(raw, uid, detect=False) for raw, uid in items]
    if not detect:
        return prepared
    new = [i for i, prep in enumerate(prepared) if prep.parsed is not None and not prep.is_reply]
    languages = detect_many([prepared[i].detect_text for i in new], cleaned=True)
    for i, language in zip(new, languages, strict=True):
        prepared[i] = replace(prepared[i], language=language)
    return prepared


_blob_stores: dict[str, SqlBlobStore] = {}


def _blob_store_at(address: str) -> SqlBlobStore:
    store = _blob_stores.get(address)
    if store is None:
        if "://" in address:
            store = SqlBlobStore(make_engine(address, pool_size=1))
        else:
            store = open_local_blob_store(Path(address))
        _blob_stores[address] = store
    return store


def prepare_batch(
    items: Sequence[tuple[bytes, int]], detect: bool, blobs: SqlBlobStore | str
) -> list[PreparedMessage]:
    """Prepare a batch and make its blobs durable; runs in worker processes too.

    ``blobs`` is the store itself, or in another process its address (``AppContext.
    blob_address``: the local file, or the central database in team mode). The raw messages
    and attachments are written here, before any row that points at them can commit, and
    the attachment bytes are then dropped from the result: they need not travel back to the
    process that writes the rows.
    """
    store = blobs if isinstance(blobs, SqlBlobStore) else _blob_store_at(blobs)
    prepared = prepare_many(items, detect)
    payloads = [raw for raw, _ in items]
    for prep in prepared:
        if prep.parsed is not None:
            payloads.extend(a.data for a in prep.parsed.attachments)
    store.put_many(payloads)
    return [_without_attachment_bytes(p) for p in prepared]


def _without_attachment_bytes(prep: PreparedMessage) -> PreparedMessage:
    if prep.parsed is None or not prep.parsed.attachments:
        return prep
    light = tuple(replace(a, data=b"") for a in prep.parsed.attachments)
    return replace(prep, parsed=replace(prep.parsed, attachments=light))
