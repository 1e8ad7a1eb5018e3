"""Telling the agent about new offers: a bar in the window, the tray, a sound, a shake.

The in-window bar always shows; the tray (and through it the desktop's notifications) only
where the platform has one; sound and shake as the offer's account says. The words come from
the account's notification template (app/services/notices.py), or a default sentence.
"""

from __future__ import annotations

import importlib.resources
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractAnimation,
    QEasingCurve,
    QObject,
    QPoint,
    QPropertyAnimation,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QSystemTrayIcon,
    QToolButton,
    QWidget,
)

from app.context import AppContext
from app.services.notices import OfferNotice, Offers, offers_for
from ui.tasks import TaskRunner

log = logging.getLogger("ui")

SoundEffect: Any
try:  # QtMultimedia is not in every PySide6 wheel (PySide6-Essentials lacks it)
    from PySide6.QtMultimedia import QSoundEffect as SoundEffect
except ImportError:  # pragma: no cover - depends on the installed wheel
    SoundEffect = None

SHAKE_MS = 360
SHAKE_PX = 10
TRAY_MS = 8000


def sound_path() -> str:
    return str(importlib.resources.files("resources") / "sounds" / "offer.wav")


class NotificationBar(QFrame):
    """A calm strip above the list: what arrived, with Open and Dismiss."""

    open_requested = Signal(object)  # interaction id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offer_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self._notices: list[OfferNotice] = []
        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation).pixmap(16)
        )
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.setToolTip(self.tr("Show the newest offered interaction"))
        self.open_button.clicked.connect(self.on_open_button_clicked)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("×")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setToolTip(self.tr("Dismiss (Esc)"))
        self.dismiss_button.setShortcut(Qt.Key.Key_Escape)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.dismiss_button)
        self.hide()

    @property
    def notices(self) -> list[OfferNotice]:
        return list(self._notices)

    def add(self, notices: Sequence[OfferNotice]) -> None:
        self._notices.extend(notices)
        self._show_newest()

    def retain(self, offered: frozenset[uuid.UUID]) -> None:
        """Forget what is no longer offered (accepted by someone, moved, closed)."""
        kept = [n for n in self._notices if n.interaction_id in offered]
        if len(kept) == len(self._notices):
            return
        self._notices = kept
        if kept:
            self._show_newest()
        else:
            self.hide()

    def _show_newest(self) -> None:
        newest = self._notices[-1]
        text = notice_text(newest)
        more = len(self._notices) - 1
        if more:
            text += " " + self.tr("(and %n more)", "", more)
        self.text.setText(text)
        self.text.setToolTip(newest.template_error)
        self.show()

    def dismiss(self) -> None:
        self._notices.clear()
        self.hide()

    def on_open_button_clicked(self) -> None:
        if self._notices:
            interaction_id = self._notices[-1].interaction_id
            self.dismiss()
            self.open_requested.emit(interaction_id)


def notice_title(notice: OfferNotice) -> str:
    return QApplication.translate("Notifications", "New email for {account}").format(
        account=notice.account
    )


def notice_text(notice: OfferNotice) -> str:
    """The account's template as rendered, or the default sentence."""
    if notice.text:
        return notice.text
    return QApplication.translate("Notifications", "{customer}: {subject}").format(
        customer=notice.customer, subject=notice.subject or "—"
    )


class OfferNotifier(QObject):
    """Asks what is offered to the signed-in agent whenever the store changed.

    The first answer after sign-in is the baseline: what was already waiting is not news.
    """

    offers_arrived = Signal(object)  # tuple[OfferNotice, ...]

    def __init__(self, tasks: TaskRunner, window: QWidget, bar: NotificationBar) -> None:
        super().__init__(window)
        self._tasks = tasks
        self._window = window
        self.bar = bar
        self._ctx: AppContext | None = None
        self._agent: uuid.UUID | None = None
        self._known: frozenset[uuid.UUID] | None = None
        self._checking: uuid.UUID | None = None  # the agent whose offers are being loaded
        self._again = False
        self._tray: QSystemTrayIcon | None = None
        self._sound: Any = None
        self._shake: QPropertyAnimation | None = None
        self.shakes = 0  # how often the window shook (tests, and the curious)
        self.sounds = 0
        self.alerts = 0

    @property
    def known(self) -> frozenset[uuid.UUID] | None:
        """What was offered at the last look (None until the baseline after sign-in)."""
        return self._known

    def set_context(self, ctx: AppContext | None, agent_id: uuid.UUID | None) -> None:
        if agent_id != self._agent:
            self.bar.dismiss()
        self._ctx, self._agent, self._known = ctx, agent_id, None
        self.check()

    def check(self) -> None:
        """Look for new offers (call when the store changed: new mail, a release, a sync)."""
        ctx, agent, known = self._ctx, self._agent, self._known
        if ctx is None or agent is None:
            return
        if self._checking == agent:
            self._again = True  # one more look when this one answers: bursts coalesce
            return
        self._checking, self._again = agent, False
        self._tasks.query(
            lambda: offers_for(ctx.store, agent, known or ()),
            lambda offers: self.on_offers_loaded(agent, offers),
            self.on_offers_failed,
            key="offers",
        )

    def on_offers_loaded(self, agent: uuid.UUID, offers: Offers) -> None:
        self._checking = None
        if agent != self._agent:
            return  # someone else signed in meanwhile
        baseline = self._known is None
        self._known = offers.offered
        self.bar.retain(offers.offered)
        if offers.news and not baseline:
            self.notify(offers.news)
        if self._again:
            self.check()

    def on_offers_failed(self, error: BaseException) -> None:
        self._checking = None
        # The next change asks again; the status bar already says when the store is away.
        log.warning("could not load offers: %s", error)

    def notify(self, notices: Sequence[OfferNotice]) -> None:
        self.bar.add(notices)
        newest = notices[-1]
        tray = self._tray_icon()
        if tray is not None:
            tray.showMessage(
                notice_title(newest),
                notice_text(newest),
                QSystemTrayIcon.MessageIcon.Information,
                TRAY_MS,
            )
        if not self._window.isActiveWindow():
            # The taskbar entry asks for attention until the agent comes back to the window.
            QApplication.alert(self._window, 0)
            self.alerts += 1
        if any(n.sound for n in notices):
            self._play()
        if any(n.shake for n in notices):
            self.shake()
        self.offers_arrived.emit(tuple(notices))

    # --- the platform's parts -----------------------------------------------------------

    @staticmethod
    def tray_available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def _tray_icon(self) -> QSystemTrayIcon | None:
        if self._tray is None and self.tray_available():
            icon = self._window.windowIcon()
            if icon.isNull():
                icon = self._window.style().standardIcon(
                    QStyle.StandardPixmap.SP_MessageBoxInformation
                )
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip(QApplication.applicationDisplayName() or "Relaydesk")
            self._tray.messageClicked.connect(self.on_tray_message_clicked)
            self._tray.show()
        return self._tray

    def on_tray_message_clicked(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()

    def _play(self) -> None:
        self.sounds += 1
        if SoundEffect is None:
            QApplication.beep()
            return
        if self._sound is None:
            self._sound = SoundEffect(self)
            self._sound.setSource(QUrl.fromLocalFile(sound_path()))
            self._sound.setVolume(0.6)
        self._sound.play()

    def shake(self) -> None:
        """Move the window a little left and right: a nudge the agent notices from afar."""
        window = self._window
        if window.isMaximized() or window.isFullScreen() or not window.isVisible():
            return
        if self._shake is not None and self._shake.state() == QAbstractAnimation.State.Running:
            return
        origin = window.pos()
        animation = QPropertyAnimation(window, b"pos", self)
        animation.setDuration(SHAKE_MS)
        animation.setStartValue(origin)
        for step, dx in enumerate((-SHAKE_PX, SHAKE_PX, -SHAKE_PX, SHAKE_PX, -SHAKE_PX // 2), 1):
            animation.setKeyValueAt(step / 6, origin + QPoint(dx, 0))
        animation.setEndValue(origin)
        animation.setEasingCurve(QEasingCurve.Type.Linear)
        self._shake = animation
        self.shakes += 1
        animation.start()

    @property
    def shaking(self) -> QPropertyAnimation | None:
        return self._shake
