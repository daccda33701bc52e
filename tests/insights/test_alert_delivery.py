"""Alerts on live data: the minute tick raises a spike from real ingested mentions, the
influencer and owned-activity detectors, e-mails (each and digest), signed webhooks with
retries, and the crisis room (claim, notes, timeline, export)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import httpx
import openpyxl
import pytest
from django.core import mail
from django.test import Client

from tertulia.governance.audit import Actor
from tertulia.governance.models import AuditEvent, SocialAccount
from tertulia.insights import alert_actions, alerts
from tertulia.insights.alert_delivery import (
    RETRY_S,
    email_alert,
    send_digests,
    send_due_webhooks,
    sign,
    verify,
)
from tertulia.insights.alert_models import (
    Alert,
    AlertEntry,
    AlertSubscription,
    WatchState,
    WebhookDelivery,
)
from tertulia.insights.alert_watch import influencer_alerts, owned_activity_alerts, tick
from tertulia.listening.models import Mention, Query
from tertulia.listening.pipeline import ingest
from tests.conftest import World
from tests.insights.conftest import T0, post

NOW = T0.replace(minute=30, second=0, microsecond=0)


def _raise(world: World, **kw: object) -> Alert:
    found = alerts.Alert("volume_spike", NOW, 5, 40, 4.0, p_value=1e-9, **kw)  # type: ignore[arg-type]
    return alert_actions.do_raise_alert(world.a1, found, evidence=[], now=NOW)


@pytest.mark.django_db
def test_the_minute_tick_raises_a_spike_from_ingested_mentions(
        world: World, queries: dict[str, Query]) -> None:
    WatchState.objects.create(brand=world.a1, read_until=NOW - timedelta(minutes=10))
    items = [post(f"s{i}", f"Cafe Aurora está imposible hoy {i}", handle=f"u{i}",
                  at=NOW - timedelta(minutes=5, seconds=-i), followers=10 * i)
             for i in range(25)]
    ingest(world.acme, items, now=NOW)
    raised = tick(world.a1, NOW)
    spikes = [a for a in raised if a.kind == "volume_spike"]
    assert len(spikes) == 1
    spike = spikes[0]
    assert spike.observed == 25 and spike.expected < 1
    assert len(spike.evidence) == 10, "the top posts behind it"
    top = Mention.objects.get(id=spike.evidence[0])
    assert top.author_followers == 240, "largest reach first"
    assert AuditEvent.objects.filter(action="alert.raised", brand=world.a1).exists()
    state = WatchState.objects.get(brand=world.a1)
    assert state.read_until == NOW - timedelta(minutes=2)
    assert tick(world.a1, NOW) == [], "the same minutes are not read twice"


@pytest.mark.django_db
def test_calm_minutes_raise_nothing(world: World, queries: dict[str, Query]) -> None:
    WatchState.objects.create(brand=world.a1, read_until=NOW - timedelta(minutes=30))
    ingest(world.acme, [post("c1", "cafe aurora, buen café", at=NOW - timedelta(minutes=20)),
                        post("c2", "cafe aurora otra vez", at=NOW - timedelta(minutes=9))],
           now=NOW)
    assert tick(world.a1, NOW) == []


@pytest.mark.django_db
def test_an_influencer_mention_raises_one_alert_per_author_and_day(
        world: World, queries: dict[str, Query]) -> None:
    result = ingest(world.acme, [
        post("i1", "Probando cafe aurora", handle="famosa", followers=250_000),
        post("i2", "cafe aurora again", handle="famosa", followers=250_000,
             at=T0 + timedelta(minutes=1)),
        post("i3", "cafe aurora, normal", handle="normal", followers=300),
    ], now=T0)
    raised = influencer_alerts(result.created, NOW)
    assert [(a.kind, a.subject, a.observed) for a in raised] == [
        ("influencer", "famosa", 250_000)]
    assert influencer_alerts(result.created, NOW) == [], "once per author and day"
    assert "250,000 followers" in alert_actions.as_detected(raised[0]).explain()


@pytest.mark.django_db
def test_an_owned_post_edited_outside_the_approval_flow_raises_an_alert(
        world: World, queries: dict[str, Query]) -> None:
    SocialAccount.objects.create(brand=world.a1, network="x", handle="cafeaurora")
    first = ingest(world.acme, [post("o1", "Nuevo horario", handle="cafeaurora")], now=T0)
    edited = ingest(world.acme, [post("o1", "Horario cambiado sin aprobar",
                                      handle="cafeaurora")], now=T0 + timedelta(minutes=3))
    assert edited.updated == first.created
    raised = owned_activity_alerts(edited.updated, NOW)
    assert [(a.kind, a.subject) for a in raised] == [("owned_activity", "cafeaurora (edited)")]
    assert raised[0].evidence == first.created


@pytest.mark.django_db
def test_immediate_email_is_bilingual_and_says_why(world: World) -> None:
    analyst, manager = world.person("analyst"), world.person("manager")
    analyst.language = "es"
    analyst.save()
    for person in (analyst, manager):
        AlertSubscription.objects.create(user=person, brand=world.a1)
    AlertSubscription.objects.create(user=world.person("agent"), brand=world.a1)
    alert = _raise(world)
    assert email_alert(alert) == 2, "the agent may not see insights: no e-mail"
    by_to = {m.to[0]: m for m in mail.outbox}
    es = by_to[analyst.email]
    assert "40 menciones en 5 min" in es.body and "lo habitual" in es.body
    assert "40 mentions in 5 min" in by_to[manager.email].body
    assert f"/alerts/{alert.id}/" in by_to[manager.email].body
    assert AlertEntry.objects.filter(alert=alert, kind="delivered").exists()


@pytest.mark.django_db
def test_digest_collects_the_alerts_since_the_last_one(world: World) -> None:
    analyst = world.person("analyst")
    alert_actions.do_set_alert_subscription(analyst, world.a1, "digest",
                                            actor=Actor.of(analyst))
    AlertSubscription.objects.filter(user=analyst).update(
        digest_sent_until=NOW - timedelta(hours=1))
    _raise(world)
    _raise(world, subject="x")
    assert email_alert(Alert.objects.first()) == 0, "a digest reader gets no single e-mails"
    assert send_digests(NOW + timedelta(minutes=1)) == 1
    assert mail.outbox[0].body.count("40 mentions in 5 min") == 2
    assert send_digests(NOW + timedelta(minutes=2)) == 0, "nothing new"


def _hook(world: World) -> tuple[str, str]:
    hook, secret = alert_actions.do_add_alert_webhook(world.a1, "https://hooks.example/in",
                                                      actor=Actor.of(world.person("owner")))
    return hook.url, secret


@pytest.mark.django_db
def test_webhooks_are_signed_retried_and_logged(world: World) -> None:
    _url, secret = _hook(world)
    alert = _raise(world)
    delivery = WebhookDelivery.objects.get(alert=alert)
    seen: list[httpx.Request] = []
    answers = iter([500, 204])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(next(answers))

    def client() -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(handler))

    assert send_due_webhooks(NOW, client_factory=client) == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == NOW + timedelta(seconds=RETRY_S[0])
    assert send_due_webhooks(NOW, client_factory=client) == 0, "not due yet"
    later = NOW + timedelta(seconds=RETRY_S[0])
    assert send_due_webhooks(later, client_factory=client) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    request = seen[-1]
    headers = {k: v for k, v in request.headers.items()}
    assert verify(secret, headers, request.content, now=later)
    assert not verify(secret, headers, request.content + b" ", now=later), "tampered body"
    body = json.loads(request.content)
    assert body["type"] == "alert.volume_spike" and body["observed"] == 40
    assert body["explanation"]["es"].startswith("40 menciones")
    assert headers["webhook-id"] == delivery.message_id, "same id on every retry"


def test_signature_matches_the_standard_webhooks_example() -> None:
    # The example of the Standard Webhooks specification (symmetric signature).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.mark.django_db
def test_a_delivery_gives_up_after_about_three_days(world: World) -> None:
    _hook(world)
    alert = _raise(world)

    def client() -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(503)))

    at = NOW
    for wait in (0, *RETRY_S):
        at += timedelta(seconds=wait)
        send_due_webhooks(at, client_factory=client)
    delivery = WebhookDelivery.objects.get(alert=alert)
    assert delivery.status == "failed" and delivery.attempts == len(RETRY_S) + 1
    assert timedelta(days=2.5) < at - NOW < timedelta(days=4)


@pytest.mark.django_db
def test_crisis_room_claim_note_resolve_and_export(world: World, client: Client) -> None:
    alert = _raise(world)
    base = f"/o/{world.acme.slug}/b/{world.a1.slug}/alerts/{alert.id}/"
    analyst = world.person("analyst")
    client.force_login(analyst)
    page = client.get(base)
    assert page.status_code == 200
    assert "40 mentions in 5 min" in page.content.decode()
    assert client.post(base + "act/", {"do": "claim"}).status_code == 302
    client.post(base + "act/", {"do": "note", "text": "<script>alert(1)</script> llamamos"})
    client.post(base + "act/", {"do": "resolve"})
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.handled_by == analyst
    assert [e.kind for e in alert.entries.all()] == ["fired", "claimed", "note", "resolved"]
    page = client.get(base).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; llamamos" in page, "notes shown inert"
    actions = set(AuditEvent.objects.filter(brand=world.a1).values_list("action", flat=True))
    assert {"alert.claimed", "alert.note_added", "alert.resolved"} <= actions
    export = client.get(base + "export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert [c.value for c in book["Timeline"]["B"]][1:] == [
        "fired", "claimed", "note", "resolved"]
    assert book["Alert"]["B5"].value == 40
    from pypdf import PdfReader

    pdf = client.get(base + "export.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "40 mentions in 5 min" in text and "<script>alert(1)</script> llamamos" in text
    assert client.post(base + "act/", {"do": "note", "text": "  "}).status_code == 302
    assert alert.entries.count() == 4, "an empty note is refused"
    assert client.post(base + "act/", {"do": "explode"}).status_code == 400


@pytest.mark.django_db
def test_the_alert_list_polls_and_a_viewer_cannot_handle(world: World, client: Client) -> None:
    _raise(world)
    client.force_login(world.person("approver"))
    page = client.get(f"/o/{world.acme.slug}/b/{world.a1.slug}/alerts/")
    assert 'hx-trigger="every 10s"' in page.content.decode()
    alert = Alert.objects.get()
    room = client.get(f"/o/{world.acme.slug}/b/{world.a1.slug}/alerts/{alert.id}/")
    assert "alert-claim" not in room.content.decode()
    partial = client.get(f"/o/{world.acme.slug}/b/{world.a1.slug}/alerts/",
                         headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith("<div class=\"card\" id=\"alert-rows\"")


@pytest.mark.django_db
def test_webhook_page_refuses_plain_http_and_private_delivery_fails(
        world: World, client: Client) -> None:
    client.force_login(world.person("manager"))
    url = f"/o/{world.acme.slug}/b/{world.a1.slug}/alerts/webhooks/"
    bad = client.post(url, {"url": "http://hooks.example/x"})
    assert bad.status_code == 400 and "https://" in bad.content.decode()
    assert client.post(url, {"url": "https://127.0.0.1/x"}).status_code == 302
    alert = _raise(world)
    send_due_webhooks(NOW)  # the real client: a private address is refused at connect
    delivery = WebhookDelivery.objects.get(alert=alert)
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_error
    log = client.get(url).content.decode()
    assert "delivery-log" in log and delivery.last_error[:20] in log


@pytest.mark.django_db
def test_raising_an_alert_emails_and_starts_crisis_reports_after_commit(
        world: World, queries: dict[str, Query],
        django_capture_on_commit_callbacks: object) -> None:
    from tertulia.insights.alert_watch import tick_all
    from tertulia.insights.schedule_models import ReportDispatch, ReportSchedule

    AlertSubscription.objects.create(user=world.person("manager"), brand=world.a1)
    ReportSchedule.objects.create(brand=world.a1, name="Crisis", template="pr", format="xlsx",
                                  language="en", cadence="crisis",
                                  recipients="press@outside.example", created_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        alert = _raise(world)
    assert [m.to for m in mail.outbox if m.to] == [[world.person("manager").email]]
    dispatch = ReportDispatch.objects.get(schedule__brand=world.a1)
    assert dispatch.report.status == "done" and dispatch.emailed_at is not None
    assert [m.bcc for m in mail.outbox if m.bcc] == [["press@outside.example"]]
    assert alert.entries.filter(kind="delivered").exists()
    assert tick_all(NOW) == 0, "every brand with a query is read; calm: nothing raised"
    assert WatchState.objects.filter(brand=world.a1).exists()
    assert WatchState.objects.filter(brand=world.a2).exists()


@pytest.mark.django_db
def test_a_hashtag_trending_against_its_history_raises_once(
        world: World, queries: dict[str, Query]) -> None:
    at = T0.replace(minute=47, second=0, microsecond=0)
    WatchState.objects.create(brand=world.a1, read_until=at - timedelta(minutes=7),
                              terms={"rates": {"#otono": 2.0, "cerrado": 5.0},
                                     "hours_seen": 48})
    ingest(world.acme, [
        post(f"h{i}", f"cafe aurora cerrado #Huelga {i}", handle=f"w{i}",
             at=at - timedelta(minutes=40 - i))
        for i in range(12)] + [post("o1", "cafe aurora #otono", at=at - timedelta(minutes=30))],
        now=at)
    raised = [a for a in tick(world.a1, at) if a.kind == "trending_term"]
    # Not "cafe" or "aurora" (the brand's own query), not "cerrado" (usual), and "huelga"
    # once, as the hashtag.
    assert [(a.subject, a.observed) for a in raised] == [("#huelga", 12)]
    assert len(raised[0].evidence) == 10
    state = WatchState.objects.get(brand=world.a1)
    assert state.terms["hours_seen"] == 48 and "#otono" in state.terms["rates"]
    WatchState.objects.filter(brand=world.a1).update(read_until=at - timedelta(minutes=20))
    again = [a for a in tick(world.a1, at + timedelta(minutes=1)) if a.kind == "trending_term"]
    assert again == [], "once per term and day"
