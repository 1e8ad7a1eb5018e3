"""Per-project panels of the project page: ticket types, and what agents are offered
(sender accounts, the default sender, email templates).

Changes are operations of app/services/project_admin.py made as the signed-in supervisor
(its handlers check the role; in team mode the central database applies them); each panel
reloads from the store afterwards, so what shows is what app/ accepted.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.operations import OpResult
from app.services.project_admin import (
    ProjectOffer,
    TicketTypeRow,
    list_ticket_types,
    project_offer,
    remove_ticket_type_op,
    save_ticket_type_op,
    set_project_offer_op,
    ticket_type_row,
)

if TYPE_CHECKING:  # settings_pages imports this module: no import cycle at run time
    from ui.admin.settings_pages import AdminContext

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _tr(text: str) -> str:
    return QCoreApplication.translate("ProjectTools", text)


class TicketTypesPanel(QWidget):
    """The project's ticket types: label and export value; add, change, remove."""

    loaded = Signal()
    saved = Signal(bool)  # True when app/ accepted the change

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._project = ""
        self._editing: uuid.UUID | None = None
        self.types = QListWidget()
        self.types.setObjectName("ticket_types")
        self.types.currentItemChanged.connect(self.on_types_current_item_changed)
        self.label = QLineEdit()
        self.label.setObjectName("ticket_type_label")
        self.export_value = QLineEdit()
        self.export_value.setObjectName("ticket_type_export")
        self.export_value.setPlaceholderText(
            QCoreApplication.translate("ProjectTools", "empty: the label")
        )
        self.new_button = QPushButton(QCoreApplication.translate("ProjectTools", "&New"))
        self.new_button.clicked.connect(self.start_new)
        self.save_button = QPushButton(QCoreApplication.translate("ProjectTools", "&Save type"))
        self.save_button.setObjectName("save_ticket_type")
        self.save_button.clicked.connect(self.on_save_button_clicked)
        self.remove_button = QPushButton(QCoreApplication.translate("ProjectTools", "&Remove type"))
        self.remove_button.setObjectName("remove_ticket_type")
        self.remove_button.clicked.connect(self.on_remove_button_clicked)
        self.status = QLabel()
        self.status.setObjectName("ticket_type_status")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("ProjectTools", "Label"), self.label)
        form.addRow(QCoreApplication.translate("ProjectTools", "Export value"), self.export_value)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                QCoreApplication.translate(
                    "ProjectTools",
                    "Agents choose a type when they open a ticket; reports and exports write "
                    "the export value. A removed type stays on the tickets that have it.",
                )
            )
        )
        layout.addWidget(self.types, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._enable()

    def _enable(self) -> None:
        for widget in (self.new_button, self.save_button, self.label, self.export_value):
            widget.setEnabled(bool(self._project))
        self.remove_button.setEnabled(bool(self._project) and self._editing is not None)

    def set_project(self, name: str) -> None:
        self._project = name
        self.status.clear()
        self.start_new()
        self.reload()

    def reload(self) -> None:
        project = self._project
        if not project:
            return
        store = self._admin.ctx.store
        self._admin.query(
            self,
            lambda: (project, list_ticket_types(store, project)),
            self.on_types_loaded,
            self.on_change_failed,
            key=f"ticket-types-{id(self)}",
        )

    def on_types_loaded(self, loaded: tuple[str, list[TicketTypeRow]]) -> None:
        project, rows = loaded
        if project != self._project:
            return
        # The list selects what the form edits now: a load asked for before the supervisor
        # pressed New must not select a type behind a form that no longer shows it.
        select = self._editing
        self.types.blockSignals(True)
        self.types.clear()
        for row in rows:
            text = QCoreApplication.translate(
                "ProjectTools", "{label} → {export} ({count} tickets)"
            ).format(label=row.label, export=row.export_value, count=row.tickets)
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, row)
            self.types.addItem(item)
            if row.id == select:
                self.types.setCurrentItem(item)
        self.types.blockSignals(False)
        self.loaded.emit()

    def on_types_current_item_changed(self, current: QListWidgetItem | None, _old: object) -> None:
        if current is None:
            return
        row: TicketTypeRow = current.data(ID_ROLE)
        self._editing = row.id
        self.label.setText(row.label)
        self.export_value.setText(row.export_value)
        self._enable()

    def start_new(self) -> None:
        self._editing = None
        self.types.clearSelection()
        self.types.setCurrentRow(-1)
        self.label.clear()
        self.export_value.clear()
        self._enable()

    def on_save_button_clicked(self) -> None:
        op = save_ticket_type_op(
            self._admin.supervisor,
            self._project,
            self._editing,
            self.label.text(),
            self.export_value.text(),
        )
        self._admin.operate(
            self,
            op,
            lambda outcomes: self.on_type_saved(outcomes[0]),
            self.on_change_failed,
        )

    def on_type_saved(self, outcome: OpResult) -> None:
        if not outcome.applied:
            self._refused(outcome.reason)
            return
        row = ticket_type_row(outcome.result)
        self._editing = row.id
        self._enable()  # the saved type may be removed at once
        self.status.setText(
            QCoreApplication.translate("ProjectTools", "Ticket type {label} saved.").format(
                label=row.label
            )
        )
        self.saved.emit(True)
        self.reload()

    def on_remove_button_clicked(self) -> None:
        type_id = self._editing
        if type_id is None:
            return
        label = self.label.text()
        self._admin.operate(
            self,
            remove_ticket_type_op(self._admin.supervisor, type_id),
            lambda outcomes: self.on_type_removed(label, outcomes[0]),
            self.on_change_failed,
        )

    def on_type_removed(self, label: str, outcome: OpResult) -> None:
        if not outcome.applied:
            self._refused(outcome.reason)
            return
        self.start_new()
        self.status.setText(
            QCoreApplication.translate("ProjectTools", "Ticket type {label} removed.").format(
                label=label
            )
        )
        self.saved.emit(True)
        self.reload()

    def on_change_failed(self, error: BaseException) -> None:
        self._refused(str(error))

    def _refused(self, reason: str) -> None:
        self.status.setText(reason)  # what was typed stays, to be corrected
        self.saved.emit(False)


class ProjectOfferPanel(QWidget):
    """Tick the sender accounts and templates agents of the project see; pick the default."""

    loaded = Signal()
    saved = Signal(bool)

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._project = ""
        self.senders = QListWidget()
        self.senders.setObjectName("offer_senders")
        self.default_sender = QComboBox()
        self.default_sender.setObjectName("default_sender")
        self.templates = QListWidget()
        self.templates.setObjectName("offer_templates")
        self.save_button = QPushButton(QCoreApplication.translate("ProjectTools", "&Save"))
        self.save_button.setObjectName("save_offer")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.on_save_button_clicked)
        self.status = QLabel()
        self.status.setObjectName("offer_status")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                QCoreApplication.translate(
                    "ProjectTools",
                    "Sender accounts agents may choose (none ticked: the project's own "
                    "accounts that can send)",
                )
            )
        )
        layout.addWidget(self.senders, 1)
        default_row = QHBoxLayout()
        default_row.addWidget(QLabel(QCoreApplication.translate("ProjectTools", "Default sender")))
        default_row.addWidget(self.default_sender, 1)
        layout.addLayout(default_row)
        layout.addWidget(
            QLabel(QCoreApplication.translate("ProjectTools", "Email templates agents may use"))
        )
        layout.addWidget(self.templates, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

    def set_project(self, name: str) -> None:
        self._project = name
        self.status.clear()
        self.save_button.setEnabled(bool(name))
        self.reload()

    def reload(self) -> None:
        project = self._project
        if not project:
            return
        store = self._admin.ctx.store
        self._admin.query(
            self,
            lambda: project_offer(store, project),
            self.on_offer_loaded,
            self.on_change_failed,
            key=f"project-offer-{id(self)}",
        )

    @staticmethod
    def _fill(widget: QListWidget, entries: list[tuple[str, uuid.UUID, bool]]) -> None:
        widget.clear()
        for text, ident, ticked in entries:
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, ident)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            widget.addItem(item)

    def on_offer_loaded(self, offer: ProjectOffer) -> None:
        if offer.project != self._project:
            return
        self._fill(
            self.senders,
            [(f"{s.name} <{s.email}>", s.account_id, s.offered) for s in offer.senders],
        )
        self._fill(self.templates, [(t.name, t.id, t.offered) for t in offer.templates])
        self.default_sender.clear()
        self.default_sender.addItem(
            QCoreApplication.translate("ProjectTools", "(none: the interaction's own account)"),
            None,
        )
        for sender in offer.senders:
            self.default_sender.addItem(sender.name, sender.account_id)
        # By equality: findData matches a UUID only if it is the very same object.
        chosen = [self.default_sender.itemData(i) for i in range(self.default_sender.count())]
        self.default_sender.setCurrentIndex(
            chosen.index(offer.default_sender) if offer.default_sender in chosen else 0
        )
        self.loaded.emit()

    @staticmethod
    def _ticked(widget: QListWidget) -> list[uuid.UUID]:
        return [
            widget.item(i).data(ID_ROLE)
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        ]

    def on_save_button_clicked(self) -> None:
        project = self._project
        op = set_project_offer_op(
            self._admin.supervisor,
            project,
            senders=self._ticked(self.senders),
            default_sender=self.default_sender.currentData(),
            templates=self._ticked(self.templates),
        )
        self._admin.operate(
            self,
            op,
            lambda outcomes: self.on_offer_applied(outcomes[0], project),
            self.on_change_failed,
        )

    def on_offer_applied(self, outcome: OpResult, project: str) -> None:
        if not outcome.applied:
            self.status.setText(outcome.reason)  # the ticks stay, to be corrected
            self.saved.emit(False)
            return
        # What app/ stored (in team mode: pulled from the central database by now).
        store = self._admin.ctx.store
        self._admin.query(
            self,
            lambda: project_offer(store, project),
            self.on_offer_saved,
            self.on_change_failed,
            key=f"project-offer-{id(self)}",
        )

    def on_offer_saved(self, offer: ProjectOffer) -> None:
        self.status.setText(
            QCoreApplication.translate(
                "ProjectTools", "Saved: agents of {project} see these choices."
            ).format(project=offer.project)
        )
        self.on_offer_loaded(offer)
        self.saved.emit(True)

    def on_change_failed(self, error: BaseException) -> None:
        self.status.setText(str(error))  # the ticks stay, to be corrected
        self.saved.emit(False)
