"""Mailbox passwords and tokens in the OS keyring, never in the store, logs or config."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from app.errors import ConfigError

log = logging.getLogger("secrets")

SERVICE = "relaydesk"


def _entry(account_id: uuid.UUID, purpose: str) -> str:
    return f"account/{account_id}/{purpose}"


def _unavailable(exc: Exception) -> ConfigError:
    return ConfigError(
        "No usable keyring to keep mailbox passwords in "
        f"({type(exc).__name__}: {exc}). On a server without one, set PYTHON_KEYRING_BACKEND "
        "(for example keyrings.alt.file.PlaintextKeyring for a file only this user can read)."
    )


def set_secret(account_id: uuid.UUID, purpose: str, value: str) -> None:
    try:
        keyring.set_password(SERVICE, _entry(account_id, purpose), value)
    except (NoKeyringError, KeyringError, RuntimeError) as exc:
        raise _unavailable(exc) from exc


# systemd hands a service its credentials as files in $CREDENTIALS_DIRECTORY; the unit in
# packaging/ loads /etc/relaydesk/credentials as a directory, which prefixes each name with
# "relaydesk_". A credential wins over the keyring and is read-only: nothing writes it back.
CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"
CREDENTIAL_PREFIX = "relaydesk_"


def credential_name(account_id: uuid.UUID, purpose: str) -> str:
    """The file name IT gives an account's secret among the worker's systemd credentials."""
    return f"{account_id}.{purpose}"


def _credential(account_id: uuid.UUID, purpose: str) -> str | None:
    folder = os.environ.get(CREDENTIALS_ENV)
    if not folder:
        return None
    name = credential_name(account_id, purpose)
    for candidate in (CREDENTIAL_PREFIX + name, name):
        try:
            text = (Path(folder) / candidate).read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Cannot read the credential {candidate} in {folder}: {exc}") from exc
        # `echo secret > file` adds a newline that is not part of the password.
        return text[:-1] if text.endswith("\n") else text
    return None


def get_secret(account_id: uuid.UUID, purpose: str) -> str | None:
    from_credentials = _credential(account_id, purpose)
    if from_credentials is not None:
        return from_credentials
    try:
        return keyring.get_password(SERVICE, _entry(account_id, purpose))
    except (NoKeyringError, KeyringError, RuntimeError) as exc:
        raise _unavailable(exc) from exc


def delete_secret(account_id: uuid.UUID, purpose: str) -> None:
    try:
        keyring.delete_password(SERVICE, _entry(account_id, purpose))
    except PasswordDeleteError:
        pass  # nothing stored: nothing to forget
    except (NoKeyringError, KeyringError, RuntimeError) as exc:
        log.warning("could not remove a %s secret from the keyring: %s", purpose, exc)


# Windows' credential store caps a secret at 2,560 bytes and OAuth refresh tokens can be
# longer: large values are kept as numbered chunks under one header entry.
CHUNK = 1000


def set_large_secret(account_id: uuid.UUID, purpose: str, value: str) -> None:
    delete_large_secret(account_id, purpose)
    chunks = [value[i : i + CHUNK] for i in range(0, len(value), CHUNK)] or [""]
    for index, chunk in enumerate(chunks):
        set_secret(account_id, f"{purpose}#{index}", chunk)
    set_secret(account_id, purpose, f"chunks:{len(chunks)}")


def get_large_secret(account_id: uuid.UUID, purpose: str) -> str | None:
    header = get_secret(account_id, purpose)
    if header is None or not header.startswith("chunks:"):
        return header
    parts = []
    for index in range(int(header.split(":", 1)[1])):
        part = get_secret(account_id, f"{purpose}#{index}")
        if part is None:
            return None  # a half-written value is no value
        parts.append(part)
    return "".join(parts)


def delete_large_secret(account_id: uuid.UUID, purpose: str) -> None:
    header = get_secret(account_id, purpose)
    if header is not None and header.startswith("chunks:"):
        for index in range(int(header.split(":", 1)[1])):
            delete_secret(account_id, f"{purpose}#{index}")
    delete_secret(account_id, purpose)
