"""Relaydesk: shared email mailboxes worked like a voice queue."""

__version__ = "0.1.0"
