"""Tenant-scoped lookups and the one permission check every entry point uses.

`can(user, permission, brand)` answers yes or no. `access_*()` helpers look an object up
*and* authorize it: a missing object and one outside the person's reach both raise Http404,
so nothing leaks that it exists; a visible object without the permission raises
PermissionDenied (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from tertulia.governance.grants import AccessSnapshot, GrantView, allows
from tertulia.governance.models import AgencyGrant, Brand, Membership, Organization, User
from tertulia.governance.permissions import Permission, Role

_CACHE_ATTR = "_tertulia_access"


def snapshot_for(user: Any) -> AccessSnapshot:
    """Everything the person holds, loaded once per request (cached on the user object)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    snap = AccessSnapshot()
    if user is None or not user.is_authenticated or not user.is_active:
        return snap
    memberships = Membership.objects.filter(user=user, is_active=True).values_list(
        "organization_id", "role", "brand_id"
    )
    for org_id, role, brand_id in memberships:
        snap.add_membership(org_id, Role(role), brand_id)
    agency_ids = [
        org_id for org_id in snap.org_roles
    ] + list(
        Brand.objects.filter(id__in=snap.brand_roles).values_list("organization_id", flat=True)
    )
    grants = AgencyGrant.objects.filter(
        agency_id__in=agency_ids, agency__kind=Organization.Kind.AGENCY, revoked_at=None
    ).prefetch_related("brands")
    for grant in grants:
        snap.agency_grants.append(
            GrantView(grant.client_id, grant.agency_id, Role(grant.role),
                      frozenset(b.id for b in grant.brands.all()))
        )
    setattr(user, _CACHE_ATTR, snap)
    return snap


def forget(user: Any) -> None:
    """Drop the cached snapshot after the person's roles changed within this request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _brand_orgs(org: Organization) -> dict[int, int]:
    return {b: org.id for b in org.brands.values_list("id", flat=True)}


def can(user: Any, permission: Permission, brand: Brand | None = None, *,
        org: Organization | None = None) -> bool:
    """May this person do `permission` on this brand (or in this organization)?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if brand is not None:
        org = brand.organization
    if org is None:
        raise ValueError("can() needs a brand or an organization")
    snap = snapshot_for(user)
    brand_orgs = (
        {b.id: org.id for b in [brand]} if brand is not None else _brand_orgs(org)
    )
    if permission.scope == "org":
        brand_orgs = _brand_orgs(org)
    return allows(snap, permission, org_id=org.id,
                  brand_id=brand.id if brand else None, brand_orgs=brand_orgs)


def reachable_organizations(user: Any) -> QuerySet[Organization]:
    snap = snapshot_for(user)
    brand_orgs = dict(
        Brand.objects.filter(id__in=snap.brand_roles).values_list("id", "organization_id")
    )
    return Organization.objects.filter(id__in=snap.reachable_org_ids(brand_orgs))


def visible_brands(user: Any, org: Organization) -> QuerySet[Brand]:
    """The brands of `org` this person may see at all; agencies see only granted brands."""
    snap = snapshot_for(user)
    ids = list(org.brands.values_list("id", flat=True))
    return org.brands.filter(id__in=snap.visible_brand_ids(org.id, ids))


def acting_organization(user: Any, org: Organization) -> Organization:
    """The organization a person works for while acting in `org`: its own, or the agency."""
    snap = snapshot_for(user)
    if snap.org_roles.get(org.id) or org.brands.filter(id__in=snap.brand_roles).exists():
        return org
    for grant in snap.agency_grants:
        if grant.client_org_id == org.id:
            return Organization.objects.get(id=grant.agency_org_id)
    return org


def access_org(user: Any, slug: str, permission: Permission | None = None) -> Organization:
    org = reachable_organizations(user).filter(slug=slug).first()
    if org is None:
        raise Http404("No such organization.")
    if permission is not None and not can(user, permission, org=org):
        raise PermissionDenied
    return org


def access_brand(user: Any, org: Organization, slug: str,
                 permission: Permission | None = None) -> Brand:
    brand = visible_brands(user, org).filter(slug=slug).select_related("organization").first()
    if brand is None:
        raise Http404("No such brand.")
    if permission is not None and not can(user, permission, brand):
        raise PermissionDenied
    return brand


def access_member(user: Any, org: Organization, user_id: int) -> User:
    """A person of `org` (one who holds or held a role there)."""
    person = User.objects.filter(id=user_id, memberships__organization=org).distinct().first()
    if person is None:
        raise Http404("No such person.")
    return person
