"""Leads: only from green-flag conversations, their source, stages, time to first contact,
the CSV export (exact header and rows) and the JSON API for a CRM."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tertulia.cases import actions, leads
from tertulia.cases.models import Lead
from tertulia.engagement import actions as inbox_actions
from tertulia.engagement.models import Customer, Reply
from tertulia.governance.models import AuditEvent
from tests.api.test_api_foundation import _token
from tests.cases.conftest import Inbox
from tests.conftest import SYSTEM, World
from tests.engagement.inbox_world import T0


def _green(inbox: Inbox, external_id: str = "m1", handle: str = "lucia", **kw: object):
    conv = inbox.dm(external_id, "Quiero 40 cafés para un evento de empresa, ¿precio?",
                    handle=handle, **kw)
    return inbox_actions.do_set_flag(conv, "green", actor=SYSTEM)


@pytest.mark.django_db
def test_only_a_green_conversation_becomes_a_lead(world: World, inbox: Inbox) -> None:
    plain = inbox.dm("m0", "hola", handle="pepe")
    if plain.flag == "green":
        inbox_actions.do_set_flag(plain, "yellow", actor=SYSTEM)
    with pytest.raises(ValidationError, match="green"):
        actions.do_open_lead(plain, actor=SYSTEM)
    conv = _green(inbox)
    case = actions.do_open_case(conv, actor=SYSTEM)
    lead = actions.do_open_lead(conv, actor=SYSTEM, value="1.250,5".replace(".", ""),
                                currency="eur", owner=world.person("agent"))
    assert (lead.stage, lead.value, lead.currency) == ("new", Decimal("1250.50"), "EUR")
    assert (lead.source_network, lead.conversation, lead.case) == ("x", conv, case)
    assert lead.origin_at == T0
    assert case.events.filter(kind="lead").exists()
    with pytest.raises(ValidationError, match="already"):
        actions.do_open_lead(conv, actor=SYSTEM)
    assert AuditEvent.objects.filter(action="lead.created").count() == 1


@pytest.mark.django_db
def test_bad_values_are_refused_with_the_reason(world: World, inbox: Inbox) -> None:
    lead = actions.do_open_lead(_green(inbox), actor=SYSTEM)
    for value, message in (("mil", "not an amount"), ("-5", "between"), ("1e20", "between")):
        with pytest.raises(ValidationError, match=message):
            actions.do_update_lead(lead, actor=SYSTEM, value=value)
    with pytest.raises(ValidationError, match="three letters"):
        actions.do_update_lead(lead, actor=SYSTEM, currency="euro")
    with pytest.raises(ValidationError, match="not a valid"):
        actions.do_update_lead(lead, actor=SYSTEM, stage="maybe")
    with pytest.raises(ValidationError, match="cannot see"):
        actions.do_update_lead(lead, actor=SYSTEM, owner=world.person("publisher"))
    lead.refresh_from_db()
    assert (lead.value, lead.stage, lead.owner) == (None, "new", None)


@pytest.mark.django_db
def test_time_to_first_contact(world: World, inbox: Inbox) -> None:
    conv = _green(inbox)
    lead = actions.do_open_lead(conv, actor=SYSTEM, now=T0 + timedelta(minutes=5))
    row = leads.with_contact(Lead.objects.filter(id=lead.id)).get()
    assert leads.time_to_first_contact_s(row) is None
    actions.do_update_lead(lead, actor=SYSTEM, stage="contacted", now=T0 + timedelta(hours=2))
    inbox_actions.do_queue_reply(conv, "¡Hola! Te preparamos presupuesto.",
                                 actor=SYSTEM, now=T0 + timedelta(minutes=45))
    row = leads.with_contact(Lead.objects.filter(id=lead.id)).get()
    assert leads.time_to_first_contact_s(row) == 45 * 60  # the reply came first
    Reply.objects.filter(conversation=conv).update(state=Reply.State.FAILED)
    row = leads.with_contact(Lead.objects.filter(id=lead.id)).get()
    assert leads.time_to_first_contact_s(row) == 2 * 3600  # a failed reply is no contact
    lead = actions.do_update_lead(lead, actor=SYSTEM, stage="won", now=T0 + timedelta(days=1))
    assert lead.closed_at == T0 + timedelta(days=1)


@pytest.mark.django_db
def test_csv_export_is_exact(world: World, inbox: Inbox, client: Client) -> None:
    first = actions.do_open_lead(_green(inbox), actor=SYSTEM, value="99.9", now=T0)
    actions.do_update_lead(first, actor=SYSTEM, stage="contacted", crm_ref="=HYPERLINK(1)",
                           now=T0 + timedelta(minutes=30))
    hostile = _green(inbox, "m2", handle="evil")
    Customer.objects.filter(id=hostile.customer_id).update(name="=cmd|' /C calc'!A0")
    second = actions.do_open_lead(hostile, actor=SYSTEM, now=T0 + timedelta(hours=1))
    client.force_login(world.person("analyst"))
    response = client.get(f"/o/{world.acme.slug}/b/{world.a1.slug}/leads/export.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv"
    body = b"".join(response.streaming_content).decode()
    lines = body.split("\r\n")
    assert lines[0] == ("lead_id,created_at,brand,name,stage,value,currency,owner_email,"
                        "source_network,source_conversation,source_query,origin_at,"
                        "first_contact_at,time_to_first_contact_s,crm_ref,updated_at,"
                        "conversation_url")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 3
    one = dict(zip(rows[0], rows[1], strict=True))
    assert one == {
        "lead_id": str(first.id), "created_at": "2026-11-16T09:30:00+00:00",
        "brand": world.a1.slug, "name": "lucia", "stage": "contacted", "value": "99.90",
        "currency": "EUR", "owner_email": "", "source_network": "x",
        "source_conversation": str(first.conversation_id), "source_query": "",
        "origin_at": "2026-11-16T09:30:00+00:00",
        "first_contact_at": "2026-11-16T10:00:00+00:00", "time_to_first_contact_s": "1800",
        "crm_ref": "'=HYPERLINK(1)", "updated_at": "2026-11-16T10:00:00+00:00",
        "conversation_url": f"http://127.0.0.1:8000/o/{world.acme.slug}/inbox/c/"
                            f"{first.conversation_id}/",
    }
    two = dict(zip(rows[0], rows[2], strict=True))
    assert (two["lead_id"], two["name"], two["value"], two["first_contact_at"]) == (
        str(second.id), "'=cmd|' /C calc'!A0", "", "")
    only_new = client.get(f"/o/{world.acme.slug}/b/{world.a1.slug}/leads/export.csv",
                          {"stage": "new"})
    assert len(list(csv.reader(io.StringIO(b"".join(only_new.streaming_content).decode())))
               ) == 2
    page = client.get(f"/o/{world.acme.slug}/b/{world.a1.slug}/leads/", {"stage": "contacted"})
    assert [lead.id for lead in page.context["rows"]] == [first.id]
    assert "30 min" in page.content.decode()


@pytest.mark.django_db
def test_lead_pages_and_permissions(world: World, inbox: Inbox, client: Client) -> None:
    conv = _green(inbox)
    client.force_login(world.person("analyst"))
    assert client.post(f"/o/{world.acme.slug}/inbox/c/{conv.id}/lead/").status_code == 403
    client.force_login(world.person("agency"))
    made = client.post(f"/o/{world.acme.slug}/inbox/c/{conv.id}/lead/")
    lead = Lead.objects.get()
    assert made["Location"] == f"/o/{world.acme.slug}/b/{world.a1.slug}/leads/{lead.id}/"
    saved = client.post(made["Location"] + "update/", {
        "stage": "qualified", "value": "300", "currency": "usd",
        "owner": world.person("agent").id, "crm_ref": "HS-1"})
    assert saved.status_code == 302
    lead.refresh_from_db()
    assert (lead.stage, lead.value, lead.currency, lead.owner, lead.crm_ref) == (
        "qualified", Decimal("300.00"), "USD", world.person("agent"), "HS-1")
    refused = client.post(made["Location"] + "update/", {
        "stage": "won", "value": "abc", "currency": "usd"}, follow=True)
    assert "value" in refused.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "qualified"
    client.force_login(world.person("publisher"))
    assert client.get(made["Location"]).status_code == 403


def _auth(world: World, key: str = "owner") -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {_token(world.person(key), world.acme)}"}


@pytest.mark.django_db
def test_the_api_lists_and_updates_leads_for_a_crm(world: World, inbox: Inbox,
                                                   client: Client) -> None:
    ids = [actions.do_open_lead(_green(inbox, f"m{i}", handle=f"h{i}"), actor=SYSTEM,
                                value=i * 10).id for i in range(3)]
    base = f"/api/v1/orgs/{world.acme.slug}/brands/{world.a1.slug}/leads"
    page = client.get(base, {"limit": 2}, **_auth(world, "agent")).json()
    assert [x["id"] for x in page["items"]] == ids[:2] and page["next_after"] == ids[1]
    rest = client.get(base, {"limit": 2, "after": page["next_after"]},
                      **_auth(world, "agent")).json()
    assert [x["id"] for x in rest["items"]] == ids[2:] and rest["next_after"] is None
    assert rest["items"][0]["value"] in ("20.00", 20.0, "20")
    auth = _auth(world, "manager")
    changed = client.patch(f"{base}/{ids[0]}", {"stage": "won", "crm_ref": "SF-9",
                                                "owner_email": "AGENT@acme.test"},
                           content_type="application/json", **auth)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["stage"], changed.json()["owner_email"]) == ("won", "agent@acme.test")
    cleared = client.patch(f"{base}/{ids[0]}", {"value": None}, content_type="application/json",
                           **auth).json()
    assert cleared["value"] is None and cleared["stage"] == "won"
    bad = client.patch(f"{base}/{ids[0]}", {"owner_email": "publisher@acme.test"},
                       content_type="application/json", **auth)
    assert bad.status_code == 400 and "owner_email" in bad.json()["detail"]
    assert client.patch(f"{base}/{ids[0]}", {"stage": "maybe"}, content_type="application/json",
                        **auth).status_code == 422
    assert client.get(base, {"stage": "won"}, **auth).json()["items"][0]["crm_ref"] == "SF-9"
    assert client.patch(f"{base}/{ids[0]}", {"stage": "lost"}, content_type="application/json",
                        **_auth(world, "analyst")).status_code == 403
    assert client.get(base, **_auth(world, "publisher")).status_code == 403
    other = f"/api/v1/orgs/{world.acme.slug}/brands/{world.a2.slug}/leads"
    assert client.get(other, **_auth(world, "agency")).status_code == 404
    assert client.get(f"{base}/999999", **auth).status_code == 404
