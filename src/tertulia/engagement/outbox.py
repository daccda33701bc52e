"""Delivering replies: the durable outbox row, the claim, and the senders behind a protocol.

A reply row is written (state ``queued``, idempotency key set) in the transaction that
accepted it. :func:`deliver` claims it with one conditional UPDATE (``queued`` → ``sending``),
so two workers can never both send it; then it calls the sender once:

* the network accepted it → ``sent`` (the first agent reply also meets the SLA's first
  response);
* the network refused it, or cannot do it (``Rejected``, ``Unsupported``, ``AuthExpired``)
  → ``failed``: nothing was sent, a person may try again;
* the network was unreachable before acting (``Unavailable``, ``RateLimited``) → back to
  ``queued`` for a later attempt (nothing was sent, so retrying is safe);
* anything else, including ``OutcomeUnknown`` or a crash after the call began →
  ``unknown``: it may have been sent. It is never resent by itself; a person checks.

A row left in ``sending`` by a process that died mid-call becomes ``unknown`` through
:func:`reconcile_stuck`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tertulia.engagement import clock
from tertulia.engagement.models import (
    Conversation,
    ConversationEvent,
    DemoDelivery,
    Reply,
)
from tertulia.governance.audit import Actor
from tertulia.networks.protocol import (
    ActionResult,
    AuthExpired,
    Capability,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Unavailable,
    Unsupported,
)

log = logging.getLogger(__name__)
SENDING_TIMEOUT = timedelta(minutes=5)
OUTBOX_ACTOR = Actor.system("outbox")


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """What a sender needs to know; nothing Django."""

    network: str
    channel: str
    private: bool
    text: str
    to_handle: str
    in_reply_to_external_id: str | None
    thread_id: str | None
    idempotency_key: str


class ReplySender(Protocol):
    """Sends one message on a network. Raises the connector errors of
    :mod:`tertulia.networks.protocol`; must be idempotent for an ``idempotency_key``."""

    def send(self, message: OutboundMessage) -> ActionResult: ...


class DemoSender:
    """The demo network: records what it received (``DemoDelivery``); the same idempotency
    key twice stores and returns one delivery, as an idempotent network API would."""

    def __init__(self, clock: Callable[[], datetime] = timezone.now) -> None:
        self._clock = clock

    def send(self, message: OutboundMessage) -> ActionResult:
        if not message.text.strip():
            raise Rejected("a reply needs text")
        target = message.to_handle if message.private else (
            message.in_reply_to_external_id or message.to_handle)
        delivery, _created = DemoDelivery.objects.get_or_create(
            idempotency_key=message.idempotency_key,
            defaults={"network": message.network, "target": target[:600],
                      "thread_id": (message.thread_id or "")[:600], "private": message.private,
                      "text": message.text, "created_at": self._clock(),
                      "external_id": f"demo-reply-{message.idempotency_key[:16]}"},
        )
        return ActionResult(external_id=delivery.external_id)


class NoSender:
    """A network without a connector that can reply: every send fails plainly."""

    def __init__(self, network: str) -> None:
        self.network = network

    def send(self, message: OutboundMessage) -> ActionResult:
        raise Unsupported(Capability.PRIVATE_MESSAGE if message.private else Capability.REPLY,
                          self.network)


# Real connectors register here: network name → factory of a sender for a conversation.
SENDERS: dict[str, Callable[[Conversation], ReplySender]] = {}


def is_demo(conv: Conversation, reply: Reply) -> bool:
    mention = reply.in_reply_to
    return (conv.network == "demo" or conv.channel.startswith("demo:")
            or (mention is not None and mention.raw_ref.startswith("demo:")))


def sender_for(conv: Conversation, reply: Reply) -> ReplySender:
    if is_demo(conv, reply):
        return DemoSender()
    factory = SENDERS.get(conv.network)
    return factory(conv) if factory is not None else NoSender(conv.network)


def _message(reply: Reply) -> OutboundMessage:
    conv = reply.conversation
    mention = reply.in_reply_to
    return OutboundMessage(
        network=conv.network, channel=conv.channel, private=reply.private, text=reply.text,
        to_handle=mention.author.handle if mention is not None else "",
        in_reply_to_external_id=mention.external_id if mention is not None else None,
        thread_id=(mention.thread_id or None) if mention is not None else None,
        idempotency_key=reply.idempotency_key,
    )


def _event(conv: Conversation, kind: str, at: datetime, **data: object) -> None:
    ConversationEvent.objects.create(conversation=conv, kind=kind, actor=None,
                                     actor_label=OUTBOX_ACTOR.label, data=data, created_at=at)


def deliver(reply_id: int, *, sender: ReplySender | None = None,
            now: Callable[[], datetime] = timezone.now) -> str:
    """Send one queued reply at most once; returns the state it ends in."""
    claimed = Reply.objects.filter(id=reply_id, state=Reply.State.QUEUED).update(
        state=Reply.State.SENDING, sending_at=now(), attempts=F("attempts") + 1)
    reply = Reply.objects.select_related("conversation", "in_reply_to__author").filter(
        id=reply_id).first()
    if reply is None:
        return "missing"
    if not claimed:
        return reply.state  # someone else has it, or it is done
    conv = reply.conversation
    sender = sender or sender_for(conv, reply)
    try:
        result = sender.send(_message(reply))
    except (Rejected, Unsupported, AuthExpired) as error:
        return _finish(reply, Reply.State.FAILED, now(), error=str(error))
    except (Unavailable, RateLimited) as error:
        Reply.objects.filter(id=reply.id, state=Reply.State.SENDING).update(
            state=Reply.State.QUEUED, error=str(error)[:2000])
        return Reply.State.QUEUED
    except OutcomeUnknown as error:
        return _finish(reply, Reply.State.UNKNOWN, now(), error=str(error))
    except Exception as error:  # we cannot tell whether the network got it
        log.exception("reply %s: sender raised", reply.id)
        return _finish(reply, Reply.State.UNKNOWN, now(), error=repr(error))
    return _finish(reply, Reply.State.SENT, now(), external_id=result.external_id or "")


@transaction.atomic
def _finish(reply: Reply, state: str, at: datetime, *, error: str = "",
            external_id: str = "") -> str:
    updated = Reply.objects.filter(id=reply.id, state=Reply.State.SENDING).update(
        state=state, finished_at=at, error=error[:2000], external_id=external_id[:256])
    if not updated:
        return Reply.objects.get(id=reply.id).state
    conv = Conversation.objects.select_for_update().get(id=reply.conversation_id)
    kind = {Reply.State.SENT: ConversationEvent.Kind.REPLY_SENT,
            Reply.State.FAILED: ConversationEvent.Kind.REPLY_FAILED,
            Reply.State.UNKNOWN: ConversationEvent.Kind.REPLY_UNKNOWN}[state]
    _event(conv, kind, at, reply=reply.id, error=error[:300])
    if state == Reply.State.SENT and not reply.is_automatic and conv.first_response_at is None:
        clock.meet_first_response(conv, at)
        clock.sync(conv, at)
        conv.updated_at = at
        conv.save()
    return state


def reconcile_stuck(now: datetime | None = None) -> int:
    """Rows left ``sending`` longer than the timeout (the process died during the call) may
    have gone out: mark them ``unknown`` so a person checks, never resend them."""
    now = now or timezone.now()
    stuck = list(Reply.objects.filter(state=Reply.State.SENDING,
                                      sending_at__lt=now - SENDING_TIMEOUT))
    for reply in stuck:
        _finish(reply, Reply.State.UNKNOWN, now,
                error="the sending process stopped before the network answered")
    return len(stuck)


@transaction.atomic
def retry(reply: Reply, *, actor: Actor, now: datetime | None = None) -> Reply:
    """Try a failed reply again (nothing was sent); ``unknown`` ones need a new reply."""
    now = now or timezone.now()
    if reply.state != Reply.State.FAILED:
        raise ValueError("only failed replies are retried")
    Reply.objects.filter(id=reply.id, state=Reply.State.FAILED).update(
        state=Reply.State.QUEUED, error="")
    ConversationEvent.objects.create(
        conversation_id=reply.conversation_id, kind=ConversationEvent.Kind.REPLY_QUEUED,
        actor=actor.user, actor_label=actor.label, data={"reply": reply.id, "retry": True},
        created_at=now)
    from tertulia.engagement.tasks import deliver_reply

    transaction.on_commit(lambda: deliver_reply(reply.id))
    reply.refresh_from_db()
    return reply
