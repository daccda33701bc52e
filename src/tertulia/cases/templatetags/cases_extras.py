from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """A span of seconds as people say it: "45 min", "3 h 05 min", "2 d 4 h"."""
    if seconds is None:
        return "—"
    minutes = int(seconds) // 60
    if minutes < 60:
        return _("%(m)s min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return _("%(d)s d %(h)s h") % {"d": days, "h": hours}


@register.inclusion_tag("cases/_conversation_panel.html", takes_context=True)
def cases_panel(context: template.Context, conv: object) -> dict[str, object]:
    """The conversation page's card: its case and lead (or buttons to make them), the
    knowledge-base suggestions for the composer, and promoting an answer to an article."""
    from tertulia.cases.actions import case_of
    from tertulia.cases.models import Lead
    from tertulia.engagement.models import ConversationItem, Flag
    from tertulia.governance.access import can
    from tertulia.governance.permissions import Permission as P

    user = context["request"].user
    brand = conv.brand  # type: ignore[attr-defined]
    may = {name: can(user, perm, brand) for name, perm in (
        ("cases_view", P.BRAND_CASES_VIEW), ("cases_manage", P.BRAND_CASES_MANAGE),
        ("leads_view", P.BRAND_LEADS_VIEW), ("leads_manage", P.BRAND_LEADS_MANAGE),
        ("kb_view", P.BRAND_KB_VIEW), ("kb_edit", P.BRAND_KB_EDIT))}
    items = []
    if may["kb_edit"]:
        items = list(ConversationItem.objects.filter(conversation=conv)
                     .select_related("mention__author", "reply")
                     .order_by("-created_at", "-id")[:30])
    return {
        "c": conv, "org": brand.organization, "brand": brand, "may": may,
        "case": case_of(conv) if may["cases_view"] else None,  # type: ignore[arg-type]
        "lead": Lead.objects.filter(conversation=conv).first() if may["leads_view"] else None,
        "is_green": conv.flag == Flag.GREEN,  # type: ignore[attr-defined]
        "items": items, "csrf_token": context.get("csrf_token"),
    }
