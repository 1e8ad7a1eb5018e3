"""Delivery reports: bounces (RFC 3464) and spam complaints (RFC 5965) about our mail.

A report is recognised by its structure (multipart/report with a delivery-status or
feedback-report part) and linked to the outbound message it concerns by the Message-ID of
the returned original (or its headers), falling back to the report's own In-Reply-To.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email import policy
from email.message import Message

_MSGID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class DeliveryReport:
    kind: str  # bounced | delayed | delivered | spam
    original_message_id: str | None  # without <>
    detail: str


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    inner = part.get_payload()
    if isinstance(inner, list):  # message/delivery-status: a list of header blocks
        return "\n\n".join(str(block) for block in inner)
    return str(inner or "")


def _fields(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in re.sub(r"\r?\n[ \t]+", " ", text).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            found.setdefault(key.strip().lower(), value.strip())
    return found


def _message_id(value: str | None) -> str | None:
    if not value:
        return None
    match = _MSGID.search(value)
    return match.group(1) if match else value.strip().strip("<>") or None


def _stated_reason(report: Message, final_recipient: str) -> str:
    """The reason the human-readable first part gives under the failed address.

    Exim leaves Diagnostic-Code out when the failure was its own (an unknown local user)
    and writes the reason only there, indented below the address.
    """
    parts = report.get_payload()
    first = parts[0] if isinstance(parts, list) and parts else None
    if not isinstance(first, Message) or first.get_content_maintype() != "text":
        return ""
    address = final_recipient.rpartition(";")[2].strip().lower()
    if not address:
        return ""
    lines = _text(first).splitlines()
    for i, line in enumerate(lines):
        if line.strip().lower() != address:
            continue
        indent = len(line) - len(line.lstrip())
        reason = []
        for below in lines[i + 1 :]:
            if not below.strip() or len(below) - len(below.lstrip()) <= indent:
                break
            reason.append(below.strip())
        return " ".join(reason)
    return ""


def read_report(raw: bytes) -> DeliveryReport | None:
    """The report in ``raw``, or None when it is not a delivery or feedback report."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception:  # not a report we can read: ordinary mail
        return None
    if msg.get_content_type() != "multipart/report":
        return None
    kind: str | None = None
    detail = ""
    original: str | None = None
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            fields = _fields(_text(part))
            action = fields.get("action", "").lower()
            kind = {"failed": "bounced", "delayed": "delayed", "delivered": "delivered"}.get(
                action, "bounced"
            )
            reason = fields.get("diagnostic-code") or _stated_reason(
                msg, fields.get("final-recipient", "")
            )
            detail = " ".join(v for v in (fields.get("status"), reason) if v)
        elif ctype == "message/feedback-report":
            fields = _fields(_text(part))
            kind = "spam"
            detail = f"feedback: {fields.get('feedback-type', 'abuse')}"
        elif ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                original = original or _message_id(inner[0].get("Message-ID"))
        elif ctype in ("text/rfc822-headers", "text/rfc822-header"):
            original = original or _message_id(_fields(_text(part)).get("message-id"))
    if kind is None:
        return None
    original = original or _message_id(msg.get("In-Reply-To"))
    return DeliveryReport(kind, original, detail)
