"""The agent desktop's read side: keyset-paged interaction lists and sanitised threads."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote as url_unquote

import nh3
from sqlalchemy import ColumnElement, Select, func, or_, select, tuple_

from app.mail.parse import parse_message
from storage.blobs import BlobStore
from storage.engine import Store
from storage.models import (
    Agent,
    Attachment,
    Interaction,
    InteractionTag,
    Message,
    Note,
    Queue,
    Tag,
    Ticket,
)

# --- the interaction list ------------------------------------------------------------------

SortKey = Literal[
    "activity", "status", "claimed_by", "customer", "subject", "language", "queue", "ticket", "age"
]
SORT_KEYS: tuple[str, ...] = SortKey.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ListQuery:
    """What the list shows: one sort, one quick filter, optionally one account or queue."""

    sort: SortKey = "activity"
    descending: bool = True
    text: str = ""
    account_id: uuid.UUID | None = None
    queue_id: uuid.UUID | None = None


@dataclass(frozen=True)
class InteractionRow:
    """One line of the interaction list, with the key that keyset paging continues from."""

    id: uuid.UUID
    status: str
    claimed_by: str
    customer: str
    customer_email: str
    subject: str
    language: str
    queue: str
    ticket: str
    tags: tuple[str, ...]
    last_activity_at: dt.datetime
    created_at: dt.datetime
    unread: bool
    message_count: int
    key: tuple[Any, uuid.UUID]


def _customer_expr() -> ColumnElement[Any]:
    return func.coalesce(func.nullif(Interaction.customer_name, ""), Interaction.customer_email)


def _sort_expr(sort: str) -> ColumnElement[Any]:
    # Nullable joins are coalesced: keyset comparisons with NULL would skip rows.
    exprs: dict[str, Any] = {
        "activity": Interaction.last_activity_at,
        "status": Interaction.status,
        "claimed_by": func.coalesce(Agent.name, ""),
        "customer": _customer_expr(),
        "subject": Interaction.subject,
        "language": Interaction.language,
        "queue": func.coalesce(Queue.name, ""),
        "ticket": func.coalesce(Ticket.number, ""),
        "age": Interaction.created_at,
    }
    if sort not in exprs:
        raise ValueError(f"unknown sort key {sort!r}")
    return exprs[sort]


def _filtered(statement: Select[Any], query: ListQuery) -> Select[Any]:
    statement = statement.where(Interaction.deleted_at.is_(None))
    if query.account_id is not None:
        statement = statement.where(Interaction.account_id == query.account_id)
    if query.queue_id is not None:
        statement = statement.where(Interaction.queue_id == query.queue_id)
    words = query.text.split()
    for word in words[:8]:
        # LIKE metacharacters typed by the agent are literal text, not patterns.
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(
            or_(
                Interaction.subject.ilike(pattern, escape="\\"),
                Interaction.customer_email.ilike(pattern, escape="\\"),
                Interaction.customer_name.ilike(pattern, escape="\\"),
            )
        )
    return statement


def _with_joins(statement: Select[Any]) -> Select[Any]:
    return (
        statement.outerjoin(Agent, Agent.id == Interaction.claimed_by_id)
        .outerjoin(Queue, Queue.id == Interaction.queue_id)
        .outerjoin(Ticket, Ticket.id == Interaction.ticket_id)
    )


def count_interactions(store: Store, query: ListQuery) -> int:
    """How many interactions the list holds (the scroll bar's extent)."""
    # Outer joins never change the count: they are left out.
    statement = _filtered(select(func.count()).select_from(Interaction), query)
    with store.read() as session:
        return int(session.execute(statement).scalar_one())


def interaction_page(
    store: Store,
    query: ListQuery,
    *,
    limit: int,
    after: tuple[Any, uuid.UUID] | None = None,
    before: tuple[Any, uuid.UUID] | None = None,
    offset: int = 0,
) -> list[InteractionRow]:
    """``limit`` rows in list order: after a key, before a key, or (for a jump) at an offset.

    Keyset paging (``after``/``before``) costs the same at row 10 and row 900,000; the offset
    form is only for a jump of the scroll bar to a place nothing is known about yet.
    """
    sort = _sort_expr(query.sort)
    key = tuple_(sort, Interaction.id)
    forward = before is None
    descending = query.descending if forward else not query.descending
    statement = _with_joins(
        _filtered(
            select(
                Interaction.id,
                Interaction.status,
                func.coalesce(Agent.name, ""),
                _customer_expr(),
                Interaction.customer_email,
                Interaction.subject,
                Interaction.language,
                func.coalesce(Queue.name, ""),
                func.coalesce(Ticket.number, ""),
                Interaction.last_activity_at,
                Interaction.created_at,
                Interaction.unread,
                Interaction.message_count,
                sort,
            ).select_from(Interaction),
            query,
        )
    )
    anchor = after if forward else before
    if anchor is not None:
        bound = tuple_(*anchor)
        statement = statement.where(key < bound if descending else key > bound)
    order = (sort.desc(), Interaction.id.desc()) if descending else (sort.asc(), Interaction.id)
    statement = statement.order_by(*order).limit(limit)
    if anchor is None and offset:
        statement = statement.offset(offset)
    with store.read() as session:
        rows = session.execute(statement).all()
        ids = [row[0] for row in rows]
        tags: dict[uuid.UUID, list[str]] = {}
        if ids:
            for interaction_id, name in session.execute(
                select(InteractionTag.interaction_id, Tag.name)
                .join(Tag, Tag.id == InteractionTag.tag_id)
                .where(
                    InteractionTag.interaction_id.in_(ids),
                    InteractionTag.deleted_at.is_(None),
                    Tag.deleted_at.is_(None),
                )
                .order_by(Tag.name)
            ):
                tags.setdefault(interaction_id, []).append(name)
    result = [
        InteractionRow(
            id=r[0],
            status=r[1],
            claimed_by=r[2],
            customer=r[3] or "",
            customer_email=r[4],
            subject=r[5],
            language=r[6],
            queue=r[7],
            ticket=r[8],
            tags=tuple(tags.get(r[0], ())),
            last_activity_at=r[9],
            created_at=r[10],
            unread=bool(r[11]),
            message_count=r[12],
            key=(r[13], r[0]),
        )
        for r in rows
    ]
    if not forward:
        result.reverse()
    return result


def interactions_version(store: Store) -> int:
    """A number that grows whenever any interaction changes (new mail, a claim, a sync)."""
    with store.read() as session:
        return int(session.execute(select(func.max(Interaction.change_seq))).scalar() or 0)


# --- sanitising HTML -----------------------------------------------------------------------

BLOCKED_SCHEME = "blocked"
"""Where a remote image's ``src`` pointed before sanitising: ``blocked:<n>`` (n: its index)."""

_TAGS = frozenset(
    {
        "a", "abbr", "b", "big", "blockquote", "br", "caption", "center", "cite", "code", "col",
        "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5",
        "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "samp", "small",
        "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "tt", "u", "ul",
    }
)  # fmt: skip
_CELL = {"align", "valign", "width", "height", "bgcolor", "colspan", "rowspan", "nowrap"}
_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"style", "align", "dir", "title", "lang"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "border"},
    "font": {"color", "face", "size"},
    "table": {"width", "border", "cellpadding", "cellspacing", "bgcolor"},
    "td": _CELL,
    "th": _CELL,
    "tr": {"bgcolor", "valign"},
    "col": {"width", "span"},
    "ol": {"start", "type"},
    "blockquote": {"type"},
}
# No property that takes a url() (background, list-style-image…), nor position tricks.
_STYLE_PROPERTIES = frozenset(
    {
        "color", "background-color", "font", "font-family", "font-size", "font-style",
        "font-weight", "text-align", "text-decoration", "text-indent", "line-height",
        "margin", "margin-left", "margin-right", "margin-top", "margin-bottom", "padding",
        "padding-left", "padding-right", "padding-top", "padding-bottom", "border",
        "border-left", "border-right", "border-top", "border-bottom", "border-collapse",
        "vertical-align", "white-space", "width", "height",
    }
)  # fmt: skip
_URL_SCHEMES = frozenset({"http", "https", "mailto", "cid", BLOCKED_SCHEME})
_REMOTE = re.compile(r"(?i)^\s*(https?:)?//")
_CSS_URL = re.compile(r"(?i)url\s*\(|expression\s*\(|@import|behavior\s*:")


@dataclass(frozen=True)
class SanitizedHtml:
    html: str
    remote_urls: tuple[str, ...]  # blocked image addresses, in order (blocked:<n>)
    cids: tuple[str, ...]  # content ids referenced by cid: images, lower-cased


def sanitize_html(source: str, *, allow_remote: bool = False) -> SanitizedHtml:
    """Mail HTML made safe to render: no scripts, styles sheets, forms or event handlers.

    Remote images become ``blocked:<n>`` unless ``allow_remote``; the original addresses
    come back in ``remote_urls`` so the reader can show them without fetching anything.
    ``cid:`` images are kept as written; their content ids come back in ``cids``.
    """
    remote: list[str] = []
    cids: list[str] = []

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr == "style" and _CSS_URL.search(value):
            return None
        if attr == "background":
            return None
        if tag == "img" and attr == "src":
            stripped = value.strip()
            if stripped.lower().startswith("cid:"):
                cids.append(url_unquote(stripped[4:]).strip("<>").lower())
                return stripped
            if _REMOTE.match(stripped):
                if allow_remote:
                    return stripped
                remote.append(stripped)
                return f"{BLOCKED_SCHEME}:{len(remote) - 1}"
            return None  # data:, file:, relative paths: nothing a mail should load
        return value

    cleaned = nh3.clean(
        source,
        tags=set(_TAGS),
        attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        attribute_filter=attribute_filter,
        filter_style_properties=set(_STYLE_PROPERTIES),
        strip_comments=True,
        link_rel="noopener noreferrer",
    )
    return SanitizedHtml(cleaned, tuple(remote), tuple(dict.fromkeys(cids)))


# --- threads -------------------------------------------------------------------------------

MAX_INLINE_IMAGE_BYTES = 5 * 1024 * 1024
CHARSETS: tuple[str, ...] = (
    "utf-8", "iso-8859-1", "windows-1252", "iso-8859-15", "iso-8859-2", "windows-1250",
    "windows-1251", "koi8-r", "iso-8859-7", "windows-1253", "iso-8859-9", "windows-1254",
    "shift_jis", "euc-jp", "iso-2022-jp", "gb18030", "big5", "euc-kr",
)  # fmt: skip
"""What the reading pane offers for "this message looks garbled"."""


@dataclass(frozen=True)
class AttachmentInfo:
    id: uuid.UUID
    filename: str
    size: int
    content_type: str
    dangerous: bool
    inline: bool
    content_id: str | None


@dataclass(frozen=True)
class ThreadMessage:
    id: uuid.UUID
    direction: str  # in | out
    subject: str
    from_name: str
    from_email: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    sent_at: dt.datetime | None
    received_at: dt.datetime
    text: str
    html: str | None  # sanitised; None for a plain-text message
    remote_urls: tuple[str, ...]
    attachments: tuple[AttachmentInfo, ...]
    cid_map: Mapping[str, uuid.UUID] = field(hash=False)  # content id (lower) -> attachment
    images: Mapping[uuid.UUID, bytes] = field(hash=False)  # inline image bytes, fetched ahead
    parse_error: str | None = None
    charset_override: str | None = None
    remote_allowed: bool = False


@dataclass(frozen=True)
class NoteInfo:
    id: uuid.UUID
    agent: str
    body: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Thread:
    interaction_id: uuid.UUID
    subject: str
    customer: str
    messages: tuple[ThreadMessage, ...]
    notes: tuple[NoteInfo, ...]


def _address_list(recipients: dict[str, Any], kind: str) -> tuple[str, ...]:
    out = []
    for pair in recipients.get(kind) or ():
        name, email = [*pair, "", ""][:2]
        out.append(f"{name} <{email}>" if name else str(email))
    return tuple(out)


def _attachment_infos(rows: Sequence[Any]) -> tuple[AttachmentInfo, ...]:
    return tuple(
        AttachmentInfo(
            r.id, r.filename, r.size, r.content_type, r.dangerous, r.inline, r.content_id
        )
        for r in rows
    )


def _inline_images(
    blobs: BlobStore, rows: Sequence[Any], cids: Sequence[str]
) -> tuple[dict[str, uuid.UUID], dict[uuid.UUID, bytes]]:
    by_cid = {r.content_id.lower(): r for r in rows if r.content_id}
    cid_map: dict[str, uuid.UUID] = {}
    images: dict[uuid.UUID, bytes] = {}
    for cid in cids:
        row = by_cid.get(cid)
        if row is None:
            continue
        cid_map[cid] = row.id
        if row.content_type.lower().startswith("image/") and row.size <= MAX_INLINE_IMAGE_BYTES:
            try:
                images[row.id] = blobs.get(row.blob_hash)
            except KeyError:
                continue  # a blob not synced here yet: the image shows as missing
    return cid_map, images


def _message(
    blobs: BlobStore,
    m: Any,
    attachment_rows: Sequence[Any],
    *,
    text: str,
    html: str | None,
    allow_remote: bool,
    charset_override: str | None = None,
) -> ThreadMessage:
    clean = sanitize_html(html, allow_remote=allow_remote) if html else None
    cid_map, images = _inline_images(blobs, attachment_rows, clean.cids if clean else ())
    recipients = m.recipients or {}
    return ThreadMessage(
        id=m.id,
        direction=m.direction,
        subject=m.subject,
        from_name=m.from_name,
        from_email=m.from_email,
        to=_address_list(recipients, "to"),
        cc=_address_list(recipients, "cc"),
        sent_at=m.sent_at,
        received_at=m.received_at,
        text=text,
        html=clean.html if clean else None,
        remote_urls=clean.remote_urls if clean else (),
        attachments=_attachment_infos(attachment_rows),
        cid_map=cid_map,
        images=images,
        parse_error=m.parse_error,
        charset_override=charset_override,
        remote_allowed=allow_remote,
    )


def _attachments_of(session: Any, message_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    grouped: dict[uuid.UUID, list[Any]] = {}
    if not message_ids:
        return grouped
    for row in session.execute(
        select(Attachment)
        .where(Attachment.message_id.in_(message_ids), Attachment.deleted_at.is_(None))
        .order_by(Attachment.message_id, Attachment.position)
    ).scalars():
        grouped.setdefault(row.message_id, []).append(row)
    return grouped


def load_thread(
    store: Store, blobs: BlobStore, interaction_id: uuid.UUID, *, allow_remote: bool = False
) -> Thread:
    """The whole conversation as plain values, oldest first, with its internal notes."""
    with store.read() as session:
        interaction = session.get(Interaction, interaction_id)
        if interaction is None:
            raise KeyError(interaction_id)
        messages = list(
            session.execute(
                select(Message)
                .where(Message.interaction_id == interaction_id, Message.deleted_at.is_(None))
                .order_by(Message.received_at, Message.id)
            ).scalars()
        )
        attachments = _attachments_of(session, [m.id for m in messages])
        notes = session.execute(
            select(Note.id, func.coalesce(Agent.name, ""), Note.body, Note.created_at)
            .outerjoin(Agent, Agent.id == Note.agent_id)
            .where(Note.interaction_id == interaction_id, Note.deleted_at.is_(None))
            .order_by(Note.created_at, Note.id)
        ).all()
        subject = interaction.subject
        customer = interaction.customer_name or interaction.customer_email
    return Thread(
        interaction_id=interaction_id,
        subject=subject,
        customer=customer,
        messages=tuple(
            _message(
                blobs,
                m,
                attachments.get(m.id, []),
                text=m.text_body,
                html=m.html_body,
                allow_remote=allow_remote,
            )
            for m in messages
        ),
        notes=tuple(NoteInfo(*n) for n in notes),
    )


def render_message(
    store: Store,
    blobs: BlobStore,
    message_id: uuid.UUID,
    *,
    charset_override: str | None = None,
    allow_remote: bool = False,
) -> ThreadMessage:
    """One message again, re-parsed from its raw bytes when a charset is forced."""
    with store.read() as session:
        m = session.get(Message, message_id)
        if m is None:
            raise KeyError(message_id)
        rows = _attachments_of(session, [message_id]).get(message_id, [])
    if charset_override:
        parsed = parse_message(blobs.get(m.raw_hash), charset_override=charset_override)
        text, html = parsed.text, parsed.html
    else:
        text, html = m.text_body, m.html_body
    return _message(
        blobs,
        m,
        rows,
        text=text,
        html=html,
        allow_remote=allow_remote,
        charset_override=charset_override or None,
    )


def message_source(store: Store, blobs: BlobStore, message_id: uuid.UUID) -> bytes:
    """The message exactly as the server delivered it."""
    with store.read() as session:
        raw_hash = session.execute(
            select(Message.raw_hash).where(Message.id == message_id)
        ).scalar_one()
    return blobs.get(raw_hash)


def attachment_data(store: Store, blobs: BlobStore, attachment_id: uuid.UUID) -> bytes:
    with store.read() as session:
        blob_hash = session.execute(
            select(Attachment.blob_hash).where(Attachment.id == attachment_id)
        ).scalar_one()
    return blobs.get(blob_hash)


def save_attachment(store: Store, blobs: BlobStore, attachment_id: uuid.UUID, path: Path) -> Path:
    """Write an attachment's bytes to ``path`` (the agent chose it, or a private temp dir)."""
    data = attachment_data(store, blobs, attachment_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
