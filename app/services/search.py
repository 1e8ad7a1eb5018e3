"""The advanced search builder: conditions on named fields, joined by all or any.

Each condition is (field, operator, value) and may be disabled. The builder compiles to
SQLAlchemy expressions with bound parameters: user text only ever travels as a value,
never into the SQL, and LIKE wildcards typed by a user match literally.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import aliased

from app.errors import UserError
from storage.engine import Store
from storage.models import Agent, EmailAccount, Interaction, Queue, Ticket

OPERATORS = (
    "equals",
    "not_equals",
    "contains",
    "starts_with",
    "ends_with",
    "greater_than",
    "less_than",
    "between",
    "is_empty",
)
_Ts = TypeVarTuple("_Ts")
Holder = aliased(Agent)  # the agent holding (claiming) an interaction

# field name -> (column, kind); kinds decide which operators and value types make sense
FIELDS: dict[str, tuple[Any, str]] = {
    "subject": (Interaction.subject, "text"),
    "customer": (Interaction.customer_email, "text"),
    "customer_name": (Interaction.customer_name, "text"),
    "language": (Interaction.language, "text"),
    "status": (Interaction.status, "text"),
    "account": (EmailAccount.name, "text"),
    "queue": (Queue.name, "text"),
    "agent": (Holder.name, "text"),
    "ticket": (Ticket.number, "text"),
    "messages": (Interaction.message_count, "number"),
    "started": (Interaction.created_at, "date"),
    "last_activity": (Interaction.last_activity_at, "date"),
    "unread": (Interaction.unread, "bool"),
}


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: Any = None
    enabled: bool = True

    def disabled(self) -> Condition:
        return replace(self, enabled=False)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _coerce(kind: str, value: Any, field: str) -> Any:
    if kind == "number":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise UserError(f"{field} needs a whole number (got {value!r}).") from None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise UserError(f"{field} needs a date like 2026-01-31 (got {value!r}).") from None
        return dt.datetime.combine(day, dt.time(), dt.UTC)
    if kind == "bool":
        return str(value).lower() in ("1", "true", "yes", "on")
    return "" if value is None else str(value)


def compile_condition(condition: Condition) -> ColumnElement[bool]:
    if condition.field not in FIELDS:
        raise UserError(
            f"There is no field {condition.field!r}; fields: {', '.join(sorted(FIELDS))}."
        )
    if condition.operator not in OPERATORS:
        raise UserError(f"Unknown operator {condition.operator!r}.")
    column, kind = FIELDS[condition.field]
    op, name = condition.operator, condition.field
    if op == "is_empty":
        return or_(column.is_(None), column == "") if kind == "text" else column.is_(None)
    if op == "between":
        low, high = (condition.value or (None, None))[:2]
        return column.between(_coerce(kind, low, name), _coerce(kind, high, name))
    value = _coerce(kind, condition.value, name)
    if op in ("contains", "starts_with", "ends_with"):
        if kind != "text":
            raise UserError(f"{name} cannot be searched with {op.replace('_', ' ')}.")
        text = _escape_like(str(value).lower())
        pattern = {"contains": f"%{text}%", "starts_with": f"{text}%", "ends_with": f"%{text}"}[op]
        return func.lower(column).like(pattern, escape="\\")
    comparisons: dict[str, Callable[[Any], ColumnElement[bool]]] = {
        "equals": lambda v: column == v,
        "not_equals": lambda v: or_(column != v, column.is_(None)),
        "greater_than": lambda v: column > v,
        "less_than": lambda v: column < v,
    }
    return comparisons[op](value)


def compile_search(conditions: list[Condition], match: str = "all") -> ColumnElement[bool]:
    """All (AND) or any (OR) of the enabled conditions; none enabled matches everything."""
    if match not in ("all", "any"):
        raise UserError("Match 'all' or 'any' of the conditions.")
    parts = [compile_condition(c) for c in conditions if c.enabled]
    if not parts:
        return true()
    return and_(*parts) if match == "all" else or_(*parts)


@dataclass(frozen=True)
class SearchHit:
    id: uuid.UUID
    subject: str
    customer: str
    status: str
    last_activity_at: dt.datetime


def with_field_joins(query: Select[*_Ts]) -> Select[*_Ts]:
    """``query`` (selecting from interactions) joined to the tables FIELDS name."""
    return (
        query.join(EmailAccount, EmailAccount.id == Interaction.account_id)
        .outerjoin(Queue, Queue.id == Interaction.queue_id)
        .outerjoin(Holder, Holder.id == Interaction.claimed_by_id)
        .outerjoin(Ticket, Ticket.id == Interaction.ticket_id)
    )


def search(
    store: Store, conditions: list[Condition], match: str = "all", limit: int = 50
) -> list[SearchHit]:
    where = compile_search(conditions, match)
    query = (
        with_field_joins(
            select(
                Interaction.id,
                Interaction.subject,
                Interaction.customer_email,
                Interaction.status,
                Interaction.last_activity_at,
            )
        )
        .where(Interaction.deleted_at.is_(None), where)
        .order_by(Interaction.last_activity_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    with store.read() as session:
        return [SearchHit(*row) for row in session.execute(query).all()]
