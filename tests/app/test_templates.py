"""Supervisors' templates: sandboxed, strict, with errors a supervisor can act on."""

from __future__ import annotations

import pytest

from app.templates import TemplateRenderError, preview, render


def test_variables_render() -> None:
    text = render(
        "Dear {{ customer.name }}, ticket {{ ticket.number }}.",
        {"customer": {"name": "Anna"}, "ticket": {"number": "ACM-20260105-000001"}},
    )
    assert text == "Dear Anna, ticket ACM-20260105-000001."


def test_a_misspelt_variable_fails_loudly_in_the_preview() -> None:
    with pytest.raises(TemplateRenderError, match="'custmer' is undefined"):
        preview("Dear {{ custmer.name }}", name="Acknowledgement")


def test_syntax_errors_name_the_line() -> None:
    with pytest.raises(TemplateRenderError, match="Template 'Ack' line 2"):
        render("Hello\n{% if %}", {}, name="Ack")


def test_the_sandbox_blocks_reaching_into_python() -> None:
    with pytest.raises(TemplateRenderError, match=r"unsafe|undefined"):
        render("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


def test_html_templates_escape_customer_text() -> None:
    out = render(
        "<p>{{ customer.name }}</p>", {"customer": {"name": "<script>x</script>"}}, html=True
    )
    assert out == "<p>&lt;script&gt;x&lt;/script&gt;</p>"
