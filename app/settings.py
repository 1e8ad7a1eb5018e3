"""The settings registry: every setting declared once, with type, default, range and help.

The same declaration validates input from the CLI and the settings pages and says, in a
sentence, why a value was refused. Project and account settings are columns of their rows;
global and agent settings live in the ``settings`` table.
"""

from __future__ import annotations

import re
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import policy
from app.errors import UserError
from storage.models import NIL_ID, EmailAccount, Project, Setting

Scope = Literal["global", "project", "account", "agent"]
INT32_MAX = 2_147_483_647


class SettingError(UserError):
    """A value outside what its setting allows."""


@dataclass(frozen=True)
class SettingSpec:
    key: str
    scope: Scope
    type: type
    default: Any
    help: str
    label: str = ""
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    check: Callable[[Any], str | None] | None = field(default=None, compare=False)

    @property
    def column(self) -> bool:
        return self.scope in ("project", "account")

    def describe_range(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.minimum is not None and self.maximum is not None:
            return f"between {self.minimum} and {self.maximum}"
        if self.minimum is not None:
            return f"at least {self.minimum}"
        if self.max_length is not None:
            return f"at most {self.max_length} characters"
        return self.type.__name__

    def validate(self, raw: Any) -> Any:
        """Turn ``raw`` (a value or the text a user typed) into a valid value, or refuse."""
        name = self.label or self.key
        value = self._coerce(raw, name)
        too_low = self.minimum is not None and self.type is int and value < self.minimum
        too_high = self.maximum is not None and self.type is int and value > self.maximum
        if too_low or too_high:
            raise SettingError(f"{name} must be {self.describe_range()} (got {value}).")
        if self.type is str:
            if self.choices and value not in self.choices:
                raise SettingError(f"{name} must be {self.describe_range()} (got {value!r}).")
            if self.max_length is not None and len(value) > self.max_length:
                raise SettingError(
                    f"{name} must be at most {self.max_length} characters (got {len(value)})."
                )
        if self.check is not None:
            problem = self.check(value)
            if problem:
                raise SettingError(f"{name} {problem}.")
        return value

    def _coerce(self, raw: Any, name: str) -> Any:
        if self.type is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise SettingError(f"{name} must be on or off (got {raw!r}).")
        if self.type is int:
            if isinstance(raw, bool):
                raise SettingError(f"{name} must be a whole number (got {raw!r}).")
            try:
                return int(str(raw).strip()) if not isinstance(raw, int) else raw
            except ValueError:
                raise SettingError(f"{name} must be a whole number (got {raw!r}).") from None
        if raw is None:
            return ""
        return str(raw)


def _time_zone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"must be an IANA time zone such as Europe/Rome (got {value!r})"
    return None


def _project_key(value: str) -> str | None:
    if len(value) != 3 or not value.isascii() or not value.isalnum() or value != value.upper():
        return f"must be exactly 3 capital letters or digits (got {value!r})"
    return None


def _account_key(value: str) -> str | None:
    if not value.strip():
        return "must not be empty"
    return None


def _ui_language(value: str) -> str | None:
    if value and not re.fullmatch(r"[a-z]{2,3}([_-][A-Za-z]{2})?", value):
        return f"must be a language code such as en or it, or empty (got {value!r})"
    return None


def _notification_template(value: str) -> str | None:
    """Rendered on sample data, as the offer notification would be: a mistake shows now."""
    from app.templates import SAMPLE_VARIABLES, TemplateRenderError, render

    sample = {**SAMPLE_VARIABLES, "interaction": {"subject": "Order AC-123456", "language": "it"}}
    try:
        render(value, sample, name="notification_template")
    except TemplateRenderError as exc:
        return f"is not a working template: {exc}"
    return None


def _central_url(value: str) -> str | None:
    """A PostgreSQL URL without a password: the password belongs in the keyring."""
    if not value:
        return None  # standalone
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except ArgumentError:
        return f"is not a URL such as postgresql://db.example.com/relaydesk (got {value!r})"
    if url.get_backend_name() != "postgresql":
        return f"must be a PostgreSQL URL (postgresql://...), not {url.drivername}"
    if url.password:
        return "must not contain a password: it is kept in the keyring, not in settings"
    if not url.host or not url.database:
        return "needs a host and a database name, as in postgresql://db.example.com/relaydesk"
    return None


SECURITY = ("ssl", "starttls", "none")
AUTH = ("password", "xoauth2", "none")
SERVICES = ("custom", "gmail", "yahoo", "hotmail", "outlook365")

_SPECS: list[SettingSpec] = [
    # --- project: VCC "Email handling" ---
    SettingSpec(
        "key",
        "project",
        str,
        "DEF",
        "Project key used in ticket numbers.",
        "Project key",
        check=_project_key,
    ),
    SettingSpec(
        "time_zone",
        "project",
        str,
        "UTC",
        "Time zone for working hours and ticket dates.",
        "Time zone",
        check=_time_zone,
    ),
    SettingSpec(
        "new_email_list_size",
        "project",
        int,
        10,
        "How many new emails an agent is offered at once.",
        "New email list size",
        minimum=1,
        maximum=250,
    ),
    SettingSpec(
        "lock_emails_to_agents",
        "project",
        bool,
        True,
        "An accepted email disappears from other agents' lists.",
        "Lock emails to agents",
    ),
    SettingSpec(
        "change_preferred_user",
        "project",
        bool,
        False,
        "Agents and supervisors may hand an interaction to a named agent.",
        "Change preferred user",
    ),
    SettingSpec(
        "agents_create_contacts",
        "project",
        bool,
        False,
        "Agents may create and edit contacts.",
        "Enable agents to create new records",
    ),
    SettingSpec(
        "search_within_tickets",
        "project",
        bool,
        True,
        "Agents may search within tickets.",
        "Search",
    ),
    SettingSpec(
        "shared_ticket_handling",
        "project",
        bool,
        True,
        "All agents may see and handle any ticket, not only their own.",
        "Shared ticket handling",
    ),
    SettingSpec(
        "display_address",
        "project",
        bool,
        False,
        "Show the sending address to agents when they compose.",
        "Display address",
    ),
    SettingSpec(
        "display_template_cc",
        "project",
        bool,
        False,
        "Show the template's CC recipients in the composer.",
        "Display template CC recipients",
    ),
    SettingSpec(
        "display_template_bcc",
        "project",
        bool,
        False,
        "Show the template's BCC recipients in the composer.",
        "Display template BCC recipients",
    ),
    SettingSpec(
        "language_detection",
        "project",
        bool,
        True,
        "Detect the language of incoming email.",
        "Email language detection",
    ),
    SettingSpec(
        "language_queues",
        "project",
        bool,
        False,
        "Route email to the queue of its language (needs language detection).",
        "Email queue",
    ),
    SettingSpec(
        "auto_response_period_s",
        "project",
        int,
        86400,
        "At most one automatic response per sender in this many seconds.",
        "Automatic response period",
        minimum=60,
        maximum=INT32_MAX,
    ),
    SettingSpec(
        "auto_delete",
        "project",
        bool,
        False,
        "Delete emails and related tickets automatically.",
        "Automatic deletion",
    ),
    SettingSpec(
        "auto_delete_days",
        "project",
        int,
        365,
        "Days after receipt and closure before automatic deletion.",
        "Automatic deletion after (days)",
        minimum=30,
        maximum=36500,
    ),
    # --- account: XCALLY "Email Accounts" ---
    SettingSpec(
        "key",
        "account",
        str,
        "",
        "Short name shown on agents' tabs.",
        "Key",
        max_length=5,
        check=_account_key,
    ),
    SettingSpec(
        "email",
        "account",
        str,
        "",
        "The address messages come from.",
        "Email address",
        max_length=320,
    ),
    SettingSpec(
        "display_name",
        "account",
        str,
        "",
        "Sender name on outgoing mail.",
        "Display name",
        max_length=200,
    ),
    SettingSpec(
        "active",
        "account",
        bool,
        True,
        "An inactive account is neither fetched nor offered.",
        "Active",
    ),
    SettingSpec(
        "service",
        "account",
        str,
        "custom",
        "A provider preset or custom servers.",
        "Service",
        choices=SERVICES,
    ),
    SettingSpec("description", "account", str, "", "Free text.", "Description"),
    SettingSpec(
        "imap_host", "account", str, "", "IMAP server host name.", "IMAP host", max_length=255
    ),
    SettingSpec(
        "imap_port", "account", int, 993, "IMAP server port.", "IMAP port", minimum=1, maximum=65535
    ),
    SettingSpec(
        "imap_security",
        "account",
        str,
        "ssl",
        "SSL/TLS on connect, STARTTLS, or none.",
        "IMAP security",
        choices=SECURITY,
    ),
    SettingSpec(
        "imap_auth",
        "account",
        str,
        "password",
        "How to log in to IMAP.",
        "IMAP authentication",
        choices=AUTH,
    ),
    SettingSpec(
        "imap_username", "account", str, "", "IMAP login name.", "IMAP username", max_length=320
    ),
    SettingSpec(
        "imap_mailbox", "account", str, "INBOX", "The folder to fetch.", "Mailbox", max_length=255
    ),
    SettingSpec(
        "connect_timeout",
        "account",
        int,
        10,
        "Seconds to wait for the server to answer a connection.",
        "Connection timeout (sec)",
        minimum=1,
        maximum=600,
    ),
    SettingSpec(
        "auth_timeout",
        "account",
        int,
        5,
        "Seconds to wait for authentication.",
        "Authentication timeout (sec)",
        minimum=1,
        maximum=600,
    ),
    SettingSpec(
        "smtp_host", "account", str, "", "SMTP server host name.", "SMTP host", max_length=255
    ),
    SettingSpec(
        "smtp_port", "account", int, 465, "SMTP server port.", "SMTP port", minimum=1, maximum=65535
    ),
    SettingSpec(
        "smtp_security",
        "account",
        str,
        "ssl",
        "SSL/TLS on connect, STARTTLS, or none.",
        "SMTP security",
        choices=SECURITY,
    ),
    SettingSpec(
        "smtp_auth",
        "account",
        str,
        "password",
        "How to log in to SMTP.",
        "SMTP authentication",
        choices=AUTH,
    ),
    SettingSpec(
        "smtp_username", "account", str, "", "SMTP login name.", "SMTP username", max_length=320
    ),
    SettingSpec(
        "mark_as_unread",
        "account",
        bool,
        False,
        "Agents may mark interactions unread.",
        "Mark as unread",
    ),
    SettingSpec(
        "wait_for_agent",
        "account",
        int,
        10,
        "Seconds a new message waits for the agent already handling the interaction.",
        "Wait for the assigned agent",
        minimum=1,
        maximum=2147483,
    ),
    SettingSpec(
        "wait_for_queue",
        "account",
        int,
        10,
        "Seconds a new message then waits in that agent's queue.",
        "Wait for the assigned queue",
        minimum=1,
        maximum=2147483,
    ),
    SettingSpec(
        "transfer_to_queue",
        "account",
        bool,
        True,
        "Agents may transfer to a queue.",
        "Transfer to queue",
    ),
    SettingSpec(
        "transfer_to_queue_timeout",
        "account",
        int,
        300,
        "Seconds a transfer to a queue waits before returning as unread.",
        "Queue transfer timeout",
        minimum=1,
        maximum=2147483,
    ),
    SettingSpec(
        "transfer_to_agent",
        "account",
        bool,
        True,
        "Agents may transfer to an agent.",
        "Transfer to agent",
    ),
    SettingSpec(
        "transfer_to_agent_timeout",
        "account",
        int,
        300,
        "Seconds a transfer to an agent waits before returning as unread.",
        "Agent transfer timeout",
        minimum=1,
        maximum=2147483,
    ),
    SettingSpec(
        "mandatory_disposition",
        "account",
        bool,
        False,
        "An interaction cannot be closed without a disposition.",
        "Mandatory disposition",
    ),
    SettingSpec(
        "pause_while_disposing",
        "account",
        bool,
        False,
        "Pause the agent while they choose a disposition.",
        "Pause while disposing",
    ),
    SettingSpec(
        "notification_sound",
        "account",
        bool,
        True,
        "Play a sound on new work.",
        "Notification sound",
    ),
    SettingSpec(
        "notification_shake",
        "account",
        bool,
        False,
        "Shake the window on new work.",
        "Notification shake",
    ),
    SettingSpec(
        "notification_template",
        "account",
        str,
        "",
        "What the new-work notification says, e.g. {{ customer.name }}: "
        "{{ interaction.subject }} (empty: the customer and the subject).",
        "Notification text",
        max_length=1000,
        check=_notification_template,
    ),
    # --- global ---
    SettingSpec(
        "thread_subject_window_days",
        "global",
        int,
        14,
        "How long a reply without threading headers may join a conversation by subject and sender.",
        "Subject threading window (days)",
        minimum=0,
        maximum=365,
    ),
    SettingSpec(
        "fetch_batch_size",
        "global",
        int,
        200,
        "Messages fetched and stored per transaction.",
        "Fetch batch size",
        minimum=1,
        maximum=5000,
    ),
    SettingSpec(
        "full_check_minutes",
        "global",
        int,
        15,
        "How often to compare all UIDs with the server (removed messages; flags too "
        "where it lacks CONDSTORE).",
        "Full check interval (min)",
        minimum=1,
        maximum=1440,
    ),
    SettingSpec(
        "undo_send_seconds",
        "global",
        int,
        10,
        "How long a sent reply waits, and can be undone, before it leaves.",
        "Undo send window (sec)",
        minimum=0,
        maximum=120,
    ),
    *(
        SettingSpec(
            f"oauth_{provider}_{part}",
            "global",
            str,
            "",
            f"{what} for {label} sign-in (empty: the provider's public endpoint).",
            f"{label} OAuth {what.lower()}",
            max_length=500,
        )
        for provider, label in (("microsoft", "Microsoft 365"), ("google", "Gmail"))
        for part, what in (
            ("client_id", "Client id"),
            ("authorize_url", "Authorization URL"),
            ("token_url", "Token URL"),
        )
    ),
    SettingSpec(
        "central_url",
        "global",
        str,
        "",
        "The team's central PostgreSQL database (empty: this store stands alone); its "
        "password is kept in the keyring.",
        "Central database URL",
        max_length=500,
        check=_central_url,
    ),
    SettingSpec(
        "run_team_worker",
        "global",
        bool,
        False,
        "In team mode, also run the team's mail worker on this computer (a supervisor's "
        "desktop that is the worker host): it fetches, sends and applies operations with "
        "the central URL's role, and keeps the mailbox passwords in this computer's keyring.",
        "Run the team's mail worker here",
    ),
    SettingSpec(
        "sync_interval_seconds",
        "global",
        int,
        60,
        "Pull from the central database at least this often, even without a change notice.",
        "Pull interval (sec)",
        minimum=5,
        maximum=3600,
    ),
    SettingSpec(
        "idle_renew_seconds",
        "global",
        int,
        600,
        "Renew IMAP IDLE this often (servers drop it after 30 minutes).",
        "IDLE renewal (sec)",
        minimum=30,
        maximum=1740,
    ),
    SettingSpec(
        "imap_poll_seconds",
        "global",
        int,
        30,
        "Look for new mail this often on a server without IMAP IDLE.",
        "Poll without IDLE (sec)",
        minimum=5,
        maximum=3600,
    ),
    SettingSpec(
        "language",
        "global",
        str,
        "",
        "The language of the window (empty: the system's).",
        "Language",
        max_length=10,
        check=_ui_language,
    ),
]

REGISTRY: dict[tuple[Scope, str], SettingSpec] = {(s.scope, s.key): s for s in _SPECS}


def spec(scope: Scope, key: str) -> SettingSpec:
    try:
        return REGISTRY[(scope, key)]
    except KeyError:
        known = ", ".join(sorted(k for sc, k in REGISTRY if sc == scope))
        raise UserError(f"There is no {scope} setting {key!r}; known: {known}.") from None


def specs(scope: Scope) -> list[SettingSpec]:
    return [s for s in _SPECS if s.scope == scope]


def validate(scope: Scope, key: str, raw: Any) -> Any:
    return spec(scope, key).validate(raw)


def apply_to_row(row: Project | EmailAccount, scope: Scope, values: dict[str, Any]) -> None:
    """Validate every value first, then set them: a refused value changes nothing."""
    checked = {key: validate(scope, key, raw) for key, raw in values.items()}
    for key, value in checked.items():
        setattr(row, key, value)


def get_value(session: Session, scope: Scope, key: str, scope_id: uuid.UUID = NIL_ID) -> Any:
    """The stored value, else IT's preset, else the default; a locked preset always wins."""
    entry = spec(scope, key)
    preset = policy.current().settings.get(key) if scope == "global" else None
    if scope == "global" and key in policy.current().locked:
        return preset if preset is not None else entry.default
    value = session.execute(
        select(Setting.value).where(
            Setting.scope == scope,
            Setting.scope_id == scope_id,
            Setting.key == key,
            Setting.deleted_at.is_(None),
        )
    ).scalar()
    if value is None:
        return preset if preset is not None else entry.default
    return value["v"]


def set_value(
    session: Session, scope: Scope, key: str, raw: Any, scope_id: uuid.UUID = NIL_ID
) -> Any:
    if scope == "global" and key in policy.current().locked:
        raise SettingError(f"{spec(scope, key).label or key} is locked by your IT policy.")
    value = validate(scope, key, raw)
    row = session.execute(
        select(Setting).where(
            Setting.scope == scope, Setting.scope_id == scope_id, Setting.key == key
        )
    ).scalar()
    if row is None:
        session.add(Setting(scope=scope, scope_id=scope_id, key=key, value={"v": value}))
    else:
        row.value = {"v": value}
        row.deleted_at = None
    return value
