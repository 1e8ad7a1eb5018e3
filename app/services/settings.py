"""Reading and changing settings of any scope through the one registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.errors import UserError
from app.services.accounts import find_account, find_project
from app.settings import Scope, SettingSpec, apply_to_row, get_value, set_value, specs
from storage.engine import Store
from storage.models import Event


@dataclass(frozen=True)
class SettingRow:
    scope: Scope
    key: str
    value: Any
    default: Any
    range_text: str
    help: str
    label: str

    def as_json(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "key": self.key,
            "value": self.value,
            "default": self.default,
            "range": self.range_text,
            "help": self.help,
            "label": self.label,
        }


def _scope(project: str | None, account: str | None) -> Scope:
    if project and account:
        raise UserError("Name either --project or --account, not both.")
    return "project" if project else "account" if account else "global"


def _row(spec: SettingSpec, value: Any) -> SettingRow:
    return SettingRow(
        spec.scope,
        spec.key,
        value,
        spec.default,
        spec.describe_range(),
        spec.help,
        spec.label or spec.key,
    )


def list_settings(
    store: Store, *, project: str | None = None, account: str | None = None
) -> list[SettingRow]:
    scope = _scope(project, account)
    with store.read() as session:
        if scope == "global":
            return [_row(s, get_value(session, "global", s.key)) for s in specs("global")]
        row = find_project(session, project) if project else find_account(session, account or "")
        return [_row(s, getattr(row, s.key)) for s in specs(scope)]


def change_setting(
    store: Store, key: str, raw: Any, *, project: str | None = None, account: str | None = None
) -> Any:
    scope = _scope(project, account)
    with store.write() as session:
        if scope == "global":
            value = set_value(session, "global", key, raw)
            target = "global"
        else:
            row = (
                find_project(session, project) if project else find_account(session, account or "")
            )
            apply_to_row(row, scope, {key: raw})
            value = getattr(row, key)
            target = str(row.id)
        session.add(
            Event(kind="setting.change", data={"scope": scope, "target": target, "key": key})
        )
    return value
