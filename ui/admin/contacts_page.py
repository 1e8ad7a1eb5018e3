"""The contact manager: contact lists on the left, the chosen list's contacts (searchable, a
page at a time) in the middle, the selected contact's editor on the right; CSV import and
export. Every read goes through app/ (app/services/contact_lists.py, contact_io.py) and
every change is an operation (save_contact, the list operations, import_contacts), whose
handler checks the role; in team mode the central database applies them."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.services.contact_io import (
    ImportReport,
    export_contacts,
    import_operations,
    import_report,
)
from app.services.contact_lists import (
    PAGE_SIZE,
    ContactDetails,
    ContactListRow,
    ContactLists,
    ContactPage,
    ContactSummary,
    contact_details,
    list_contact_lists,
    search_contacts,
)
from app.services.operations import Operation, OpResult
from storage.engine import Store
from ui.admin.rows_model import RowsModel
from ui.admin.settings_pages import AdminContext

SEARCH_DELAY_MS = 250
PROGRESS_DELAY_MS = 600  # STYLE: progress shows only for work that takes a while
LIST_ROLE = Qt.ItemDataRole.UserRole + 1


def read_and_parse(actor: uuid.UUID, path: Path, list_name: str | None) -> list[Operation]:
    """The file, parsed on this desk, as the import_contacts operations that merge it."""
    return import_operations(path.read_bytes(), actor=actor, list_name=list_name)


def export_and_write(
    store: Store, actor: uuid.UUID, path: Path, list_name: str | None, bom: bool
) -> int:
    text, count = export_contacts(store, actor=actor, list_name=list_name, bom=bom)
    # newline="" keeps the CRLF line ends RFC 4180 asks for.
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(text)
    return count


class ContactsPage(QWidget):
    lists_loaded = Signal()
    contacts_loaded = Signal(int)  # rows shown (-1 when the read was refused)
    contact_loaded = Signal(object)  # the ContactDetails shown in the editor
    saved = Signal(bool)
    imported = Signal(object)  # the ImportReport, or None when the import was refused
    exported = Signal(str)  # the file written ("" when the export failed)

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._lists: tuple[ContactListRow, ...] = ()
        self._rows: list[ContactSummary] = []
        self._after: tuple[str, uuid.UUID] | None = None
        self._loading_more = False
        self._editing: ContactDetails | None = None
        self._select_after_load: uuid.UUID | None = None
        self._notice = ""  # shown once the saved contact is read again

        # left: the lists
        self.lists = QListWidget()
        self.lists.setObjectName("contact_lists")
        self.lists.currentItemChanged.connect(self.on_lists_current_item_changed)
        self.list_name = QLineEdit()
        self.list_name.setPlaceholderText(self.tr("List name"))
        self.new_list_button = QPushButton(self.tr("&New list"))
        self.new_list_button.clicked.connect(self.on_new_list_button_clicked)
        self.rename_list_button = QPushButton(self.tr("Re&name list"))
        self.rename_list_button.setEnabled(False)
        self.rename_list_button.clicked.connect(self.on_rename_list_button_clicked)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel(self.tr("Contact lists")))
        left_layout.addWidget(self.lists, 1)
        left_layout.addWidget(self.list_name)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.new_list_button)
        list_buttons.addWidget(self.rename_list_button)
        left_layout.addLayout(list_buttons)

        # middle: the contacts
        self.search = QLineEdit()
        self.search.setObjectName("contact_search")
        self.search.setPlaceholderText(self.tr("Search name, address or company…"))
        self.search.setClearButtonEnabled(True)
        self._search_delay = QTimer(self)
        self._search_delay.setSingleShot(True)
        self._search_delay.setInterval(SEARCH_DELAY_MS)
        self._search_delay.timeout.connect(self.reload_contacts)
        self.search.textChanged.connect(self._search_delay.start)
        self.model = RowsModel(
            [
                self.tr("Name"),
                self.tr("Email addresses"),
                self.tr("Company"),
                self.tr("Phone"),
                self.tr("Unsubscribed"),
            ],
            self,
            formatters={1: lambda emails: ", ".join(emails), 4: self._yes_no},
        )
        self.table = QTableView()
        self.table.setObjectName("contact_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self.on_table_current_row_changed)
        # Lazy: the next page is read when the list is scrolled to its end (keyset, in app/).
        self.table.verticalScrollBar().valueChanged.connect(self.on_scroll_value_changed)
        self.more_button = QPushButton(self.tr("Show &more"))
        self.more_button.hide()
        self.more_button.clicked.connect(self.load_more)
        self.contacts_status = QLabel()
        self.contacts_status.setObjectName("contacts_status")
        self.bom = QCheckBox(self.tr("BOM for spreadsheets"))
        self.import_button = QPushButton(self.tr("&Import CSV…"))
        self.import_button.clicked.connect(self.on_import_button_clicked)
        self.export_button = QPushButton(self.tr("E&xport CSV…"))
        self.export_button.clicked.connect(self.on_export_button_clicked)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # one transaction: busy, without steps
        self.progress.hide()
        self._progress_delay = QTimer(self)
        self._progress_delay.setSingleShot(True)
        self._progress_delay.setInterval(PROGRESS_DELAY_MS)
        self._progress_delay.timeout.connect(self.progress.show)
        self.report = QPlainTextEdit()
        self.report.setObjectName("import_report")
        self.report.setReadOnly(True)
        self.report.setMaximumHeight(120)
        self.report.hide()
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.addWidget(self.search)
        middle_layout.addWidget(self.table, 1)
        status_row = QHBoxLayout()
        status_row.addWidget(self.contacts_status, 1)
        status_row.addWidget(self.more_button)
        middle_layout.addLayout(status_row)
        io_row = QHBoxLayout()
        io_row.addWidget(self.import_button)
        io_row.addWidget(self.export_button)
        io_row.addWidget(self.bom)
        io_row.addWidget(self.progress, 1)
        middle_layout.addLayout(io_row)
        middle_layout.addWidget(self.report)

        # right: the editor
        self.name = QLineEdit()
        self.emails = QPlainTextEdit()
        self.emails.setObjectName("contact_emails")
        self.emails.setPlaceholderText(self.tr("One address per line"))
        self.emails.setTabChangesFocus(True)
        self.emails.setMaximumHeight(self.emails.fontMetrics().lineSpacing() * 5)
        self.phone = QLineEdit()
        self.company = QLineEdit()
        self.list_choice = QComboBox()
        self.unsubscribed = QCheckBox(self.tr("No automatic mail (unsubscribed)"))
        self.attributes = QTableWidget(0, 3)
        self.attributes.setObjectName("contact_attributes")
        self.attributes.setHorizontalHeaderLabels(
            [self.tr("Attribute"), self.tr("Value"), self.tr("Personal data")]
        )
        self.attributes.verticalHeader().hide()
        self.attributes.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.attributes.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.ResizeToContents
        )
        self.add_attribute_button = QPushButton(self.tr("&Add attribute"))
        self.add_attribute_button.clicked.connect(self.on_add_attribute_button_clicked)
        self.remove_attribute_button = QPushButton(self.tr("Remo&ve attribute"))
        self.remove_attribute_button.clicked.connect(self.on_remove_attribute_button_clicked)
        self.new_contact_button = QPushButton(self.tr("New &contact"))
        self.new_contact_button.clicked.connect(self.start_new)
        self.save_button = QPushButton(self.tr("&Save contact"))
        self.save_button.setObjectName("save_contact")
        self.save_button.clicked.connect(self.on_save_button_clicked)
        self.status = QLabel()
        self.status.setObjectName("contact_status")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Addresses"), self.emails)
        form.addRow(self.tr("Phone"), self.phone)
        form.addRow(self.tr("Company"), self.company)
        form.addRow(self.tr("List"), self.list_choice)
        form.addRow("", self.unsubscribed)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addLayout(form)
        right_layout.addWidget(self.attributes, 1)
        attribute_buttons = QHBoxLayout()
        attribute_buttons.addWidget(self.add_attribute_button)
        attribute_buttons.addWidget(self.remove_attribute_button)
        attribute_buttons.addStretch(1)
        right_layout.addLayout(attribute_buttons)
        save_row = QHBoxLayout()
        save_row.addWidget(self.new_contact_button)
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        right_layout.addLayout(save_row)
        right_layout.addWidget(self.status)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(middle)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.start_new()
        self.reload_lists()

    def _yes_no(self, value: Any) -> str:
        return self.tr("yes") if value else ""

    # --- lists ------------------------------------------------------------------------------

    def chosen_list(self) -> ContactListRow | None:
        """The list whose contacts are shown; None for every contact."""
        item = self.lists.currentItem()
        if item is None:
            return None
        found: ContactListRow | None = item.data(LIST_ROLE)
        return found

    def reload_lists(self, select: uuid.UUID | None = None) -> None:
        store, actor = self._admin.ctx.store, self._admin.supervisor
        chosen = self.chosen_list()
        keep = select if select is not None else (chosen.id if chosen is not None else None)
        self._admin.query(
            self,
            lambda: list_contact_lists(store, actor),
            lambda loaded: self.on_lists_loaded(loaded, keep),
            self.on_lists_failed,
            key=f"admin-contact-lists-{id(self)}",
        )

    def on_lists_loaded(self, loaded: ContactLists, keep: uuid.UUID | None) -> None:
        self._lists = loaded.lists
        before = self.chosen_list()
        changed = keep != (before.id if before is not None else None)
        first_load = self.lists.count() == 0
        self.lists.blockSignals(True)
        self.lists.clear()
        every = QListWidgetItem(self.tr("All contacts ({count})").format(count=loaded.total))
        every.setData(LIST_ROLE, None)
        self.lists.addItem(every)
        self.lists.setCurrentItem(every)
        for row in loaded.lists:
            text = self.tr("{name} ({count})").format(name=row.name, count=row.contacts)
            item = QListWidgetItem(text)
            item.setData(LIST_ROLE, row)
            if row.default_for:
                # The list new senders land in: marked, and the tooltip says for which account.
                item.setText(self.tr("{list} · default").format(list=text))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                item.setToolTip(
                    self.tr("New senders of {accounts} are saved in this list.").format(
                        accounts=", ".join(row.default_for)
                    )
                )
            self.lists.addItem(item)
            if row.id == keep:
                self.lists.setCurrentItem(item)
        self.lists.blockSignals(False)
        self._fill_list_choice()
        self.rename_list_button.setEnabled(self.chosen_list() is not None)
        self.lists_loaded.emit()
        if first_load or changed:
            self.reload_contacts()

    def _fill_list_choice(self) -> None:
        wanted = self.list_choice.currentData()
        self.list_choice.clear()
        self.list_choice.addItem(self.tr("(no list)"), "")
        for row in self._lists:
            self.list_choice.addItem(row.name, row.name)
        self.list_choice.setCurrentIndex(max(self.list_choice.findData(wanted), 0))

    def on_lists_failed(self, error: BaseException) -> None:
        self.contacts_status.setText(str(error))
        self.lists_loaded.emit()
        self.contacts_loaded.emit(-1)

    def on_lists_current_item_changed(self, current: QListWidgetItem | None, _old: Any) -> None:
        row = self.chosen_list()
        self.rename_list_button.setEnabled(row is not None)
        if current is not None:
            self.list_name.setText(row.name if row is not None else "")
        self.reload_contacts()

    def choose_list(self, name: str | None) -> None:
        """Show the contacts of the list named ``name`` (None: every contact)."""
        for index in range(self.lists.count()):
            row: ContactListRow | None = self.lists.item(index).data(LIST_ROLE)
            if (row.name if row is not None else None) == name:
                self.lists.setCurrentRow(index)
                return
        raise KeyError(name)

    def on_new_list_button_clicked(self) -> None:
        self._list_op("create_contact_list", {"name": self.list_name.text()})

    def on_rename_list_button_clicked(self) -> None:
        row = self.chosen_list()
        if row is not None:
            self._list_op(
                "rename_contact_list", {"list": str(row.id), "name": self.list_name.text()}
            )

    def _list_op(self, kind: str, payload: dict[str, Any]) -> None:
        op = Operation(kind, self._admin.supervisor, payload)
        self._admin.operate(
            self, op, lambda outcomes: self.on_list_saved(outcomes[0]), self.on_save_failed
        )

    def on_list_saved(self, outcome: OpResult) -> None:
        if not outcome.applied:
            self.status.setText(outcome.reason)
            self.saved.emit(False)
            return
        self.status.setText(self.tr("List {name} saved.").format(name=outcome.result["name"]))
        self.saved.emit(True)
        self.reload_lists(select=uuid.UUID(str(outcome.result["list"])))

    # --- contacts ---------------------------------------------------------------------------

    def reload_contacts(self) -> None:
        self._search_delay.stop()
        self._rows, self._after = [], None
        self._read_page(None)

    def load_more(self) -> None:
        if self._after is not None and not self._loading_more:
            self._read_page(self._after)

    def _read_page(self, after: tuple[str, uuid.UUID] | None) -> None:
        store, actor = self._admin.ctx.store, self._admin.supervisor
        chosen = self.chosen_list()
        list_id = chosen.id if chosen is not None else None
        text = self.search.text()
        self._loading_more = after is not None
        self._admin.query(
            self,
            lambda: search_contacts(
                store, actor, list_id=list_id, text=text, after=after, limit=PAGE_SIZE
            ),
            lambda page: self.on_contacts_loaded(page, after is not None),
            self.on_contacts_failed,
            key=f"admin-contacts-{id(self)}",  # a new search makes the older one moot
        )

    def on_contacts_loaded(self, page: ContactPage, appended: bool) -> None:
        self._loading_more = False
        selected = self._select_after_load or (self._editing.id if self._editing else None)
        self._select_after_load = None
        self._rows = [*self._rows, *page.rows] if appended else list(page.rows)
        self._after = page.after
        scroll = self.table.verticalScrollBar().value()
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(
            [(r.name, r.emails, r.company, r.phone, r.unsubscribed) for r in self._rows]
        )
        for row, contact in enumerate(self._rows):
            if contact.id == selected:
                self.table.selectRow(row)
                self.table.setCurrentIndex(self.model.index(row, 0))
                break
        self.table.selectionModel().blockSignals(False)
        if appended:
            self.table.verticalScrollBar().setValue(scroll)
        else:
            self.table.resizeColumnsToContents()
        self.more_button.setVisible(page.after is not None)
        if not self._rows:
            self.contacts_status.setText(
                self.tr("No contacts match: change the search, or import a CSV file.")
                if self.search.text().strip()
                else self.tr("No contacts in this list yet: import a CSV file or add one.")
            )
        elif page.after is not None:
            self.contacts_status.setText(
                self.tr("{count} contacts shown; scroll down for more.").format(
                    count=len(self._rows)
                )
            )
        else:
            self.contacts_status.setText(self.tr("{count} contacts.").format(count=len(self._rows)))
        self.contacts_loaded.emit(len(self._rows))

    def on_contacts_failed(self, error: BaseException) -> None:
        self._loading_more = False
        self.contacts_status.setText(str(error))
        self.contacts_loaded.emit(-1)

    def on_scroll_value_changed(self, value: int) -> None:
        if value >= self.table.verticalScrollBar().maximum() > 0:
            self.load_more()

    def shown_contacts(self) -> list[ContactSummary]:
        return list(self._rows)

    def select_contact(self, contact_id: uuid.UUID) -> None:
        row = next(i for i, c in enumerate(self._rows) if c.id == contact_id)
        self.table.setCurrentIndex(self.model.index(row, 0))

    def on_table_current_row_changed(self, current: QModelIndex, _old: QModelIndex) -> None:
        if not current.isValid() or current.row() >= len(self._rows):
            return
        self._load_contact(self._rows[current.row()].id)

    def _load_contact(self, contact_id: uuid.UUID) -> None:
        store, actor = self._admin.ctx.store, self._admin.supervisor
        self._admin.query(
            self,
            lambda: contact_details(store, actor, contact_id),
            self.on_contact_loaded,
            self.on_save_failed,
            key=f"admin-contact-{id(self)}",
        )

    # --- the editor -------------------------------------------------------------------------

    def on_contact_loaded(self, details: ContactDetails) -> None:
        self._editing = details
        self.name.setText(details.name)
        self.emails.setPlainText("\n".join(details.emails))
        self.phone.setText(details.phone)
        self.company.setText(details.company)
        self.list_choice.setCurrentIndex(max(self.list_choice.findData(details.list_name or ""), 0))
        self.unsubscribed.setChecked(details.unsubscribed)
        self.attributes.setRowCount(0)
        for attribute in details.attributes:
            self.add_attribute(attribute.name, attribute.value, attribute.personal)
        self.status.setText(self._notice)
        self._notice = ""
        self.contact_loaded.emit(details)

    def start_new(self) -> None:
        """An empty editor for a new contact in the chosen list."""
        self._editing = None
        self.table.clearSelection()
        for line in (self.name, self.phone, self.company):
            line.clear()
        self.emails.clear()
        self.unsubscribed.setChecked(False)
        self.attributes.setRowCount(0)
        chosen = self.chosen_list()
        self.list_choice.setCurrentIndex(
            max(self.list_choice.findData(chosen.name if chosen is not None else ""), 0)
        )
        self.status.setText(self.tr("A new contact: at least one address, then save."))
        self.name.setFocus()

    def add_attribute(self, name: str = "", value: str = "", personal: bool = True) -> int:
        row = self.attributes.rowCount()
        self.attributes.insertRow(row)
        self.attributes.setItem(row, 0, QTableWidgetItem(name))
        self.attributes.setItem(row, 1, QTableWidgetItem(value))
        check = QTableWidgetItem()
        check.setFlags(
            Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
        )
        check.setCheckState(Qt.CheckState.Checked if personal else Qt.CheckState.Unchecked)
        check.setToolTip(self.tr("Personal data is anonymised by the retention rules."))
        self.attributes.setItem(row, 2, check)
        return row

    def on_add_attribute_button_clicked(self) -> None:
        row = self.add_attribute()
        self.attributes.setCurrentCell(row, 0)
        item = self.attributes.item(row, 0)
        if item is not None:
            self.attributes.editItem(item)

    def on_remove_attribute_button_clicked(self) -> None:
        row = self.attributes.currentRow()
        if row >= 0:
            self.attributes.removeRow(row)

    def _attribute_rows(self) -> list[dict[str, Any]]:
        rows = []
        for row in range(self.attributes.rowCount()):
            name, value, check = (self.attributes.item(row, c) for c in range(3))
            rows.append(
                {
                    "name": name.text() if name is not None else "",
                    "value": value.text() if value is not None else "",
                    "personal": check is not None and check.checkState() == Qt.CheckState.Checked,
                }
            )
        return rows

    def payload(self) -> dict[str, Any]:
        """What the editor holds, as the save_contact operation takes it (app/ validates)."""
        emails = [line.strip() for line in self.emails.toPlainText().splitlines() if line.strip()]
        payload: dict[str, Any] = {
            "name": self.name.text(),
            "phone": self.phone.text(),
            "company": self.company.text(),
            "emails": emails,
            "attributes": self._attribute_rows(),
            "list": self.list_choice.currentData() or None,
            "unsubscribed": self.unsubscribed.isChecked(),
        }
        if self._editing is not None:
            payload["contact"] = str(self._editing.id)
        return payload

    def on_save_button_clicked(self) -> None:
        op = Operation("save_contact", self._admin.supervisor, self.payload())
        self.save_button.setEnabled(False)
        self._admin.operate(
            self, op, lambda outcomes: self.on_contact_saved(outcomes[0]), self.on_save_failed
        )

    def on_contact_saved(self, outcome: OpResult) -> None:
        self.save_button.setEnabled(True)
        if not outcome.applied:
            self.status.setText(outcome.reason)  # the editor keeps the text, to be corrected
            self.saved.emit(False)
            return
        contact_id = uuid.UUID(str(outcome.result["contact"]))
        self._notice = self.tr("Saved.")
        self.status.setText(self._notice)
        self._select_after_load = contact_id
        self._load_contact(contact_id)
        self.saved.emit(True)
        self.reload_lists()  # the counts
        self.reload_contacts()

    def on_save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.status.setText(str(error))
        self.saved.emit(False)

    # --- CSV --------------------------------------------------------------------------------

    def on_import_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Import contacts"),
            "",
            self.tr("CSV files (*.csv);;All files (*)"),
        )
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> None:
        """Merge ``path`` into the chosen list (new contacts land there), in the background."""
        actor = self._admin.supervisor
        chosen = self.chosen_list()
        list_name = chosen.name if chosen is not None else None
        self._busy(True)
        self.report.hide()
        self.contacts_status.setText(self.tr("Importing {file}…").format(file=path.name))
        self._admin.query(
            self,
            lambda: read_and_parse(actor, path, list_name),
            self.on_import_parsed,
            self.on_import_failed,
        )

    def on_import_parsed(self, ops: list[Operation]) -> None:
        """Parsed here; merged by app/ (in team mode, the central database), batch by batch."""
        self._admin.operate(
            self,
            ops,
            lambda outcomes: self.on_import_settled(ops, outcomes),
            self.on_import_failed,
        )

    def on_import_settled(self, ops: list[Operation], outcomes: list[OpResult]) -> None:
        try:
            report = import_report(ops, outcomes)
        except UserError as refused:  # refused as a whole: not one batch was merged
            self.on_import_failed(refused)
            return
        self.on_imported(report)

    def on_imported(self, report: ImportReport) -> None:
        self._busy(False)
        lines = [
            self.tr("{created} added, {updated} updated, {refused} lines refused.").format(
                created=report.created, updated=report.updated, refused=len(report.problems)
            )
        ]
        lines += [
            self.tr("Line {line}: {problem}").format(line=p.line, problem=p.message)
            for p in report.problems
        ]
        self.report.setPlainText("\n".join(lines))
        self.report.show()
        self.contacts_status.setText(lines[0])
        self.imported.emit(report)
        self.reload_lists()
        self.reload_contacts()

    def on_import_failed(self, error: BaseException) -> None:
        self._busy(False)
        self.report.setPlainText(self.tr("Nothing was imported: {error}").format(error=error))
        self.report.show()
        self.contacts_status.setText(self.report.toPlainText())
        self.imported.emit(None)

    def on_export_button_clicked(self) -> None:
        chosen = self.chosen_list()
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export contacts"),
            f"{chosen.name if chosen is not None else 'contacts'}.csv",
            self.tr("CSV files (*.csv)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """The chosen list's contacts (or all) as CSV in ``path``, in the background."""
        store, actor = self._admin.ctx.store, self._admin.supervisor
        chosen = self.chosen_list()
        list_name = chosen.name if chosen is not None else None
        bom = self.bom.isChecked()
        self._busy(True)
        self._admin.query(
            self,
            lambda: export_and_write(store, actor, path, list_name, bom),
            lambda count: self.on_exported(path, count),
            self.on_export_failed,
        )

    def on_exported(self, path: Path, count: int) -> None:
        self._busy(False)
        self.contacts_status.setText(
            self.tr("{count} contacts written to {path}.").format(count=count, path=path)
        )
        self.exported.emit(str(path))

    def on_export_failed(self, error: BaseException) -> None:
        self._busy(False)
        self.contacts_status.setText(
            self.tr("The CSV could not be written: {error}").format(error=error)
        )
        self.exported.emit("")

    def _busy(self, busy: bool) -> None:
        self.import_button.setEnabled(not busy)
        self.export_button.setEnabled(not busy)
        if busy:
            self._progress_delay.start()
        else:
            self._progress_delay.stop()
            self.progress.hide()
