"""Changes elsewhere that the rollups must follow: corrections, re-applied or deleted
queries, a brand moved to another time zone."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tertulia.governance.models import Brand
from tertulia.insights import rollups
from tertulia.insights.models import DailyRollup, DailyTotal, HourlyRollup, RollupState
from tertulia.insights.rollups import EPOCH, mark_dirty, move_mention
from tertulia.listening.models import Mention, Query
from tertulia.listening.signals import mention_reclassified, mentions_hidden, query_rematched


def _repair_after_commit() -> None:
    from tertulia.insights.tasks import repair_rollups

    transaction.on_commit(repair_rollups)


@receiver(mention_reclassified, sender=Mention)
def _reclassified(sender: Any, *, mention_id: int, field: str, old: str, new: str,
                  **_: Any) -> None:
    move_mention(mention_id, field, old, new)


@receiver(mentions_hidden, sender=Mention)
def _hidden(sender: Any, *, mention_ids: list[int], **_: Any) -> None:
    rollups.mentions_hidden(mention_ids)


@receiver(query_rematched, sender=Query)
def _rematched(sender: Any, *, query: Query, **_: Any) -> None:
    # Its matches may have changed anywhere in time: rebuild the brand whole.
    mark_dirty([query.brand_id], EPOCH)
    _repair_after_commit()


@receiver(post_delete, sender=Query)
def _query_deleted(sender: Any, instance: Query, **_: Any) -> None:
    for model in (HourlyRollup, DailyRollup, DailyTotal):
        model.objects.filter(brand_id=instance.brand_id, query_id=instance.id).delete()
    if instance.kind != Query.Kind.COMPETITOR:
        # Mentions only this query matched leave the brand's own counts.
        RollupState.objects.filter(brand_id=instance.brand_id).update(dirty_since=EPOCH)
        _repair_after_commit()


@receiver(post_save, sender=Brand)
def _brand_saved(sender: Any, instance: Brand, created: bool, **_: Any) -> None:
    if created:
        return
    moved = RollupState.objects.filter(brand=instance).exclude(timezone=instance.timezone)
    if moved.exists():
        moved.update(dirty_since=EPOCH)
        _repair_after_commit()
