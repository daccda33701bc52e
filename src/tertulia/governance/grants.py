"""Who may do what where, computed from plain data. No Django import.

`AccessSnapshot` is everything one person holds: roles per organization (all brands or one
brand) and the agency grants that reach them. `allows()` is the single rule the whole
platform uses; `tertulia.governance.access.can()` feeds it from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tertulia.governance.permissions import (
    AGENCY_ORG_PERMISSIONS,
    Permission,
    Role,
    role_permissions,
)


@dataclass(frozen=True, slots=True)
class GrantView:
    """An active agency grant as seen by one of the agency's people."""

    client_org_id: int
    agency_org_id: int
    role: Role
    brand_ids: frozenset[int]


@dataclass(slots=True)
class AccessSnapshot:
    org_roles: dict[int, set[Role]] = field(default_factory=dict)
    brand_roles: dict[int, set[Role]] = field(default_factory=dict)
    agency_grants: list[GrantView] = field(default_factory=list)

    def add_membership(self, org_id: int, role: Role, brand_id: int | None) -> None:
        if brand_id is None:
            self.org_roles.setdefault(org_id, set()).add(role)
        else:
            self.brand_roles.setdefault(brand_id, set()).add(role)

    def member_org_ids(self, brand_orgs: dict[int, int]) -> set[int]:
        """Organizations where the person holds a role of their own."""
        return set(self.org_roles) | {brand_orgs[b] for b in self.brand_roles if b in brand_orgs}

    def org_permissions(self, org_id: int, brand_orgs: dict[int, int]) -> frozenset[Permission]:
        """Organization-scope permissions in `org_id` (brand_orgs maps brand id → org id)."""
        perms: set[Permission] = set()
        for role in self.org_roles.get(org_id, ()):
            perms |= role_permissions(role)
        for brand_id, roles in self.brand_roles.items():
            if brand_orgs.get(brand_id) == org_id:
                for role in roles:
                    perms |= {p for p in role_permissions(role) if p.scope == "org"}
        if any(g.client_org_id == org_id for g in self.agency_grants):
            perms |= AGENCY_ORG_PERMISSIONS
        return frozenset(p for p in perms if p.scope == "org")

    def brand_permissions(self, brand_id: int, org_id: int) -> frozenset[Permission]:
        perms: set[Permission] = set()
        for role in self.org_roles.get(org_id, ()):
            perms |= role_permissions(role)
        for role in self.brand_roles.get(brand_id, ()):
            perms |= role_permissions(role)
        for grant in self.agency_grants:
            if grant.client_org_id == org_id and brand_id in grant.brand_ids:
                perms |= role_permissions(grant.role)
        return frozenset(p for p in perms if p.scope == "brand")

    def visible_brand_ids(self, org_id: int, org_brand_ids: Iterable[int]) -> set[int]:
        """Brands of `org_id` on which the person holds at least one permission."""
        if self.org_roles.get(org_id):
            return set(org_brand_ids)
        ids = {b for b in org_brand_ids if b in self.brand_roles}
        for grant in self.agency_grants:
            if grant.client_org_id == org_id:
                ids |= grant.brand_ids & set(org_brand_ids)
        return ids

    def reachable_org_ids(self, brand_orgs: dict[int, int]) -> set[int]:
        return self.member_org_ids(brand_orgs) | {g.client_org_id for g in self.agency_grants}


def allows(
    snapshot: AccessSnapshot, permission: Permission, *, org_id: int,
    brand_id: int | None, brand_orgs: dict[int, int],
) -> bool:
    """The one rule: does this person hold `permission` in this organization or brand?"""
    if permission.scope == "brand":
        if brand_id is None:
            # A brand permission asked of the organization: held on at least one brand.
            return any(
                permission in snapshot.brand_permissions(b, org_id)
                for b, o in brand_orgs.items() if o == org_id
            )
        return permission in snapshot.brand_permissions(brand_id, org_id)
    return permission in snapshot.org_permissions(org_id, brand_orgs)
