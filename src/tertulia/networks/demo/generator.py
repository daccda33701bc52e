"""A deterministic, lively bilingual stream of ``NetworkItem``s for the demo brands.

Determinism: time is cut into 10-minute slots and each slot draws from its own random
generator seeded by (seed, slot). The items of a window are therefore the same however the
window is split into fetches, and re-fetching never invents different posts under the same
ids. The clock is injected; nothing here reads the wall clock.

What the stream contains (ground truth in ``item.extra["demo_category"]``, so features can
be checked against it; the NLP must not read it):

* customer service: complaints and questions (should land in the inbox, yellow);
* sales: price, availability, how to buy, switching from a competitor (green);
* praise, neutral mentions, news articles;
* spam from brand-new accounts with links and repeated text;
* influencers: verified, with large audiences;
* mentions of the competitors;
* direct messages, comments and replies on the owned accounts, with stable thread ids so
  the same customer comes back to the same conversation over days;
* occasionally, a crisis: for a couple of hours a burst of angry posts about one incident.

Volume follows the day (quiet at night, peaks at breakfast, lunch and after work).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..items import ItemKind, Network, NetworkItem
from .templates import (
    APP,
    CITIES,
    CLUB,
    FIRST_NAMES,
    INCIDENTS,
    INFLUENCERS,
    LAST_NAMES,
    PRODUCTS,
    SPAM_LINKS,
    STORES,
    TEMPLATES,
)

__all__ = [
    "CATEGORIES",
    "DEMO_BRANDS",
    "SLOT",
    "CrisisEpisode",
    "DemoBrand",
    "DemoStream",
]

SLOT = timedelta(minutes=10)
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
DEMO_HOST = "https://demo.tertulia.example"


@dataclass(frozen=True, slots=True)
class DemoBrand:
    """A brand of the demo world. ``owned`` brands have accounts that receive DMs/comments."""

    name: str
    handle: str
    aliases: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("es", "en")
    competitors: tuple[str, ...] = ()
    owned: bool = True

    @property
    def hashtag(self) -> str:
        return "#" + "".join(ch for ch in self.name.title() if ch.isalnum())


DEMO_BRANDS: tuple[DemoBrand, ...] = (
    DemoBrand(
        name="Café Aurora",
        handle="cafeaurora",
        aliases=("Cafe Aurora", "Aurora Café", "cafeteria aurora"),
        languages=("es", "en"),
        competitors=("Tostadero Norte", "Bruma Coffee"),
        owned=True,
    ),
    DemoBrand(
        name="Tostadero Norte",
        handle="tostaderonorte",
        aliases=("Tostadero",),
        languages=("es",),
        competitors=("Café Aurora",),
        owned=False,
    ),
    DemoBrand(
        name="Bruma Coffee",
        handle="brumacoffee",
        aliases=("Bruma",),
        languages=("en",),
        competitors=("Café Aurora",),
        owned=False,
    ),
)

# category -> (weight for owned brands, weight for competitors, sentiment, networks)
CATEGORIES: dict[str, tuple[float, float, str, tuple[Network, ...]]] = {
    "complaint": (
        0.15,
        0.10,
        "negative",
        (Network.X, Network.FACEBOOK, Network.INSTAGRAM, Network.REVIEW),
    ),
    "question": (0.10, 0.05, "neutral", (Network.X, Network.INSTAGRAM, Network.FACEBOOK)),
    "sales": (
        0.11,
        0.05,
        "neutral",
        (Network.INSTAGRAM, Network.X, Network.FACEBOOK, Network.TIKTOK),
    ),
    "praise": (
        0.14,
        0.20,
        "positive",
        (Network.INSTAGRAM, Network.X, Network.REVIEW, Network.TIKTOK),
    ),
    "neutral": (0.12, 0.25, "neutral", (Network.X, Network.INSTAGRAM, Network.REDDIT)),
    "spam": (0.07, 0.08, "neutral", (Network.X, Network.INSTAGRAM, Network.FACEBOOK)),
    "influencer": (0.04, 0.06, "positive", (Network.INSTAGRAM, Network.TIKTOK, Network.YOUTUBE)),
    "competitor": (0.08, 0.0, "negative", (Network.X, Network.REDDIT, Network.FACEBOOK)),
    "news": (0.03, 0.06, "neutral", (Network.RSS,)),
    "dm": (0.09, 0.0, "neutral", (Network.INSTAGRAM, Network.FACEBOOK, Network.X)),
    "comment": (0.07, 0.0, "neutral", (Network.INSTAGRAM, Network.FACEBOOK)),
}
# Relative volume by hour of day (UTC): night, breakfast peak, lunch, after work.
_HOURLY = (
    0.15,
    0.1,
    0.08,
    0.08,
    0.1,
    0.2,
    0.5,
    1.1,
    1.6,
    1.4,
    1.0,
    1.0,
    1.3,
    1.4,
    1.1,
    0.9,
    0.9,
    1.1,
    1.3,
    1.3,
    1.1,
    0.8,
    0.5,
    0.3,
)
_PERSONAS_PER_LANGUAGE = 160


@dataclass(frozen=True, slots=True)
class CrisisEpisode:
    """A burst of angry posts about ``incident`` against ``brand_handle``."""

    start: datetime
    duration: timedelta
    incident: str
    brand_handle: str
    peak_multiplier: float = 5.0

    def intensity(self, at: datetime) -> float:
        """0 outside the episode; rises fast, peaks at a third, then fades."""
        if not self.start <= at < self.start + self.duration:
            return 0.0
        x = (at - self.start) / self.duration
        return math.sin(math.pi * min(1.0, x * 1.5)) if x < 1 / 3 else 1.0 - (x - 1 / 3) * 1.2


@dataclass(frozen=True, slots=True)
class _Persona:
    handle: str
    name: str
    lang: str
    followers: int
    location: str
    verified: bool = False


def _rng(*parts: object) -> random.Random:
    # Stable across processes (unlike hash()): seeds derive from a digest of the parts.
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:  # normal approximation keeps big bursts cheap
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


@dataclass
class DemoStream:
    """Generates the demo items of any time window, the same every time for a seed."""

    brands: Sequence[DemoBrand] = DEMO_BRANDS
    seed: int = 7
    per_hour: float = 90.0
    crisis_probability: float = 0.25  # per day
    crises: Sequence[CrisisEpisode] | None = None  # fixed episodes instead of random ones
    _personas: dict[str, list[_Persona]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.brands:
            raise ValueError("the demo stream needs at least one brand")
        rng = _rng(self.seed, "personas")
        for lang in ("es", "en"):
            people = []
            for index in range(_PERSONAS_PER_LANGUAGE):
                first = rng.choice(FIRST_NAMES[lang])
                last = rng.choice(LAST_NAMES[lang])
                style = rng.randrange(4)
                base = _ascii(first).lower()
                handle = (
                    f"{base}_{_ascii(last).lower()[:4]}{index}",
                    f"{base}.{rng.randrange(10, 99)}{index}",
                    f"{_ascii(last).lower()}{base[:2]}{index}",
                    f"the{base}{index}",
                )[style]
                followers = int(rng.lognormvariate(5.0, 1.3))
                people.append(
                    _Persona(handle, f"{first} {last}", lang, followers, rng.choice(CITIES[lang]))
                )
            self._personas[lang] = people

    # -- schedule ----------------------------------------------------------------------

    def crises_on(self, day: datetime) -> list[CrisisEpisode]:
        """Crisis episodes starting on ``day`` (UTC date)."""
        start_of_day = day.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        if self.crises is not None:
            end = start_of_day + timedelta(days=1)
            return [c for c in self.crises if start_of_day <= c.start < end]
        owned = [b for b in self.brands if b.owned] or list(self.brands)
        rng = _rng(self.seed, "crisis", start_of_day.date().isoformat())
        if rng.random() >= self.crisis_probability:
            return []
        start = start_of_day + timedelta(hours=rng.randrange(9, 19), minutes=rng.randrange(60))
        return [
            CrisisEpisode(
                start=start,
                duration=timedelta(minutes=rng.randrange(60, 150)),
                incident=rng.choice(sorted(INCIDENTS)),
                brand_handle=rng.choice(owned).handle,
                peak_multiplier=rng.uniform(3.0, 6.0),
            )
        ]

    def _crisis_at(self, at: datetime) -> tuple[CrisisEpisode | None, float]:
        for day in (at - timedelta(days=1), at):
            for episode in self.crises_on(day):
                level = episode.intensity(at)
                if level > 0:
                    return episode, level
        return None, 0.0

    # -- items -------------------------------------------------------------------------

    def items_between(self, start: datetime, end: datetime) -> list[NetworkItem]:
        """Items with ``start <= created_at < end``, oldest first."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware")
        items = [
            item
            for slot in self._slots(start, end)
            for item in self._slot_items(slot)
            if start <= item.created_at < end
        ]
        items.sort(key=lambda i: (i.created_at, i.external_id))
        return items

    def _slots(self, start: datetime, end: datetime) -> Iterator[int]:
        first = (start - _EPOCH) // SLOT
        last = (end - _EPOCH) // SLOT
        yield from range(first, last + 1)

    def _slot_items(self, slot: int) -> list[NetworkItem]:
        slot_start = _EPOCH + slot * SLOT
        rng = _rng(self.seed, "slot", slot)
        hourly = _HOURLY[slot_start.hour]
        count = _poisson(rng, self.per_hour / 6 * hourly)
        episode, level = self._crisis_at(slot_start)
        crisis_count = (
            _poisson(rng, self.per_hour / 6 * episode.peak_multiplier * level) if episode else 0
        )
        items: list[NetworkItem] = []
        for n in range(count):
            items.extend(self._one(rng, slot, n, slot_start, episode=None))
        for n in range(crisis_count):
            items.extend(self._one(rng, slot, 1000 + n, slot_start, episode=episode))
        return items

    def _one(
        self,
        rng: random.Random,
        slot: int,
        n: int,
        slot_start: datetime,
        *,
        episode: CrisisEpisode | None,
    ) -> list[NetworkItem]:
        if episode is not None:
            brand = next(
                (b for b in self.brands if b.handle == episode.brand_handle), self.brands[0]
            )
            category = "crisis"
        else:
            brand = rng.choice(list(self.brands))
            names = list(CATEGORIES)
            weights = [CATEGORIES[c][0 if brand.owned else 1] for c in names]
            category = rng.choices(names, weights)[0]
        lang = rng.choice(brand.languages)
        created = slot_start + timedelta(seconds=rng.randrange(int(SLOT.total_seconds())))
        ext_id = f"demo-{self.seed}-{slot}-{n}"
        slots = self._slots_for(rng, brand, lang, episode)
        template = rng.choice(TEMPLATES[category][lang])
        text = template.format(**slots)
        if category == "crisis":
            network = rng.choice(
                (Network.X, Network.X, Network.FACEBOOK, Network.TIKTOK, Network.INSTAGRAM)
            )
            sentiment = "negative"
        else:
            _, _, sentiment, networks = CATEGORIES[category]
            network = rng.choice(networks)
        author = self._author(rng, category, lang, created)
        kind = ItemKind.POST
        thread_id = parent_id = title = None
        rating = None
        if category == "dm":
            kind = ItemKind.DM
            thread_id = f"demo-dm-{brand.handle}-{author['handle']}"
        elif category == "comment":
            kind = ItemKind.COMMENT
            day = created.date().isoformat()
            parent_id = thread_id = f"demo-post-{brand.handle}-{network.value}-{day}"
        elif category == "news":
            kind = ItemKind.ARTICLE
            title = text
            text = self._article_body(rng, lang, brand, slots)
        elif network == Network.REVIEW:
            kind = ItemKind.REVIEW
            rating = float(rng.choice((1, 1, 2)) if sentiment == "negative" else rng.choice((4, 5)))
        elif category in ("complaint", "question") and rng.random() < 0.3:
            # Replies under the brand's own posts: threaded like comments.
            kind = ItemKind.REPLY
            day = created.date().isoformat()
            parent_id = thread_id = f"demo-post-{brand.handle}-{network.value}-{day}"
        extra: dict[str, str | int | float | bool | None] = {
            "demo": True,
            "demo_category": category,
            "demo_sentiment": sentiment,
            "demo_brand": brand.handle,
        }
        if episode is not None:
            extra["demo_crisis"] = episode.incident
        item = NetworkItem(
            network=network,
            external_id=ext_id,
            kind=kind,
            thread_id=thread_id,
            parent_id=parent_id,
            author=author,
            text=text,
            title=title,
            url=f"{DEMO_HOST}/{network.value}/{author['handle']}/{ext_id}",
            created_at=created,
            lang=lang,
            engagement=self._engagement(rng, author["followers"], category),
            rating=rating,
            channel=f"demo:{brand.handle}" if kind in (ItemKind.DM, ItemKind.COMMENT) else None,
            raw_ref=f"demo:{self.seed}:{slot}:{n}",
            extra=extra,
        )
        items = [item]
        if category == "dm" and rng.random() < 0.35:
            follow = created + timedelta(seconds=rng.randrange(60, 400))
            items.append(
                item.model_copy(
                    update={
                        "external_id": f"{ext_id}-f",
                        "text": rng.choice(TEMPLATES["dm_followup"][lang]),
                        "created_at": follow,
                        "url": f"{item.url}-f",
                        "raw_ref": f"{item.raw_ref}:f",
                    }
                )
            )
        elif category == "spam" and rng.random() < 0.5:
            # Spammers post the same text again from the same account.
            items.append(
                item.model_copy(
                    update={
                        "external_id": f"{ext_id}-r",
                        "created_at": created + timedelta(seconds=rng.randrange(5, 120)),
                        "url": f"{item.url}-r",
                        "raw_ref": f"{item.raw_ref}:r",
                    }
                )
            )
        return items

    def _slots_for(
        self, rng: random.Random, brand: DemoBrand, lang: str, episode: CrisisEpisode | None
    ) -> dict[str, str]:
        store = rng.choice(STORES[lang])
        competitor = rng.choice(brand.competitors) if brand.competitors else "la competencia"
        slots = {
            "brand": brand.name,
            "at": "@" + brand.handle,
            "tag": brand.hashtag,
            "product": rng.choice(PRODUCTS[lang]),
            "store": store,
            "competitor": competitor,
            "price": _price(rng, lang),
            "minutes": str(rng.randrange(15, 55)),
            "order": f"#{rng.randrange(100000, 999999)}",
            "app": APP[lang],
            "club": CLUB[lang].format(name=brand.name.split()[-1]),
            "link": rng.choice(SPAM_LINKS),
        }
        if episode is not None:
            slots["incident"] = INCIDENTS[episode.incident][lang].format(**slots)
        return slots

    def _author(
        self, rng: random.Random, category: str, lang: str, created: datetime
    ) -> dict[str, object]:
        if category in ("influencer",) or (category == "crisis" and rng.random() < 0.05):
            candidates = [i for i in INFLUENCERS if i[2] == lang] or list(INFLUENCERS)
            handle, name, _, followers = rng.choice(candidates)
            return {
                "handle": handle,
                "name": name,
                "followers": followers,
                "verified": True,
                "language": lang,
                "profile_url": f"{DEMO_HOST}/u/{handle}",
            }
        if category == "spam":
            number = rng.randrange(1000, 99999)
            handle = rng.choice(("promo_deals", "gana.dinero", "free_gifts", "cafe_lover_")) + str(
                number
            )
            return {
                "handle": handle,
                "name": handle.replace("_", " ").title(),
                "followers": rng.randrange(0, 40),
                "verified": False,
                "joined_at": created - timedelta(hours=rng.randrange(1, 72)),
                "profile_url": f"{DEMO_HOST}/u/{handle}",
            }
        if category == "news":
            outlet = rng.choice(
                (
                    ("diariodelbarrio.example", "Diario del Barrio", "es"),
                    ("cityeats.example", "City Eats", "en"),
                )
            )
            return {
                "handle": outlet[0],
                "name": outlet[1],
                "followers": 250_000,
                "profile_url": f"https://{outlet[0]}/",
            }
        person = rng.choice(self._personas[lang])
        return {
            "handle": person.handle,
            "name": person.name,
            "followers": person.followers,
            "location": person.location,
            "language": lang,
            "profile_url": f"{DEMO_HOST}/u/{person.handle}",
        }

    @staticmethod
    def _engagement(rng: random.Random, followers: object, category: str) -> dict[str, int]:
        audience = followers if isinstance(followers, int) else 100
        base = max(0.0, audience * rng.uniform(0.002, 0.03))
        if category in ("crisis", "influencer"):
            base *= rng.uniform(2, 6)
        if category == "spam":
            base = 0
        return {
            "likes": int(base),
            "comments": int(base * rng.uniform(0.05, 0.2)),
            "shares": int(base * rng.uniform(0.02, 0.3)),
            "views": int(audience * rng.uniform(0.1, 0.6)),
        }

    @staticmethod
    def _article_body(
        rng: random.Random, lang: str, brand: DemoBrand, slots: dict[str, str]
    ) -> str:
        if lang == "es":
            return (
                f"{brand.name} sigue creciendo en la ciudad. Según la empresa, el "
                f"{slots['product']} es el producto más pedido este trimestre y el local de "
                f"{slots['store']} el que más clientes recibe. {slots['competitor']} no ha "
                "querido hacer comentarios."
            )
        return (
            f"{brand.name} keeps growing across the city. The company says the "
            f"{slots['product']} is its best seller this quarter and the {slots['store']} "
            f"store its busiest. {slots['competitor']} declined to comment."
        )


def _price(rng: random.Random, lang: str) -> str:
    cents = rng.choice(("20", "50", "80", "95"))
    if lang == "es":
        return f"{rng.randrange(2, 6)},{cents} €"
    return f"${rng.randrange(3, 8)}.{cents}"


def _ascii(text: str) -> str:
    table = str.maketrans("áéíóúñÁÉÍÓÚÑü", "aeiounAEIOUNu")
    return text.translate(table)
