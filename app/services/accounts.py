"""Projects and email accounts: create, list, remove, and the provider presets."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import secrets
from app.errors import UserError
from app.settings import apply_to_row, validate
from storage.engine import Store
from storage.models import EmailAccount, Event, Project, Queue, utcnow

DEFAULT_PROJECT_NAME = "Default"
DEFAULT_PROJECT_KEY = "DEF"
DEFAULT_QUEUE_NAME = "Default"

# host, port, security for IMAP then SMTP; "custom" takes them from the user
PRESETS: dict[str, tuple[tuple[str, int, str], tuple[str, int, str]]] = {
    "gmail": (("imap.gmail.com", 993, "ssl"), ("smtp.gmail.com", 465, "ssl")),
    "yahoo": (("imap.mail.yahoo.com", 993, "ssl"), ("smtp.mail.yahoo.com", 465, "ssl")),
    "hotmail": (("outlook.office365.com", 993, "ssl"), ("smtp-mail.outlook.com", 587, "starttls")),
    "outlook365": (("outlook.office365.com", 993, "ssl"), ("smtp.office365.com", 587, "starttls")),
}
DEFAULT_PORTS = {
    ("imap", "ssl"): 993,
    ("imap", "starttls"): 143,
    ("imap", "none"): 143,
    ("smtp", "ssl"): 465,
    ("smtp", "starttls"): 587,
    ("smtp", "none"): 25,
}
# Providers that file what we send in Sent themselves: appending would make a second copy.
PROVIDERS_SAVING_SENT = {"gmail", "outlook365", "hotmail"}

_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$|^[^@\s]+@localhost$")


@dataclass(frozen=True)
class ProjectInfo:
    id: uuid.UUID
    name: str
    key: str
    time_zone: str


@dataclass(frozen=True)
class AccountInfo:
    id: uuid.UUID
    name: str
    key: str
    email: str
    project: str
    active: bool
    service: str
    imap_host: str | None
    imap_port: int | None
    imap_security: str
    imap_username: str
    imap_mailbox: str
    smtp_host: str | None
    smtp_port: int | None
    smtp_security: str
    smtp_username: str

    @property
    def inbound(self) -> bool:
        return bool(self.imap_host)

    @property
    def outbound(self) -> bool:
        return bool(self.smtp_host)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "key": self.key,
            "email": self.email,
            "project": self.project,
            "active": self.active,
            "service": self.service,
            "inbound": self.inbound,
            "outbound": self.outbound,
            "imap": {
                "host": self.imap_host,
                "port": self.imap_port,
                "security": self.imap_security,
                "username": self.imap_username,
                "mailbox": self.imap_mailbox,
            }
            if self.inbound
            else None,
            "smtp": {
                "host": self.smtp_host,
                "port": self.smtp_port,
                "security": self.smtp_security,
                "username": self.smtp_username,
            }
            if self.outbound
            else None,
        }


def _project_info(p: Project) -> ProjectInfo:
    return ProjectInfo(p.id, p.name, p.key, p.time_zone)


def _account_info(a: EmailAccount, project: Project) -> AccountInfo:
    return AccountInfo(
        a.id,
        a.name,
        a.key,
        a.email,
        project.name,
        a.active,
        a.service,
        a.imap_host,
        a.imap_port,
        a.imap_security,
        a.imap_username,
        a.imap_mailbox,
        a.smtp_host,
        a.smtp_port,
        a.smtp_security,
        a.smtp_username,
    )


def _create_project(session: Session, name: str, key: str, time_zone: str) -> Project:
    if not name.strip():
        raise UserError("A project needs a name.")
    key = validate("project", "key", key)
    time_zone = validate("project", "time_zone", time_zone)
    if session.execute(select(Project).where(Project.name == name)).scalar():
        raise UserError(f"A project named {name!r} already exists.")
    if session.execute(select(Project).where(Project.key == key)).scalar():
        raise UserError(f"The project key {key!r} is already used by another project.")
    project = Project(name=name, key=key, time_zone=time_zone)
    session.add(project)
    session.flush()
    # Every project has a default queue: unmatched languages and plain routing land there.
    session.add(Queue(project_id=project.id, name=DEFAULT_QUEUE_NAME, is_default=True))
    session.add(Event(kind="project.add", data={"project": str(project.id), "name": name}))
    return project


def add_project(store: Store, name: str, key: str, time_zone: str = "UTC") -> ProjectInfo:
    with store.write() as session:
        return _project_info(_create_project(session, name, key, time_zone))


def list_projects(store: Store) -> list[ProjectInfo]:
    with store.read() as session:
        rows = session.execute(
            select(Project).where(Project.deleted_at.is_(None)).order_by(Project.name)
        ).scalars()
        return [_project_info(p) for p in rows]


def find_project(session: Session, name_or_key: str) -> Project:
    project = session.execute(
        select(Project).where(
            (Project.name == name_or_key) | (Project.key == name_or_key),
            Project.deleted_at.is_(None),
        )
    ).scalar()
    if project is None:
        raise UserError(f"There is no project named {name_or_key!r}.")
    return project


def default_project(session: Session) -> Project:
    project = session.execute(
        select(Project).where(Project.key == DEFAULT_PROJECT_KEY, Project.deleted_at.is_(None))
    ).scalar()
    if project is None:
        project = _create_project(session, DEFAULT_PROJECT_NAME, DEFAULT_PROJECT_KEY, "UTC")
    return project


def find_account(session: Session, name: str) -> EmailAccount:
    account = session.execute(
        select(EmailAccount).where(EmailAccount.name == name, EmailAccount.deleted_at.is_(None))
    ).scalar()
    if account is None:
        raise UserError(f"There is no email account named {name!r}.")
    return account


def _derive_key(name: str) -> str:
    letters = "".join(ch for ch in name.upper() if ch.isalnum())
    return (letters or "MAIL")[:5]


def check_address(address: str) -> str:
    address = address.strip()
    if not _ADDRESS.match(address):
        raise UserError(f"{address!r} is not an email address.")
    return address


def add_account(
    store: Store,
    *,
    name: str,
    email: str,
    username: str,
    password: str | None = None,
    project: str | None = None,
    **fields: Any,
) -> AccountInfo:
    """Store an account without connecting; the password goes to the keyring only.

    ``fields`` as ``create_account`` takes them (service, key, hosts, ports, settings…).
    """
    with store.write() as session:
        info = create_account(
            session, name=name, email=email, username=username, project=project, **fields
        )
        session.add(Event(kind="account.add", data={"account": str(info.id), "name": name}))
    if password is not None:
        secrets.set_secret(info.id, "password", password)
    return info


def create_account(
    session: Session,
    /,
    *,
    name: str,
    email: str,
    username: str,
    project: str | None = None,
    service: str = "custom",
    key: str | None = None,
    display_name: str = "",
    imap_host: str | None = None,
    imap_port: int | None = None,
    imap_security: str = "ssl",
    imap_mailbox: str = "INBOX",
    smtp_host: str | None = None,
    smtp_port: int | None = None,
    smtp_security: str = "ssl",
    **settings: Any,
) -> AccountInfo:
    """The rules for a new account, inside the caller's transaction (no audit event, and
    no secret: those stay with the caller, for the keyring of the host that fetches)."""
    if not name.strip():
        raise UserError("An email account needs a name.")
    email = check_address(email)
    service = validate("account", "service", service)
    if service != "custom":
        (ih, ip, isec), (sh, sp, ssec) = PRESETS[service]
        imap_host, imap_port, imap_security = imap_host or ih, imap_port or ip, isec
        smtp_host, smtp_port, smtp_security = smtp_host or sh, smtp_port or sp, ssec
    if not imap_host and not smtp_host:
        raise UserError(
            f"Email account {name!r} needs an IMAP host, an SMTP host, or a service preset."
        )
    values: dict[str, Any] = {
        "key": key if key is not None else _derive_key(name),
        "email": email,
        "display_name": display_name,
        "service": service,
        "imap_username": username,
        "smtp_username": username,
        "imap_security": imap_security,
        "smtp_security": smtp_security,
        "imap_mailbox": imap_mailbox,
        **settings,
    }
    if imap_host:
        values["imap_host"] = imap_host
        values["imap_port"] = imap_port or DEFAULT_PORTS[("imap", imap_security)]
    if smtp_host:
        values["smtp_host"] = smtp_host
        values["smtp_port"] = smtp_port or DEFAULT_PORTS[("smtp", smtp_security)]
    if session.execute(
        select(EmailAccount).where(EmailAccount.name == name, EmailAccount.deleted_at.is_(None))
    ).scalar():
        raise UserError(f"An email account named {name!r} already exists.")
    proj = find_project(session, project) if project else default_project(session)
    account = EmailAccount(name=name, project_id=proj.id, email=email, key=values["key"])
    apply_to_row(account, "account", values)
    account.provider_saves_sent = service in PROVIDERS_SAVING_SENT
    # Whole seconds: mail dates (Date, INTERNALDATE) have no finer grain.
    account.service_start_at = utcnow().replace(microsecond=0)
    session.add(account)
    session.flush()
    return _account_info(account, proj)


def list_accounts(store: Store) -> list[AccountInfo]:
    with store.read() as session:
        rows = session.execute(
            select(EmailAccount, Project)
            .join(Project, Project.id == EmailAccount.project_id)
            .where(EmailAccount.deleted_at.is_(None))
            .order_by(EmailAccount.name)
        ).all()
        return [_account_info(a, p) for a, p in rows]


def get_account(store: Store, name: str) -> AccountInfo:
    with store.read() as session:
        account = find_account(session, name)
        project = session.get(Project, account.project_id)
        assert project is not None
        return _account_info(account, project)


def remove_account(store: Store, name: str, *, actor: uuid.UUID | None = None) -> None:
    """Tombstone the account (its interactions stay for reports) and forget its secrets.

    Supervisors in the admin pages go through the ``remove_account`` operation
    (app/services/staffing.py), which checks the role.
    """
    with store.write() as session:
        account_id = tombstone_account(session, name)
        session.add(
            Event(
                kind="account.remove",
                actor_id=actor,
                data={"account": str(account_id), "name": name},
            )
        )
    forget_account_secrets(account_id)


def tombstone_account(session: Session, name: str) -> uuid.UUID:
    """The rules for removing an account, inside the caller's transaction; its id."""
    account = find_account(session, name)
    account.deleted_at = utcnow()
    account.active = False
    # Free the name for a new account while the tombstone keeps the row's history
    # (cut so the suffix still fits the 200 characters of the column).
    account.name = f"{account.name[:150]} (removed {account.id})"
    for project in session.execute(
        select(Project).where(Project.default_sender_account_id == account.id)
    ).scalars():
        project.default_sender_account_id = None  # agents must not be offered a ghost
    return account.id


def forget_account_secrets(account_id: uuid.UUID) -> None:
    """Drop a removed account's passwords and tokens from this machine's keyring."""
    for purpose in ("password", "smtp_password"):
        secrets.delete_secret(account_id, purpose)
    secrets.delete_large_secret(account_id, "oauth")
