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
    # For e-mail (``channel`` "email"): the customer's address, the brand's reply-to, a subject.
    email_to: str = ""
    reply_to: str = ""
    subject: str = ""


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
            defaults={"action": "private" if message.private else "reply",
                      "network": message.network, "target": target[:600],
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


class EmailSender:
    """E-mail through Django's configured backend (SMTP in production). The message id is
    derived from the idempotency key, so a receiving server can drop a duplicate; the outbox
    claim already makes a second send impossible from our side."""

    def send(self, message: OutboundMessage) -> ActionResult:
        from django.conf import settings
        from django.core.mail import EmailMessage
        from django.core.mail.message import make_msgid

        if not message.text.strip():
            raise Rejected("an e-mail needs text")
        if not message.email_to:
            raise Rejected("an e-mail needs an address")
        domain = (message.reply_to or settings.DEFAULT_FROM_EMAIL).rpartition("@")[2] or None
        msgid = make_msgid(idstring=message.idempotency_key[:32], domain=domain)
        mail = EmailMessage(
            subject=message.subject, body=message.text, to=[message.email_to],
            reply_to=[message.reply_to] if message.reply_to else None,
            headers={"Message-ID": msgid},
        )
        try:
            sent = mail.send(fail_silently=False)
        except (ConnectionRefusedError, TimeoutError) as error:
            raise Unavailable(str(error)) from error
        if not sent:
            raise Rejected("the mail server accepted no recipient")
        return ActionResult(external_id=msgid.strip("<>")[:256])


def sender_for(conv: Conversation, reply: Reply) -> ReplySender:
    if reply.channel == Reply.Channel.EMAIL:
        return EmailSender()
    if is_demo(conv, reply):
        return DemoSender()
    factory = SENDERS.get(conv.network)
    return factory(conv) if factory is not None else NoSender(conv.network)


def _message(reply: Reply) -> OutboundMessage:
    conv = reply.conversation
    mention = reply.in_reply_to
    if reply.channel == Reply.Channel.EMAIL:
        from tertulia.engagement.brandconf import settings_for

        brand = conv.brand
        return OutboundMessage(
            network="email", channel="email", private=True, text=reply.text, to_handle="",
            in_reply_to_external_id=None, thread_id=None, idempotency_key=reply.idempotency_key,
            email_to=reply.to_address, reply_to=settings_for(brand).reply_to_email,
            subject=f"{brand.name} · #{conv.number}")
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
    reply = Reply.objects.select_related("conversation__brand", "in_reply_to__author").filter(
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


# -- hiding a customer's item on the network (spam) ---------------------------------------


class Moderator(Protocol):
    """Hides one item on a network (``Capability.HIDE``); idempotent for a key."""

    def hide(self, external_id: str, *, idempotency_key: str) -> ActionResult: ...


class DemoModerator:
    """The demo network records the hide (a ``DemoDelivery`` with action ``hide``)."""

    def __init__(self, network: str, clock: Callable[[], datetime] = timezone.now) -> None:
        self.network = network
        self._clock = clock

    def hide(self, external_id: str, *, idempotency_key: str) -> ActionResult:
        delivery, _created = DemoDelivery.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={"action": "hide", "network": self.network, "target": external_id[:600],
                      "text": "", "created_at": self._clock(),
                      "external_id": f"demo-hide-{idempotency_key[:16]}"})
        return ActionResult(external_id=delivery.external_id)


# Real connectors that declare ``Capability.HIDE`` register here: network → factory.
MODERATORS: dict[str, Callable[[Conversation], Moderator]] = {}


def can_hide(conv: Conversation) -> bool:
    """Whether the conversation's network lets us hide an item (the demo network does)."""
    return (conv.network == "demo" or conv.channel.startswith("demo:")
            or conv.network in MODERATORS)


def moderator_for(conv: Conversation) -> Moderator | None:
    if conv.network == "demo" or conv.channel.startswith("demo:"):
        return DemoModerator(conv.network)
    factory = MODERATORS.get(conv.network)
    return factory(conv) if factory is not None else None


def deliver_moderation(moderation_id: int, *, moderator: Moderator | None = None,
                       now: Callable[[], datetime] = timezone.now) -> str:
    """Hide one item at most once: claim ``queued`` → ``sending``, call the network once,
    end in ``done``, ``failed`` (refused: nothing happened), back to ``queued``
    (unreachable) or ``unknown`` (it may have happened)."""
    from tertulia.engagement.models import NetworkModeration as M

    claimed = M.objects.filter(id=moderation_id, state=M.State.QUEUED).update(
        state=M.State.SENDING, sending_at=now())
    row = M.objects.select_related("conversation", "mention").filter(id=moderation_id).first()
    if row is None:
        return "missing"
    if not claimed:
        return row.state
    moderator = moderator or moderator_for(row.conversation)
    try:
        if moderator is None:
            raise Unsupported(Capability.HIDE, row.conversation.network)
        result = moderator.hide(row.mention.external_id, idempotency_key=row.idempotency_key)
    except (Rejected, Unsupported, AuthExpired) as error:
        return _finish_moderation(row, M.State.FAILED, now(), error=str(error))
    except (Unavailable, RateLimited) as error:
        M.objects.filter(id=row.id, state=M.State.SENDING).update(
            state=M.State.QUEUED, error=str(error)[:2000])
        return M.State.QUEUED
    except Exception as error:  # we cannot tell whether the network hid it
        log.exception("moderation %s: network raised", row.id)
        return _finish_moderation(row, M.State.UNKNOWN, now(), error=repr(error))
    return _finish_moderation(row, M.State.DONE, now(), external_id=result.external_id or "")


@transaction.atomic
def _finish_moderation(row: object, state: str, at: datetime, *, error: str = "",
                       external_id: str = "") -> str:
    from tertulia.engagement.models import NetworkModeration as M

    assert isinstance(row, M)
    updated = M.objects.filter(id=row.id, state=M.State.SENDING).update(
        state=state, finished_at=at, error=error[:2000], external_id=external_id[:256])
    if not updated:
        return M.objects.get(id=row.id).state
    kind = (ConversationEvent.Kind.NETWORK_HIDDEN if state == M.State.DONE
            else ConversationEvent.Kind.NETWORK_HIDE_FAILED)
    _event(row.conversation, kind, at, item=row.mention_id, state=state, reason=error[:300])
    return state


def moderation_stragglers(now: datetime | None = None) -> int:
    """Hides still ``queued`` a minute after they were written (task lost, network away) are
    tried again (nothing happened yet, so it is safe); hides left ``sending`` past the
    timeout become ``unknown`` (never retried by themselves)."""
    from tertulia.engagement.models import NetworkModeration as M

    now = now or timezone.now()
    for row in M.objects.filter(state=M.State.SENDING,
                                sending_at__lt=now - SENDING_TIMEOUT).select_related(
                                    "conversation"):
        _finish_moderation(row, M.State.UNKNOWN, now,
                           error="the hiding process stopped before the network answered")
    ids = list(M.objects.filter(state=M.State.QUEUED, created_at__lt=now - timedelta(minutes=1))
               .values_list("id", flat=True)[:200])
    for mod_id in ids:
        deliver_moderation(mod_id)
    return len(ids)
