"""The action-plan editor: an account's ordered applications, their working hours and fallback.

The plan is the JSON app/services/action_plans.py runs on new mail. The dialog edits a copy
and saves it as one ``set_action_plan`` operation, so app/ checks the supervisor and the plan
(unknown queue, an interval that ends before it starts) and the refusal's sentence shows in
the dialog, which stays open until the plan is right.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.action_plans import DAYS, PlanChoices, plan_choices
from app.services.operations import Operation, OpResult
from ui.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    # The accounts page opens this dialog: only the type, to avoid an import cycle.
    from ui.admin.settings_pages import AdminContext

_CTX = "ActionPlanEditor"
# action -> (what the list says, the step's parameter, the parameter's label)
ACTIONS: dict[str, tuple[str, str | None, str]] = {
    "queue": (
        QT_TRANSLATE_NOOP("ActionPlanEditor", "Route to queue"),
        "queue",
        QT_TRANSLATE_NOOP("ActionPlanEditor", "Queue"),
    ),
    "agent": (
        QT_TRANSLATE_NOOP("ActionPlanEditor", "Offer to agent"),
        "agent",
        QT_TRANSLATE_NOOP("ActionPlanEditor", "Agent"),
    ),
    "auto_response": (
        QT_TRANSLATE_NOOP("ActionPlanEditor", "Send automatic response"),
        "template",
        QT_TRANSLATE_NOOP("ActionPlanEditor", "Template"),
    ),
    "tag": (
        QT_TRANSLATE_NOOP("ActionPlanEditor", "Tag"),
        "tag",
        QT_TRANSLATE_NOOP("ActionPlanEditor", "Tag"),
    ),
    "close": (QT_TRANSLATE_NOOP("ActionPlanEditor", "Close"), None, ""),
}
FALLBACK_ACTIONS = ("", "queue", "agent", "close")
DAY_TEXT = {
    "mon": QT_TRANSLATE_NOOP("ActionPlanEditor", "Mon"),
    "tue": QT_TRANSLATE_NOOP("ActionPlanEditor", "Tue"),
    "wed": QT_TRANSLATE_NOOP("ActionPlanEditor", "Wed"),
    "thu": QT_TRANSLATE_NOOP("ActionPlanEditor", "Thu"),
    "fri": QT_TRANSLATE_NOOP("ActionPlanEditor", "Fri"),
    "sat": QT_TRANSLATE_NOOP("ActionPlanEditor", "Sat"),
    "sun": QT_TRANSLATE_NOOP("ActionPlanEditor", "Sun"),
}
_STEP = re.compile(r"^Step (\d+)\b")


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def days_text(days: list[str]) -> str:
    """ "every day", "Mon–Fri" for a run of days, else the days listed."""
    chosen = [d for d in DAYS if d in days]
    if len(chosen) == len(DAYS):
        return QCoreApplication.translate("ActionPlanEditor", "every day")
    positions = [DAYS.index(d) for d in chosen]
    if len(chosen) > 2 and positions == list(range(positions[0], positions[-1] + 1)):
        return f"{_tr(DAY_TEXT[chosen[0]])}–{_tr(DAY_TEXT[chosen[-1]])}"
    return ", ".join(_tr(DAY_TEXT[d]) for d in chosen) or QCoreApplication.translate(
        "ActionPlanEditor", "no day"
    )


def interval_text(interval: dict[str, Any]) -> str:
    days = days_text(list(interval.get("days", DAYS)))
    if "from" not in interval and "to" not in interval:
        return QCoreApplication.translate("ActionPlanEditor", "{days}, all day").format(days=days)
    return f"{days} {interval.get('from', '00:00')}–{interval.get('to', '24:00')}"


def step_text(step: dict[str, Any]) -> str:
    """One line for the list: what the step does, to what, and when."""
    label, key, _param = ACTIONS.get(step.get("action", ""), (step.get("action", "?"), None, ""))
    text = _tr(label)
    if key:
        text += f" {step.get(key, '')}"
    intervals = step.get("intervals") or []
    if intervals:
        text += " · " + "; ".join(interval_text(i) for i in intervals)
    return text


def step_named(reason: str) -> int | None:
    """The step (0-based) a refusal names ("Step 2: …"), if it names one."""
    match = _STEP.match(reason)
    return int(match.group(1)) - 1 if match else None


def _time_text(edit: QTimeEdit) -> str:
    return edit.time().toString("HH:mm")


class ActionPlanDialog(QDialog):
    """Edits one account's plan; Save sends it to app/ and shows a refusal as a sentence."""

    loaded = Signal()
    saved = Signal(object)  # the plan as stored (None: no plan)
    refused = Signal(str)

    def __init__(self, admin: AdminContext, account: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._account = account
        self._choices: PlanChoices | None = None
        self._steps: list[dict[str, Any]] = []
        self._filling = False
        self.setWindowTitle(
            QCoreApplication.translate("ActionPlanEditor", "Action plan of {account}").format(
                account=account
            )
        )
        self.heading = QLabel(QCoreApplication.translate("ActionPlanEditor", "Reading the plan…"))
        self.heading.setWordWrap(True)

        self.steps = QListWidget()
        self.steps.setObjectName("plan_steps")
        self.steps.setAccessibleName(
            QCoreApplication.translate("ActionPlanEditor", "Applications, in the order they run")
        )
        self.steps.currentRowChanged.connect(self.on_steps_current_row_changed)
        self.add_button = QPushButton(QCoreApplication.translate("ActionPlanEditor", "&Add"))
        self.remove_button = QPushButton(QCoreApplication.translate("ActionPlanEditor", "&Delete"))
        self.up_button = QPushButton(QCoreApplication.translate("ActionPlanEditor", "Move &up"))
        self.down_button = QPushButton(QCoreApplication.translate("ActionPlanEditor", "Move d&own"))
        self.add_button.clicked.connect(self.on_add_button_clicked)
        self.remove_button.clicked.connect(self.on_remove_button_clicked)
        self.up_button.clicked.connect(self.on_up_button_clicked)
        self.down_button.clicked.connect(self.on_down_button_clicked)

        self.action = QComboBox()
        self.action.setObjectName("step_action")
        for key, (label, _param, _text) in ACTIONS.items():
            self.action.addItem(_tr(label), key)
        self.action.currentIndexChanged.connect(self.on_action_current_index_changed)
        self.target_label = QLabel()
        self.target = QComboBox()
        self.target.setObjectName("step_target")
        self.target.setEditable(True)
        self.target.currentTextChanged.connect(self.on_target_current_text_changed)
        self.target_label.setBuddy(self.target)

        self.intervals = QListWidget()
        self.intervals.setObjectName("step_intervals")
        self.intervals.setAccessibleName(
            QCoreApplication.translate("ActionPlanEditor", "Working hours")
        )
        self.intervals.setMaximumHeight(self.fontMetrics().height() * 7)
        self.intervals.currentRowChanged.connect(self.on_intervals_current_row_changed)
        self.add_interval_button = QPushButton(
            QCoreApplication.translate("ActionPlanEditor", "Add &hours")
        )
        self.remove_interval_button = QPushButton(
            QCoreApplication.translate("ActionPlanEditor", "Remove hours")
        )
        self.add_interval_button.clicked.connect(self.on_add_interval_button_clicked)
        self.remove_interval_button.clicked.connect(self.on_remove_interval_button_clicked)
        self.days: dict[str, QCheckBox] = {}
        days_row = QHBoxLayout()
        for day in DAYS:
            box = QCheckBox(_tr(DAY_TEXT[day]))
            box.toggled.connect(self.on_interval_edited)
            self.days[day] = box
            days_row.addWidget(box)
        self.all_day = QCheckBox(QCoreApplication.translate("ActionPlanEditor", "All day"))
        self.all_day.toggled.connect(self.on_interval_edited)
        self.from_time, self.to_time = QTimeEdit(), QTimeEdit()
        for edit in (self.from_time, self.to_time):
            edit.setDisplayFormat("HH:mm")
            edit.timeChanged.connect(self.on_interval_edited)
        self.to_time.setToolTip(
            QCoreApplication.translate("ActionPlanEditor", "00:00 is midnight, the end of the day.")
        )
        times_row = QHBoxLayout()
        times_row.addWidget(self.all_day)
        times_row.addWidget(QLabel(QCoreApplication.translate("ActionPlanEditor", "from")))
        times_row.addWidget(self.from_time)
        times_row.addWidget(QLabel(QCoreApplication.translate("ActionPlanEditor", "to")))
        times_row.addWidget(self.to_time)
        times_row.addStretch(1)
        self.interval_editor = QWidget()
        interval_layout = QVBoxLayout(self.interval_editor)
        interval_layout.setContentsMargins(0, 0, 0, 0)
        interval_layout.addLayout(days_row)
        interval_layout.addLayout(times_row)

        self.step_box = QGroupBox(QCoreApplication.translate("ActionPlanEditor", "Application"))
        form = QFormLayout(self.step_box)
        form.addRow(QCoreApplication.translate("ActionPlanEditor", "Action"), self.action)
        form.addRow(self.target_label, self.target)
        hours_buttons = QHBoxLayout()
        hours_buttons.addWidget(self.add_interval_button)
        hours_buttons.addWidget(self.remove_interval_button)
        hours_buttons.addStretch(1)
        hours = QVBoxLayout()
        hours.addWidget(self.intervals)
        hours.addLayout(hours_buttons)
        hours.addWidget(self.interval_editor)
        form.addRow(QCoreApplication.translate("ActionPlanEditor", "Only during"), hours)

        self.fallback_action = QComboBox()
        self.fallback_action.setObjectName("fallback_action")
        self.fallback_action.addItem(
            QCoreApplication.translate("ActionPlanEditor", "No fallback"), ""
        )
        for key in FALLBACK_ACTIONS[1:]:
            self.fallback_action.addItem(_tr(ACTIONS[key][0]), key)
        self.fallback_action.currentIndexChanged.connect(self.on_fallback_action_changed)
        self.fallback_target = QComboBox()
        self.fallback_target.setObjectName("fallback_target")
        self.fallback_target.setEditable(True)
        fallback = QHBoxLayout()
        fallback.addWidget(
            QLabel(
                QCoreApplication.translate(
                    "ActionPlanEditor", "When no routing, offer or close ran:"
                )
            )
        )
        fallback.addWidget(self.fallback_action)
        fallback.addWidget(self.fallback_target, 1)

        self.error = QLabel()
        self.error.setObjectName("plan_error")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self.on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        list_buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            list_buttons.addWidget(button)
        left = QVBoxLayout()
        left.addWidget(self.steps, 1)
        left.addLayout(list_buttons)
        middle = QHBoxLayout()
        middle.addLayout(left, 1)
        middle.addWidget(self.step_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(middle, 1)
        layout.addLayout(fallback)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._update_enabled()

        store = admin.ctx.store
        self._admin.query(
            self,
            lambda: plan_choices(store, account),
            self.on_choices_loaded,
            self.on_task_failed,
            key=f"action-plan-{id(self)}",
        )

    # --- loading -------------------------------------------------------------------------------

    def on_choices_loaded(self, choices: PlanChoices) -> None:
        self._choices = choices
        self.heading.setText(
            QCoreApplication.translate(
                "ActionPlanEditor",
                "What happens to new mail in {account}: the applications run in order; "
                "routing, offering and closing end the plan. Times are in {zone}.",
            ).format(account=choices.account, zone=choices.time_zone)
        )
        plan = choices.plan or {}
        self._steps = [copy.deepcopy(s) for s in plan.get("applications", [])]
        self._refill_steps(0 if self._steps else -1)
        fallback = plan.get("fallback") or {}
        was, self._filling = self._filling, True
        try:
            self.fallback_action.setCurrentIndex(
                max(self.fallback_action.findData(fallback.get("action", "")), 0)
            )
            self._fill_targets(self.fallback_target, str(fallback.get("action", "")))
            key = ACTIONS.get(str(fallback.get("action", "")), ("", None, ""))[1]
            self.fallback_target.setCurrentText(str(fallback.get(key, "")) if key else "")
        finally:
            self._filling = was
        self.save_button.setEnabled(True)
        self.loaded.emit()

    def _targets(self, action: str) -> tuple[str, ...]:
        choices = self._choices
        if choices is None:
            return ()
        return {
            "queue": choices.queues,
            "agent": choices.agents,
            "auto_response": choices.templates,
        }.get(action, ())

    def _fill_targets(self, combo: QComboBox, action: str) -> None:
        combo.clear()
        combo.addItems(list(self._targets(action)))
        combo.setEnabled(ACTIONS.get(action, ("", None, ""))[1] is not None)

    # --- the list of applications ----------------------------------------------------------------

    def _refill_steps(self, current: int) -> None:
        self.steps.blockSignals(True)
        try:
            self.steps.clear()
            self.steps.addItems([step_text(s) for s in self._steps])
        finally:
            self.steps.blockSignals(False)
        self.steps.setCurrentRow(current)
        self.on_steps_current_row_changed(self.steps.currentRow())

    def _update_enabled(self) -> None:
        row, count = self.steps.currentRow(), len(self._steps)
        self.remove_button.setEnabled(0 <= row < count)
        self.up_button.setEnabled(0 < row < count)
        self.down_button.setEnabled(0 <= row < count - 1)
        self.step_box.setEnabled(0 <= row < count)
        interval = self.intervals.currentRow()
        self.remove_interval_button.setEnabled(interval >= 0)
        self.interval_editor.setEnabled(interval >= 0)

    def on_steps_current_row_changed(self, row: int) -> None:
        was, self._filling = self._filling, True
        try:
            step: dict[str, Any] = (
                self._steps[row] if 0 <= row < len(self._steps) else {"action": "queue"}
            )
            action = str(step.get("action", "queue"))
            self.action.setCurrentIndex(max(self.action.findData(action), 0))
            self._show_target(action, step)
            self.intervals.clear()
            self.intervals.addItems([interval_text(i) for i in step.get("intervals") or []])
        finally:
            self._filling = was
        self.intervals.setCurrentRow(0 if self.intervals.count() else -1)
        self.on_intervals_current_row_changed(self.intervals.currentRow())

    def _show_target(self, action: str, step: dict[str, Any]) -> None:
        _label, key, param = ACTIONS.get(action, ("", None, ""))
        self.target_label.setText(_tr(param) if param else "")
        self._fill_targets(self.target, action)
        self.target.setVisible(key is not None)
        self.target_label.setVisible(key is not None)
        self.target.setCurrentText(str(step.get(key, "")) if key else "")

    def on_add_button_clicked(self) -> None:
        queues = self._targets("queue")
        self._steps.append({"action": "queue", "queue": queues[0] if queues else ""})
        self._refill_steps(len(self._steps) - 1)

    def on_remove_button_clicked(self) -> None:
        row = self.steps.currentRow()
        if 0 <= row < len(self._steps):
            del self._steps[row]
            self._refill_steps(min(row, len(self._steps) - 1))

    def _move(self, delta: int) -> None:
        row = self.steps.currentRow()
        target = row + delta
        if 0 <= row < len(self._steps) and 0 <= target < len(self._steps):
            self._steps[row], self._steps[target] = self._steps[target], self._steps[row]
            self._refill_steps(target)

    def on_up_button_clicked(self) -> None:
        self._move(-1)

    def on_down_button_clicked(self) -> None:
        self._move(1)

    # --- the chosen application -----------------------------------------------------------------

    def _current(self) -> dict[str, Any] | None:
        row = self.steps.currentRow()
        return self._steps[row] if 0 <= row < len(self._steps) else None

    def _changed(self) -> None:
        row = self.steps.currentRow()
        item = self.steps.item(row)
        if item is not None:
            item.setText(step_text(self._steps[row]))

    def on_action_current_index_changed(self, _index: int) -> None:
        step = self._current()
        if self._filling or step is None:
            return
        action = str(self.action.currentData())
        key = ACTIONS[action][1]
        old = ACTIONS.get(str(step.get("action")), ("", None, ""))[1]
        kept = {"intervals": step["intervals"]} if step.get("intervals") else {}
        self._steps[self.steps.currentRow()] = new = {"action": action, **kept}
        if key:
            # Same kind of target (tag to tag, say): keep it; else the first choice.
            targets = self._targets(action)
            new[key] = step.get(old, "") if key == old else (targets[0] if targets else "")
        was, self._filling = self._filling, True
        try:
            self._show_target(action, new)
        finally:
            self._filling = was
        self._changed()

    def on_target_current_text_changed(self, text: str) -> None:
        step = self._current()
        if self._filling or step is None:
            return
        key = ACTIONS.get(str(step.get("action")), ("", None, ""))[1]
        if key:
            step[key] = text.strip()
            self._changed()

    # --- working hours ------------------------------------------------------------------------

    def on_intervals_current_row_changed(self, row: int) -> None:
        step = self._current()
        intervals = (step or {}).get("intervals") or []
        was, self._filling = self._filling, True
        try:
            interval = intervals[row] if 0 <= row < len(intervals) else {}
            for day, box in self.days.items():
                box.setChecked(day in interval.get("days", DAYS))
            all_day = "from" not in interval and "to" not in interval
            self.all_day.setChecked(all_day)
            self.from_time.setTime(QTime.fromString(interval.get("from", "09:00"), "HH:mm"))
            end = interval.get("to", "18:00" if all_day else "24:00")
            # 24:00 (the end of the day) shows as midnight, 00:00.
            self.to_time.setTime(QTime.fromString("00:00" if end == "24:00" else end, "HH:mm"))
            self.from_time.setEnabled(not all_day)
            self.to_time.setEnabled(not all_day)
        finally:
            self._filling = was
        self._update_enabled()

    def on_add_interval_button_clicked(self) -> None:
        step = self._current()
        if step is None:
            return
        step.setdefault("intervals", []).append(
            {"days": list(DAYS[:5]), "from": "09:00", "to": "18:00"}
        )
        self.intervals.addItem(interval_text(step["intervals"][-1]))
        self.intervals.setCurrentRow(self.intervals.count() - 1)
        self._changed()

    def on_remove_interval_button_clicked(self) -> None:
        step, row = self._current(), self.intervals.currentRow()
        if step is None or not 0 <= row < len(step.get("intervals") or []):
            return
        del step["intervals"][row]
        if not step["intervals"]:
            del step["intervals"]
        self.on_steps_current_row_changed(self.steps.currentRow())
        self._changed()

    def on_interval_edited(self, *_args: Any) -> None:
        step, row = self._current(), self.intervals.currentRow()
        if self._filling or step is None or not 0 <= row < len(step.get("intervals") or []):
            return
        interval: dict[str, Any] = {"days": [d for d in DAYS if self.days[d].isChecked()]}
        all_day = self.all_day.isChecked()
        self.from_time.setEnabled(not all_day)
        self.to_time.setEnabled(not all_day)
        if not all_day:
            end = _time_text(self.to_time)
            interval["from"] = _time_text(self.from_time)
            interval["to"] = "24:00" if end == "00:00" else end
        step["intervals"][row] = interval
        self.intervals.item(row).setText(interval_text(interval))
        self._changed()

    # --- fallback and saving ------------------------------------------------------------------

    def on_fallback_action_changed(self, _index: int) -> None:
        if self._filling:
            return
        self._fill_targets(self.fallback_target, str(self.fallback_action.currentData()))

    def plan(self) -> dict[str, Any] | None:
        """The plan as edited; None when it has neither applications nor a fallback."""
        action = str(self.fallback_action.currentData() or "")
        fallback: dict[str, Any] | None = None
        if action:
            fallback = {"action": action}
            key = ACTIONS[action][1]
            if key:
                fallback[key] = self.fallback_target.currentText().strip()
        if not self._steps and fallback is None:
            return None
        return {"applications": copy.deepcopy(self._steps), "fallback": fallback}

    def on_buttons_accepted(self) -> None:
        actor, account, plan = (
            self._admin.supervisor,
            self._account,
            self.plan(),
        )
        self.save_button.setEnabled(False)
        self.error.clear()
        self._admin.operate(
            self,
            Operation("set_action_plan", actor, {"account": account, "plan": plan}),
            lambda outcomes: self.on_plan_saved(outcomes[0]),
            self.on_task_failed,
        )

    def on_plan_saved(self, outcome: OpResult) -> None:
        self.save_button.setEnabled(True)
        if not outcome.applied:
            self.error.setText(outcome.reason)
            step = step_named(outcome.reason)
            if step is not None and step < len(self._steps):
                self.steps.setCurrentRow(step)
            self.refused.emit(outcome.reason)
            return
        self.saved.emit(outcome.result.get("plan"))
        self.accept()

    def on_task_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(self._choices is not None)
        self.error.setText(str(error))
        self.refused.emit(str(error))
