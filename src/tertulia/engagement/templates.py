"""Reply templates: pick the right one for a flag and language, then fill in its variables.

A template body uses ``{variable}`` placeholders from :data:`KNOWN_VARIABLES`; ``{{`` and ``}}``
write literal braces. Only bare names are allowed: ``{customer.name}``, ``{link[0]}`` or
``{case_number:>8}`` are rejected, so a template edited in the UI can never reach into Python
objects or change formatting rules.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "KNOWN_VARIABLES",
    "ReplyTemplate",
    "TemplateError",
    "TemplateMissingValue",
    "TemplateNotFound",
    "TemplateSyntaxError",
    "TemplateUnknownVariable",
    "render",
    "select_template",
    "template_variables",
]

KNOWN_VARIABLES: tuple[str, ...] = (
    "agent_name",
    "brand_name",
    "case_number",
    "customer_handle",
    "customer_name",
    "link",
    "survey_link",
)
_FORMATTER = string.Formatter()


class TemplateError(ValueError):
    """Base of the template errors; messages say what to change."""


class TemplateSyntaxError(TemplateError):
    pass


class TemplateUnknownVariable(TemplateError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"unknown variable {{{name}}}; use one of: "
            + ", ".join(f"{{{v}}}" for v in KNOWN_VARIABLES)
        )


class TemplateMissingValue(TemplateError):
    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(
            "no value for "
            + ", ".join(f"{{{n}}}" for n in names)
            + "; fill it in or choose a template that does not use it"
        )


class TemplateNotFound(TemplateError):
    pass


@dataclass(frozen=True, slots=True)
class ReplyTemplate:
    """A reply template. ``flag=None`` is the generic template for its language."""

    id: str
    language: str  # "es", "en", "pt-BR"...
    body: str
    flag: str | None = None


def template_variables(body: str) -> list[str]:
    """Variables used by ``body`` in order of first use; raises on anything not allowed."""
    names: list[str] = []
    try:
        parsed = list(_FORMATTER.parse(body))
    except ValueError as exc:
        raise TemplateSyntaxError(
            f"template braces do not match ({exc}); write {{{{ and }}}} for literal braces"
        ) from exc
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier():
            raise TemplateSyntaxError(
                f"{{{name}}} is not a plain variable name; write it like {{customer_name}}"
            )
        if spec or conversion:
            raise TemplateSyntaxError(
                f"{{{name}}} has a format or conversion; remove everything after the name"
            )
        if name not in KNOWN_VARIABLES:
            raise TemplateUnknownVariable(name)
        if name not in names:
            names.append(name)
    return names


def render(body: str, values: Mapping[str, object]) -> str:
    """Fill ``body`` with ``values``; every variable it uses needs a non-empty value."""
    names = template_variables(body)
    missing = [n for n in names if values.get(n) in (None, "")]
    if missing:
        raise TemplateMissingValue(missing)
    return body.format_map({n: str(values[n]) for n in names})


def _base(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def select_template(
    templates: Iterable[ReplyTemplate],
    *,
    flag: str | None,
    language: str | None,
    fallback_language: str = "en",
) -> ReplyTemplate:
    """The best template for a flag and language.

    Preference: same flag in the exact language, then the base language (``es-MX`` → ``es``),
    then the fallback language; then the generic template in the same order. Flag beats
    language because a template for the wrong situation is worse than one in a second language.
    """
    candidates = list(templates)
    langs: list[str] = []
    for lang in (language, _base(language) if language else None, fallback_language):
        if lang and lang.lower() not in langs:
            langs.append(lang.lower())
    for wanted_flag in (flag, None) if flag is not None else (None,):
        for lang in langs:
            for t in candidates:
                if t.flag == wanted_flag and t.language.lower() == lang:
                    return t
    raise TemplateNotFound(
        f"no template for flag {flag!r} in {langs}; add one, or a generic one (no flag) in "
        f"{fallback_language!r}"
    )
