"""The supervisor's Interactions page: filters, full text, the search builder and saved searches
over every account, with CSV export, .eml zips, permanent deletion and spying.

app/services/interaction_admin.py does the work and decides who may (supervisors only);
this page gathers what the supervisor chose and shows the answers. Spying opens a read-only
thread (no claim) where internal notes can be added through the "note" operation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.services import interaction_admin
from app.services.fulltext import Hit, InteractionSearch
from app.services.interaction_admin import FilterChoices
from app.services.operations import Operation, OpResult
from app.services.search import FIELDS, Condition
from storage.engine import Store
from ui.admin.forms import ask_yes_no
from ui.admin.rows_model import RowsModel, sorting_proxy
from ui.admin.settings_pages import AdminContext
from ui.i18n import QT_TRANSLATE_NOOP
from ui.thread_view import ThreadView

SEARCH_LIMIT = 500

FIELD_TEXT = {
    "subject": QT_TRANSLATE_NOOP("InteractionsPage", "Subject"),
    "customer": QT_TRANSLATE_NOOP("InteractionsPage", "Customer address"),
    "customer_name": QT_TRANSLATE_NOOP("InteractionsPage", "Customer name"),
    "language": QT_TRANSLATE_NOOP("InteractionsPage", "Language"),
    "status": QT_TRANSLATE_NOOP("InteractionsPage", "Status"),
    "account": QT_TRANSLATE_NOOP("InteractionsPage", "Account"),
    "queue": QT_TRANSLATE_NOOP("InteractionsPage", "Queue"),
    "agent": QT_TRANSLATE_NOOP("InteractionsPage", "Agent"),
    "ticket": QT_TRANSLATE_NOOP("InteractionsPage", "Ticket"),
    "messages": QT_TRANSLATE_NOOP("InteractionsPage", "Messages"),
    "started": QT_TRANSLATE_NOOP("InteractionsPage", "Started"),
    "last_activity": QT_TRANSLATE_NOOP("InteractionsPage", "Last activity"),
    "unread": QT_TRANSLATE_NOOP("InteractionsPage", "Unread"),
}
OPERATOR_TEXT = {
    "equals": QT_TRANSLATE_NOOP("InteractionsPage", "equals"),
    "not_equals": QT_TRANSLATE_NOOP("InteractionsPage", "does not equal"),
    "contains": QT_TRANSLATE_NOOP("InteractionsPage", "contains"),
    "starts_with": QT_TRANSLATE_NOOP("InteractionsPage", "starts with"),
    "ends_with": QT_TRANSLATE_NOOP("InteractionsPage", "ends with"),
    "greater_than": QT_TRANSLATE_NOOP("InteractionsPage", "is greater than"),
    "less_than": QT_TRANSLATE_NOOP("InteractionsPage", "is less than"),
    "between": QT_TRANSLATE_NOOP("InteractionsPage", "is between"),
    "is_empty": QT_TRANSLATE_NOOP("InteractionsPage", "is empty"),
}
HEADERS = (
    QT_TRANSLATE_NOOP("InteractionsPage", "Subject"),
    QT_TRANSLATE_NOOP("InteractionsPage", "Customer"),
    QT_TRANSLATE_NOOP("InteractionsPage", "Account"),
    QT_TRANSLATE_NOOP("InteractionsPage", "Queue"),
    QT_TRANSLATE_NOOP("InteractionsPage", "Agent"),
    QT_TRANSLATE_NOOP("InteractionsPage", "Language"),
    QT_TRANSLATE_NOOP("InteractionsPage", "Status"),
    QT_TRANSLATE_NOOP("InteractionsPage", "Unread"),
    QT_TRANSLATE_NOOP("InteractionsPage", "Started"),
    QT_TRANSLATE_NOOP("InteractionsPage", "Last activity"),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("InteractionsPage", text)


def describe(condition: Condition) -> str:
    """A condition as the builder's list shows it."""
    field = _tr(FIELD_TEXT.get(condition.field, condition.field))
    operator = _tr(OPERATOR_TEXT.get(condition.operator, condition.operator))
    if condition.operator == "is_empty":
        return f"{field} {operator}"
    if condition.operator == "between":
        low, high = [*(condition.value or ()), "", ""][:2]
        return QCoreApplication.translate(
            "InteractionsPage", "{field} {operator} “{low}” and “{high}”"
        ).format(field=field, operator=operator, low=low, high=high)
    return f"{field} {operator} “{condition.value}”"


def _run_search(store: Store, actor: uuid.UUID, values: dict[str, Any]) -> list[Hit]:
    search = interaction_admin.make_search(**values)
    return interaction_admin.find_interactions(store, actor, search, SEARCH_LIMIT)


def _ask_text(parent: QWidget, title: str, label: str, text: str) -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


class SpyDialog(QDialog):
    """One interaction, read-only (no claim): its thread, and internal notes to add."""

    noted = Signal(bool)  # the note was stored (False: refused, reason in ``status``)

    def __init__(
        self, admin: AdminContext, interaction_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._admin = admin
        self.interaction_id = interaction_id
        self.setWindowTitle(self.tr("Spy on an interaction"))
        self.setObjectName("spy_dialog")
        self.thread_view = ThreadView(admin.tasks)
        self.thread_view.set_context(admin.ctx)
        self.note = QPlainTextEdit()
        self.note.setObjectName("spy_note")
        self.note.setPlaceholderText(self.tr("An internal note (never sent to the customer)…"))
        self.note.setMaximumHeight(90)
        self.add_note_button = QPushButton(self.tr("Add &note"))
        self.add_note_button.setObjectName("spy_add_note")
        self.add_note_button.clicked.connect(self.on_add_note_button_clicked)
        self.status = QLabel()
        self.status.setWordWrap(True)
        notes = QHBoxLayout()
        notes.addWidget(self.note, 1)
        notes.addWidget(self.add_note_button)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("Read-only: spying does not accept the interaction or mark it read."))
        )
        layout.addWidget(self.thread_view, 1)
        layout.addLayout(notes)
        layout.addWidget(self.status)
        self.resize(720, 640)
        self.thread_view.show_interaction(interaction_id)

    def on_add_note_button_clicked(self) -> None:
        self.add_note(self.note.toPlainText())

    def add_note(self, body: str) -> None:
        payload = {"interaction": str(self.interaction_id), "body": body}
        op = Operation("note", self._admin.supervisor, payload)
        self.add_note_button.setEnabled(False)
        self._admin.operate(
            self, op, lambda outcomes: self.on_note_done(outcomes[0]), self.on_note_failed
        )

    def on_note_done(self, outcome: OpResult) -> None:
        self.add_note_button.setEnabled(True)
        if not outcome.applied:
            self.status.setText(outcome.reason)
            self.noted.emit(False)
            return
        self.note.clear()
        self.status.setText(self.tr("Note added."))
        self.thread_view.show_interaction(self.interaction_id)
        self.noted.emit(True)

    def on_note_failed(self, error: BaseException) -> None:
        self.add_note_button.setEnabled(True)
        self.status.setText(str(error))
        self.noted.emit(False)


class InteractionsPage(QWidget):
    choices_loaded = Signal()
    searched = Signal(int)  # interactions found (-1: refused, reason in ``status``)
    saved_searches_changed = Signal(bool)  # a saved-search change or load was done
    exported = Signal(str)  # the CSV written ("" when refused or failed)
    downloaded = Signal(str)  # the zip written ("" when refused or failed)
    deleted = Signal(int)  # interactions deleted (-1: refused or failed)
    spy_opened = Signal(object)  # SpyDialog

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._hits: list[Hit] = []
        self._conditions: list[Condition] = []
        self.spies: list[SpyDialog] = []
        # Replaced by tests; the defaults ask with a dialog.
        self.confirm: Callable[[str, str], bool] = lambda title, text: ask_yes_no(self, title, text)
        self.ask_text: Callable[[str, str, str], str | None] = lambda title, label, text: _ask_text(
            self, title, label, text
        )
        self._build_filters()
        self._build_builder()
        self._build_saved()
        self._build_results()
        layout = QVBoxLayout(self)
        layout.addWidget(self._filters_box)
        layout.addWidget(self._builder_box)
        layout.addLayout(self._saved_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._actions_row)
        layout.addWidget(self.status)
        self.reload_choices()
        self.reload_saved()

    # --- building ---------------------------------------------------------------------------

    def _build_filters(self) -> None:
        self._filters_box = QGroupBox(self.tr("Filters"))
        self.account = self._any_combo("filter_account")
        self.queue = self._any_combo("filter_queue")
        self.agent = self._any_combo("filter_agent")
        self.language = self._any_combo("filter_language")
        self.tags = QLineEdit()
        self.tags.setObjectName("filter_tags")
        self.tags.setPlaceholderText(self.tr("tags, comma-separated (all of them)"))
        self.read_state = QComboBox()
        self.read_state.setObjectName("filter_read")
        self.read_state.addItem(self.tr("Read or unread"), None)
        self.read_state.addItem(self.tr("Unread"), True)
        self.read_state.addItem(self.tr("Read"), False)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("filter_status")
        self.status_filter.addItem(self.tr("Open or closed"), None)
        self.status_filter.addItem(self.tr("Open"), "open")
        self.status_filter.addItem(self.tr("Closed"), "closed")
        today = QDate.currentDate()
        self.use_from = QCheckBox(self.tr("Started from"))
        self.use_to = QCheckBox(self.tr("to"))
        self.started_from = QDateEdit(today.addDays(-30))
        self.started_to = QDateEdit(today)
        for check, edit in ((self.use_from, self.started_from), (self.use_to, self.started_to)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
        self.text = QLineEdit()
        self.text.setObjectName("filter_text")
        self.text.setPlaceholderText(self.tr("Words in the mail (full text)…"))
        self.text.setClearButtonEnabled(True)
        self.text.returnPressed.connect(self.run_search)
        self.search_button = QPushButton(self.tr("&Search"))
        self.search_button.setObjectName("run_search")
        self.search_button.clicked.connect(self.run_search)
        grid = QGridLayout(self._filters_box)
        grid.addWidget(QLabel(self.tr("Account")), 0, 0)
        grid.addWidget(self.account, 0, 1)
        grid.addWidget(QLabel(self.tr("Queue")), 0, 2)
        grid.addWidget(self.queue, 0, 3)
        grid.addWidget(QLabel(self.tr("Agent")), 0, 4)
        grid.addWidget(self.agent, 0, 5)
        grid.addWidget(QLabel(self.tr("Language")), 0, 6)
        grid.addWidget(self.language, 0, 7)
        grid.addWidget(self.tags, 0, 8, 1, 2)
        grid.addWidget(self.use_from, 1, 0)
        grid.addWidget(self.started_from, 1, 1)
        grid.addWidget(self.use_to, 1, 2)
        grid.addWidget(self.started_to, 1, 3)
        grid.addWidget(self.read_state, 1, 4, 1, 2)
        grid.addWidget(self.status_filter, 1, 6, 1, 2)
        grid.addWidget(self.text, 1, 8)
        grid.addWidget(self.search_button, 1, 9)

    def _any_combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(self.tr("Any"), None)
        return combo

    def _build_builder(self) -> None:
        self._builder_box = QGroupBox(self.tr("Advanced search"))
        self.match = QComboBox()
        self.match.setObjectName("builder_match")
        self.match.addItem(self.tr("Match all conditions"), "all")
        self.match.addItem(self.tr("Match any condition"), "any")
        self.conditions_list = QListWidget()
        self.conditions_list.setObjectName("builder_conditions")
        self.conditions_list.setMaximumHeight(72)
        self.conditions_list.itemChanged.connect(self.on_conditions_list_itemChanged)
        self.conditions_list.currentRowChanged.connect(self.on_conditions_list_currentRowChanged)
        self.field = QComboBox()
        self.field.setObjectName("builder_field")
        for key in FIELDS:
            self.field.addItem(_tr(FIELD_TEXT.get(key, key)), key)
        self.operator = QComboBox()
        self.operator.setObjectName("builder_operator")
        for key, label in OPERATOR_TEXT.items():
            self.operator.addItem(_tr(label), key)
        self.operator.currentIndexChanged.connect(self.on_operator_currentIndexChanged)
        self.value = QLineEdit()
        self.value.setObjectName("builder_value")
        self.value.setPlaceholderText(self.tr("value (dates as 2026-01-31)"))
        self.value_and = QLabel(self.tr("and"))
        self.value2 = QLineEdit()
        self.value2.setObjectName("builder_value2")
        self.add_condition_button = QPushButton(self.tr("&Add"))
        self.add_condition_button.clicked.connect(self.on_add_condition_button_clicked)
        self.update_condition_button = QPushButton(self.tr("&Update"))
        self.update_condition_button.clicked.connect(self.on_update_condition_button_clicked)
        self.toggle_condition_button = QPushButton(self.tr("Disable/&enable"))
        self.toggle_condition_button.clicked.connect(self.on_toggle_condition_button_clicked)
        self.remove_condition_button = QPushButton(self.tr("&Delete"))
        self.remove_condition_button.clicked.connect(self.on_remove_condition_button_clicked)
        self.clear_conditions_button = QPushButton(self.tr("C&lear all"))
        self.clear_conditions_button.clicked.connect(self.clear_conditions)
        editor = QHBoxLayout()
        for widget in (self.field, self.operator):
            editor.addWidget(widget)
        editor.addWidget(self.value, 1)
        editor.addWidget(self.value_and)
        editor.addWidget(self.value2, 1)
        editor.addWidget(self.add_condition_button)
        editor.addWidget(self.update_condition_button)
        buttons = QVBoxLayout()
        buttons.addWidget(self.match)
        for button in (
            self.toggle_condition_button,
            self.remove_condition_button,
            self.clear_conditions_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.conditions_list, 1)
        top.addLayout(buttons)
        layout = QVBoxLayout(self._builder_box)
        layout.addLayout(top)
        layout.addLayout(editor)
        self.on_operator_currentIndexChanged(self.operator.currentIndex())

    def _build_saved(self) -> None:
        self.saved = QComboBox()
        self.saved.setObjectName("saved_searches")
        self.saved.setMinimumContentsLength(20)
        self.load_saved_button = QPushButton(self.tr("L&oad"))
        self.load_saved_button.clicked.connect(self.on_load_saved_button_clicked)
        self.save_button = QPushButton(self.tr("Save &as…"))
        self.save_button.clicked.connect(self.on_save_button_clicked)
        self.rename_saved_button = QPushButton(self.tr("&Rename…"))
        self.rename_saved_button.clicked.connect(self.on_rename_saved_button_clicked)
        self.delete_saved_button = QPushButton(self.tr("Delete saved search"))
        self.delete_saved_button.clicked.connect(self.on_delete_saved_button_clicked)
        self._saved_row = QHBoxLayout()
        self._saved_row.addWidget(QLabel(self.tr("Saved searches")))
        self._saved_row.addWidget(self.saved)
        for button in (
            self.load_saved_button,
            self.save_button,
            self.rename_saved_button,
            self.delete_saved_button,
        ):
            self._saved_row.addWidget(button)
        self._saved_row.addStretch(1)

    def _build_results(self) -> None:
        self.model = RowsModel([_tr(h) for h in HEADERS], self)
        self.proxy = sorting_proxy(self.model, self)
        self.table = QTableView()
        self.table.setObjectName("interactions_table")
        self.table.setModel(self.proxy)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self.on_table_doubleClicked)
        self.bom = QCheckBox(self.tr("BOM for spreadsheets"))
        self.export_button = QPushButton(self.tr("&Export CSV…"))
        self.export_button.setToolTip(
            self.tr("Exports the selected rows, or every row shown when none is selected")
        )
        self.export_button.clicked.connect(self.on_export_button_clicked)
        self.spy_button = QPushButton(self.tr("S&py"))
        self.spy_button.setToolTip(self.tr("Read the conversation without accepting it"))
        self.spy_button.clicked.connect(self.on_spy_button_clicked)
        self.zip_button = QPushButton(self.tr("Download .eml &zip…"))
        self.zip_button.clicked.connect(self.on_zip_button_clicked)
        self.light_zip_button = QPushButton(self.tr("Zip &without attachments…"))
        self.light_zip_button.clicked.connect(self.on_light_zip_button_clicked)
        self.delete_button = QPushButton(self.tr("Delete &permanently…"))
        self.delete_button.setObjectName("delete_interactions")
        self.delete_button.clicked.connect(self.on_delete_button_clicked)
        self._actions_row = QHBoxLayout()
        self._actions_row.addWidget(self.bom)
        for button in (
            self.export_button,
            self.spy_button,
            self.zip_button,
            self.light_zip_button,
        ):
            self._actions_row.addWidget(button)
        self._actions_row.addStretch(1)
        self._actions_row.addWidget(self.delete_button)
        self.status = QLabel()
        self.status.setObjectName("interactions_status")
        self.status.setWordWrap(True)

    # --- filter choices ------------------------------------------------------------------------

    def reload_choices(self) -> None:
        store, actor = self._admin.ctx.store, self._admin.supervisor
        self._admin.query(
            self,
            lambda: interaction_admin.filter_choices(store, actor),
            self.on_choices_loaded,
            self.on_task_failed,
            key="admin-interactions-choices",
        )

    def on_choices_loaded(self, choices: FilterChoices) -> None:
        for combo, names in (
            (self.account, choices.accounts),
            (self.queue, choices.queues),
            (self.agent, choices.agents),
            (self.language, choices.languages),
        ):
            current = combo.currentData()
            while combo.count() > 1:
                combo.removeItem(1)
            for name in names:
                combo.addItem(name, name)
            self._choose(combo, current)
        self.tags.setToolTip(", ".join(choices.tags))
        self.choices_loaded.emit()

    @staticmethod
    def _choose(combo: QComboBox, value: Any) -> None:
        """Select ``value`` (None: the first, "any" entry); a name not listed is added."""
        index = combo.findData(value)
        if index < 0:
            combo.addItem(str(value), value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    # --- the builder ---------------------------------------------------------------------------

    @property
    def conditions(self) -> list[Condition]:
        return list(self._conditions)

    def editor_condition(self) -> Condition:
        """The condition the field, operator and value editors describe."""
        operator = str(self.operator.currentData())
        value: Any = self.value.text()
        if operator == "between":
            value = (self.value.text(), self.value2.text())
        elif operator == "is_empty":
            value = None
        return Condition(str(self.field.currentData()), operator, value)

    def add_condition(self, condition: Condition) -> None:
        self._conditions.append(condition)
        self._show_conditions(len(self._conditions) - 1)

    def update_condition(self, row: int, condition: Condition) -> None:
        if 0 <= row < len(self._conditions):
            self._conditions[row] = Condition(
                condition.field, condition.operator, condition.value, self._conditions[row].enabled
            )
            self._show_conditions(row)

    def set_condition_enabled(self, row: int, enabled: bool) -> None:
        if 0 <= row < len(self._conditions):
            old = self._conditions[row]
            self._conditions[row] = Condition(old.field, old.operator, old.value, enabled)
            self._show_conditions(row)

    def remove_condition(self, row: int) -> None:
        if 0 <= row < len(self._conditions):
            del self._conditions[row]
            self._show_conditions(min(row, len(self._conditions) - 1))

    def clear_conditions(self) -> None:
        self._conditions.clear()
        self._show_conditions(-1)

    def _show_conditions(self, current: int) -> None:
        self.conditions_list.blockSignals(True)
        self.conditions_list.clear()
        for condition in self._conditions:
            item = QListWidgetItem(describe(condition))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if condition.enabled else Qt.CheckState.Unchecked
            )
            if not condition.enabled:
                font = item.font()
                font.setStrikeOut(True)
                item.setFont(font)
            self.conditions_list.addItem(item)
        self.conditions_list.setCurrentRow(current)
        self.conditions_list.blockSignals(False)
        # The editors show the current condition, ready to be changed and updated.
        self.on_conditions_list_currentRowChanged(current)

    def on_conditions_list_itemChanged(self, item: QListWidgetItem) -> None:
        row = self.conditions_list.row(item)
        enabled = item.checkState() == Qt.CheckState.Checked
        if 0 <= row < len(self._conditions) and self._conditions[row].enabled != enabled:
            self.set_condition_enabled(row, enabled)

    def on_conditions_list_currentRowChanged(self, row: int) -> None:
        if not 0 <= row < len(self._conditions):
            return
        condition = self._conditions[row]
        self.field.setCurrentIndex(max(self.field.findData(condition.field), 0))
        self.operator.setCurrentIndex(max(self.operator.findData(condition.operator), 0))
        if condition.operator == "between":
            low, high = [*(condition.value or ()), "", ""][:2]
            self.value.setText(str(low))
            self.value2.setText(str(high))
        else:
            self.value.setText("" if condition.value is None else str(condition.value))
            self.value2.clear()

    def on_operator_currentIndexChanged(self, _index: int) -> None:
        operator = self.operator.currentData()
        self.value.setEnabled(operator != "is_empty")
        self.value_and.setVisible(operator == "between")
        self.value2.setVisible(operator == "between")

    def on_add_condition_button_clicked(self) -> None:
        self.add_condition(self.editor_condition())

    def on_update_condition_button_clicked(self) -> None:
        self.update_condition(self.conditions_list.currentRow(), self.editor_condition())

    def on_toggle_condition_button_clicked(self) -> None:
        row = self.conditions_list.currentRow()
        if 0 <= row < len(self._conditions):
            self.set_condition_enabled(row, not self._conditions[row].enabled)

    def on_remove_condition_button_clicked(self) -> None:
        self.remove_condition(self.conditions_list.currentRow())

    # --- the search as values, and back -------------------------------------------------------

    def search_values(self) -> dict[str, Any]:
        """What to search for, as loose values app/ checks (make_search's arguments)."""
        filters: dict[str, Any] = {
            "account": self.account.currentData(),
            "queue": self.queue.currentData(),
            "agent": self.agent.currentData(),
            "language": self.language.currentData(),
            "unread": self.read_state.currentData(),
            "status": self.status_filter.currentData(),
            "tags": [t for t in (p.strip() for p in self.tags.text().split(",")) if t],
        }
        if self.use_from.isChecked():
            filters["started_from"] = self.started_from.date().toString("yyyy-MM-dd")
        if self.use_to.isChecked():
            filters["started_to"] = self.started_to.date().toString("yyyy-MM-dd")
        return {
            "text": self.text.text(),
            "filters": filters,
            "conditions": list(self._conditions),
            "match": str(self.match.currentData()),
        }

    def show_search(self, search: InteractionSearch) -> None:
        """Put a (saved) search into the page's filters, text and builder."""
        filters = search.filters
        self._choose(self.account, filters.account)
        self._choose(self.queue, filters.queue)
        self._choose(self.agent, filters.agent)
        self._choose(self.language, filters.language)
        self._choose(self.read_state, filters.unread)
        self._choose(self.status_filter, filters.status)
        self.tags.setText(", ".join(filters.tags))
        for check, edit, day in (
            (self.use_from, self.started_from, filters.started_from),
            (self.use_to, self.started_to, filters.started_to),
        ):
            check.setChecked(day is not None)
            if day is not None:
                edit.setDate(QDate(day.year, day.month, day.day))
        self.text.setText(search.text)
        self._choose(self.match, search.match)
        self._conditions = list(search.conditions)
        self._show_conditions(-1)

    def show_account(self, account: str) -> None:
        """The accounts page's "Interactions": this account's, with the other filters kept."""
        self._choose(self.account, account)
        self.run_search()

    # --- searching -------------------------------------------------------------------------------

    def run_search(self) -> None:
        store, actor, values = self._admin.ctx.store, self._admin.supervisor, self.search_values()
        self.status.setText(self.tr("Searching…"))
        self._admin.query(
            self,
            lambda: _run_search(store, actor, values),
            self.on_search_done,
            self.on_search_failed,
            key="admin-interactions",
        )

    def on_search_done(self, hits: list[Hit]) -> None:
        self._hits = hits
        self.model.set_rows(
            [
                (
                    h.subject,
                    h.customer,
                    h.account,
                    h.queue,
                    h.agent,
                    h.language,
                    self.tr("Open") if h.status == "open" else self.tr("Closed"),
                    self.tr("unread") if h.unread else "",
                    h.started_at,
                    h.last_activity_at,
                )
                for h in hits
            ]
        )
        self.table.resizeColumnsToContents()
        if not hits:
            self.status.setText(
                self.tr("No interaction matches: loosen a filter or disable a condition.")
            )
        elif len(hits) >= SEARCH_LIMIT:
            self.status.setText(
                self.tr(
                    "The first {count} interactions; narrow the search to see the rest."
                ).format(count=len(hits))
            )
        else:
            self.status.setText(self.tr("{count} interactions.").format(count=len(hits)))
        self.searched.emit(len(hits))

    def on_search_failed(self, error: BaseException) -> None:
        self.status.setText(str(error))
        self.searched.emit(-1)

    def shown_hits(self) -> list[Hit]:
        """The interactions in the table's order."""
        return [
            self._hits[self.proxy.mapToSource(self.proxy.index(r, 0)).row()]
            for r in range(self.proxy.rowCount())
        ]

    def selected_hits(self) -> list[Hit]:
        """The selected interactions, in the table's order."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self._hits[self.proxy.mapToSource(self.proxy.index(r, 0)).row()] for r in rows]

    def select_interactions(self, ids: list[uuid.UUID]) -> None:
        """Select these interactions' rows (the first one becomes current)."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        first: QModelIndex | None = None
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self._hits[self.proxy.mapToSource(index).row()].id in ids:
                selection.select(
                    index,
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                first = first or index
        if first is not None:
            selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)

    def _one_selected(self) -> Hit | None:
        chosen = self.selected_hits()
        if len(chosen) != 1:
            self.status.setText(self.tr("Select one interaction first."))
            return None
        return chosen[0]

    # --- saved searches ----------------------------------------------------------------------

    def reload_saved(self, select: str | None = None) -> None:
        store, actor = self._admin.ctx.store, self._admin.supervisor
        self._admin.query(
            self,
            lambda: interaction_admin.saved_search_names(store, actor),
            lambda names: self.on_saved_loaded(names, select),
            self.on_task_failed,
            key="admin-interactions-saved",
        )

    def on_saved_loaded(self, names: list[str], select: str | None) -> None:
        current = select or self.saved.currentText()
        self.saved.clear()
        self.saved.addItems(names)
        if current in names:
            self.saved.setCurrentIndex(names.index(current))
        for button in (self.load_saved_button, self.rename_saved_button, self.delete_saved_button):
            button.setEnabled(bool(names))

    def saved_names(self) -> list[str]:
        return [self.saved.itemText(i) for i in range(self.saved.count())]

    def save_search_as(self, name: str, *, replace: bool = False) -> None:
        try:
            search = interaction_admin.make_search(**self.search_values())
            op = interaction_admin.save_search_op(
                self._admin.supervisor, name, search, replace=replace
            )
        except UserError as exc:
            self.on_saved_search_failed(exc)
            return
        self._run_search_op(op, self.on_saved_search_stored)

    def _run_search_op(self, op: Operation, on_applied: Callable[[str], None]) -> None:
        """A saved-search operation: its (possibly central) outcome, then ``on_applied``."""

        def settled(outcomes: list[OpResult]) -> None:
            outcome = outcomes[0]
            if outcome.applied:
                on_applied(str(outcome.result.get("name", "")))
            else:
                self.on_saved_search_failed(UserError(outcome.reason))

        self._admin.operate(self, op, settled, self.on_saved_search_failed)

    def load_saved(self, name: str) -> None:
        store, actor = self._admin.ctx.store, self._admin.supervisor
        self._admin.query(
            self,
            lambda: interaction_admin.load_search(store, actor, name),
            lambda search: self.on_saved_search_loaded(name, search),
            self.on_saved_search_failed,
        )

    def rename_saved(self, name: str, new_name: str) -> None:
        try:
            op = interaction_admin.rename_search_op(self._admin.supervisor, name, new_name)
        except UserError as exc:
            self.on_saved_search_failed(exc)
            return
        self._run_search_op(op, self.on_saved_search_stored)

    def delete_saved(self, name: str) -> None:
        try:
            op = interaction_admin.delete_search_op(self._admin.supervisor, name)
        except UserError as exc:
            self.on_saved_search_failed(exc)
            return
        self._run_search_op(op, self.on_saved_search_deleted)

    def on_saved_search_stored(self, name: str) -> None:
        self.status.setText(self.tr("Saved search “{name}” stored.").format(name=name))
        self.reload_saved(select=name)
        self.saved_searches_changed.emit(True)

    def on_saved_search_loaded(self, name: str, search: InteractionSearch) -> None:
        self.show_search(search)
        self.status.setText(self.tr("Saved search “{name}” loaded.").format(name=name))
        self.saved_searches_changed.emit(True)
        self.run_search()

    def on_saved_search_deleted(self, name: str) -> None:
        self.status.setText(self.tr("Saved search “{name}” deleted.").format(name=name))
        self.reload_saved()
        self.saved_searches_changed.emit(True)

    def on_saved_search_failed(self, error: BaseException) -> None:
        self.status.setText(str(error))
        self.saved_searches_changed.emit(False)

    def on_load_saved_button_clicked(self) -> None:
        if self.saved.currentText():
            self.load_saved(self.saved.currentText())

    def on_save_button_clicked(self) -> None:
        name = self.ask_text(
            self.tr("Save search"), self.tr("Name of the saved search:"), self.saved.currentText()
        )
        if not name:
            return
        replace = name in self.saved_names()
        if replace and not self.confirm(
            self.tr("Replace saved search?"),
            self.tr("There is already a saved search “{name}”. Replace it?").format(name=name),
        ):
            return
        self.save_search_as(name, replace=replace)

    def on_rename_saved_button_clicked(self) -> None:
        name = self.saved.currentText()
        if not name:
            return
        new_name = self.ask_text(self.tr("Rename saved search"), self.tr("New name:"), name)
        if new_name and new_name != name:
            self.rename_saved(name, new_name)

    def on_delete_saved_button_clicked(self) -> None:
        name = self.saved.currentText()
        if name and self.confirm(
            self.tr("Delete saved search?"),
            self.tr("Delete the saved search “{name}”?").format(name=name),
        ):
            self.delete_saved(name)

    # --- CSV -------------------------------------------------------------------------------------

    def on_export_button_clicked(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export CSV"),
            "interactions.csv",
            self.tr("CSV files (*.csv)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """The selected rows (every shown row when none is selected) as CSV at ``path``."""
        hits = self.selected_hits() or self.shown_hits()
        store, actor, bom = self._admin.ctx.store, self._admin.supervisor, self.bom.isChecked()
        self.status.setText(self.tr("Exporting…"))
        self._admin.query(
            self,
            lambda: interaction_admin.export_csv(store, actor, hits, path, bom=bom),
            lambda count: self.on_exported(path, count),
            self.on_export_failed,
        )

    def on_exported(self, path: Path, count: int) -> None:
        self.status.setText(
            self.tr("{count} interactions written to {path}.").format(count=count, path=path)
        )
        self.exported.emit(str(path))

    def on_export_failed(self, error: BaseException) -> None:
        self.status.setText(self.tr("The CSV could not be written: {error}").format(error=error))
        self.exported.emit("")

    # --- .eml zips -------------------------------------------------------------------------------

    def on_zip_button_clicked(self) -> None:
        self._ask_zip(attachments=True)

    def on_light_zip_button_clicked(self) -> None:
        self._ask_zip(attachments=False)

    def _ask_zip(self, *, attachments: bool) -> None:
        if self._one_selected() is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Download the conversation"),
            "interaction.zip" if attachments else "interaction-without-attachments.zip",
            self.tr("Zip files (*.zip)"),
        )
        if path:
            self.download_to(Path(path), attachments=attachments)

    def download_to(self, path: Path, *, attachments: bool) -> None:
        """The selected interaction's messages as numbered .eml files in a zip at ``path``."""
        hit = self._one_selected()
        if hit is None:
            self.downloaded.emit("")
            return
        ctx, actor = self._admin.ctx, self._admin.supervisor
        self.status.setText(self.tr("Writing the zip…"))
        self._admin.query(
            self,
            lambda: interaction_admin.export_eml_zip(
                ctx.store, ctx.blobs, actor, hit.id, path, attachments=attachments
            ),
            self.on_downloaded,
            self.on_download_failed,
        )

    def on_downloaded(self, path: Path) -> None:
        self.status.setText(self.tr("The conversation was written to {path}.").format(path=path))
        self.downloaded.emit(str(path))

    def on_download_failed(self, error: BaseException) -> None:
        self.status.setText(self.tr("The zip could not be written: {error}").format(error=error))
        self.downloaded.emit("")

    # --- deleting --------------------------------------------------------------------------------

    def on_delete_button_clicked(self) -> None:
        self.delete_selected()

    def delete_selected(self) -> None:
        """Delete the selected interactions for good, once the supervisor confirms."""
        hits = self.selected_hits()
        if not hits:
            self.status.setText(self.tr("Select the interactions to delete first."))
            return
        if len(hits) == 1:
            text = self.tr(
                "Delete “{subject}” and all its messages permanently? This cannot be undone."
            ).format(subject=hits[0].subject)
        else:
            text = self.tr(
                "Delete {count} interactions and all their messages permanently? "
                "This cannot be undone."
            ).format(count=len(hits))
        if not self.confirm(self.tr("Delete permanently?"), text):
            return
        op = interaction_admin.delete_interactions_op(self._admin.supervisor, [h.id for h in hits])
        self.status.setText(self.tr("Deleting…"))
        self._admin.operate(
            self, op, lambda outcomes: self.on_deleted(outcomes[0]), self.on_delete_failed
        )

    def on_deleted(self, outcome: OpResult) -> None:
        if not outcome.applied:
            self.status.setText(outcome.reason)
            self.deleted.emit(-1)
            return
        count = int(outcome.result["deleted"])
        self.status.setText(self.tr("{count} interactions deleted.").format(count=count))
        self.deleted.emit(count)
        self.run_search()

    def on_delete_failed(self, error: BaseException) -> None:
        self.status.setText(str(error))
        self.deleted.emit(-1)

    # --- spying ----------------------------------------------------------------------------------

    def on_spy_button_clicked(self) -> None:
        hit = self._one_selected()
        if hit is not None:
            self.spy(hit.id)

    def on_table_doubleClicked(self, index: QModelIndex) -> None:
        self.spy(self._hits[self.proxy.mapToSource(index).row()].id)

    def spy(self, interaction_id: uuid.UUID) -> SpyDialog:
        """Open the interaction read-only, beside the page (several may be open)."""
        dialog = SpyDialog(self._admin, interaction_id, self)
        dialog.setModal(False)
        dialog.finished.connect(lambda _result, d=dialog: self._forget_spy(d))
        self.spies.append(dialog)
        dialog.show()
        self.spy_opened.emit(dialog)
        return dialog

    def _forget_spy(self, dialog: SpyDialog) -> None:
        # Not deleted here: its thread view may still have a load in flight whose answer
        # would reach a destroyed widget. It goes with the page, on leaving admin mode.
        if dialog in self.spies:
            self.spies.remove(dialog)

    def shutdown(self) -> None:
        for dialog in list(self.spies):
            dialog.close()
            self._forget_spy(dialog)

    def on_task_failed(self, error: BaseException) -> None:
        self.status.setText(str(error))
