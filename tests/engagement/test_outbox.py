"""Replies go through a durable outbox: queued → sending → sent | failed | unknown, the key
written before the call, never sent twice, never blindly resent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tertulia.engagement import actions, outbox, scheduler
from tertulia.engagement.models import DemoDelivery, Reply
from tertulia.networks.protocol import ActionResult, OutcomeUnknown, Rejected
from tests.conftest import World
from tests.engagement.inbox_world import (
    SYSTEM,
    T0,
    conversation_of,
    deliver,
    dm,
    message,
    own,
    sla,
)


@pytest.fixture
def conversation(world: World, django_capture_on_commit_callbacks):
    own(world.a1, "demo", "acme")
    own(world.a1, "x", "acmeone")
    sla(world.a1, "normal")
    deliver(world, django_capture_on_commit_callbacks, dm("d1", "Mi pedido no llegó"))
    return conversation_of("d1")


class Recorder:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[str] = []
        self.error = error

    def send(self, message: outbox.OutboundMessage) -> ActionResult:
        self.calls.append(message.idempotency_key)
        if self.error is not None:
            raise self.error
        return ActionResult(external_id="net-1")


def _queue(conv, text: str = "Lo sentimos, lo revisamos ya", **kw) -> Reply:
    return actions.do_queue_reply(conv, text, actor=SYSTEM, now=T0 + timedelta(minutes=10),
                                  **kw)


@pytest.mark.django_db
def test_a_reply_is_queued_then_sent_to_the_demo_network(
    world: World, conversation, django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reply = _queue(conversation)
    reply.refresh_from_db()
    assert reply.state == Reply.State.SENT and reply.attempts == 1
    delivery = DemoDelivery.objects.get()
    assert (delivery.idempotency_key, delivery.text, delivery.private) == (
        reply.idempotency_key, "Lo sentimos, lo revisamos ya", False)
    conversation.refresh_from_db()
    assert conversation.first_response_at is not None
    assert conversation.status == "open"
    assert outbox.deliver(reply.id) == Reply.State.SENT
    assert DemoDelivery.objects.count() == 1, "delivering again sends nothing"


@pytest.mark.django_db
def test_the_key_is_written_before_the_call_and_a_claim_happens_once(
    world: World, conversation,
) -> None:
    reply = _queue(conversation)  # on_commit not run: still queued
    assert reply.state == Reply.State.QUEUED and len(reply.idempotency_key) == 32
    sender = Recorder()
    assert outbox.deliver(reply.id, sender=sender) == Reply.State.SENT
    assert outbox.deliver(reply.id, sender=sender) == Reply.State.SENT
    assert sender.calls == [reply.idempotency_key]


@pytest.mark.django_db
def test_a_refusal_fails_and_can_be_retried(world: World, conversation) -> None:
    reply = _queue(conversation)
    assert outbox.deliver(reply.id, sender=Recorder(Rejected("duplicate content"))) == "failed"
    reply.refresh_from_db()
    assert "duplicate content" in reply.error
    outbox.retry(reply, actor=SYSTEM)
    reply.refresh_from_db()
    assert reply.state == Reply.State.QUEUED
    assert outbox.deliver(reply.id, sender=Recorder()) == "sent"


@pytest.mark.django_db
def test_an_unknown_outcome_is_never_resent_by_itself(world: World, conversation) -> None:
    reply = _queue(conversation)
    sender = Recorder(OutcomeUnknown("timeout after sending"))
    assert outbox.deliver(reply.id, sender=sender) == Reply.State.UNKNOWN
    scheduler.tick(T0 + timedelta(hours=1))
    assert outbox.deliver(reply.id, sender=sender) == Reply.State.UNKNOWN
    assert len(sender.calls) == 1
    with pytest.raises(ValueError):
        outbox.retry(Reply.objects.get(id=reply.id), actor=SYSTEM)


@pytest.mark.django_db
def test_a_send_cut_short_by_a_crash_becomes_unknown(world: World, conversation) -> None:
    reply = _queue(conversation)
    Reply.objects.filter(id=reply.id).update(state=Reply.State.SENDING,
                                             sending_at=T0 + timedelta(minutes=10))
    assert outbox.reconcile_stuck(T0 + timedelta(minutes=12)) == 0
    assert outbox.reconcile_stuck(T0 + timedelta(minutes=20)) == 1
    assert Reply.objects.get(id=reply.id).state == Reply.State.UNKNOWN


@pytest.mark.django_db
def test_a_second_reply_to_the_same_message_needs_a_yes(world: World, conversation) -> None:
    _queue(conversation)
    with pytest.raises(actions.DuplicateReply):
        _queue(conversation, "Otra respuesta")
    _queue(conversation, "Otra respuesta", confirm_duplicate=True)
    assert Reply.objects.count() == 2


@pytest.mark.django_db
def test_replies_are_checked_for_their_network(
    world: World, conversation, django_capture_on_commit_callbacks,
) -> None:
    deliver(world, django_capture_on_commit_callbacks,
            message("x1", "@acmeone where is my order?", handle="sam", minutes=2))
    public = conversation_of("x1")
    with pytest.raises(actions.ReplyInvalid) as raised:
        _queue(public, "a" * 281)
    assert raised.value.problems[0].code == "too_long"
    with pytest.raises(actions.ReplyInvalid):
        _queue(public, "   ")
    _queue(public, "a" * 281, private=True)  # a direct message has no 280 limit


@pytest.mark.django_db
def test_a_network_without_a_connector_fails_plainly(world: World,
                                                    django_capture_on_commit_callbacks) -> None:
    own(world.a1, "x", "acmeone")
    deliver(world, django_capture_on_commit_callbacks,
            message("x1", "@acmeone hello", handle="sam"))
    conv = conversation_of("x1")
    with django_capture_on_commit_callbacks(execute=True):
        reply = _queue(conv, "Hi Sam")
    reply.refresh_from_db()
    assert reply.state == Reply.State.FAILED and "cannot reply" in reply.error
