"""Owned-account days (`AccountDay`): what the brand's own accounts published each local day,
the interactions those posts drew and the follower count the network reported for them.

An owned account is a `SocialAccount` of the brand; its posts are the mentions whose author
is the same handle on the same network. Rows are **recomputed** from those mentions for the
(account, day) pairs a batch touched, never incremented, so a re-delivered post (whose
likes changed) or a repair gives the same row however often it runs.

* `apply_batch(organization_id, mention_ids)`: called by `rollups.apply_batch` inside the
  ingest transaction; a small query finds the organization's owned accounts' authors.
* `rebuild_account_days(brand, start, end)`: the repair job and the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, Sum

from tertulia.governance.models import Brand, SocialAccount
from tertulia.insights.models import AccountDay
from tertulia.listening.models import Author, Mention


def owned_authors(brands: Iterable[int] | None = None, *, organization_id: int | None = None
                  ) -> dict[int, list[tuple[int, int]]]:
    """author id → [(brand id, account id)] for the active owned accounts of these brands
    (or of every brand of the organization)."""
    rows = SocialAccount.objects.filter(is_active=True)
    rows = rows.filter(brand__organization_id=organization_id) if organization_id is not None \
        else rows.filter(brand_id__in=set(brands or ()))
    accounts = list(rows.values_list("id", "brand_id", "brand__organization_id", "network",
                                     "handle"))
    if not accounts:
        return {}
    cond = Q()
    by_key: dict[tuple[int, str, str], list[tuple[int, int]]] = {}
    for account_id, brand_id, org_id, network, handle in accounts:
        cond |= Q(organization_id=org_id, network=network, handle=handle)
        by_key.setdefault((org_id, network, handle), []).append((brand_id, account_id))
    return {author_id: by_key.get((org_id, network, handle), [])
            for author_id, org_id, network, handle in Author.objects.filter(cond).values_list(
                "id", "organization_id", "network", "handle")}


def _recompute(account_id: int, brand_id: int, author_id: int, days: set[date],
               zone: ZoneInfo) -> None:
    for day in days:
        start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
        sums = Mention.objects.filter(author_id=author_id, created_at__gte=start,
                                      created_at__lt=end, hidden_at=None).aggregate(
            posts=Count("id"), likes=Sum("likes"), comments=Sum("comments"),
            shares=Sum("shares"), views=Sum("views"), followers=Max("author_followers"))
        if not sums["posts"]:
            AccountDay.objects.filter(account_id=account_id, day=day).delete()
            continue
        AccountDay.objects.update_or_create(
            account_id=account_id, day=day, defaults={
                "brand_id": brand_id, "posts": sums["posts"], "likes": sums["likes"] or 0,
                "comments": sums["comments"] or 0, "shares": sums["shares"] or 0,
                "views": sums["views"] or 0, "followers": sums["followers"] or 0})


def apply_batch(organization_id: int, mention_ids: list[int]) -> None:
    """Recompute the owned-account days an ingest batch touched (its new and re-delivered
    mentions written by an owned account), inside the batch's transaction."""
    if not mention_ids:
        return
    owned = owned_authors(organization_id=organization_id)
    if not owned:
        return
    touched: dict[tuple[int, int], set[datetime]] = {}
    for start in range(0, len(mention_ids), 500):
        for author_id, created_at in Mention.objects.filter(
                id__in=mention_ids[start:start + 500], author_id__in=list(owned)).values_list(
                "author_id", "created_at"):
            touched.setdefault((author_id, 0), set()).add(created_at)
    if not touched:
        return
    zones = {b.id: ZoneInfo(b.timezone) for b in Brand.objects.filter(
        id__in={b for pairs in owned.values() for b, _a in pairs})}
    for (author_id, _), instants in touched.items():
        for brand_id, account_id in owned[author_id]:
            zone = zones[brand_id]
            _recompute(account_id, brand_id, author_id,
                       {at.astimezone(zone).date() for at in instants}, zone)


def rebuild_account_days(brand: Brand, start: date, end: date) -> int:
    """Recompute every owned-account day of the brand in `start`..`end` (local days).
    Returns how many rows exist afterwards in the range."""
    zone = ZoneInfo(brand.timezone)
    owned = owned_authors([brand.id])
    AccountDay.objects.filter(brand=brand, day__gte=start, day__lte=end).delete()
    first = datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC)
    last = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    for author_id, pairs in owned.items():
        days = {at.astimezone(zone).date() for at in Mention.objects.filter(
            author_id=author_id, created_at__gte=first, created_at__lt=last,
            hidden_at=None).values_list("created_at", flat=True)}
        for brand_id, account_id in pairs:
            if brand_id == brand.id:
                _recompute(account_id, brand_id, author_id, days, zone)
    return AccountDay.objects.filter(brand=brand, day__gte=start, day__lte=end).count()
