"""The first start: create the first supervisor, load demo data, or learn how to add mail."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.demo.seed import seed
from app.errors import RelaydeskError
from app.services.session import SignedIn, create_first_supervisor, needs_first_supervisor
from ui.tasks import TaskRunner

DEMO_MESSAGES = 3000


class _Progress(QObject):
    """Carries the seed's progress from the worker thread to the GUI thread (queued)."""

    advanced = Signal(int, int)


class Welcome(QWidget):
    """Shown while the store has no mail; says what to do next and offers to do it."""

    supervisor_created = Signal(object)  # SignedIn
    demo_loaded = Signal()

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._ctx: AppContext | None = None

        title = QLabel(self.tr("Welcome to Relaydesk"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.message = QLabel(self.tr("Loading…"))
        self.message.setWordWrap(True)

        self.first_supervisor = QGroupBox(self.tr("Create the first supervisor"))
        self._name = QLineEdit()
        self._name.setObjectName("first_supervisor_name")
        self._password = QLineEdit()
        self._password.setEchoMode(QLineEdit.EchoMode.Password)
        self._repeat = QLineEdit()
        self._repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self._create = QPushButton(self.tr("Create and sign in"))
        self._create.clicked.connect(self.on_create_clicked)
        self._repeat.returnPressed.connect(self.on_create_clicked)
        self.first_error = QLabel()
        self.first_error.setWordWrap(True)
        form = QFormLayout(self.first_supervisor)
        form.addRow(
            QLabel(
                self.tr(
                    "Nobody can sign in to this store yet. The first person is a supervisor, "
                    "who can then add agents in admin mode."
                )
            )
        )
        form.addRow(self.tr("Name"), self._name)
        form.addRow(self.tr("Password (8 characters or more)"), self._password)
        form.addRow(self.tr("Repeat the password"), self._repeat)
        form.addRow(self._create)
        form.addRow(self.first_error)
        self.first_supervisor.hide()

        self.demo_button = QPushButton(self.tr("Load demo data"))
        self.demo_button.setToolTip(
            self.tr(
                "A realistic multilingual data set (accounts, queues, agents, a few thousand "
                "conversations) to try Relaydesk without a mail server."
            )
        )
        self.demo_button.clicked.connect(self.on_demo_button_clicked)
        self.progress = QProgressBar()
        self.progress.hide()
        self.demo_status = QLabel()
        self.demo_status.setWordWrap(True)
        demo_row = QHBoxLayout()
        demo_row.addWidget(self.demo_button)
        demo_row.addWidget(self.progress, 1)

        account_hint = QLabel(
            self.tr(
                "To work real mail, a supervisor adds an email account: admin mode "
                "(Ctrl+Shift+M) → Email accounts → Add, or “relaydesk account add”."
            )
        )
        account_hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(title)
        layout.addWidget(self.message)
        layout.addWidget(self.first_supervisor)
        layout.addLayout(demo_row)
        layout.addWidget(self.demo_status)
        layout.addWidget(account_hint)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._relay = _Progress(self)
        self._relay.advanced.connect(self.on_seed_advanced)

    def set_context(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self.refresh()

    def refresh(self) -> None:
        ctx = self._ctx
        if ctx is None:
            return
        self._tasks.query(
            lambda: needs_first_supervisor(ctx.store), self.on_needs_loaded, key="welcome"
        )

    def on_needs_loaded(self, needed: bool) -> None:
        self.first_supervisor.setVisible(needed)
        if needed:
            self._name.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- the first supervisor ---------------------------------------------------------------

    def on_create_clicked(self) -> None:
        ctx = self._ctx
        name = self._name.text().strip()
        password = self._password.text()
        if ctx is None:
            return
        if not name:
            self.first_error.setText(self.tr("Give the supervisor a name."))
            return
        if password != self._repeat.text():
            self.first_error.setText(self.tr("The two passwords differ; type them again."))
            self._repeat.clear()
            return
        self._create.setEnabled(False)
        self.first_error.setText("")
        self._tasks.op(
            lambda: create_first_supervisor(ctx.store, name, password),
            self.on_supervisor_created,
            self.on_supervisor_failed,
        )

    def on_supervisor_created(self, who: SignedIn) -> None:
        self._create.setEnabled(True)
        self._password.clear()
        self._repeat.clear()
        self.first_supervisor.hide()
        self.supervisor_created.emit(who)

    def on_supervisor_failed(self, error: BaseException) -> None:
        self._create.setEnabled(True)
        self.first_error.setText(str(error))

    # --- demo data --------------------------------------------------------------------------

    def on_demo_button_clicked(self) -> None:
        ctx = self._ctx
        if ctx is None:
            return
        self.demo_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the first message is in
        self.progress.show()
        self.demo_status.setText(self.tr("Loading demo data…"))
        relay = self._relay

        def fill() -> dict[str, Any]:
            return seed(ctx, DEMO_MESSAGES, progress=relay.advanced.emit)

        self._tasks.op(fill, self.on_demo_done, self.on_demo_failed)

    def on_seed_advanced(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def on_demo_done(self, _counts: dict[str, Any]) -> None:
        self.progress.hide()
        self.demo_status.setText(
            self.tr(
                "Demo data loaded. Sign in as sam (supervisor) or giulia, password relaydesk-demo."
            )
        )
        self.refresh()
        self.demo_loaded.emit()

    def on_demo_failed(self, error: BaseException) -> None:
        self.progress.hide()
        self.demo_button.setEnabled(True)
        if isinstance(error, RelaydeskError):
            self.demo_status.setText(str(error))
        else:
            failed = self.tr("Loading demo data failed: {error}")
            self.demo_status.setText(failed.format(error=error))
