"""The inbox pages: filters and keyset pages, counts, bulk and keyboard actions, the
conversation page (reply, notes, collision), settings pages, scoping and Spanish."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tertulia.engagement import actions, inbox
from tertulia.engagement.models import (
    Conversation,
    ConversationViewer,
    Notification,
    Reply,
    Rule,
)
from tests.conftest import World
from tests.engagement.inbox_world import (
    SYSTEM,
    T0,
    conversation_of,
    deliver,
    dm,
    message,
    own,
)


@pytest.fixture
def busy(world: World, django_capture_on_commit_callbacks) -> World:
    """Brand a1 with 7 conversations, a2 with 2, the other tenant with 1."""
    own(world.a1, "demo", "acme")
    own(world.a2, "demo", "acmetwo")
    own(world.o1, "demo", "otherco")
    items = [dm(f"a{i}", f"Mensaje {i} sobre mi pedido", handle=f"c{i}", minutes=i)
             for i in range(7)]
    items += [dm(f"b{i}", f"Order question {i}", handle=f"d{i}", to="demo:acmetwo",
                 minutes=10 + i) for i in range(2)]
    deliver(world, django_capture_on_commit_callbacks, *items)
    deliver(world, django_capture_on_commit_callbacks,
            dm("o1", "secreto del otro", handle="z", to="demo:otherco"), org=world.other)
    return world


def _inbox(world: World) -> str:
    return f"/o/{world.acme.slug}/inbox/"


@pytest.mark.django_db
def test_the_inbox_shows_only_brands_the_person_holds(busy: World, client: Client) -> None:
    client.force_login(busy.person("owner"))
    rows = client.get(_inbox(busy)).context["rows"]
    assert {c.brand for c in rows} == {busy.a1, busy.a2}
    for key in ("agent", "agency", "manager"):
        client.force_login(busy.person(key))
        rows = client.get(_inbox(busy)).context["rows"]
        assert {c.brand for c in rows} == {busy.a1}, key
    for key in ("analyst", "publisher"):
        client.force_login(busy.person(key))
        assert client.get(_inbox(busy)).status_code == 403, key
    client.force_login(busy.person("outsider"))
    assert client.get(_inbox(busy)).status_code == 404
    other = Conversation.objects.get(brand=busy.o1)
    client.force_login(busy.person("owner"))
    assert client.get(f"{_inbox(busy)}c/{other.id}/").status_code == 404
    hidden = Conversation.objects.filter(brand=busy.a2).first()
    client.force_login(busy.person("agent"))
    assert client.get(f"{_inbox(busy)}c/{hidden.id}/").status_code == 404


@pytest.mark.django_db
def test_keyset_pages_walk_every_conversation_once(busy: World, client: Client,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox, "PAGE_SIZE", 3)
    client.force_login(busy.person("owner"))
    seen, url = [], _inbox(busy) + "?view=all"
    while url:
        response = client.get(url)
        seen += [c.id for c in response.context["rows"]]
        cursor = response.context["next_cursor"]
        url = f"{_inbox(busy)}?view=all&before={cursor}" if cursor else None
    ordered = list(Conversation.objects.filter(organization=busy.acme)
                   .order_by("-last_message_at", "-id").values_list("id", flat=True))
    assert seen == ordered and len(seen) == 9
    assert client.get(_inbox(busy) + "?before=garbage").status_code == 404


@pytest.mark.django_db
def test_filters_and_counts(busy: World, client: Client) -> None:
    agent = busy.person("agent")
    first, second = conversation_of("a0"), conversation_of("a1")
    actions.do_assign(first, agent, actor=SYSTEM)
    actions.do_tag(second, add=["vip"], actor=SYSTEM)
    actions.do_change_status(second, "pending", actor=SYSTEM)
    client.force_login(agent)
    page = client.get(_inbox(busy) + "?view=mine")
    assert [c.id for c in page.context["rows"]] == [first.id]
    assert 'fragment=counts' in page.content.decode(), "counts arrive in a second request"
    fragment = client.get(_inbox(busy) + "?view=mine&fragment=counts")
    counts = {name: n for name, _label, n in fragment.context["views"]}
    assert (counts["open"], counts["mine"], counts["unassigned"], counts["pending"]) == (
        6, 1, 5, 1)
    tagged = client.get(_inbox(busy) + "?view=all&tag=vip").context["rows"]
    assert [c.id for c in tagged] == [second.id]
    client.force_login(busy.person("owner"))
    by_brand = client.get(_inbox(busy) + f"?brand={busy.a2.slug}").context["rows"]
    assert {c.brand for c in by_brand} == {busy.a2}
    assert client.get(f"/o/{busy.acme.slug}/b/{busy.a2.slug}/inbox/").context["rows"] == list(
        by_brand)
    filtered = client.get(_inbox(busy) + "?view=all&status=pending&language=es").context["rows"]
    assert [c.id for c in filtered] == [second.id]
    assert client.get(_inbox(busy) + "?sla=nonsense").status_code == 200, \
        "a bad filter is ignored, not an error"


@pytest.mark.django_db
def test_bulk_actions_change_only_what_the_person_may(busy: World, client: Client) -> None:
    mine = [conversation_of("a0"), conversation_of("a1")]
    theirs = conversation_of("b0")
    client.force_login(busy.person("agent"))
    client.post(_inbox(busy) + "bulk/", {"conversation": [c.id for c in [*mine, theirs]],
                                         "action": "assign", "value": "me"})
    assert {c.assignee for c in Conversation.objects.filter(id__in=[c.id for c in mine])} == {
        busy.person("agent")}
    assert Conversation.objects.get(id=theirs.id).assignee is None
    client.post(_inbox(busy) + "bulk/", {"conversation": [mine[0].id], "action": "resolve"})
    client.post(_inbox(busy) + "bulk/", {"conversation": [mine[1].id], "action": "flag",
                                         "value": "green"})
    client.post(_inbox(busy) + "bulk/", {"conversation": [mine[1].id], "action": "tag",
                                         "value": "campaña"})
    assert Conversation.objects.get(id=mine[0].id).status == "resolved"
    changed = Conversation.objects.get(id=mine[1].id)
    assert (changed.flag, changed.flag_confirmed) == ("green", True)
    assert list(changed.tags.values_list("tag", flat=True)) == ["campaña"]
    row = client.post(_inbox(busy) + "bulk/", {"conversation": [mine[1].id],
                                               "action": "resolve"}, HTTP_HX_REQUEST="true")
    assert f'id="conv-{mine[1].id}"' in row.content.decode(), "a shortcut gets its row back"


@pytest.mark.django_db
def test_hostile_html_in_a_message_is_shown_inert(world: World, client: Client,
                                                  django_capture_on_commit_callbacks) -> None:
    own(world.a1, "demo", "acme")
    deliver(world, django_capture_on_commit_callbacks,
            dm("h1", '<script>alert(1)</script><img src=x onerror="alert(2)">',
               handle="mallory"))
    conv = conversation_of("h1")
    actions.do_add_note(conv, "<b onmouseover=alert(3)>nota</b>", actor=SYSTEM)
    client.force_login(world.person("agent"))
    for url in (_inbox(world), f"{_inbox(world)}c/{conv.id}/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b onmouseover" not in html and "&lt;b onmouseover=alert(3)&gt;" in html


@pytest.mark.django_db
def test_reply_from_the_conversation_page(busy: World, client: Client,
                                          django_capture_on_commit_callbacks) -> None:
    conv = conversation_of("a0")
    client.force_login(busy.person("agent"))
    url = f"{_inbox(busy)}c/{conv.id}/reply/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"text": "Hola, lo miramos ahora", "private": "1",
                                     "then": "pending"})
    assert response.status_code == 302
    sent = Reply.objects.get()
    assert (sent.state, sent.private, sent.created_by) == ("sent", True, busy.person("agent"))
    conv.refresh_from_db()
    assert conv.status == "pending"
    empty = client.post(url, {"text": "  "})
    assert empty.status_code == 400 and "empty" in empty.content.decode()
    client.force_login(busy.person("manager"))
    second = client.post(url, {"text": "Yo también respondo"})
    assert second.status_code == 409 and 'id="confirm-duplicate"' in second.content.decode()
    assert client.post(url, {"text": "Yo también respondo", "confirm_duplicate": "1"}
                       ).status_code == 302
    assert Reply.objects.count() == 2


@pytest.mark.django_db
def test_notes_mention_colleagues(busy: World, client: Client) -> None:
    conv = conversation_of("a0")
    client.force_login(busy.person("agent"))
    client.post(f"{_inbox(busy)}c/{conv.id}/note/",
                {"body": "@manager ¿le hacemos un reembolso? cc @publisher @nadie"})
    note = conv.notes.get()
    assert list(note.mentioned.all()) == [busy.person("manager")], \
        "the publisher cannot see the inbox, so is not notified"
    assert Notification.objects.filter(user=busy.person("manager"), kind="mention").exists()
    client.force_login(busy.person("manager"))
    page = client.get(f"{_inbox(busy)}notifications/").content.decode()
    assert "mentioned you" in page


@pytest.mark.django_db
def test_presence_shows_who_else_is_here(busy: World, client: Client) -> None:
    conv = conversation_of("a0")
    client.force_login(busy.person("agent"))
    client.get(f"{_inbox(busy)}c/{conv.id}/")
    client.force_login(busy.person("manager"))
    response = client.post(f"{_inbox(busy)}c/{conv.id}/presence/", {"typing": "1"})
    assert "agent" in response.content.decode()
    assert ConversationViewer.objects.get(user=busy.person("manager")).typing


@pytest.mark.django_db
def test_status_snooze_and_flag_from_the_page(busy: World, client: Client) -> None:
    conv = conversation_of("a0")
    client.force_login(busy.person("agent"))
    url = f"{_inbox(busy)}c/{conv.id}/update/"
    client.post(url, {"what": "snooze", "value": "3h"})
    conv.refresh_from_db()
    assert conv.status == "snoozed" and conv.snoozed_until is not None
    client.post(url, {"what": "status", "value": "open"})
    client.post(url, {"what": "flag", "value": ""})  # confirm the suggestion
    client.post(url, {"what": "priority", "value": "urgent"})
    conv.refresh_from_db()
    assert (conv.status, conv.flag_confirmed, conv.priority) == ("open", True, "urgent")
    client.post(url, {"what": "status", "value": "closed"})
    response = client.post(url, {"what": "status", "value": "open"}, follow=True)
    assert "cannot become" in response.content.decode()


@pytest.mark.django_db
def test_the_supervisor_sees_what_is_late(busy: World, client: Client) -> None:
    late = conversation_of("a2")
    Conversation.objects.filter(id=late.id).update(sla_state="breached",
                                                   sla_due_at=T0 + timedelta(minutes=5))
    client.force_login(busy.person("agent"))
    page = client.get(f"{_inbox(busy)}supervisor/")
    assert [c.id for c in page.context["rows"]] == [late.id]


@pytest.mark.django_db
def test_settings_pages_edit_rules_sla_and_guideline(busy: World, client: Client) -> None:
    base = f"/o/{busy.acme.slug}/b/{busy.a1.slug}/inbox"
    client.force_login(busy.person("manager"))
    bad = client.post(f"{base}/rules/", {"key": "r1", "name": "R", "order": 1,
                                          "conditions": '{"all": [{"field": "nope"}]}',
                                          "actions": '[{"type": "hide"}]'})
    assert bad.status_code == 200 and "conditions.all[0].field" in bad.content.decode()
    client.post(f"{base}/rules/", {"key": "r1", "name": "R", "order": 1, "enabled": "on",
                                   "conditions": '{"all": []}',
                                   "actions": '[{"type": "add_tags", "value": ["x"]}]'})
    assert Rule.objects.get(brand=busy.a1).key == "r1"
    client.post(f"{base}/sla/", {"form": "policy", "priority": "high",
                                 "first_response_min": 30, "resolution_min": 240,
                                 "warn_before_min": 10})
    page = client.get(f"{base}/sla/").content.decode()
    assert "240" in page
    client.post(f"{base}/guideline/edit/", {"yellow-meaning": "Queja de servicio",
                                            "yellow-expected_action": "Responder en 1 h"})
    assert "Queja de servicio" in client.get(f"{base}/guideline/").content.decode()
    client.post(f"{base}/templates/new/", {"key": "hola", "name": "Hola", "flag": "",
                                           "language": "es", "body": "Hola {customer_name}"})
    broken = client.post(f"{base}/templates/new/", {"key": "mal", "name": "Mal",
                                                    "language": "es", "body": "Hola {nombre}"})
    assert "unknown variable" in broken.content.decode()
    client.force_login(busy.person("agent"))
    assert client.get(f"{base}/rules/").status_code == 403
    assert client.get(f"{base}/guideline/").status_code == 200


@pytest.mark.django_db
def test_the_inbox_speaks_spanish(busy: World, client: Client) -> None:
    agent = busy.person("agent")
    agent.language = "es"
    agent.save()
    client.force_login(agent)
    html = client.get(_inbox(busy)).content.decode()
    assert "Bandeja" in html and "Sin asignar" in html and "Filtros" in html
    conv = conversation_of("a0")
    page = client.get(f"{_inbox(busy)}c/{conv.id}/").content.decode()
    assert "Notas internas" in page and "Historial" in page and "Enviar" in page


@pytest.mark.django_db
def test_live_endpoint_speaks_server_sent_events(busy: World, client: Client, monkeypatch,
                                                 django_capture_on_commit_callbacks) -> None:
    from tertulia.engagement import views

    # The stream ends on its own after LIVE_MAX_S; read it to its end, as the test client
    # then closes it without dropping the test's database connection.
    monkeypatch.setattr(views, "LIVE_MAX_S", 0.05)
    client.force_login(busy.person("agent"))
    response = client.get(f"{_inbox(busy)}live/", {"last_item": "0", "poll": "0"})
    # Under WSGI (this client, Django's live server) the stream is served from the request's
    # thread as it goes; under ASGI (uvicorn) it is an async iterator.
    assert response["Content-Type"] == "text/event-stream" and not response.is_async
    events = list(response.streaming_content)
    assert events[0] == b"retry: 3000\n\n"
    assert len(events) > 1 and all(event.startswith((b": keep-alive", b"event: inbox"))
                                   for event in events[1:])
    before = views._new_items(busy.acme.id, [busy.a1.id], 0)
    deliver(busy, django_capture_on_commit_callbacks,
            message("n1", "@acme hola", handle="new").model_copy(
                update={"channel": "demo:acme", "kind": "dm"}))
    after = views._new_items(busy.acme.id, [busy.a1.id], before[1])
    assert after[0] == 1
