"""New work offered to an agent, worded by each account's notification template.

The window asks every time the store changes; what was not offered before is news.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.agents import find_agent, offered_interactions
from app.services.replies import template_variables
from app.templates import TemplateRenderError, render
from storage.engine import Store
from storage.models import Agent, EmailAccount, Interaction

log = logging.getLogger("templates")


@dataclass(frozen=True)
class OfferNotice:
    """One newly offered interaction and what its account's notification template says."""

    interaction_id: uuid.UUID
    account: str
    customer: str
    subject: str
    text: str  # the rendered template; empty when the account has none (the UI words it)
    sound: bool
    shake: bool
    template_error: str = ""


# States in which an agent wants to hear about new work (paused or logged out: no).
LISTENING = ("available", "in_email")


@dataclass(frozen=True)
class Offers:
    offered: frozenset[uuid.UUID]  # everything offered now
    new: tuple[OfferNotice, ...]  # offered now and not among ``known``
    agent_state: str = "available"

    @property
    def news(self) -> tuple[OfferNotice, ...]:
        """What to tell the agent: the new offers, unless they paused or logged out."""
        return self.new if self.agent_state in LISTENING else ()


def offers_for(store: Store, agent: str | uuid.UUID, known: Collection[uuid.UUID]) -> Offers:
    """What is offered to ``agent`` now, with notices for what was not offered before."""
    offered = offered_interactions(store, agent)
    fresh = [view.id for view in offered if view.id not in known]
    notices: list[OfferNotice] = []
    with store.read() as session:
        viewer = find_agent(session, agent)
        state = viewer.state
        if fresh:
            for interaction in session.execute(
                select(Interaction)
                .where(Interaction.id.in_(fresh))
                .order_by(Interaction.created_at, Interaction.id)
            ).scalars():
                account = session.get(EmailAccount, interaction.account_id)
                if account is not None:
                    notices.append(_notice(session, viewer, interaction, account))
    return Offers(frozenset(view.id for view in offered), tuple(notices), state)


def _notice(
    session: Session, viewer: Agent, interaction: Interaction, account: EmailAccount
) -> OfferNotice:
    text, error = "", ""
    if account.notification_template.strip():
        variables = template_variables(session, interaction, viewer)
        variables["interaction"] = {
            "subject": interaction.subject,
            "language": interaction.language,
        }
        try:
            text = render(
                account.notification_template, variables, name=f"{account.name} notification"
            ).strip()
        except TemplateRenderError as exc:
            # The agent still hears about the offer, in the default words; the supervisor
            # finds why in the log and in the notice's tooltip.
            error = str(exc)
            log.warning("notification template of %s: %s", account.name, exc)
    return OfferNotice(
        interaction_id=interaction.id,
        account=account.name,
        customer=interaction.customer_name or interaction.customer_email,
        subject=interaction.subject,
        text=text,
        sound=account.notification_sound,
        shake=account.notification_shake,
        template_error=error,
    )
