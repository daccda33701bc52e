"""Moving a public conversation to a private channel (DM, e-mail, phone/SMS), and spam
hidden on the network through the outbox."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tertulia.engagement import actions, outbox
from tertulia.engagement.models import (
    ConversationEvent,
    DemoDelivery,
    NetworkModeration,
    Reply,
)
from tertulia.governance.audit import Actor
from tertulia.governance.models import AuditEvent
from tertulia.networks.protocol import ActionResult, Rejected
from tests.conftest import World
from tests.engagement.inbox_world import SYSTEM, conversation_of, deliver, message, own, rule


def comment(external_id: str, text: str, *, handle: str = "lucia", minutes: float = 0):
    return message(external_id, text, handle=handle, kind="comment", channel="demo:acme",
                   thread_id="post-1", minutes=minutes)


@pytest.fixture
def public(world: World, django_capture_on_commit_callbacks) -> World:
    own(world.a1, "demo", "acme")
    deliver(world, django_capture_on_commit_callbacks,
            comment("c1", "Vuestro servicio es un desastre, mi pedido 123"))
    return world


def _url(world: World, conv_id: int) -> str:
    return f"/o/{world.acme.slug}/inbox/c/{conv_id}/handoff/"


@pytest.mark.django_db
def test_continue_in_a_direct_message(public: World, client: Client,
                                      django_capture_on_commit_callbacks) -> None:
    conv = conversation_of("c1")
    client.force_login(public.person("agent"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(public, conv.id), {
            "channel": "dm", "text": "Te escribimos por privado para verlo"})
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert reply.private and reply.state == Reply.State.SENT
    delivery = DemoDelivery.objects.get()
    assert (delivery.action, delivery.private, delivery.target) == ("private", True, "lucia")
    handoff = ConversationEvent.objects.get(conversation=conv, kind="handoff")
    assert handoff.data["channel"] == "dm" and handoff.data["reply"] == reply.id
    assert handoff.data["from_kind"] == "comment"
    assert AuditEvent.objects.filter(action="conversation.handoff").exists()


@pytest.mark.django_db
def test_continue_by_email_with_the_brand_reply_to(public: World, client: Client,
                                                   django_capture_on_commit_callbacks) -> None:
    conv = conversation_of("c1")
    actions.do_save_approval_settings(public.a1, enabled=False, roles=[],
                                      reply_to_email="care@acme.test", actor=SYSTEM)
    client.force_login(public.person("agent"))
    bad = client.post(_url(public, conv.id), {"channel": "email", "email": "nope",
                                              "text": "Hola"}, follow=True)
    assert "nope" in bad.content.decode() and not Reply.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(public, conv.id), {"channel": "email", "email": "lucia@example.com",
                                            "text": "Hola Lucía, seguimos por aquí."})
    reply = Reply.objects.get()
    assert (reply.channel, reply.to_address, reply.state) == ("email", "lucia@example.com",
                                                               Reply.State.SENT)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["lucia@example.com"] and sent.reply_to == ["care@acme.test"]
    assert sent.body == "Hola Lucía, seguimos por aquí."
    assert f"#{conv.number}" in sent.subject
    assert reply.external_id and reply.idempotency_key[:32] in reply.external_id
    assert ConversationEvent.objects.get(kind="handoff").data["address"] == "lucia@example.com"


@pytest.mark.django_db
def test_phone_and_sms_handoffs_are_recorded_with_notes(public: World, client: Client) -> None:
    conv = conversation_of("c1")
    client.force_login(public.person("agent"))
    assert client.post(_url(public, conv.id), {"channel": "phone",
                                               "phone": "call me"}).status_code == 302
    assert not ConversationEvent.objects.filter(kind="handoff").exists()
    client.post(_url(public, conv.id), {"channel": "phone", "phone": "+34 600 111 222",
                                        "notes": "<script>x()</script> Devolución acordada"})
    event = ConversationEvent.objects.get(kind="handoff")
    assert event.data["phone"] == "+34 600 111 222" and "Devolución" in event.data["notes"]
    assert not Reply.objects.exists()
    html = client.get(f"/o/{public.acme.slug}/inbox/c/{conv.id}/").content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt; Devolución acordada" in html
    assert "<script>x()" not in html
    client.force_login(public.person("analyst"))
    assert client.post(_url(public, conv.id), {"channel": "sms",
                                               "phone": "+34600111222"}).status_code == 403


@pytest.mark.django_db
def test_a_handoff_dm_of_an_agency_waits_for_approval(public: World,
                                                      django_capture_on_commit_callbacks
                                                      ) -> None:
    actions.do_save_approval_settings(public.a1, enabled=True, roles=["agency"],
                                      reply_to_email="", actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        reply = actions.do_move_to_private(conversation_of("c1"), "dm", text="Por privado",
                                           actor=Actor.of(public.person("agency")))
    assert reply is not None and reply.state == Reply.State.AWAITING
    assert not DemoDelivery.objects.exists()


# -- spam hidden on the network ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_flagging_spam_hides_it_on_the_network(public: World,
                                                        django_capture_on_commit_callbacks
                                                        ) -> None:
    conv = conversation_of("c1")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_set_flag(conv, "spam", actor=Actor.of(public.person("agent")))
    row = NetworkModeration.objects.get()
    assert (row.action, row.state) == ("hide", NetworkModeration.State.DONE)
    delivery = DemoDelivery.objects.get(action="hide")
    assert delivery.target == "c1" and delivery.idempotency_key == row.idempotency_key
    kinds = list(ConversationEvent.objects.filter(conversation=conv).values_list("kind",
                                                                                 flat=True))
    assert "network_hide" in kinds and "network_hidden" in kinds
    # flagging spam again (or re-delivering) never hides twice
    actions.do_set_flag(conv, "none", actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_set_flag(conv, "spam", actor=SYSTEM)
    assert NetworkModeration.objects.count() == 1
    assert outbox.deliver_moderation(row.id) == NetworkModeration.State.DONE
    assert DemoDelivery.objects.filter(action="hide").count() == 1


@pytest.mark.django_db
def test_a_spam_rule_hides_new_comments(world: World, django_capture_on_commit_callbacks) -> None:
    own(world.a1, "demo", "acme")
    rule(world.a1, "casino", {"field": "text", "op": "contains_any", "value": ["casino"]},
         [{"type": "hide", "reason": "spam"}])
    deliver(world, django_capture_on_commit_callbacks,
            comment("s1", "Gana dinero en el mejor casino online", handle="bot1"))
    conv = conversation_of("s1")
    assert conv.hidden
    assert NetworkModeration.objects.get(conversation=conv).state == "done"
    assert DemoDelivery.objects.get(action="hide").target == "s1"


@pytest.mark.django_db
def test_a_refused_hide_is_failed_and_shown(public: World) -> None:
    class Refuses:
        def hide(self, external_id: str, *, idempotency_key: str) -> ActionResult:
            raise Rejected("comment already deleted")

    conv = conversation_of("c1")
    actions.do_set_flag(conv, "spam", actor=SYSTEM)  # callbacks not run: still queued
    row = NetworkModeration.objects.get()
    assert outbox.deliver_moderation(row.id, moderator=Refuses()) == "failed"
    event = ConversationEvent.objects.get(conversation=conv, kind="network_hide_failed")
    assert "already deleted" in event.data["reason"]


@pytest.mark.django_db
def test_networks_that_cannot_hide_say_so(world: World,
                                          django_capture_on_commit_callbacks) -> None:
    own(world.a1, "x", "acmeone")
    deliver(world, django_capture_on_commit_callbacks,
            message("x1", "spam spam", kind="comment", channel="x:acmeone", thread_id="p9"))
    conv = conversation_of("x1")
    actions.do_set_flag(conv, "spam", actor=SYSTEM)
    assert not NetworkModeration.objects.exists()
    assert ConversationEvent.objects.filter(conversation=conv,
                                            kind="network_hide_failed").exists()


@pytest.mark.django_db
def test_the_tick_retries_queued_hides_and_never_resends_stuck_ones(public: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tertulia.engagement import scheduler

    conv = conversation_of("c1")
    actions.do_set_flag(conv, "spam", actor=SYSTEM)  # its task is "lost": still queued
    row = NetworkModeration.objects.get()
    later = timezone.now() + timedelta(minutes=2)
    scheduler.tick(later)
    row.refresh_from_db()
    assert row.state == NetworkModeration.State.DONE
    assert DemoDelivery.objects.filter(action="hide").count() == 1
    # a hide left "sending" by a dead process becomes unknown, and is not sent again
    NetworkModeration.objects.filter(id=row.id).update(state="sending", sending_at=later)
    scheduler.tick(later + timedelta(minutes=10))
    row.refresh_from_db()
    assert row.state == NetworkModeration.State.UNKNOWN
    assert DemoDelivery.objects.filter(action="hide").count() == 1
