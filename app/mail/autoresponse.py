"""Whether a new inbound message may get an automatic response (RFC 3834 and common sense).

Never answer machines, lists, bounces, ourselves or history: an auto-reply loop or a flood
of acknowledgements to an imported mailbox is worse than no acknowledgement at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from app.mail.parse import ParsedMessage

AUTO_SUBMITTED_HEADER = ("Auto-Submitted", "auto-replied")
"""What our own automatic responses carry (RFC 3834 section 5)."""

_NO_REPLY = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon|postmaster|bounces?|"
    r"notifications?|listserv|majordomo)(?:[+-].*)?@",
    re.IGNORECASE,
)


def refusal(
    message: ParsedMessage,
    *,
    own_addresses: Iterable[str],
    received_at: dt.datetime,
    service_start_at: dt.datetime,
    last_response_to_sender: dt.datetime | None,
    period: dt.timedelta,
    now: dt.datetime,
) -> str | None:
    """None when an automatic response may go out; otherwise the reason it must not."""
    sender = message.from_.email.lower() if message.from_ else ""
    if not sender:
        return "no sender address"
    if received_at < service_start_at:
        return "older than the account's start of service"
    if sender in {a.lower() for a in own_addresses}:
        return "sent by one of our own addresses"
    if message.is_auto_submitted:
        return "sent automatically (Auto-Submitted, Precedence or a mailer daemon)"
    if message.is_bounce_or_report:
        return "a delivery or feedback report"
    headers = message.headers
    if headers.get("list-id") or headers.get("list-unsubscribe"):
        return "sent through a mailing list"
    suppress = headers.get("x-auto-response-suppress", "").lower()
    if "all" in suppress or "autoreply" in suppress or "oof" in suppress:
        return "the sender asked for no automatic replies"
    if _NO_REPLY.match(sender):
        return "a no-reply or system address"
    if last_response_to_sender is not None and now - last_response_to_sender < period:
        return "this sender already had an automatic response recently"
    return None
