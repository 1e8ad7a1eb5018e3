"""``python -m app``: the same as the ``relaydesk`` command."""

from __future__ import annotations

import sys

from app.cli import main

sys.exit(main())
