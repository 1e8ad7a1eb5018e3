"""The kinds of failure the app reports, each with a sentence a person can act on."""

from __future__ import annotations


class RelaydeskError(Exception):
    """An expected failure: shown as one line, never as a traceback."""


class UserError(RelaydeskError):
    """Bad input or a refused request (unknown account, out-of-range setting)."""


class ConfigError(RelaydeskError):
    """The installation or configuration cannot work as it is (no keyring, bad store)."""


class ServerError(RelaydeskError):
    """A mail or database server is down, slow or answered with an error: retry later."""


class AuthError(ServerError):
    """A server refused our credentials."""
