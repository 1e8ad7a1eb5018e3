"""Mail ingest and parsing: IMAP fetch, MIME parsing, threading, language."""
