"""People create API tokens in their account (shown once, hashed) and revoke them."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tertulia.api.models import ApiToken
from tertulia.governance.models import AuditEvent
from tests.conftest import World


@pytest.mark.django_db
def test_create_use_and_revoke_a_token(world: World, client: Client) -> None:
    client.force_login(world.person("analyst"))
    page = f"/o/{world.acme.slug}/account/tokens/"
    created = client.post(page, {"name": "Looker", "expires": "30"}).content.decode()
    secret = re.search(r"<code>(tt_[^<]+)</code>", created).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(name="Looker")
    assert secret not in token.token_hash and token.expires_at is not None
    assert secret not in client.get(page).content.decode(), "shown once"
    api = Client()
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    client.post(f"{page}{token.id}/revoke/")
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    actions = set(AuditEvent.objects.filter(organization=world.acme).values_list("action",
                                                                                 flat=True))
    assert {"api_token.created", "api_token.revoked"} <= actions


@pytest.mark.django_db
def test_someone_elses_token_cannot_be_revoked(world: World, client: Client) -> None:
    client.force_login(world.person("owner"))
    client.post(f"/o/{world.acme.slug}/account/tokens/", {"name": "mine", "expires": ""})
    token = ApiToken.objects.get(name="mine")
    client.force_login(world.person("admin"))
    response = client.post(f"/o/{world.acme.slug}/account/tokens/{token.id}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
