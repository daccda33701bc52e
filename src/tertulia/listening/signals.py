"""What listening tells the rest of the platform about changes to stored matches, so data
derived from them (insights rollups) can follow. Sent inside the change's transaction."""

from django.dispatch import Signal

# A query was applied afresh to every stored mention (`backfill`): its matches may differ
# anywhere in time. Sent with `sender=Query` and `query=`.
query_rematched = Signal()

# A person changed a mention's sentiment or flag. Sent with `sender=Mention` and
# `mention_id=`, `field=`, `old=`, `new=`.
mention_reclassified = Signal()

# Mentions were hidden (deleted upstream, erased): whatever counted them must forget them.
# Sent inside the hiding transaction with `sender=Mention` and `mention_ids=`.
mentions_hidden = Signal()
