"""The mail worker inside the desktop, for standalone mode (no central database).

It runs app.worker on its own thread and its own store connection, so fetching and
sending go on while the window stays responsive; closing the window stops it. In team mode
(a central database is configured) it does nothing: the team's worker fetches and sends into
the central database, and the desk only pulls (app/services/team.py).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from app import worker
from app.context import AppContext, open_local
from app.mail.fetcher import load_options
from app.services.sync import resolve_central

log = logging.getLogger("ui")


class BackgroundWorker:
    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats: worker.WorkerStats | None = None
        self.error: str = ""
        self.team_mode = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mail-worker", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        ctx: AppContext | None = None
        try:
            ctx = open_local(self._data_dir)
            if resolve_central(ctx.store) is not None:
                self.team_mode = True
                log.info("team mode: the central database's worker fetches and sends")
                return
            self.stats = worker.run(ctx, load_options(ctx), self._stop)
        except Exception as exc:  # the window must live on; the status bar shows this
            self.error = str(exc)
            log.exception("the background mail worker stopped")
        finally:
            if ctx is not None:
                ctx.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
