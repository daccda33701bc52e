"""What every page's navigation needs: the organization, the brands and the sections allowed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tertulia.governance.access import can, reachable_organizations, visible_brands
from tertulia.governance.permissions import Permission as P

# (label, url name, permission) for the settings menu, in display order.
SETTINGS_PAGES = (
    (_("Organization"), "governance:org_settings", P.ORG_SETTINGS_MANAGE),
    (_("Brands"), "governance:brands", P.ORG_VIEW),
    (_("Sources"), "networks:sources", P.ORG_SETTINGS_MANAGE),
    (_("Import"), "listening:imports", P.ORG_INGEST_WRITE),
    (_("Teams"), "governance:teams", P.ORG_TEAMS_VIEW),
    (_("People"), "governance:people", P.ORG_PEOPLE_VIEW),
    (_("Agencies"), "governance:agencies", P.ORG_AGENCIES_MANAGE),
    (_("Roles"), "governance:roles", P.ORG_ROLES_VIEW),
    (_("Audit log"), "governance:audit", P.ORG_AUDIT_VIEW),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    org = getattr(request, "org", None)
    if user is None or not user.is_authenticated or org is None:
        return {}
    settings_links = [
        {"label": label, "url": reverse(name, args=[org.slug]), "name": name}
        for label, name, perm in SETTINGS_PAGES
        if can(user, perm, org=org)
    ]
    brands = list(visible_brands(user, org))
    listenable = [b for b in brands if can(user, P.BRAND_MENTIONS_VIEW, b)]
    current = getattr(request, "brand", None)
    listen_brand = current if current in listenable else (listenable[0] if listenable else None)
    return {
        "nav_org": org,
        "nav_brand": current,
        "nav_orgs": list(reachable_organizations(user)),
        "nav_brands": [
            (b, reverse("listening:stream", args=[org.slug, b.slug]) if b in listenable
             else reverse("governance:overview", args=[org.slug]))
            for b in brands
        ],
        "nav_listen_url": (reverse("listening:stream", args=[org.slug, listen_brand.slug])
                           if listen_brand else None),
        "nav_inbox_url": (reverse("engagement:inbox", args=[org.slug])
                          if any(can(user, P.BRAND_INBOX_VIEW, b) for b in brands) else None),
        "nav_cases_url": (reverse("cases:cases_all", args=[org.slug])
                          if any(can(user, P.BRAND_CASES_VIEW, b) for b in brands) else None),
        "nav_insights_url": (reverse("insights:executive", args=[org.slug])
                             if any(can(user, P.BRAND_INSIGHTS_VIEW, b) for b in brands)
                             else None),
        "nav_settings": settings_links,
    }
