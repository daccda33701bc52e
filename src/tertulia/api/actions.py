"""Creating and revoking API tokens; both are audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tertulia.api.auth import TOKEN_PREFIX
from tertulia.api.models import ApiToken
from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand, Organization, User, hash_token, new_token


@transaction.atomic
def do_create_api_token(
    user: User, org: Organization, name: str, *, expires_at: datetime | None,
    permissions: Iterable[str] = (), brands: Iterable[Brand] = (), actor: Actor,
) -> tuple[ApiToken, str]:
    """The token and its secret. The secret is shown once and only its hash is stored."""
    raw, _hash = new_token()
    secret = TOKEN_PREFIX + raw
    token = ApiToken.objects.create(
        user=user, organization=org, name=name, prefix=secret[:10],
        token_hash=hash_token(secret), expires_at=expires_at, permissions=sorted(permissions),
    )
    brands = list(brands)
    token.brands.set(brands)
    record(org, actor, AuditAction.API_TOKEN_CREATED, obj=token, after={
        "name": name, "expires_at": expires_at.isoformat() if expires_at else None,
        "permissions": sorted(permissions), "brands": sorted(b.slug for b in brands),
    })
    return token, secret


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, actor: Actor) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(token.organization, actor, AuditAction.API_TOKEN_REVOKED, obj=token,
           before={"name": token.name, "prefix": token.prefix})
