"""Every API operation declares its permission, like every web view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tertulia.governance.access import can
from tertulia.governance.models import Brand, Organization
from tertulia.governance.permissions import Permission

F = TypeVar("F", bound=Callable[..., Any])


def declares(permission: Permission | str) -> Callable[[F], F]:
    def mark(func: F) -> F:
        func.required_permission = permission  # type: ignore[attr-defined]
        return func

    return mark


def token_allows(request: HttpRequest, permission: Permission, *, org: Organization,
                 brand: Brand | None = None) -> bool:
    """The person may, and the token was scoped to allow it."""
    token = getattr(request, "api_token", None)
    if token is None or token.organization_id != org.id:
        return False
    if token.permissions and permission.value not in token.permissions:
        return False
    if brand is not None and token.brands.exists() and not token.brands.filter(
        id=brand.id
    ).exists():
        return False
    return can(request.user, permission, brand, org=org)


def require(request: HttpRequest, permission: Permission, *, org: Organization,
            brand: Brand | None = None) -> None:
    if not token_allows(request, permission, org=org, brand=brand):
        raise PermissionDenied
