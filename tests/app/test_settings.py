"""The settings registry: one declaration validates everywhere, refusals name the range."""

from __future__ import annotations

import pytest

from app.context import AppContext
from app.settings import REGISTRY, SettingError, get_value, set_value, spec, validate


@pytest.mark.parametrize(
    ("scope", "key", "raw", "message"),
    [
        (
            "account",
            "wait_for_agent",
            "0",
            "Wait for the assigned agent must be between 1 and 2147483 (got 0).",
        ),
        ("account", "wait_for_queue", 2147484, "between 1 and 2147483"),
        ("account", "key", "TOOLONG", "Key must be at most 5 characters (got 7)."),
        ("account", "imap_security", "tls", "IMAP security must be one of ssl, starttls, none"),
        ("account", "imap_port", "http", "IMAP port must be a whole number (got 'http')."),
        ("project", "new_email_list_size", 251, "between 1 and 250"),
        ("project", "auto_delete_days", 29, "between 30 and 36500"),
        ("project", "key", "ab1", "exactly 3 capital letters"),
        ("project", "time_zone", "Mars/Olympus", "IANA time zone"),
        ("project", "lock_emails_to_agents", "maybe", "must be on or off"),
    ],
)
def test_out_of_range_values_are_refused_with_the_range(
    scope: str, key: str, raw: object, message: str
) -> None:
    with pytest.raises(SettingError) as info:
        validate(scope, key, raw)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_edges_of_ranges_are_accepted() -> None:
    assert validate("account", "wait_for_agent", "1") == 1
    assert validate("account", "wait_for_agent", 2147483) == 2147483
    assert validate("project", "new_email_list_size", "250") == 250
    assert validate("project", "auto_delete_days", 30) == 30
    assert validate("project", "lock_emails_to_agents", "off") is False
    assert validate("account", "connect_timeout", 10) == 10


def test_documented_defaults() -> None:
    assert spec("account", "wait_for_agent").default == 10
    assert spec("account", "wait_for_queue").default == 10
    assert spec("account", "connect_timeout").default == 10
    assert spec("account", "auth_timeout").default == 5
    assert all(s.help for s in REGISTRY.values())


def test_global_settings_persist(ctx: AppContext) -> None:
    with ctx.store.read() as session:
        assert get_value(session, "global", "fetch_batch_size") == 200
    with ctx.store.write() as session:
        set_value(session, "global", "fetch_batch_size", "50")
    with ctx.store.write() as session:
        set_value(session, "global", "fetch_batch_size", 75)
    with ctx.store.read() as session:
        assert get_value(session, "global", "fetch_batch_size") == 75
    with pytest.raises(SettingError), ctx.store.write() as session:
        set_value(session, "global", "fetch_batch_size", 0)
