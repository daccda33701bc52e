"""Factories for the Django side of the connectors."""

from __future__ import annotations

import pytest

from tertulia.governance.audit import Actor
from tertulia.networks import actions

SYSTEM = Actor.system("tests")


def make_feed_source(org, *, name="Diario del barrio",
                     url="https://www.diariodelbarrio.example/economia/rss"):
    return actions.do_create_feed_source(org, name, url, actor=SYSTEM)


def make_webhook_source(org, *, name="Reviews bridge"):
    """(source, endpoint, secret)"""
    return actions.do_create_webhook_source(org, name, actor=SYSTEM)


@pytest.fixture
def feed_source(world):
    return make_feed_source(world.acme)


@pytest.fixture
def webhook(world):
    return make_webhook_source(world.acme)
