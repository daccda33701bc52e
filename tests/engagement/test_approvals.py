"""Reply approval: on brands that require it, the replies of the named roles wait for an
approver, who approves (sent through the outbox) or rejects with a reason; audited, and the
author is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tertulia.engagement import actions
from tertulia.engagement.approval import ApprovalPolicy, needs_approval
from tertulia.engagement.models import DemoDelivery, Notification, Reply
from tertulia.governance.audit import Actor
from tertulia.governance.models import AuditEvent
from tests.conftest import World
from tests.engagement.inbox_world import SYSTEM, conversation_of, deliver, dm, own


def test_the_pure_rule() -> None:
    on = ApprovalPolicy(True, frozenset({"agent", "agency"}))
    assert needs_approval(on, roles={"agent"}, via_agency=False, may_approve=False)
    assert needs_approval(on, roles=set(), via_agency=True, may_approve=False)
    assert not needs_approval(on, roles={"analyst"}, via_agency=False, may_approve=False)
    assert not needs_approval(on, roles={"agent"}, via_agency=False, may_approve=True)
    off = ApprovalPolicy(False, frozenset({"agent"}))
    assert not needs_approval(off, roles={"agent"}, via_agency=True, may_approve=False)
    agency_only = ApprovalPolicy(True, frozenset({"agency"}))
    assert not needs_approval(agency_only, roles={"agent"}, via_agency=False,
                              may_approve=False)
    assert needs_approval(agency_only, roles={"agent"}, via_agency=True, may_approve=False)


@pytest.fixture
def approval_on(world: World, django_capture_on_commit_callbacks) -> World:
    own(world.a1, "demo", "acme")
    deliver(world, django_capture_on_commit_callbacks, dm("d1", "¿Dónde está mi pedido?"))
    actions.do_save_approval_settings(world.a1, enabled=True, roles=["agency"],
                                      reply_to_email="", actor=SYSTEM)
    return world


def _url(world: World, conv_id: int) -> str:
    return f"/o/{world.acme.slug}/inbox/c/{conv_id}/"


@pytest.mark.django_db
def test_held_reply_is_approved_then_sent_once(approval_on: World, client: Client,
                                               django_capture_on_commit_callbacks) -> None:
    conv = conversation_of("d1")
    client.force_login(approval_on.person("agent"))  # own role "agent" is not named: sent
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(approval_on, conv.id) + "reply/", {"text": "Lo miro ahora"})
    assert Reply.objects.get().state == Reply.State.SENT
    client.force_login(approval_on.person("agency"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(approval_on, conv.id) + "reply/",
                               {"text": "Ya está en camino", "confirm_duplicate": "1",
                                "then": "resolved"})
    assert response.status_code == 302
    held = Reply.objects.get(text="Ya está en camino")
    assert held.state == Reply.State.AWAITING
    assert not DemoDelivery.objects.filter(text="Ya está en camino").exists()
    conv.refresh_from_db()
    assert conv.status != "resolved"  # nothing reached the customer yet
    assert AuditEvent.objects.filter(action="reply.awaiting_approval").exists()
    manager = approval_on.person("manager")
    assert Notification.objects.filter(user=manager, kind="approval").exists()
    # the approver's queue
    client.force_login(manager)
    queue = client.get(f"/o/{approval_on.acme.slug}/inbox/approvals/")
    assert [r.id for r in queue.context["rows"]] == [held.id]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/{approval_on.acme.slug}/inbox/approvals/{held.id}/",
                    {"decision": "approve"})
    held.refresh_from_db()
    assert held.state == Reply.State.SENT and held.decided_by == manager
    assert DemoDelivery.objects.filter(text="Ya está en camino").count() == 1
    assert Notification.objects.filter(user=approval_on.person("agency"),
                                       kind="approved").exists()
    assert AuditEvent.objects.filter(action="reply.approved").exists()
    # deciding twice is refused plainly
    with pytest.raises(ValidationError):
        actions.do_approve_reply(held, actor=Actor.of(manager))


@pytest.mark.django_db
def test_rejection_needs_a_reason_and_tells_the_author(approval_on: World, client: Client,
                                                       django_capture_on_commit_callbacks
                                                       ) -> None:
    conv = conversation_of("d1")
    agency = approval_on.person("agency")
    held = actions.do_queue_reply(conv, "<b>Oferta</b> 50%", actor=Actor.of(agency))
    assert held.state == Reply.State.AWAITING
    client.force_login(approval_on.person("manager"))
    url = f"/o/{approval_on.acme.slug}/inbox/approvals/{held.id}/"
    client.post(url, {"decision": "reject", "reason": " "})
    held.refresh_from_db()
    assert held.state == Reply.State.AWAITING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "reject", "reason": "No ofrecemos descuentos"})
    held.refresh_from_db()
    assert held.state == Reply.State.REJECTED
    assert held.rejection_reason == "No ofrecemos descuentos"
    assert not DemoDelivery.objects.exists()
    note = Notification.objects.get(user=agency, kind="rejected")
    assert "No ofrecemos descuentos" in note.text
    assert AuditEvent.objects.get(action="reply.rejected").after["reason"] == (
        "No ofrecemos descuentos")
    # the conversation page shows it, inert
    client.force_login(agency)
    html = client.get(_url(approval_on, conv.id)).content.decode()
    assert "&lt;b&gt;Oferta&lt;/b&gt;" in html and "No ofrecemos descuentos" in html
    # a rejected reply does not count as an answer: no duplicate warning
    assert actions.answered_already(conv) is None


@pytest.mark.django_db
def test_who_may_approve(approval_on: World, client: Client) -> None:
    conv = conversation_of("d1")
    held = actions.do_queue_reply(conv, "hola", actor=Actor.of(approval_on.person("agency")))
    url = f"/o/{approval_on.acme.slug}/inbox/approvals/{held.id}/"
    for key in ("agent", "agency", "analyst"):
        client.force_login(approval_on.person(key))
        assert client.post(url, {"decision": "approve"}).status_code == 403, key
        assert client.get(f"/o/{approval_on.acme.slug}/inbox/approvals/").status_code == 403
    held.refresh_from_db()
    assert held.state == Reply.State.AWAITING
    # nobody approves their own reply, even an approver whose brand then required it
    owner = approval_on.person("owner")
    actions.do_save_approval_settings(approval_on.a1, enabled=True, roles=["org_owner"],
                                      reply_to_email="", actor=SYSTEM)
    mine = actions.do_queue_reply(conv, "otra", actor=Actor.of(owner), confirm_duplicate=True)
    assert mine.state == Reply.State.QUEUED  # approvers' own replies never wait


@pytest.mark.django_db
def test_approval_settings_page(approval_on: World, client: Client) -> None:
    url = f"/o/{approval_on.acme.slug}/b/{approval_on.a1.slug}/inbox/approval/"
    client.force_login(approval_on.person("manager"))
    response = client.post(url, {"replies_need_approval": "on",
                                 "approval_roles": ["agent", "agency"],
                                 "reply_to_email": "care@acme.test"})
    assert response.status_code == 302
    from tertulia.engagement.brandconf import settings_for

    row = settings_for(approval_on.a1)
    assert (row.replies_need_approval, row.approval_roles, row.reply_to_email) == (
        True, ["agency", "agent"], "care@acme.test")
    assert client.post(url, {"reply_to_email": "nope"}).status_code == 200
    client.force_login(approval_on.person("agent"))
    assert client.get(url).status_code == 403
