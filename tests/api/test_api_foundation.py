"""API tokens and the declared permission of every API operation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tertulia.api.models import ApiToken
from tertulia.api.router import api
from tertulia.governance.models import Organization, User, hash_token
from tertulia.governance.permissions import Permission
from tertulia.web.routing import SIGNED_IN
from tests.conftest import World


def _token(user: User, org: Organization, **fields: object) -> str:
    raw = f"tt_test-{user.id}-{org.id}-{len(fields)}-{ApiToken.objects.count()}"
    ApiToken.objects.create(user=user, organization=org, name="test", prefix=raw[:8],
                            token_hash=hash_token(raw), **fields)
    return raw


def test_every_api_operation_declares_a_permission() -> None:
    missing = []
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                declared = getattr(operation.view_func, "required_permission", None)
                if not (isinstance(declared, Permission) or declared == SIGNED_IN):
                    missing.append(path)
    assert not missing


@pytest.mark.django_db
def test_tokens_authenticate_and_scope_by_organization(world: World, client: Client) -> None:
    raw = _token(world.person("owner"), world.acme)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/me", **auth).json()["organization"] == world.acme.slug
    brands = client.get(f"/api/v1/orgs/{world.acme.slug}/brands", **auth).json()
    assert {b["slug"] for b in brands} == {world.a1.slug, world.a2.slug}
    assert client.get(f"/api/v1/orgs/{world.other.slug}/brands", **auth).status_code == 404
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer tt_wrong").status_code == 401


@pytest.mark.django_db
def test_agency_token_sees_only_granted_brands(world: World, client: Client) -> None:
    raw = _token(world.person("agency"), world.acme)
    brands = client.get(f"/api/v1/orgs/{world.acme.slug}/brands",
                        HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [b["slug"] for b in brands] == [world.a1.slug]


@pytest.mark.django_db
def test_expired_and_revoked_tokens_stop_working(world: World, client: Client) -> None:
    expired = _token(world.person("owner"), world.acme,
                     expires_at=timezone.now() - timedelta(minutes=1))
    revoked = _token(world.person("owner"), world.acme, revoked_at=timezone.now())
    for raw in (expired, revoked):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.django_db
def test_token_permission_scope_is_enforced(world: World, client: Client) -> None:
    raw = _token(world.person("owner"), world.acme, permissions=["brand:mentions:view"])
    response = client.get(f"/api/v1/orgs/{world.acme.slug}/brands",
                          HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403


@pytest.mark.django_db
def test_openapi_schema_is_served(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "tertulia API"
    assert "/api/v1/me" in schema["paths"]


@pytest.mark.django_db
def test_a_token_past_its_minute_budget_gets_429_with_retry_after(
    world: World, client: Client, settings: Any,
) -> None:
    settings.API_REQUESTS_PER_MINUTE = 3
    busy = {"HTTP_AUTHORIZATION": f"Bearer {_token(world.person('owner'), world.acme)}"}
    calm = {"HTTP_AUTHORIZATION": f"Bearer {_token(world.person('analyst'), world.acme)}"}
    assert [client.get("/api/v1/me", **busy).status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/me", **busy)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "More than 3 requests" in refused.json()["detail"]
    assert client.get("/api/v1/me", **calm).status_code == 200


def test_the_budget_opens_again_with_the_next_minute() -> None:
    from tertulia.api.ratelimit import RateLimited, spend

    spend(999_001, limit=1, now=120.0)
    with pytest.raises(RateLimited) as refused:
        spend(999_001, limit=1, now=150.0)
    assert refused.value.retry_after == 30
    spend(999_001, limit=1, now=180.0)
