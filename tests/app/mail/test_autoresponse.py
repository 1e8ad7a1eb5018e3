"""Who gets an automatic response: never machines, lists, ourselves or history."""

from __future__ import annotations

import datetime as dt

import pytest

from app.mail.autoresponse import refusal
from app.mail.parse import parse_message

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def _mail(headers: str, sender: str = "anna@example.org") -> bytes:
    return (
        f"From: Anna <{sender}>\r\nTo: support@acme.test\r\nSubject: Help\r\n"
        f"Message-ID: <x@example.org>\r\n{headers}\r\nPlease help.\r\n"
    ).encode()


def _refusal(raw: bytes, **kw: object) -> str | None:
    args: dict[str, object] = {
        "own_addresses": ["support@acme.test"],
        "received_at": NOW,
        "service_start_at": NOW - dt.timedelta(days=1),
        "last_response_to_sender": None,
        "period": dt.timedelta(hours=24),
        "now": NOW,
    }
    args.update(kw)
    return refusal(parse_message(raw), **args)  # type: ignore[arg-type]


def test_an_ordinary_customer_gets_one() -> None:
    assert _refusal(_mail("")) is None


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ("Auto-Submitted: auto-replied\r\n", "anna@example.org", "automatically"),
        ("Precedence: bulk\r\n", "anna@example.org", "automatically"),
        ("List-Id: <news.example.org>\r\n", "anna@example.org", "mailing list"),
        ("X-Auto-Response-Suppress: All\r\n", "anna@example.org", "no automatic replies"),
        ("", "no-reply@shop.example", "no-reply"),
        ("", "MAILER-DAEMON@mx.example", "automatically"),
        ("", "support@acme.test", "our own"),
    ],
)
def test_machines_lists_and_ourselves_get_none(headers: str, sender: str, reason: str) -> None:
    assert reason in (_refusal(_mail(headers, sender)) or "")


def test_history_and_repeats_get_none() -> None:
    old = _refusal(_mail(""), received_at=NOW - dt.timedelta(days=3))
    assert old == "older than the account's start of service"
    again = _refusal(_mail(""), last_response_to_sender=NOW - dt.timedelta(hours=2))
    assert again == "this sender already had an automatic response recently"
    later = _refusal(_mail(""), last_response_to_sender=NOW - dt.timedelta(hours=25))
    assert later is None
