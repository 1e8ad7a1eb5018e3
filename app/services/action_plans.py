"""Account action plans (XCALLY "Actions"): what happens to new mail and to expired waits.

A plan is an ordered list of applications, each optionally limited to working-hours
intervals in the project's time zone, and a fallback. Tagging and automatic responses
run and the plan goes on; routing to a queue, offering to an agent and closing end it. If
no ending application ran, the fallback does.

    {"applications": [
        {"action": "tag", "tag": "after-hours", "intervals": [{"days": ["sat", "sun"]}]},
        {"action": "queue", "queue": "Italiano",
         "intervals": [{"days": ["mon", "tue", "wed", "thu", "fri"],
                        "from": "09:00", "to": "18:00"}]},
        {"action": "auto_response", "template": "Out of hours"}],
     "fallback": {"action": "queue", "queue": "Default"}}
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.accounts import find_account
from app.services.operations import OpContext, Rejected, handler
from app.settings import SettingError
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.models import (
    Agent,
    EmailAccount,
    Event,
    Interaction,
    InteractionTag,
    Project,
    Queue,
    Tag,
    Template,
    utcnow,
)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ENDING = ("queue", "agent", "close")
ACTIONS = (*ENDING, "tag", "auto_response")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def validate(plan: dict[str, Any], session: Session, project_id: uuid.UUID) -> dict[str, Any]:
    """Check a plan against the project; refuse with a sentence naming the bad step."""
    if not isinstance(plan, dict):
        raise SettingError("An action plan is an object with 'applications' and 'fallback'.")
    steps = list(plan.get("applications", []))
    fallback = plan.get("fallback")
    for n, step in enumerate([*steps, *([fallback] if fallback else [])], start=1):
        where = "The fallback" if fallback is not None and n == len(steps) + 1 else f"Step {n}"
        _validate_step(step, where, session, project_id)
    if fallback is not None and fallback.get("action") not in ENDING:
        raise SettingError("The fallback must route to a queue, offer to an agent or close.")
    return {"applications": steps, "fallback": fallback}


def _validate_step(step: Any, where: str, session: Session, project_id: uuid.UUID) -> None:
    if not isinstance(step, dict) or step.get("action") not in ACTIONS:
        raise SettingError(f"{where} must have an action: one of {', '.join(ACTIONS)}.")
    action = step["action"]
    if action == "queue" and _queue(session, project_id, str(step.get("queue", ""))) is None:
        raise SettingError(f"{where}: there is no queue {step.get('queue')!r} in this project.")
    if action == "agent" and _agent(session, str(step.get("agent", ""))) is None:
        raise SettingError(f"{where}: there is no agent {step.get('agent')!r}.")
    if action == "tag" and not str(step.get("tag", "")).strip():
        raise SettingError(f"{where}: name the tag.")
    if action == "auto_response" and _template(session, str(step.get("template", ""))) is None:
        raise SettingError(f"{where}: there is no template {step.get('template')!r}.")
    for interval in step.get("intervals", []):
        days = interval.get("days", list(DAYS))
        if any(d not in DAYS for d in days):
            raise SettingError(f"{where}: days are {', '.join(DAYS)}.")
        for key in ("from", "to"):
            if key in interval and not _time_ok(key, str(interval[key])):
                raise SettingError(f"{where}: '{key}' must be a time such as 09:00.")
        start, end = str(interval.get("from", "00:00")), str(interval.get("to", "24:00"))
        if end <= start:
            raise SettingError(
                f"{where}: an interval ends at {end} before it starts at {start};"
                " choose a later 'to' time."
            )


def _time_ok(key: str, value: str) -> bool:
    # "to": "24:00" is the end of the day (the default when "to" is left out).
    return bool(_TIME.match(value)) or (key == "to" and value == "24:00")


def _queue(session: Session, project_id: uuid.UUID, name: str) -> Queue | None:
    return session.execute(
        select(Queue).where(
            Queue.project_id == project_id, Queue.name == name, Queue.deleted_at.is_(None)
        )
    ).scalar()


def _agent(session: Session, name: str) -> Agent | None:
    return session.execute(
        select(Agent).where(Agent.name == name, Agent.deleted_at.is_(None))
    ).scalar()


def _template(session: Session, name: str) -> Template | None:
    return session.execute(
        select(Template).where(Template.name == name, Template.deleted_at.is_(None))
    ).scalar()


def in_intervals(step: dict[str, Any], moment: dt.datetime) -> bool:
    """Does the step apply at ``moment`` (already in the project's time zone)?"""
    intervals = step.get("intervals") or []
    if not intervals:
        return True
    day = DAYS[moment.weekday()]
    now = moment.strftime("%H:%M")
    for interval in intervals:
        if day not in interval.get("days", DAYS):
            continue
        start, end = interval.get("from", "00:00"), interval.get("to", "24:00")
        if start <= now < end:
            return True
    return False


def run(
    session: Session,
    blobs: SqlBlobStore | None,
    interaction: Interaction,
    plan: dict[str, Any],
    now: dt.datetime | None = None,
) -> list[str]:
    """Apply the plan to ``interaction``; returns what was done, for the audit trail."""
    now = now or utcnow()
    project = session.get(Project, interaction.project_id)
    zone = zoneinfo.ZoneInfo(project.time_zone if project else "UTC")
    local = now.astimezone(zone)
    done: list[str] = []
    ended = False
    for step in plan.get("applications", []):
        if not in_intervals(step, local):
            continue
        done.append(_apply(session, blobs, interaction, step, now))
        if step["action"] in ENDING:
            ended = True
            break
    fallback = plan.get("fallback")
    if not ended and fallback:
        done.append(_apply(session, blobs, interaction, fallback, now))
    session.add(Event(kind="action_plan", interaction_id=interaction.id, data={"done": done}))
    return done


def _apply(
    session: Session,
    blobs: SqlBlobStore | None,
    interaction: Interaction,
    step: dict[str, Any],
    now: dt.datetime,
) -> str:
    action = step["action"]
    if action == "queue":
        queue = _queue(session, interaction.project_id, str(step["queue"]))
        if queue is not None:
            interaction.queue_id = queue.id
            interaction.claimed_by_id = None
            return f"queue {queue.name}"
        return f"queue {step['queue']} (missing)"
    if action == "agent":
        agent = _agent(session, str(step["agent"]))
        if agent is not None:
            # Offered: the agent holds it, unread, and the transfer-style timeout applies
            # through the wait timers when they do not take it.
            interaction.preferred_agent_id = agent.id
            interaction.claimed_by_id = agent.id
            interaction.claimed_at = now
            interaction.claim_fence += 1
            interaction.unread = True
            return f"agent {agent.name}"
        return f"agent {step['agent']} (missing)"
    if action == "close":
        interaction.status = "closed"
        interaction.closed_at = now
        interaction.claimed_by_id = None
        return "close"
    if action == "tag":
        name = str(step["tag"]).strip()
        tag = session.execute(select(Tag).where(Tag.name == name)).scalar()
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
        session.add(InteractionTag(interaction_id=interaction.id, tag_id=tag.id))
        return f"tag {name}"
    template = _template(session, str(step["template"]))
    if blobs is None:
        return f"auto_response {step['template']} (skipped: only the worker sends)"
    if template is None:
        return f"auto_response {step['template']} (missing)"
    from app.services.replies import acknowledge

    sent = acknowledge(blobs, session, interaction, template, now)
    return f"auto_response {template.name}" + ("" if sent else " (not sent: refused)")


def set_plan(store: Any, account_name: str, plan: dict[str, Any] | None) -> dict[str, Any] | None:
    """Validate and store an account's plan (None removes it)."""
    with store.write() as session:
        account = find_account(session, account_name)
        checked = validate(plan, session, account.project_id) if plan is not None else None
        account.action_plan = checked
        session.add(
            Event(kind="action_plan.set", data={"account": str(account.id), "plan": checked})
        )
        return checked


@handler("set_action_plan")
def _set_action_plan(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """A supervisor sets (or, with ``plan`` None, removes) an account's action plan."""
    if not ctx.supervisor:
        raise Rejected("Only a supervisor may change an account's action plan.")
    account = find_account(ctx.session, str(payload.get("account", "")))
    plan = payload.get("plan")
    checked = validate(plan, ctx.session, account.project_id) if plan is not None else None
    account.action_plan = checked
    ctx.event("action_plan.set", account=str(account.id), plan=checked)
    return {"account": account.name, "plan": checked}


@dataclass(frozen=True)
class PlanChoices:
    """An account's plan and what its steps may name, for the action-plan editor."""

    account: str
    project: str
    time_zone: str
    plan: dict[str, Any] | None
    queues: tuple[str, ...]
    agents: tuple[str, ...]
    templates: tuple[str, ...]


def plan_choices(store: Store, account_name: str) -> PlanChoices:
    with store.read() as session:
        account: EmailAccount = find_account(session, account_name)
        project = session.get(Project, account.project_id)
        queues = session.execute(
            select(Queue.name)
            .where(Queue.project_id == account.project_id, Queue.deleted_at.is_(None))
            .order_by(Queue.name)
        ).scalars()
        agents = session.execute(
            select(Agent.name).where(Agent.deleted_at.is_(None)).order_by(Agent.name)
        ).scalars()
        templates = session.execute(
            select(Template.name).where(Template.deleted_at.is_(None)).order_by(Template.name)
        ).scalars()
        return PlanChoices(
            account=account.name,
            project=project.name if project else "",
            time_zone=project.time_zone if project else "UTC",
            plan=account.action_plan,
            queues=tuple(queues),
            agents=tuple(agents),
            templates=tuple(dict.fromkeys(templates)),
        )
