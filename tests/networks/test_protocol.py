from datetime import UTC, datetime

import pytest

from tertulia.networks.demo.connector import DemoConnector
from tertulia.networks.protocol import (
    BaseConnector,
    Capability,
    Connector,
    RateLimited,
    Rejected,
    Unsupported,
)


class ReadOnly(BaseConnector):
    name = "readonly"


def test_base_connector_says_plainly_what_it_cannot_do():
    connector = ReadOnly()
    with pytest.raises(Unsupported, match="readonly connector cannot private message"):
        connector.send_private("ana", "hola", idempotency_key="k")
    with pytest.raises(Unsupported):
        connector.require(Capability.PUBLISH)
    connector.require(Capability.FETCH)


def test_demo_connector_satisfies_the_protocol():
    clock = lambda: datetime(2024, 5, 14, 12, tzinfo=UTC)  # noqa: E731
    assert isinstance(DemoConnector(clock=clock), Connector)


def test_typed_errors_carry_their_facts():
    reset = datetime(2024, 5, 14, 12, 15, tzinfo=UTC)
    assert RateLimited(reset).reset_at == reset
    error = Rejected("text too long", status=400)
    assert error.reason == "text too long" and "HTTP 400" in str(error)
