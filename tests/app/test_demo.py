"""The demo data set: a store a newcomer can explore with no mail server."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.demo.seed import DEMO_PASSWORD, seed
from app.errors import UserError
from app.services.session import sign_in
from storage.models import Attachment, Interaction, Ticket


def test_demo_fills_a_new_store_once(sqlite_ctx: AppContext) -> None:
    made = seed(sqlite_ctx, 300)
    assert made["interactions"] > 100 and made["worked"] > 0
    with sqlite_ctx.store.read() as session:
        count = lambda model: session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
        assert count(Ticket) > 0 and count(Attachment) > 0
        languages = set(session.execute(select(Interaction.language)).scalars())
    assert {"en", "de", "it"} <= languages
    assert sign_in(sqlite_ctx.store, "sam", DEMO_PASSWORD).supervisor
    assert not sign_in(sqlite_ctx.store, "giulia", DEMO_PASSWORD).supervisor
    with pytest.raises(UserError, match="not empty"):
        seed(sqlite_ctx, 300)
