"""Agent mode and admin mode as an explicit state machine (STYLE.md habit 6).

agent --request--> entering --app/ allows--> admin --leave / sign-out--> agent
                        \\--app/ refuses (a sentence)--> agent

The toggle is offered to whoever is signed in: whether they may enter is app/'s decision
(app/services/session.py may_enter_admin_mode), not a hidden button. Entering builds the
admin pages (a dock beside the agent's panes, which can float to another screen) and the
View menu's admin page actions; leaving tears both down and stops every timer they started.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QTabWidget, QWidget

from app.context import AppContext
from app.services.session import SignedIn, may_enter_admin_mode
from ui.admin.contacts_page import ContactsPage
from ui.admin.content_page import ContentPage
from ui.admin.interactions_page import InteractionsPage
from ui.admin.monitoring import MonitoringPage
from ui.admin.reports_page import ReportsPage
from ui.admin.settings_pages import (
    AccountsPage,
    AdminContext,
    ProjectSettingsPage,
    SettingsPage,
    StaffingPage,
)
from ui.tasks import TaskRunner

TOGGLE_KEY = "Ctrl+Shift+M"


class State(enum.Enum):
    AGENT = "agent"
    ENTERING = "entering"
    ADMIN = "admin"


class AdminPanel(QTabWidget):
    """Every admin page, built on entering admin mode and destroyed on leaving it."""

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("admin_panel")
        # In team mode every change on these pages is an operation the central database
        # applies (AdminContext.operate): the pages need not know which mode they are in.
        self.monitoring = MonitoringPage(admin)
        self.reports = ReportsPage(admin)
        self.interactions = InteractionsPage(admin)
        self.desk_settings = SettingsPage(admin, "global")
        self.projects = ProjectSettingsPage(admin)
        self.accounts = AccountsPage(admin)
        self.staffing = StaffingPage(admin)
        self.content = ContentPage(admin)
        self.contacts = ContactsPage(admin)
        self.addTab(self.monitoring, QCoreApplication.translate("AdminMode", "Monitoring"))
        self.addTab(self.reports, QCoreApplication.translate("AdminMode", "Reports"))
        self.addTab(self.interactions, QCoreApplication.translate("AdminMode", "Interactions"))
        self.addTab(self.accounts, QCoreApplication.translate("AdminMode", "Email accounts"))
        self.addTab(self.projects, QCoreApplication.translate("AdminMode", "Email handling"))
        self.addTab(self.staffing, QCoreApplication.translate("AdminMode", "Agents and queues"))
        self.addTab(
            self.content,
            QCoreApplication.translate("AdminMode", "Templates and dispositions"),
        )
        self.addTab(self.contacts, QCoreApplication.translate("AdminMode", "Contacts"))
        self.addTab(self.desk_settings, QCoreApplication.translate("AdminMode", "Desk settings"))
        self.desk_settings.reload()
        self.accounts.interactions_requested.connect(self.show_account_interactions)
        self.accounts.realtime_requested.connect(self.open_realtime_view)
        self._admin = admin
        self.realtime_views: list[MonitoringPage] = []

    def show_account_interactions(self, account: str) -> None:
        self.setCurrentWidget(self.interactions)
        self.interactions.show_account(account)

    def open_realtime_view(self, account: str) -> MonitoringPage:
        """The account's realtime view in a window of its own (a second screen, say)."""
        view = MonitoringPage(self._admin, wallboard=True, account=account)
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.destroyed.connect(lambda *_: self._forget(view))
        self.realtime_views.append(view)
        view.resize(1280, 800)
        view.show()
        return view

    def _forget(self, view: MonitoringPage) -> None:
        if view in self.realtime_views:
            self.realtime_views.remove(view)

    def shutdown(self) -> None:
        self.monitoring.shutdown()
        self.interactions.shutdown()
        for view in list(self.realtime_views):
            view.shutdown()
            view.close()


class AdminMode(QObject):
    entered = Signal()
    left = Signal()
    refused = Signal(str)  # app/'s sentence

    def __init__(self, window: QMainWindow, tasks: TaskRunner) -> None:
        super().__init__(window)
        self._window = window
        self._tasks = tasks
        self._ctx: AppContext | None = None
        self._signed_in: SignedIn | None = None
        self.state = State.AGENT
        self.panel: AdminPanel | None = None
        self._dock: QDockWidget | None = None
        self._page_actions: list[QAction] = []
        self.toggle = QAction(QCoreApplication.translate("AdminMode", "A&dmin mode"), window)
        self.toggle.setObjectName("action_admin_mode")
        self.toggle.setCheckable(True)
        self.toggle.setShortcut(QKeySequence(TOGGLE_KEY))
        self.toggle.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        keys = QKeySequence(TOGGLE_KEY).toString(QKeySequence.SequenceFormat.NativeText)
        self.toggle.setToolTip(
            QCoreApplication.translate("AdminMode", "Admin mode ({keys})").format(keys=keys)
        )
        self.toggle.setStatusTip(
            QCoreApplication.translate(
                "AdminMode", "Settings, realtime monitoring and reports (supervisors)"
            )
        )
        self.toggle.setEnabled(False)
        self.toggle.toggled.connect(self.on_toggle_toggled)
        window.addAction(self.toggle)
        # In the View menu (the window's own menus are ui/shortcuts.py's); a window without
        # one (a test's bare QMainWindow) gets a menu of its own.
        view = window.findChild(QMenu, "menu_view")
        if view is None:
            view = window.menuBar().addMenu(QCoreApplication.translate("AdminMode", "A&dmin"))
        self.menu: QMenu = view
        self.menu.addAction(self.toggle)
        self._separator: QAction | None = None

    # --- inputs --------------------------------------------------------------------------

    def set_context(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._update_toggle()

    def set_signed_in(self, signed_in: SignedIn | None) -> None:
        """A new person at the desk (or nobody): admin mode never carries over."""
        changed = (signed_in.agent_id if signed_in else None) != (
            self._signed_in.agent_id if self._signed_in else None
        )
        self._signed_in = signed_in
        if changed and self.state != State.AGENT:
            self.leave()
        self._update_toggle()

    def _update_toggle(self) -> None:
        self.toggle.setEnabled(self._ctx is not None and self._signed_in is not None)

    def on_toggle_toggled(self, checked: bool) -> None:
        if checked and self.state == State.AGENT:
            self.request_enter()
        elif not checked and self.state != State.AGENT:
            self.leave()

    # --- transitions ---------------------------------------------------------------------

    def request_enter(self) -> None:
        ctx, who = self._ctx, self._signed_in
        if self.state != State.AGENT:
            return
        if ctx is None or who is None:
            self._refuse(
                QCoreApplication.translate(
                    "AdminMode", "Sign in first: admin mode is for signed-in supervisors."
                )
            )
            return
        self.state = State.ENTERING
        self._set_checked(True)
        self._window.statusBar().showMessage(
            QCoreApplication.translate("AdminMode", "Checking your role…")
        )
        self._tasks.query(
            lambda: may_enter_admin_mode(ctx.store, who.agent_id),
            lambda _none: self.on_enter_allowed(who),
            self.on_enter_refused,
        )

    def on_enter_allowed(self, who: SignedIn) -> None:
        ctx = self._ctx
        if self.state != State.ENTERING or self._signed_in != who or ctx is None:
            return  # left or signed out while app/ was asked: stay in agent mode
        admin = AdminContext(
            ctx,
            self._tasks,
            who.agent_id,
            getattr(self._window, "desk_operations", None),
            worker_here=bool(getattr(self._window, "team_worker_here", False)),
        )
        self.panel = AdminPanel(admin)
        dock = QDockWidget(QCoreApplication.translate("AdminMode", "Admin"), self._window)
        dock.setObjectName("admin_dock")
        dock.setWidget(self.panel)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        # Below the three panes, full width: the monitoring and report tables are wide,
        # and the list and the reading pane keep their columns (spying needs both).
        self._window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self._window.resizeDocks(
            [dock], [int(self._window.height() * 0.55)], Qt.Orientation.Vertical
        )
        self._dock = dock
        self._separator = self.menu.addSeparator()
        for index in range(self.panel.count()):
            action = QAction(self.panel.tabText(index), self._window)
            action.setObjectName(f"action_admin_page_{index}")
            action.triggered.connect(lambda _checked=False, i=index: self.show_page(i))
            self.menu.addAction(action)
            self._page_actions.append(action)
        self.state = State.ADMIN
        self._window.statusBar().showMessage(
            QCoreApplication.translate("AdminMode", "Admin mode: {name} (supervisor)").format(
                name=who.name
            )
        )
        self.entered.emit()

    def on_enter_refused(self, error: BaseException) -> None:
        if self.state != State.ENTERING:
            return
        self.state = State.AGENT
        self._set_checked(False)
        self._refuse(str(error))

    def leave(self) -> None:
        was = self.state
        self.state = State.AGENT
        self._set_checked(False)
        if was != State.ADMIN:
            return  # a pending check's answer is ignored (see on_enter_allowed)
        for action in self._page_actions:
            self.menu.removeAction(action)
            action.deleteLater()
        self._page_actions.clear()
        if self._separator is not None:
            self.menu.removeAction(self._separator)
            self._separator = None
        if self.panel is not None:
            self.panel.shutdown()
        if self._dock is not None:
            self._window.removeDockWidget(self._dock)
            self._dock.deleteLater()
        self.panel, self._dock = None, None
        self._window.statusBar().showMessage(QCoreApplication.translate("AdminMode", "Agent mode"))
        self.left.emit()

    def show_page(self, index: int) -> None:
        if self.panel is not None:
            self.panel.setCurrentIndex(index)
            if self._dock is not None:
                self._dock.show()
                self._dock.raise_()

    def shutdown(self) -> None:
        if self.state == State.ADMIN:
            self.leave()

    def _set_checked(self, checked: bool) -> None:
        self.toggle.blockSignals(True)
        self.toggle.setChecked(checked)
        self.toggle.blockSignals(False)

    def _refuse(self, message: str) -> None:
        self._window.statusBar().showMessage(message)
        self.refused.emit(message)
