"""Templates and canned answers with a live preview on sample data, and dispositions.

The preview renders in the background (app/templates.py's sandbox, latest edit wins) a
moment after typing stops; a missing variable or a syntax error shows there, with its line,
and the same check refuses to store it.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.accounts import list_accounts
from app.services.content import (
    ContentItem,
    Kind,
    add_disposition_op,
    list_content,
    list_dispositions,
    save_content_op,
)
from app.services.operations import Operation, OpResult
from app.templates import preview
from ui.admin.settings_pages import AdminContext

PREVIEW_DELAY_MS = 250
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


def render_preview(subject: str, body: str) -> str:
    rendered_subject = preview(subject, name="subject") if subject else ""
    rendered_body = preview(body, name="body")
    return f"{rendered_subject}\n\n{rendered_body}" if rendered_subject else rendered_body


class ContentPage(QWidget):
    loaded = Signal()
    previewed = Signal(str)  # the rendered text, or the refusal
    saved = Signal(bool)

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._editing: ContentItem | None = None
        self._kind: Kind = "template"
        self.items = QListWidget()
        self.items.setObjectName("content_list")
        self.items.currentItemChanged.connect(self.on_items_current_item_changed)
        self.new_template = QPushButton(QCoreApplication.translate("ContentPage", "New &template"))
        self.new_template.clicked.connect(lambda: self.start_new("template"))
        self.new_canned = QPushButton(
            QCoreApplication.translate("ContentPage", "New &canned answer")
        )
        self.new_canned.clicked.connect(lambda: self.start_new("canned"))
        self.name = QLineEdit()
        self.subject = QLineEdit()
        self.account = QComboBox()
        self.body = QPlainTextEdit()
        self.body.setObjectName("content_body")
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("content_preview")
        self.preview.setReadOnly(True)
        self.preview_state = QLabel()
        self.preview_state.setWordWrap(True)
        self.save_button = QPushButton(QCoreApplication.translate("ContentPage", "&Save"))
        self.save_button.clicked.connect(self.on_save_button_clicked)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(PREVIEW_DELAY_MS)
        self._delay.timeout.connect(self.on_delay_timeout)
        for line in (self.name, self.subject):
            line.textEdited.connect(self._delay.start)
        self.body.textChanged.connect(self._delay.start)

        form = QFormLayout()
        form.addRow(QCoreApplication.translate("ContentPage", "Name"), self.name)
        form.addRow(QCoreApplication.translate("ContentPage", "Subject"), self.subject)
        form.addRow(QCoreApplication.translate("ContentPage", "Account"), self.account)
        form.addRow(QCoreApplication.translate("ContentPage", "Text"), self.body)
        form.addRow(
            QCoreApplication.translate("ContentPage", "Preview on sample data"), self.preview
        )
        form.addRow("", self.preview_state)
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        editor_layout.addLayout(buttons)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.items, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_template)
        row.addWidget(self.new_canned)
        left_layout.addLayout(row)

        # dispositions
        self.dispositions = QListWidget()
        self.dispositions.setObjectName("disposition_list")
        self.disposition_name = QLineEdit()
        self.disposition_name.setPlaceholderText(
            QCoreApplication.translate("ContentPage", "new disposition")
        )
        self.disposition_account = QComboBox()
        self.add_disposition_button = QPushButton(
            QCoreApplication.translate("ContentPage", "Add &disposition")
        )
        self.add_disposition_button.clicked.connect(self.on_add_disposition_button_clicked)
        box = QGroupBox(QCoreApplication.translate("ContentPage", "Dispositions"))
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.dispositions, 1)
        add_row = QHBoxLayout()
        add_row.addWidget(self.disposition_name, 1)
        add_row.addWidget(self.disposition_account)
        add_row.addWidget(self.add_disposition_button)
        box_layout.addLayout(add_row)
        left_layout.addWidget(box, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(editor)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.start_new("template")
        self.reload()

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        store = self._admin.ctx.store
        self._admin.query(
            self,
            lambda: (list_content(store), list_dispositions(store), list_accounts(store)),
            self.on_content_loaded,
            self.on_task_failed,
            key=f"admin-content-{id(self)}",
        )

    def on_content_loaded(self, loaded: Any) -> None:
        items, dispositions, accounts = loaded
        # Select what the editor holds now, not what it held when the load was asked for.
        select = self._editing.id if self._editing is not None else None
        every = QCoreApplication.translate("ContentPage", "Every account")
        names = [a.name for a in accounts]
        for combo in (self.account, self.disposition_account):
            chosen = combo.currentData()
            combo.clear()
            combo.addItem(every, None)
            for name in names:
                combo.addItem(name, name)
            combo.setCurrentIndex(max(combo.findData(chosen), 0))
        self.items.blockSignals(True)
        self.items.clear()
        for item in items:
            kind = (
                QCoreApplication.translate("ContentPage", "Template")
                if item.kind == "template"
                else QCoreApplication.translate("ContentPage", "Canned answer")
            )
            entry = QListWidgetItem(f"{kind} · {item.name}")
            entry.setData(ITEM_ROLE, item)
            self.items.addItem(entry)
            if item.id == select:
                self.items.setCurrentItem(entry)
        self.items.blockSignals(False)
        self.dispositions.clear()
        for row in dispositions:
            where = row.account or every
            self.dispositions.addItem(f"{row.name} ({where})")
        self.loaded.emit()

    def on_items_current_item_changed(self, current: QListWidgetItem | None, _old: Any) -> None:
        if current is None:
            return
        item: ContentItem = current.data(ITEM_ROLE)
        self._editing, self._kind = item, item.kind
        self.name.setText(item.name)
        self.subject.setText(item.subject)
        self.account.setCurrentIndex(max(self.account.findData(item.account), 0))
        self.body.setPlainText(item.body)
        self._show_kind()

    def start_new(self, kind: Kind) -> None:
        self._editing, self._kind = None, kind
        self.items.clearSelection()
        self.name.clear()
        self.subject.clear()
        self.body.clear()
        self._show_kind()
        self.name.setFocus()

    def _show_kind(self) -> None:
        self.subject.setEnabled(self._kind == "template")
        self.account.setEnabled(self._kind == "canned")

    # --- preview and saving ----------------------------------------------------------------

    def on_delay_timeout(self) -> None:
        subject, body = self.subject.text(), self.body.toPlainText()
        self._admin.query(
            self,
            lambda: render_preview(subject, body),
            self.on_preview_rendered,
            self.on_preview_failed,
            key=f"template-preview-{id(self)}",
        )

    def on_preview_rendered(self, text: str) -> None:
        self.preview.setPlainText(text)
        self.preview_state.clear()
        self.previewed.emit(text)

    def on_preview_failed(self, error: BaseException) -> None:
        self.preview_state.setText(str(error))
        self.previewed.emit(str(error))

    def on_save_button_clicked(self) -> None:
        kind, editing = self._kind, self._editing
        name, subject, body = self.name.text(), self.subject.text(), self.body.toPlainText()
        account = self.account.currentData() if kind == "canned" else None
        op = save_content_op(
            self._admin.supervisor,
            kind,
            editing.id if editing else None,
            name,
            body,
            subject if kind == "template" else "",
            account,
        )
        self._admin.operate(
            self,
            op,
            lambda outcomes: self.on_content_saved(outcomes[0], op),
            self.on_save_failed,
        )

    def on_content_saved(self, outcome: OpResult, op: Operation) -> None:
        if not outcome.applied:
            self.status.setText(outcome.reason)  # the text stays in the editor, to be corrected
            self.saved.emit(False)
            return
        asked = op.payload
        item = ContentItem(
            asked["kind"],
            uuid.UUID(str(outcome.result["item"])),
            str(outcome.result["name"]),
            str(asked["subject"]),
            str(asked["body"]),
            asked["account"],
        )
        self._editing = item
        self.status.setText(QCoreApplication.translate("ContentPage", "Saved."))
        self.saved.emit(True)
        self.reload()

    def on_save_failed(self, error: BaseException) -> None:
        self.status.setText(str(error))  # the text stays in the editor, to be corrected
        self.saved.emit(False)

    def on_add_disposition_button_clicked(self) -> None:
        name, account = self.disposition_name.text(), self.disposition_account.currentData()
        self._admin.operate(
            self,
            add_disposition_op(self._admin.supervisor, name, account),
            lambda outcomes: self.on_disposition_added(outcomes[0]),
            self.on_save_failed,
        )

    def on_disposition_added(self, outcome: OpResult) -> None:
        if not outcome.applied:
            self.status.setText(outcome.reason)
            self.saved.emit(False)
            return
        self.disposition_name.clear()
        self.status.setText(
            QCoreApplication.translate("ContentPage", "Disposition {name} added.").format(
                name=outcome.result["name"]
            )
        )
        self.saved.emit(True)
        self.reload()

    def on_task_failed(self, error: BaseException) -> None:
        self.status.setText(str(error))
