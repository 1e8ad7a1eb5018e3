"""Building outgoing mail: replies in thread, forwards, safe headers, one Message-ID."""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr

from app.errors import UserError
from app.mail.conversations import strip_prefixes
from storage.ids import new_id


class ComposeError(UserError):
    """An outgoing message that must not be sent as it is."""


@dataclass(frozen=True)
class Mailbox:
    """A name and an address, as written in From/To/Cc."""

    email: str
    name: str = ""

    def formatted(self) -> str:
        return str(HeaderAddress(display_name=self.name, addr_spec=self.email))


@dataclass(frozen=True)
class DraftAttachment:
    filename: str
    data: bytes
    content_type: str = ""
    inline: bool = False
    content_id: str | None = None


@dataclass(frozen=True)
class Draft:
    """Everything an outgoing message is made of; built into bytes once, then kept."""

    sender: Mailbox
    to: tuple[Mailbox, ...]
    subject: str
    text: str
    message_id: str
    cc: tuple[Mailbox, ...] = ()
    bcc: tuple[Mailbox, ...] = ()
    html: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    attachments: tuple[DraftAttachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = field(default=())

    @property
    def recipients(self) -> list[str]:
        """Envelope recipients: To, Cc and Bcc, each address once."""
        seen: dict[str, None] = {}
        for box in (*self.to, *self.cc, *self.bcc):
            seen.setdefault(box.email, None)
        return list(seen)


_ADDR_SPEC = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$"
)


def make_message_id(sender_address: str) -> str:
    """A new Message-ID in the sender's domain, made once per message and kept."""
    domain = sender_address.rpartition("@")[2] or "relaydesk.invalid"
    return f"<{new_id().hex}@{domain}>"


def check_header_value(name: str, value: str) -> str:
    """Refuse CR or LF in a header value: they would let text inject headers."""
    if "\r" in value or "\n" in value:
        raise ComposeError(f"The {name} contains a line break, which mail headers cannot carry.")
    return value


def check_address(box: Mailbox, field_name: str) -> Mailbox:
    check_header_value(field_name, box.email)
    check_header_value(field_name, box.name)
    if not _ADDR_SPEC.match(box.email):
        raise ComposeError(f"{box.email!r} in {field_name} is not an email address.")
    return box


def parse_recipients(text: str, field_name: str = "To") -> tuple[Mailbox, ...]:
    """Addresses typed by a person ("Anna <a@x.org>, b@y.org"), each checked."""
    check_header_value(field_name, text)
    boxes = []
    for name, email in getaddresses([text]):
        if not email and not name:
            continue
        boxes.append(check_address(Mailbox(email.strip(), name.strip()), field_name))
    return tuple(boxes)


def reply_subject(subject: str) -> str:
    """Exactly one "Re:", whatever prefixes (AW:, SV:, Re[2]: …) the thread has gathered."""
    bare, _ = strip_prefixes(subject)
    return f"Re: {bare.strip()}" if bare.strip() else "Re:"


def forward_subject(subject: str) -> str:
    bare, _ = strip_prefixes(subject)
    return f"Fwd: {bare.strip()}"


def quote(text: str, author: str, when: dt.datetime | None) -> str:
    """The original below the answer, each line marked, after one attribution line."""
    stamp = format_datetime(when) if when else "an earlier date"
    lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    return f"On {stamp}, {author} wrote:\n" + "\n".join(
        ">" + (" " + line if line and not line.startswith(">") else line) for line in lines
    )


def reply_references(references: Sequence[str], message_id: str | None) -> tuple[str, ...]:
    """References of a reply: the parent's References, then the parent itself (RFC 5322)."""
    refs = [r if r.startswith("<") else f"<{r}>" for r in references]
    if message_id:
        parent = message_id if message_id.startswith("<") else f"<{message_id}>"
        if parent not in refs:
            refs.append(parent)
    return tuple(refs)


def reply_recipients(
    *,
    from_: Mailbox | None,
    reply_to: Iterable[Mailbox],
    to: Iterable[Mailbox],
    cc: Iterable[Mailbox],
    own_addresses: Iterable[str],
    reply_all: bool,
) -> tuple[tuple[Mailbox, ...], tuple[Mailbox, ...]]:
    """(To, Cc) of a reply: Reply-To or From; with reply all, the others, never ourselves."""
    own = {a.lower() for a in own_addresses}
    primary = tuple(reply_to) or ((from_,) if from_ else ())
    primary = tuple(b for b in primary if b.email.lower() not in own) or primary
    if not reply_all:
        return primary, ()
    taken = {b.email.lower() for b in primary} | own
    others = []
    for box in (*to, *cc):
        if box.email.lower() not in taken:
            taken.add(box.email.lower())
            others.append(box)
    return primary, tuple(others)


def build_message(draft: Draft, *, date: dt.datetime | None = None) -> bytes:
    """The exact bytes to send and to keep; refuses unsafe headers and bad addresses."""
    check_address(draft.sender, "From")
    for field_name, boxes in (("To", draft.to), ("Cc", draft.cc), ("Bcc", draft.bcc)):
        for box in boxes:
            check_address(box, field_name)
    if not draft.recipients:
        raise ComposeError("The message has no recipient.")
    for name, value in (
        ("subject", draft.subject),
        ("Message-ID", draft.message_id),
        ("In-Reply-To", draft.in_reply_to or ""),
        *((f"header {k}", v) for k, v in draft.headers),
        *(("References", r) for r in draft.references),
    ):
        check_header_value(name, value)
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = draft.sender.formatted()
    msg["To"] = ", ".join(b.formatted() for b in draft.to)
    if draft.cc:
        msg["Cc"] = ", ".join(b.formatted() for b in draft.cc)
    # Bcc is never written into the message: only the envelope carries it.
    msg["Subject"] = draft.subject
    msg["Date"] = format_datetime(date or dt.datetime.now(dt.UTC))
    msg["Message-ID"] = draft.message_id
    if draft.in_reply_to:
        msg["In-Reply-To"] = draft.in_reply_to
    if draft.references:
        msg["References"] = " ".join(draft.references)
    for key, value in draft.headers:
        msg[key] = value
    msg.set_content(draft.text, charset="utf-8")
    if draft.html is not None:
        msg.add_alternative(draft.html, subtype="html", charset="utf-8")
        html_part = msg.get_body(("html",))
        assert isinstance(html_part, EmailMessage)
        for att in (a for a in draft.attachments if a.inline and a.content_id):
            maintype, subtype = _content_type(att).split("/", 1)
            html_part.add_related(
                att.data,
                maintype=maintype,
                subtype=subtype,
                cid=f"<{att.content_id}>",
                filename=att.filename,
            )
    for att in (a for a in draft.attachments if not (a.inline and a.content_id and draft.html)):
        maintype, subtype = _content_type(att).split("/", 1)
        msg.add_attachment(att.data, maintype=maintype, subtype=subtype, filename=att.filename)
    return msg.as_bytes()


def _content_type(att: DraftAttachment) -> str:
    if att.content_type and "/" in att.content_type:
        return att.content_type
    guessed, _ = mimetypes.guess_type(att.filename)
    return guessed or "application/octet-stream"


def mailbox_from_text(text: str) -> Mailbox:
    name, email = parseaddr(text)
    return Mailbox(email, name)
