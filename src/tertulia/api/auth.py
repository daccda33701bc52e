"""Bearer-token authentication for the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from tertulia.api.models import ApiToken
from tertulia.api.ratelimit import spend
from tertulia.governance.models import hash_token

TOKEN_PREFIX = "tt_"


class TokenAuth(HttpBearer):
    """Accepts `Authorization: Bearer tt_…`. Revoked, expired and deactivated people's tokens
    are refused the moment they change: nothing is cached."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.startswith(TOKEN_PREFIX):
            return None
        row = (
            ApiToken.objects.select_related("user", "organization")
            .filter(token_hash=hash_token(token)).first()
        )
        now = timezone.now()
        if row is None or not row.is_usable(now):
            return None
        spend(row.id)
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(id=row.id).update(last_used_at=now)
        request.user = row.user
        request.api_token = row  # type: ignore[attr-defined]
        return row
