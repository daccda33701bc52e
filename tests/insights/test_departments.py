"""Department dashboards (marketing, sales, customer service, business data): their figures
against the database, the rollups they read, and their downloads."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from tertulia.engagement.models import Conversation, Customer
from tertulia.governance.actions import do_add_account
from tertulia.insights import business as B
from tertulia.insights import ladder as L
from tertulia.insights.actions import do_import_business_data
from tertulia.insights.models import AccountDay, DailyTotal, DaySummary
from tertulia.insights.rollups import rebuild_brand
from tertulia.listening.models import Query
from tertulia.listening.pipeline import ingest
from tests.conftest import SYSTEM, World
from tests.insights.conftest import hours, post


def _url(world: World, suffix: str) -> str:
    return f"/o/{world.acme.slug}/b/{world.a1.slug}/insights/{suffix}"


def _kpis(response: object) -> dict[str, object]:
    return {k.metric.key: k.raw for k in response.context["board"].kpis}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_day_summaries_equal_the_daily_totals_incrementally_and_after_a_rebuild(
        world: World, queries: dict[str, Query]) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    ingest(world.acme, [
        post("1", "Café Aurora genial", at=now - hours(3), likes=2, followers=10),
        post("2", "cafe aurora terrible, my refund?", handle="sam", at=now - hours(30)),
        post("3", "tostadero norte y cafe aurora", handle="bru", at=now - hours(60)),
        post("4", "bruma coffee", handle="bru", at=now - hours(61)),
    ])
    ingest(world.acme, [post("1", "Café Aurora genial", at=now - hours(3), likes=9,
                             followers=10)])  # re-delivered with more likes

    def from_totals() -> dict[tuple[int, int, object], dict[str, int]]:
        out: dict[tuple[int, int, object], dict[str, int]] = defaultdict(
            lambda: defaultdict(int))
        for r in DailyTotal.objects.values("brand_id", "query_id", "day", "sentiment", "flag",
                                           "mentions", "likes", "reach"):
            row = out[(r["brand_id"], r["query_id"], r["day"])]
            row["mentions"] += r["mentions"]
            row[r["sentiment"]] += r["mentions"]
            row["likes"] += r["likes"]
            row["reach"] += r["reach"]
        return {k: dict(v) for k, v in out.items() if v["mentions"]}

    def from_summaries() -> dict[tuple[int, int, object], dict[str, int]]:
        return {(r.brand_id, r.query_id, r.day): {
            k: v for k, v in (("mentions", r.mentions), ("positive", r.positive),
                              ("neutral", r.neutral), ("negative", r.negative),
                              ("likes", r.likes), ("reach", r.reach)) if v or k in (
                "mentions", "likes", "reach")} for r in DaySummary.objects.all() if r.mentions}

    incremental = from_summaries()
    assert incremental == {k: {n: v for n, v in row.items() if v or n in (
        "mentions", "likes", "reach")} for k, row in from_totals().items()}
    assert sum(r["likes"] for (b, q, _d), r in incremental.items() if q == 0) == 9
    rebuild_brand(world.a1)
    assert from_summaries() == incremental


def _conversation(world: World, at: datetime, *, first_h: float | None = None,
                  resolved_h: float | None = None, sla: str = "none", flag: str = "none",
                  customer: Customer | None = None, network: str = "x", key: str = "") -> None:
    Conversation.objects.create(
        organization=world.acme, brand=world.a1, network=network,
        thread_key=key or f"t{Conversation.objects.count()}", created_at=at, updated_at=at,
        last_message_at=at, flag=flag, sla_state=sla, customer=customer,
        first_response_at=at + timedelta(hours=first_h) if first_h is not None else None,
        resolved_at=at + timedelta(hours=resolved_h) if resolved_h is not None else None,
        status="resolved" if resolved_h is not None else "open")


@pytest.mark.django_db
def test_service_dashboard_figures_match_the_conversations(world: World,
                                                           client: Client) -> None:
    now = timezone.now()
    ana = Customer.objects.create(organization=world.acme, name="Ana", first_seen_at=now,
                                  last_seen_at=now)
    day = now - timedelta(days=3)
    _conversation(world, day, first_h=1, resolved_h=5, sla="met", customer=ana)
    _conversation(world, day + hours(7), first_h=3, sla="breached", customer=ana)  # re-contact
    bo = Customer.objects.create(organization=world.acme, name="Bo", first_seen_at=now,
                                 last_seen_at=now)
    _conversation(world, day, first_h=2, resolved_h=10, sla="met", customer=bo)
    _conversation(world, day)  # nobody answered yet
    # Eight weeks of history on "x" with a weekly pattern, for the forecast.
    pattern = [3, 4, 4, 5, 6, 1, 1]
    start = (now - timedelta(days=60)).replace(hour=10, tzinfo=UTC)
    for i in range(56):
        at = start + timedelta(days=i)
        for _ in range(pattern[at.weekday()]):
            _conversation(world, at, network="facebook")
    client.force_login(world.person("analyst"))
    response = client.get(_url(world, "service/"), {"period": "7d"})
    assert response.status_code == 200
    k = _kpis(response)
    assert k["conversations_handled"] == 3
    assert k["first_response_median"] == pytest.approx(2.0)
    assert k["first_response_p90"] == pytest.approx(2.8)  # 1, 2, 3 → 2 + 0.8·(3 − 2)
    assert k["resolution_median"] == pytest.approx(7.5)
    assert k["sla_compliance"] == pytest.approx(200 / 3)
    assert k["recontact_rate"] == pytest.approx(50.0)  # Ana came back within 7 days
    board = response.context["board"]
    volume = board.widget("volume_facebook")
    assert volume is not None
    actual = volume.series[0].values
    assert sum(v for v in actual if v) == Conversation.objects.filter(
        network="facebook", created_at__gte=now - timedelta(days=55, hours=23)).count()
    assert "backtest error" in volume.note
    assert volume.series[1].values[-1] is not None  # the forecast runs past the period
    assert k["forecast_error"] is not None
    assert "inbox" in (volume.series[0].links or [""])[0]
    # The shared network filter applies to the conversations too.
    only_fb = _kpis(client.get(_url(world, "service/"), {"period": "7d",
                                                         "network": "facebook"}))
    assert only_fb["first_response_median"] is None
    download = client.get(_url(world, "service/chart.csv"), {"period": "7d",
                                                             "widget": "volume_facebook"})
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:3] == ["Date", "Actual", "Forecast"]


@pytest.mark.django_db
def test_marketing_reads_owned_accounts_and_the_ladder(world: World, queries: dict[str, Query],
                                                       client: Client) -> None:
    do_add_account(world.a1, "x", "cafeaurora", actor=SYSTEM)
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - hours(1)
    items = [
        # The brand's own posts (author = the owned account).
        post("o1", "Nuevo café aurora de otoño", handle="cafeaurora", at=now, likes=10,
             comments=2, shares=1, views=500, followers=2000),
        post("o2", "Café Aurora abre el domingo", handle="cafeaurora", at=now - hours(48),
             likes=4, followers=1900),
        # A regular: the brand on two days.
        post("r1", "cafe aurora otra vez", handle="reg", at=now - hours(2)),
        post("r2", "cafe aurora siempre", handle="reg", at=now - hours(80)),
        # A first-timer, and an author who only talks about competitors.
        post("f1", "probé el cafe aurora", handle="newbie", at=now - hours(3)),
        post("c1", "tostadero norte manda", handle="rivalfan", at=now - hours(4)),
    ]
    ingest(world.acme, items)
    days = AccountDay.objects.filter(brand=world.a1)
    assert days.count() == 2
    assert days.aggregate(p=Sum("posts"), l=Sum("likes"))["p"] == 2
    client.force_login(world.person("manager"))
    response = client.get(_url(world, "marketing/"), {"period": "7d", "compare": "none"})
    assert response.status_code == 200
    k = _kpis(response)
    assert k["owned_posts"] == 2
    assert k["owned_interactions"] == 10 + 2 + 1 + 4
    assert k["followers"] == 2000
    assert k["follower_growth"] == 100
    assert k["impressions"] == 500
    assert k["engagement_rate"] == pytest.approx(100 * 17 / 2 / 2000)
    board = response.context["board"]
    ladder = board.widget("ladder")
    stages = dict(zip(ladder.categories, ladder.series[0].values, strict=True))
    labels = {s: L.STAGE_LABELS[s][0] for s in L.STAGES}
    assert stages[labels[L.Stage.UNAWARE]] == 1  # rivalfan
    assert stages[labels[L.Stage.REGULAR]] >= 1  # reg (and the account itself)
    assert stages[labels[L.Stage.FIRST_TIME]] >= 1  # newbie
    top = board.widget("top_posts")
    assert top.rows[0][1] == "@cafeaurora" and top.rows[0][3] == 10
    assert "/mentions/" in top.links[0] or top.links[0]
    audience = board.widget("audience")
    assert any("author=cafeaurora" in (link or "") for link in audience.series[0].links)
    # Re-delivering the post with more likes updates the owned-account day, not doubles it.
    ingest(world.acme, [post("o1", "Nuevo café aurora de otoño", handle="cafeaurora", at=now,
                             likes=30, comments=2, shares=1, views=500, followers=2000)])
    assert AccountDay.objects.filter(brand=world.a1).aggregate(l=Sum("likes"))["l"] == 34
    before = set(AccountDay.objects.values_list("day", "posts", "likes", "followers"))
    rebuild_brand(world.a1)
    assert set(AccountDay.objects.values_list("day", "posts", "likes", "followers")) == before


@pytest.mark.django_db
def test_business_dashboard_correlation_and_roi(world: World, queries: dict[str, Query],
                                                client: Client) -> None:
    today = timezone.now().astimezone(timezone.get_default_timezone()).date()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    ingest(world.acme, [post(f"m{i}", "#otonoaurora cafe aurora", handle=f"u{i}",
                             at=now - hours(24 * (i % 5) + 1)) for i in range(12)])
    lines = ["date,campaign,sales,cost,conversion value"]
    for i in range(30):
        lines.append(f"{today - timedelta(days=i)},,{100 + i},,")
    lines.append(f"{today},Otoño,,100,250")
    lines.append(f"{today - timedelta(days=1)},Otoño,,50,")
    parsed = B.parse("\n".join(lines).encode(), "f.csv")
    do_import_business_data(world.a1, parsed, source="csv", file_name="f.csv", sha256="c" * 64,
                            actor=SYSTEM)
    client.force_login(world.person("analyst"))
    response = client.get(_url(world, "business/"), {"period": "30d", "metric": "sales"})
    assert response.status_code == 200
    board = response.context["board"]
    beside = board.widget("beside")
    assert [s.name for s in beside.series] == ["Mentions", "Sales"]
    assert sum(v for v in beside.series[1].values if v) == sum(100 + i for i in range(30))
    lag = board.widget("lag_correlation")
    assert lag.categories[0] == "-14" and lag.categories[-1] == "14"
    assert [s.name for s in lag.series] == ["Pearson r", "Spearman ρ"]
    n_at_zero = lag.table_only[0].values[14]
    assert n_at_zero == 30  # 30 social days against 30 sales days
    assert "n = " in lag.note or "Not enough data" in lag.note
    download = client.get(_url(world, "business/chart.csv"), {
        "period": "30d", "metric": "sales", "widget": "lag_correlation"})
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][1:] == ["Pearson r", "Spearman ρ", "n (days paired)", "p"]
    assert len(rows) == 1 + 29
    roi = board.widget("roi")
    assert roi.rows == [["Otoño", 150.0, 250.0, None, 66.7, 12]]
    spanish = client.get(_url(world, "business/"), {"period": "30d"},
                         HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 200


@pytest.mark.django_db
def test_sales_dashboard_from_green_conversations_and_business_deals(
        world: World, client: Client) -> None:
    now = timezone.now()
    _conversation(world, now - timedelta(days=2), first_h=1, flag="green")
    _conversation(world, now - timedelta(days=2), first_h=5, flag="green")
    _conversation(world, now - timedelta(days=1), flag="green")
    _conversation(world, now - timedelta(days=1), first_h=1, flag="yellow")
    today = now.astimezone(timezone.get_default_timezone()).date()
    parsed = B.parse(f"date,deals,deal value\n{today},1,900\n".encode(), "f.csv")
    do_import_business_data(world.a1, parsed, source="csv", file_name="f.csv", sha256="d" * 64,
                            actor=SYSTEM)
    client.force_login(world.person("analyst"))
    response = client.get(_url(world, "sales/"), {"period": "7d"})
    assert response.status_code == 200
    k = _kpis(response)
    assert k["social_leads"] == 3
    assert k["time_to_first_contact"] == pytest.approx(3.0)
    assert k["deal_conversion"] == pytest.approx(100 / 3)
    assert k["deal_size"] == pytest.approx(900.0)
    leads = response.context["board"].widget("leads")
    assert sum(v for v in leads.series[0].values if v) == 3
    assert "flag=green" in leads.series[0].links[0]


@pytest.mark.django_db
def test_department_pages_refuse_people_without_insights(world: World, client: Client) -> None:
    client.force_login(world.person("agent"))
    for page in ("marketing/", "sales/", "service/", "business/"):
        assert client.get(_url(world, page)).status_code in (403, 404), page
    client.force_login(world.person("approver"))
    for page in ("marketing/", "sales/", "service/", "business/"):
        assert client.get(_url(world, page)).status_code == 200, page
