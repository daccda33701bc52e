"""Owned-channel items become conversations: threaded per customer thread, reopened when the
customer writes again, a new one after closing; public mentions only when pulled in."""

from __future__ import annotations

import pytest

from tertulia.engagement import actions
from tertulia.engagement.models import (
    Conversation,
    ConversationEvent,
    Customer,
    Flag,
    Queue,
)
from tertulia.listening.models import Mention, Query
from tests.conftest import World
from tests.engagement.inbox_world import (
    SYSTEM,
    conversation_of,
    deliver,
    dm,
    message,
    own,
    rule,
)


@pytest.fixture
def owned(world: World) -> World:
    own(world.a1, "demo", "acme")
    own(world.a1, "x", "acmeone")
    own(world.o1, "demo", "otherco")
    return world


@pytest.mark.django_db
def test_direct_messages_thread_per_customer(owned: World,
                                            django_capture_on_commit_callbacks) -> None:
    deliver(owned, django_capture_on_commit_callbacks,
            dm("d1", "Hola, mi pedido no llegó", handle="lucia"),
            dm("d2", "¿Alguien me contesta?", handle="lucia", minutes=5),
            dm("d3", "Do you ship to Lisbon?", handle="sam", minutes=7))
    lucia = conversation_of("d1")
    assert conversation_of("d2") == lucia
    assert conversation_of("d3") != lucia
    assert (lucia.brand, lucia.channel, lucia.status, lucia.queue) == (
        owned.a1, "demo:acme", "new", Queue.OPEN)
    assert lucia.message_count == 2
    assert lucia.customer is not None and lucia.customer.name == "lucia"
    assert Conversation.objects.filter(brand=owned.a1).count() == 2
    assert not Conversation.objects.filter(brand=owned.o1).exists()


@pytest.mark.django_db
def test_a_mention_of_an_owned_handle_is_threaded_and_others_are_not(
    owned: World, django_capture_on_commit_callbacks,
) -> None:
    deliver(owned, django_capture_on_commit_callbacks,
            message("m1", "@acmeone my order never arrived", handle="sam"),
            message("m2", "What a nice day for coffee", handle="ana"),
            message("m3", "@acmeone thanks, all good now", handle="acmeone"))
    assert conversation_of("m1").channel == "x:acmeone"
    assert not Conversation.objects.filter(items__mention__external_id="m2").exists()
    assert not Conversation.objects.filter(items__mention__external_id="m3").exists(), \
        "our own account's posts are not customer messages"


@pytest.mark.django_db
def test_the_customer_writing_again_reopens_a_resolved_conversation(
    owned: World, django_capture_on_commit_callbacks,
) -> None:
    deliver(owned, django_capture_on_commit_callbacks, dm("d1", "Mi pedido no llegó"))
    conv = conversation_of("d1")
    actions.do_change_status(conv, "resolved", actor=SYSTEM)
    assert Conversation.objects.get(id=conv.id).queue == Queue.DONE
    deliver(owned, django_capture_on_commit_callbacks, dm("d2", "Sigue sin llegar", minutes=60))
    conv.refresh_from_db()
    assert conversation_of("d2") == conv
    assert (conv.status, conv.queue, conv.sla_cycle) == ("open", Queue.OPEN, 1)
    assert conv.events.filter(kind=ConversationEvent.Kind.REOPENED).exists()


@pytest.mark.django_db
def test_after_closing_the_next_message_starts_a_new_conversation(
    owned: World, django_capture_on_commit_callbacks,
) -> None:
    deliver(owned, django_capture_on_commit_callbacks, dm("d1", "Mi pedido no llegó"))
    first = conversation_of("d1")
    actions.do_change_status(first, "closed", actor=SYSTEM)
    deliver(owned, django_capture_on_commit_callbacks, dm("d2", "Otra cosa", minutes=90))
    second = conversation_of("d2")
    assert second != first and second.status == "new"
    assert first.customer == second.customer, "the same customer, two conversations"
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_threading_is_idempotent(owned: World, django_capture_on_commit_callbacks) -> None:
    from tertulia.engagement.inbound import thread_mentions

    deliver(owned, django_capture_on_commit_callbacks, dm("d1", "Hola"))
    ids = list(Mention.objects.values_list("id", flat=True))
    assert thread_mentions(owned.acme.id, ids) == []
    assert conversation_of("d1").message_count == 1


@pytest.mark.django_db
def test_the_models_flag_is_a_suggestion_until_a_person_confirms(
    owned: World, django_capture_on_commit_callbacks,
) -> None:
    deliver(owned, django_capture_on_commit_callbacks,
            dm("d1", "Quiero comprar 30 cajas de café para mi oficina, ¿precio?"))
    conv = conversation_of("d1")
    assert conv.flag == conv.model_flag and not conv.flag_confirmed
    actions.do_set_flag(conv, Flag.YELLOW, actor=SYSTEM)
    conv.refresh_from_db()
    assert (conv.flag, conv.flag_confirmed) == (Flag.YELLOW, True)
    deliver(owned, django_capture_on_commit_callbacks,
            dm("d2", "Quiero comprar más, ¿tenéis descuento?", minutes=3))
    conv.refresh_from_db()
    assert conv.flag == Flag.YELLOW, "a confirmed flag is not overwritten by the models"


@pytest.mark.django_db
def test_public_mentions_enter_only_when_a_rule_pulls_them(
    owned: World, django_capture_on_commit_callbacks,
) -> None:
    Query.objects.create(brand=owned.a1, name="Acme", text="acme")
    deliver(owned, django_capture_on_commit_callbacks,
            message("p1", "acme coffee is cold again", handle="ana"))
    assert not Conversation.objects.exists()
    rule(owned.a1, "pull-negative",
         {"all": [{"field": "sentiment", "op": "eq", "value": "negative"}]},
         [{"type": "pull_into_inbox"}, {"type": "add_tags", "value": ["queja"]}])
    deliver(owned, django_capture_on_commit_callbacks,
            message("p2", "acme coffee is terrible, awful service, never again", handle="bo"),
            message("p3", "acme coffee tastes fine", handle="cy", minutes=1))
    conv = conversation_of("p2")
    assert conv.channel == "" and conv.brand == owned.a1
    assert list(conv.tags.values_list("tag", flat=True)) == ["queja"]
    assert not Conversation.objects.filter(items__mention__external_id="p3").exists()


@pytest.mark.django_db
def test_a_person_pulls_a_mention_in_by_hand(owned: World, client,
                                            django_capture_on_commit_callbacks) -> None:
    Query.objects.create(brand=owned.a1, name="Acme", text="acme")
    deliver(owned, django_capture_on_commit_callbacks, message("p1", "acme rocks", handle="ana"))
    mention = Mention.objects.get(external_id="p1")
    client.force_login(owned.person("agent"))
    url = f"/o/{owned.acme.slug}/b/{owned.a1.slug}/mentions/{mention.id}/to-inbox/"
    response = client.post(url)
    conv = conversation_of("p1")
    assert response.status_code == 302 and response["Location"].endswith(f"/c/{conv.id}/")
    assert client.post(url).status_code == 302
    assert Conversation.objects.count() == 1, "pulling twice opens nothing new"
    client.force_login(owned.person("analyst"))
    assert client.post(url).status_code == 403
