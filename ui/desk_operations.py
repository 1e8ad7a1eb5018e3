"""Where the desk's operations go: applied to the local store, or sent to the central database.

Standalone, an operation is applied in a task (``app.services.operations.apply``). In team
mode it is kept in the outbox and pushed by the link (``TeamLink.submit``); its outcome comes
back when the central database has applied or refused it, its effect pulled in the same tick.
Either way the panel gets one ``OpResult`` per call through the same callback, so the agent
desk and every panel under it, and the state selector, share this one object and never ask
which mode they are in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject

from app.context import AppContext
from app.services.operations import Operation, OpResult, apply
from app.services.team import TeamLink
from ui.tasks import TaskRunner

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]
Then = Callable[[OpResult], Any]


class DeskOperations(QObject):
    """Runs operations for the desk's panels, standalone or in team mode (``set_team_link``)."""

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._team: TeamLink | None = None
        # Team mode: what to do with each outcome when it settles (``on_settled``).
        self._awaiting: dict[uuid.UUID, Callable[[OpResult], None]] = {}

    def set_team_link(self, link: TeamLink | None) -> None:
        """Team mode (a link) or standalone (None)."""
        self._team = link

    @property
    def team_link(self) -> TeamLink | None:
        return self._team

    @property
    def awaiting(self) -> int:
        """Operations submitted here whose outcome has not come back yet."""
        return len(self._awaiting)

    def awaited_ids(self) -> tuple[uuid.UUID, ...]:
        """The operations submitted here whose outcome has not come back yet."""
        return tuple(self._awaiting)

    def run(
        self,
        ctx: AppContext,
        ops: Operation | Sequence[Operation],
        done: Done,
        failed: Failed,
        *,
        then: Then | None = None,
    ) -> bool:
        """Apply ``ops`` in order; ``done`` gets each outcome (after ``then``, if given).

        ``then`` is follow-up work on the local store once an outcome is known (discard the
        sent draft, say); it runs in a task and ``done`` gets what it returns. Standalone,
        several operations stop at the first refusal and ``done`` hears only the last one; in
        team mode the central database applies them all in the order made and ``done`` hears
        each. Returns True when the operations were queued for the central database (the
        caller may say so), False when they are applied here.
        """
        batch = [ops] if isinstance(ops, Operation) else list(ops)
        if not batch:
            return False
        link = self._team
        if link is None:
            self._tasks.op(lambda: _apply_all(ctx, batch, then), done, failed)
            return False
        for op in batch:
            self._awaiting[op.op_id] = self._settler(ctx, done, failed, then)

        def submit_all() -> None:
            for op in batch:
                link.submit(op)

        self._tasks.op(
            submit_all, lambda _none: None, lambda exc: self._not_queued(batch, exc, failed)
        )
        return True

    def _settler(
        self, ctx: AppContext, done: Done, failed: Failed, then: Then | None
    ) -> Callable[[OpResult], None]:
        if then is None:
            return done
        return lambda outcome: self._tasks.op(lambda: then(outcome), done, failed)

    def _not_queued(self, batch: Sequence[Operation], error: BaseException, failed: Failed) -> None:
        for op in batch:
            self._awaiting.pop(op.op_id, None)
        failed(error)

    def on_settled(self, results: Sequence[OpResult]) -> None:
        """Outcomes from the central database (the window hands on the link's batches)."""
        for result in results:
            settle = self._awaiting.pop(result.op_id, None)
            if settle is not None:
                settle(result)


def _apply_all(ctx: AppContext, batch: Sequence[Operation], then: Then | None) -> Any:
    # One after another, in order; the first refusal stops the rest and is the answer.
    outcome: OpResult | None = None
    for op in batch:
        outcome = apply(ctx.store, op, blobs=ctx.blobs)
        if not outcome.applied:
            break
    assert outcome is not None
    return then(outcome) if then is not None else outcome
