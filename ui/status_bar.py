"""The status bar's mail-health line: mailboxes fetching or failing, and the outbox."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QWidget

from app.services.health import MailHealth


def describe(health: MailHealth, worker_error: str = "") -> tuple[str, bool]:
    """The line and whether it is a problem (shown in the palette's warning colour)."""
    parts: list[str] = []
    problem = False
    if worker_error:
        parts.append(
            QCoreApplication.translate("MailHealthLabel", "Mail worker stopped: {error}").format(
                error=worker_error
            )
        )
        problem = True
    failing = health.failing
    if failing:
        first = failing[0]
        parts.append(
            QCoreApplication.translate("MailHealthLabel", "{account}: {error}").format(
                account=first.name, error=first.error
            )
        )
        if len(failing) > 1:
            parts.append(
                QCoreApplication.translate(
                    "MailHealthLabel", "{count} more mailboxes failing"
                ).format(count=len(failing) - 1)
            )
        problem = True
    elif health.accounts:
        fetched = [a.last_fetch_at for a in health.accounts if a.last_fetch_at is not None]
        if len(fetched) < len(health.accounts):
            parts.append(
                QCoreApplication.translate("MailHealthLabel", "Connecting to the mailboxes…")
            )
        elif stale := health.stale():
            parts.append(
                QCoreApplication.translate(
                    "MailHealthLabel", "{account}: no fetch for over 15 minutes"
                ).format(account=stale[0].name)
            )
            problem = True
        else:
            last = min(fetched).astimezone().strftime("%H:%M")
            parts.append(
                QCoreApplication.translate(
                    "MailHealthLabel", "Mailboxes connected · fetched {time}"
                ).format(time=last)
            )
    if health.outbox_waiting:
        parts.append(
            QCoreApplication.translate("MailHealthLabel", "Outbox: {count} waiting").format(
                count=health.outbox_waiting
            )
        )
    if health.outbox_failed or health.outbox_uncertain:
        parts.append(
            QCoreApplication.translate("MailHealthLabel", "Outbox: {count} need attention").format(
                count=health.outbox_failed + health.outbox_uncertain
            )
        )
        problem = True
    return " · ".join(parts), problem


class MailHealthLabel(QLabel):
    """A permanent status-bar widget; fed by the window's poll, never does I/O itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problem = False
        self.setObjectName("mailHealth")

    def show_health(self, health: MailHealth, worker_error: str = "") -> None:
        text, problem = describe(health, worker_error)
        self.problem = problem
        self.setText(text)
        fetching = self.tr("fetching")
        self.setToolTip("\n".join(f"{a.name}: {a.error or fetching}" for a in health.accounts))
        # Bold rather than a colour of our own: readable in light and dark palettes alike.
        font = self.font()
        font.setBold(problem)
        self.setFont(font)
