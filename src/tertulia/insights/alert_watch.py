"""Running the detectors of `insights.alerts` on live data.

* Every minute (`tick`), per brand: the per-minute counts of the brand's own mentions
  since the last reading (by publication minute, read two minutes late so slow connectors
  land first) go through the brand's `Watch`, whose CUSUM state lives in `WatchState`.
  The hour-of-week baseline is rebuilt once a day from the hourly rollups, never from the
  mentions. Every fifteen minutes the last hour's terms are checked against the brand's
  `TermBaseline`, which folds in each finished hour.
* After each ingest batch commits (`after_ingest`): an influencer mentioning a brand, and
  an owned account's post edited outside the approval flow.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Sum

from tertulia.governance.models import Brand, SocialAccount
from tertulia.insights import alerts
from tertulia.insights.alert_models import Alert, WatchState
from tertulia.insights.models import OWN, HourlyRollup
from tertulia.listening.models import Mention, MentionMatch, Query

log = logging.getLogger(__name__)

READ_LAG = timedelta(minutes=2)
MAX_CATCH_UP = timedelta(hours=1)
BASELINE_EVERY = timedelta(days=1)
TERMS_EVERY_MIN = 15
EVIDENCE = 10
INFLUENCER_FOLLOWERS = 50_000


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def build_baseline(brand: Brand, now: datetime) -> alerts.Baseline:
    """The hour-of-week baseline from the brand's own hourly rollups of the last 4 weeks."""
    until = now.replace(minute=0, second=0, microsecond=0)
    rows = (HourlyRollup.objects.filter(brand=brand, query_id=OWN,
                                        hour__gte=until - timedelta(weeks=4), hour__lt=until)
            .values("hour", "sentiment").annotate(n=Sum("mentions")))
    hourly: dict[datetime, tuple[int, int]] = {}
    for row in rows:
        n, neg = hourly.get(row["hour"], (0, 0))
        hourly[row["hour"]] = (n + row["n"],
                               neg + (row["n"] if row["sentiment"] == "negative" else 0))
    return alerts.seasonal_baseline(hourly, until)


def _own_matches(brand: Brand, start: datetime, end: datetime) -> Iterable[MentionMatch]:
    return (MentionMatch.objects.filter(brand=brand, created_at__gte=start, created_at__lt=end)
            .exclude(query__kind=Query.Kind.COMPETITOR))


def minute_counts(brand: Brand, start: datetime, end: datetime
                  ) -> dict[datetime, tuple[int, int]]:
    """(mentions, negatives) per publication minute in [start, end), each mention once."""
    seen: dict[int, tuple[datetime, str]] = {}
    for mention_id, at, sentiment in _own_matches(brand, start, end).values_list(
            "mention_id", "created_at", "sentiment"):
        seen.setdefault(mention_id, (at, sentiment))
    out: dict[datetime, tuple[int, int]] = {}
    for at, sentiment in seen.values():
        key = _minute(at)
        n, neg = out.get(key, (0, 0))
        out[key] = (n + 1, neg + (sentiment == "negative"))
    return out


def top_mentions(brand: Brand, start: datetime, end: datetime, *, negative: bool = False,
                 term: str = "", limit: int = EVIDENCE) -> list[int]:
    """The mentions behind an alert, largest reach first."""
    ids = _own_matches(brand, start, end).values_list("mention_id", flat=True)
    qs = Mention.objects.filter(id__in=ids, hidden_at__isnull=True)
    if negative:
        qs = qs.filter(sentiment="negative")
    if term:
        qs = qs.filter(text__icontains=term.lstrip("#") if term.startswith("#") else term)
    return list(qs.order_by("-author_followers", "-id").values_list("id", flat=True)[:limit])


def _baseline_of(state: WatchState, brand: Brand, now: datetime) -> alerts.Baseline:
    data = state.baseline or {}
    built = data.get("built_at")
    if not built or now - datetime.fromisoformat(built) >= BASELINE_EVERY:
        base = build_baseline(brand, now)
        state.baseline = {"per_hour": list(base.per_hour),
                          "negative_share": list(base.negative_share),
                          "built_at": now.isoformat()}
        return base
    return alerts.Baseline(tuple(data["per_hour"]), tuple(data["negative_share"]))


def tick(brand: Brand, now: datetime) -> list[Alert]:
    """Feed the minutes since the last reading to the brand's detectors; raise what fires."""
    from tertulia.insights.alert_actions import do_raise_alert

    end = _minute(now - READ_LAG)
    with transaction.atomic():
        state, _created = WatchState.objects.select_for_update().get_or_create(brand=brand)
        start = state.read_until or end - timedelta(minutes=1)
        start = max(start, end - MAX_CATCH_UP)
        if start >= end:
            return []
        watch = alerts.Watch(_baseline_of(state, brand, now))
        watch.load(state.detectors or {})
        counts = minute_counts(brand, start, end)
        raised = []
        at = start
        while at < end:
            n, neg = counts.get(at, (0, 0))
            for found in watch.feed(at, n, neg):
                onset = at - timedelta(minutes=max(found.window_min - 1, 0))
                evidence = top_mentions(brand, onset, at + timedelta(minutes=1),
                                        negative=found.kind == "negative_surge")
                raised.append(do_raise_alert(brand, found, evidence=evidence, now=now))
            at += timedelta(minutes=1)
            if at.minute % TERMS_EVERY_MIN == 0:
                raised += _check_terms(state, brand, at, now)
        state.detectors = watch.state()
        state.read_until = end
        state.updated_at = now
        state.save()
    return raised


def _term_counts(brand: Brand, start: datetime, end: datetime) -> Counter[str]:
    ids = _own_matches(brand, start, end).values_list("mention_id", flat=True)
    own = alerts.query_words(Query.objects.filter(brand=brand).values_list("text", flat=True))
    counts: Counter[str] = Counter()
    for text, keywords in Mention.objects.filter(id__in=ids).values_list("text", "keywords"):
        counts.update(alerts.terms_of(text, keywords=keywords or (), exclude=own))
    return counts


def _check_terms(state: WatchState, brand: Brand, at: datetime, now: datetime
                 ) -> list[Alert]:
    from tertulia.insights.alert_actions import do_raise_alert

    terms = alerts.TermBaseline()
    terms.load(state.terms or {})
    hour = at.replace(minute=0)
    folded = state.terms.get("hour") if state.terms else None
    if folded != hour.isoformat() and at.minute == 0:
        # A new hour: fold the finished one into each term's usual rate.
        terms.observe_hour(_term_counts(brand, hour - timedelta(hours=1), hour))
    already = {a.subject for a in Alert.objects.filter(
        brand=brand, kind=Alert.Kind.TRENDING_TERM, fired_at__gte=now - timedelta(hours=24))}
    raised = []
    for found in terms.trending(_term_counts(brand, at - timedelta(hours=1), at), at):
        if found.subject in already:
            continue
        evidence = top_mentions(brand, at - timedelta(hours=1), at, term=found.subject)
        raised.append(do_raise_alert(brand, found, evidence=evidence, now=now))
    state.terms = {**terms.state(), "hour": hour.isoformat()}
    return raised


def tick_all(now: datetime) -> int:
    """One reading for every active brand with a query; returns the alerts raised."""
    raised = 0
    brand_ids = Query.objects.filter(is_active=True).values_list("brand_id", flat=True)
    for brand in Brand.objects.filter(is_active=True, id__in=brand_ids).select_related(
            "organization"):
        try:
            raised += len(tick(brand, now))
        except Exception:  # one brand's failure must not silence the others
            log.exception("alert tick failed for brand %s", brand.id)
    return raised


# --- after each ingest batch ------------------------------------------------------------

def influencer_alerts(mention_ids: list[int], now: datetime, *,
                      threshold_followers: int = INFLUENCER_FOLLOWERS) -> list[Alert]:
    """A high-reach author mentioning a brand (its own queries): one alert per author,
    brand and day."""
    from tertulia.insights.alert_actions import do_raise_alert

    raised = []
    rows = (MentionMatch.objects.filter(mention_id__in=mention_ids,
                                        mention__author_followers__gte=threshold_followers // 10)
            .exclude(query__kind=Query.Kind.COMPETITOR)
            .select_related("mention__author", "brand__organization"))
    seen: set[tuple[int, int]] = set()
    for match in rows:
        mention = match.mention
        author = mention.author
        if not alerts.is_influencer(mention.author_followers, verified=author.verified,
                                    threshold_followers=threshold_followers):
            continue
        key = (match.brand_id, author.id)
        if key in seen or Alert.objects.filter(
                brand_id=match.brand_id, kind=Alert.Kind.INFLUENCER, subject=author.handle,
                fired_at__gte=now - timedelta(days=1)).exists():
            continue
        seen.add(key)
        found = alerts.Alert("influencer", now, 0, int(mention.author_followers or 0),
                             float(threshold_followers), subject=author.handle)
        raised.append(do_raise_alert(match.brand, found, evidence=[mention.id], now=now))
    return raised


def expected_by_approval_flow(account: SocialAccount, mention: Mention) -> bool:
    """Whether the publishing side approved this change of an owned post.

    The seam for publishing: it has no approval records yet, so every edit or deletion of
    an owned post seen from the network is unexpected. When publishing lands, look up the
    post's approved variant here (same network and external id, edited text approved)."""
    return False


def owned_activity_alerts(mention_ids: list[int], now: datetime, *, what: str = "edited"
                          ) -> list[Alert]:
    """Owned accounts' posts changed on the network (`what`: "edited" or "deleted") that
    the approval flow did not expect."""
    from tertulia.insights.alert_actions import do_raise_alert

    raised = []
    mentions = Mention.objects.filter(id__in=mention_ids).select_related("author")
    for mention in mentions:
        accounts = SocialAccount.objects.filter(
            brand__organization_id=mention.organization_id, network=mention.network,
            handle__iexact=mention.author.handle.lstrip("@"), is_active=True,
        ).select_related("brand__organization")
        for account in accounts:
            if expected_by_approval_flow(account, mention):
                continue
            found = alerts.Alert("owned_activity", now, 0, 0, 0.0,
                                 subject=f"{account.handle} ({what})")
            raised.append(do_raise_alert(account.brand, found, evidence=[mention.id],
                                         now=now))
    return raised


def after_ingest(result: object) -> None:
    """Ingest listener (after commit): influencers among the new mentions; owned posts
    re-delivered with a new text and no change of counts (an edit)."""
    from django.utils import timezone

    created: list[int] = getattr(result, "created", [])
    updated: list[int] = getattr(result, "updated", [])
    deltas: dict[int, object] = getattr(result, "engagement_deltas", {})
    now = timezone.now()
    try:
        new = getattr(result, "new", None)
        if new:  # what the batch stored is at hand: only high-reach matched authors qualify
            floor = INFLUENCER_FOLLOWERS // 10
            created = [pk for pk, p in new if p.hits and (p.author_followers or 0) >= floor]
        if created:
            influencer_alerts(created, now)
        edited = [pk for pk in updated if pk not in deltas]
        if edited:
            owned_activity_alerts(edited, now)
    except Exception:  # alerts must never fail an ingest
        log.exception("alert listener failed")
