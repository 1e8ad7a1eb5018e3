"""Supervisors' templates rendered safely: a jinja2 sandbox where a mistake is a clear error.

A template can reach only the variables it is given (no attribute tricks, no imports), and
an undefined or misspelt variable fails loudly in the preview instead of reaching a
customer as an empty gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from app.errors import UserError

_TEXT = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)
_HTML = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True, keep_trailing_newline=True)

SAMPLE_VARIABLES: dict[str, Any] = {
    "customer": {"name": "Anna Rossi", "email": "anna.rossi@example.org"},
    "agent": {"name": "Marco Bianchi"},
    "ticket": {"number": "ACM-20260105-000042", "title": "Order AC-123456 not delivered"},
    "account": {"name": "support", "email": "support@acme.example", "display_name": "Acme"},
    "queue": {"name": "Italiano"},
    "date": dt.date(2026, 1, 5),
    "contact": {"company": "Rossi Srl", "phone": "+39 02 1234567"},
}
"""Values the template preview renders with."""


class TemplateRenderError(UserError):
    """A template that cannot be rendered, with where and why."""


def render(
    source: str, variables: Mapping[str, Any], *, name: str = "template", html: bool = False
) -> str:
    """Render ``source``; raise TemplateRenderError naming the line and the problem."""
    env = _HTML if html else _TEXT
    try:
        return env.from_string(source).render(dict(variables))
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(f"Template {name!r} line {exc.lineno}: {exc.message}") from exc
    except UndefinedError as exc:
        raise TemplateRenderError(f"Template {name!r}: {exc.message}") from exc
    except SecurityError as exc:
        raise TemplateRenderError(f"Template {name!r} tried something unsafe: {exc}") from exc
    except TemplateError as exc:
        raise TemplateRenderError(f"Template {name!r}: {exc}") from exc
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        raise TemplateRenderError(f"Template {name!r}: {exc}") from exc


def preview(source: str, *, name: str = "template", html: bool = False) -> str:
    """The template on sample data, as the settings page shows it."""
    return render(source, SAMPLE_VARIABLES, name=name, html=html)
