"""Role names and descriptions in the person's language."""

from __future__ import annotations

from django.utils.translation import get_language

from tertulia.governance.permissions import ROLE_LABELS, ROLE_SUMMARIES, Role


def _pick(pair: tuple[str, str]) -> str:
    return pair[1] if (get_language() or "en").startswith("es") else pair[0]


def role_label(role: Role | str) -> str:
    return _pick(ROLE_LABELS[Role(role)])


def role_summary(role: Role | str) -> str:
    return _pick(ROLE_SUMMARIES[Role(role)])
