"""Template helpers of the dashboards."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from tertulia.insights.metrics import format_number

register = template.Library()


@register.filter
def num(value: object) -> object:
    """Whole numbers with the reader's thousands separator; anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    lang = "es" if (get_language() or "en").startswith("es") else "en"
    return format_number(value, 0 if isinstance(value, int) or value.is_integer() else 1, lang)
