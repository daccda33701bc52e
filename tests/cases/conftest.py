"""Fixtures of the cases tests: a brand with an owned demo account and conversations that
arrived through the real ingest pipeline."""

from __future__ import annotations

from typing import Any

import pytest

from tertulia.engagement.models import Conversation
from tests.conftest import World
from tests.engagement.inbox_world import conversation_of, deliver, dm, message, own


class Inbox:
    def __init__(self, world: World, capture: Any) -> None:
        self.world = world
        self.capture = capture
        own(world.a1, "demo", "acme")
        own(world.a1, "x", "acme")
        own(world.o1, "demo", "otherco")

    def dm(self, external_id: str, text: str, *, handle: str = "lucia",
           minutes: float = 0) -> Conversation:
        deliver(self.world, self.capture, dm(external_id, text, handle=handle, minutes=minutes))
        return conversation_of(external_id)

    def public(self, external_id: str, text: str, *, handle: str = "lucia",
               minutes: float = 0, **kw: Any) -> Conversation:
        deliver(self.world, self.capture, message(external_id, text, handle=handle,
                                                  channel="x:acme", minutes=minutes, **kw))
        return conversation_of(external_id)

    def foreign(self, external_id: str, text: str) -> Conversation:
        deliver(self.world, self.capture, dm(external_id, text, handle="zed", to="demo:otherco"),
                org=self.world.other)
        return conversation_of(external_id)


@pytest.fixture
def inbox(world: World, django_capture_on_commit_callbacks: Any) -> Inbox:
    return Inbox(world, django_capture_on_commit_callbacks)
