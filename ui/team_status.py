"""Team mode in the window: the link's status line and first-sync bar, the offline banner, and
the notice of an operation the central database refused.

The link (app/services/team.py) runs on its own thread and calls back there; ``TeamBridge``
lives on the GUI thread and re-emits each call as a Qt signal, so the widgets here only ever
see plain values on the GUI thread and never do I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QToolButton,
    QWidget,
)

from app.services.operations import OpResult
from app.services.team import TeamStatus

# Amber with dark text: the same in light and dark palettes, and readable in both.
BANNER_STYLE = (
    "QFrame#team_offline_banner { background: #f6c344; border: 1px solid #c8961e; }"
    "QFrame#team_offline_banner QLabel { color: #2b2100; }"
)


class TeamBridge(QObject):
    """Created on the GUI thread; its emits from the link's thread arrive queued."""

    status_changed = Signal(object)  # TeamStatus
    settled = Signal(object)  # list[OpResult]

    def on_link_status(self, status: TeamStatus) -> None:
        self.status_changed.emit(status)

    def on_link_settled(self, results: list[OpResult]) -> None:
        self.settled.emit(list(results))


def operations_text(count: int) -> str:
    if count == 1:
        return QCoreApplication.translate("TeamStatus", "1 operation")
    return QCoreApplication.translate("TeamStatus", "{count} operations").format(count=count)


def others_text(status: TeamStatus) -> str:
    """Other agents' operations waiting here ("" when none): a count, their names go in
    the tooltip (``others_tooltip``) so the line stays short."""
    count = sum(n for _name, n in status.others)
    if not count:
        return ""
    return QCoreApplication.translate("TeamStatus", "{operations} of other agents waiting").format(
        operations=operations_text(count)
    )


def others_tooltip(status: TeamStatus) -> str:
    """Whose operations wait in this desk's outbox, and for what: their agent's sign-in."""
    if not status.others:
        return ""
    lines = [
        QCoreApplication.translate(
            "TeamStatus", "Waiting in this desk's outbox until their agent signs in here again:"
        )
    ]
    for name, count in status.others:
        who = name or QCoreApplication.translate("TeamStatus", "an agent this desk does not know")
        lines.append(f"{who}: {operations_text(count)}")
    return "\n".join(lines)


def status_text(status: TeamStatus) -> str:
    """The status bar's line for the link."""
    others = others_text(status)
    line = _link_text(status)
    return f"{line} · {others}" if others and status.first_sync is None else line


def _link_text(status: TeamStatus) -> str:
    if status.first_sync is not None:
        return QCoreApplication.translate("TeamStatus", "Synchronising… {percent}%").format(
            percent=first_sync_percent(status.first_sync)
        )
    if not status.contacted:
        return QCoreApplication.translate("TeamStatus", "Connecting to the central database…")
    if status.upgrade == "central":
        return QCoreApplication.translate("TeamStatus", "The central database needs upgrading")
    if status.upgrade == "desk":
        return QCoreApplication.translate("TeamStatus", "This desk needs upgrading")
    if not status.online:
        return QCoreApplication.translate("TeamStatus", "Offline · {operations} waiting").format(
            operations=operations_text(status.pending)
        )
    parts = [QCoreApplication.translate("TeamStatus", "Central database connected")]
    if status.last_pull_at is not None:
        parts.append(
            QCoreApplication.translate("TeamStatus", "synced {time}").format(
                time=status.last_pull_at.astimezone().strftime("%H:%M")
            )
        )
    if status.pending:
        parts.append(
            QCoreApplication.translate("TeamStatus", "{operations} pending").format(
                operations=operations_text(status.pending)
            )
        )
    return " · ".join(parts)


def first_sync_percent(progress: tuple[int, int]) -> int:
    done, total = progress
    return min(100, done * 100 // total) if total else 0


def offline_text(pending: int) -> str:
    if pending == 0:
        return QCoreApplication.translate(
            "TeamStatus",
            "Offline — working from this computer's copy; changes will be sent when the "
            "central database is back",
        )
    return QCoreApplication.translate(
        "TeamStatus",
        "Offline — {operations} waiting to be sent; they will go when the central database is back",
    ).format(operations=operations_text(pending))


def upgrade_text(status: TeamStatus) -> str:
    """The banner's sentence when the schemas differ: which side to upgrade, and why."""
    if status.upgrade == "desk":
        return QCoreApplication.translate(
            "TeamStatus",
            "This desk needs upgrading: the central database is at a newer schema than this "
            "Relaydesk; install the new version. Until then it works from this computer's copy.",
        )
    return QCoreApplication.translate(
        "TeamStatus", "The central database needs upgrading: {error}"
    ).format(error=status.last_error)


class TeamStatusWidget(QWidget):
    """A permanent status-bar widget: the link's line, and a progress bar in a first sync."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("team_status")
        self.label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.progress)

    def show_status(self, status: TeamStatus) -> None:
        self.label.setText(status_text(status))
        tips = [status.last_error, others_tooltip(status)]
        self.label.setToolTip("\n\n".join(tip for tip in tips if tip))
        if status.first_sync is not None:
            self.progress.setValue(first_sync_percent(status.first_sync))
            self.progress.show()
        else:
            self.progress.hide()
        font = self.label.font()
        font.setBold(status.contacted and (not status.online or bool(status.upgrade)))
        self.label.setFont(font)


class OfflineBanner(QFrame):
    """A coloured strip above the list while the central database cannot be reached."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("team_offline_banner")
        self.setStyleSheet(BANNER_STYLE)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text, 1)
        self.hide()

    def show_status(self, status: TeamStatus) -> None:
        if status.contacted and status.upgrade:
            # Not "offline": the server answered, and no wait brings the link back.
            self.text.setText(upgrade_text(status))
            self.setToolTip(status.last_error)
            self.show()
        elif status.contacted and not status.online:
            self.text.setText(offline_text(status.pending))
            self.setToolTip(status.last_error)
            self.show()
        else:
            self.hide()

    def show_error(self, error: str) -> None:
        """Team mode could not start at all: the desk works from its local copy."""
        self.text.setText(
            QCoreApplication.translate("TeamStatus", "Team mode is not available: {error}").format(
                error=error
            )
        )
        self.setToolTip(error)
        self.show()


class RejectionBar(QFrame):
    """A non-modal notice: an operation made here was refused centrally, and why."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("team_rejection_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("×")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setToolTip(self.tr("Dismiss"))
        self.dismiss_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.dismiss_button)
        self.hide()

    def show_rejected(self, results: Sequence[OpResult]) -> None:
        rejected = [r for r in results if not r.applied]
        if not rejected:
            return
        text = self.tr("The central database refused an operation: {reason}").format(
            reason=rejected[-1].reason
        )
        if len(rejected) > 1:
            text += " " + self.tr("({count} refused)").format(count=len(rejected))
        self.text.setText(text)
        self.show()
