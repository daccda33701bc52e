"""Reply templates: safe variables and selection by flag and language."""

from __future__ import annotations

import pytest

from tertulia.engagement.templates import (
    ReplyTemplate,
    TemplateMissingValue,
    TemplateNotFound,
    TemplateSyntaxError,
    TemplateUnknownVariable,
    render,
    select_template,
    template_variables,
)

TEMPLATES = [
    ReplyTemplate("complaint-es", "es", "Hola {customer_name}, soy {agent_name}.", "complaint"),
    ReplyTemplate("complaint-en", "en", "Hi {customer_name}, {agent_name} here.", "complaint"),
    ReplyTemplate("generic-es", "es", "Gracias, {customer_name}. Caso {case_number}."),
    ReplyTemplate("generic-en", "en", "Thanks, {customer_name}. Case {case_number}."),
]


def test_render_fills_known_variables_and_keeps_literal_braces() -> None:
    body = "Hola {customer_name}, tu caso {case_number} {{urgente}}: {link}"
    text = render(body, {"customer_name": "Ana", "case_number": 42, "link": "https://t.co/x"})
    assert text == "Hola Ana, tu caso 42 {urgente}: https://t.co/x"


def test_unknown_variable_lists_the_known_ones() -> None:
    with pytest.raises(TemplateUnknownVariable) as info:
        render("Hola {nombre}", {"nombre": "Ana"})
    assert "{nombre}" in str(info.value) and "{customer_name}" in str(info.value)


def test_missing_values_are_all_named() -> None:
    with pytest.raises(TemplateMissingValue) as info:
        render(
            "{customer_name} / {agent_name} / {case_number}",
            {"customer_name": "Ana", "agent_name": ""},
        )
    assert info.value.names == ["agent_name", "case_number"]


@pytest.mark.parametrize(
    "body",
    [
        "{customer_name.__class__}",
        "{link[0]}",
        "{case_number:>8}",
        "{agent_name!r}",
        "Hola {",
        "}",
        "{}",
    ],
)
def test_anything_but_a_bare_name_is_rejected(body: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        template_variables(body)


@pytest.mark.parametrize(
    ("flag", "language", "expected"),
    [
        ("complaint", "es", "complaint-es"),
        ("complaint", "es-MX", "complaint-es"),
        ("complaint", "pt", "complaint-en"),  # flag beats language
        ("praise", "es", "generic-es"),
        (None, "fr", "generic-en"),
        ("complaint", None, "complaint-en"),
    ],
)
def test_selection_by_flag_then_language(
    flag: str | None, language: str | None, expected: str
) -> None:
    assert select_template(TEMPLATES, flag=flag, language=language).id == expected


def test_no_template_at_all_says_what_to_add() -> None:
    with pytest.raises(TemplateNotFound, match="generic one"):
        select_template(TEMPLATES[:1], flag="praise", language="de")
