"""Changes people make to mentions: corrections of what the models said, and tags."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand
from tertulia.listening.models import Correction, Flag, Mention, MentionMatch, MentionTag, Sentiment
from tertulia.listening.signals import mention_reclassified

ALLOWED = {"sentiment": set(Sentiment.values), "flag": set(Flag.values)}
MAX_TAG = 60


@transaction.atomic
def do_correct_mention(mention: Mention, brand: Brand, field: str, value: str, *,
                       actor: Actor) -> Correction:
    """Set sentiment or flag by hand (or confirm it: the same value). The model's own answer
    is kept beside the correction, so accuracy can be measured against people."""
    if field not in ALLOWED:
        raise ValidationError(_("Only sentiment and flag can be corrected."))
    if value not in ALLOWED[field]:
        raise ValidationError(_("%(value)s is not a valid %(field)s.") % {"value": value,
                                                                          "field": field})
    mention = Mention.objects.select_for_update().get(id=mention.id)
    old = getattr(mention, field)
    model_value = getattr(mention, f"model_{field}") or old
    correction = Correction.objects.create(
        mention=mention, brand=brand, field=field, model_value=model_value, old_value=old,
        new_value=value, user=actor.user,
    )
    if old != value:
        setattr(mention, field, value)
        mention.save(update_fields=[field])
        if field == "sentiment":
            MentionMatch.objects.filter(mention=mention).update(sentiment=value)
        if field == "flag" and value == Flag.SPAM:
            mention.is_spam = True
            mention.save(update_fields=["is_spam"])
        mention_reclassified.send(sender=Mention, mention_id=mention.id, field=field, old=old,
                                  new=value)
    record(brand.organization, actor, AuditAction.MENTION_CORRECTED, obj=mention, brand=brand,
           before={field: old}, after={field: value})
    return correction


@transaction.atomic
def do_tag_mentions(brand: Brand, mention_ids: Sequence[int], tag: str, *,
                    actor: Actor) -> int:
    """Put one tag on many mentions of the brand; returns how many were newly tagged."""
    tag = tag.strip()[:MAX_TAG]
    if not tag:
        raise ValidationError(_("Write a tag."))
    ids = list(MentionMatch.objects.filter(brand=brand, mention_id__in=mention_ids).values_list(
        "mention_id", flat=True).distinct())
    before = MentionTag.objects.filter(brand=brand, tag=tag).count()
    MentionTag.objects.bulk_create(
        [MentionTag(mention_id=i, brand=brand, tag=tag, created_by=actor.user) for i in ids],
        ignore_conflicts=True,
    )
    added = MentionTag.objects.filter(brand=brand, tag=tag).count() - before
    record(brand.organization, actor, AuditAction.MENTIONS_TAGGED, brand=brand,
           after={"tag": tag, "mentions": len(ids), "added": added})
    return added


def accuracy(brand: Brand) -> dict[str, dict[str, float | int]]:
    """Per field: how often the models agreed with the people who reviewed a mention
    (the latest review of each mention counts)."""
    out: dict[str, dict[str, float | int]] = {}
    for field in ALLOWED:
        latest: dict[int, tuple[str, str]] = {}
        rows = Correction.objects.filter(brand=brand, field=field).order_by("created_at", "id")
        for mention_id, model_value, new_value in rows.values_list(
            "mention_id", "model_value", "new_value"
        ):
            latest[mention_id] = (model_value, new_value)
        reviewed = len(latest)
        agreed = sum(1 for model_value, new in latest.values() if model_value == new)
        out[field] = {"reviewed": reviewed, "agreed": agreed,
                      "accuracy": round(agreed / reviewed, 3) if reviewed else 0.0}
    return out


def correction_rows(*, brand: Brand | None = None, org: Any = None) -> Iterator[dict[str, Any]]:
    """The latest review of each (mention, field), with the text it is about: new training
    data for ``tertulia nlp train``. Erased or purged mentions are not included."""
    rows = Correction.objects.filter(mention__hidden_at=None).select_related("mention", "brand")
    if brand is not None:
        rows = rows.filter(brand=brand)
    if org is not None:
        rows = rows.filter(brand__organization=org)
    latest: dict[tuple[int, str], Correction] = {}
    for correction in rows.order_by("created_at", "id").iterator(chunk_size=2000):
        latest[(correction.mention_id, correction.field)] = correction
    for c in latest.values():
        yield {
            "text": c.mention.text, "language": c.mention.language,
            "network": c.mention.network, "brand": c.brand.slug, "field": c.field,
            "model": c.model_value, "label": c.new_value,
            "reviewed_at": c.created_at.isoformat(),
        }
