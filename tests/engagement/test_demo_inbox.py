"""The demo organization's inbox is seeded idempotently and fills from the demo stream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tertulia.engagement.models import (
    Conversation,
    GuidelineEntry,
    ReplyTemplate,
    Rule,
    SlaPolicy,
)
from tertulia.governance.demo import ORG_SLUG, seed_demo
from tertulia.governance.models import Organization
from tertulia.listening.pipeline import ingest
from tertulia.networks.demo.connector import DemoConnector


def _counts() -> tuple[int, ...]:
    return (Rule.objects.count(), SlaPolicy.objects.count(), GuidelineEntry.objects.count(),
            ReplyTemplate.objects.count())


@pytest.mark.django_db
def test_demo_inbox_is_seeded_once_in_both_languages(django_capture_on_commit_callbacks) -> None:
    seed_demo()
    first = _counts()
    seed_demo()
    assert _counts() == first
    org = Organization.objects.get(slug=ORG_SLUG)
    brand = org.brands.get(slug="cafe-aurora")
    assert set(ReplyTemplate.objects.filter(brand=brand).values_list("language", flat=True)) == {
        "es", "en"}
    assert GuidelineEntry.objects.get(brand=brand, flag="yellow").team.name == (
        "Atención al cliente")
    now = datetime(2026, 11, 18, 12, tzinfo=UTC)
    connector = DemoConnector(clock=lambda: now, backfill=timedelta(hours=3))
    page = connector.fetch(None)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(org, list(page.items), now=now)
    inbox = Conversation.objects.filter(brand=brand)
    assert inbox.filter(channel="demo:cafeaurora").exists(), "DMs and comments"
    assert inbox.exclude(channel="demo:cafeaurora").exists(), "@cafeaurora mentions"
    assert inbox.filter(sla_state__in=["ok", "warning", "breached"]).exists()
    assert inbox.filter(team__name__in=["Atención al cliente", "Ventas"]).exists()
