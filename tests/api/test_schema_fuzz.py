"""schemathesis fuzzes every API operation from the OpenAPI schema: no 5xx, responses match."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection

from tertulia.api.models import ApiToken
from tertulia.governance.models import hash_token
from tests.conftest import build_world

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
TOKEN = "tt_schemathesis-token"


@pytest.fixture
def token(db: None) -> Iterator[str]:
    # The WSGI handler closes "obsolete" connections when a request ends, and the test's
    # transaction makes PostgreSQL's look obsolete: keep it open, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _make_token()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _make_token() -> str:
    world = build_world()
    ApiToken.objects.create(user=world.person("owner"), organization=world.acme, name="fuzz",
                            prefix=TOKEN[:8], token_hash=hash_token(TOKEN))
    return TOKEN


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api_operations_never_fail(case: Any, token: str) -> None:
    # Unknown query parameters are ignored on purpose (forward compatibility), so the check
    # that demands their rejection does not apply; every other check does.
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           excluded_checks=[negative_data_rejection])
