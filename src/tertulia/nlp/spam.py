"""Bot-like and spam signals beyond the text model: link-only, repetition, account hints.

They shift the spam model's logit by hand-set amounts (documented in README). The shifts
could not be measured on the spam data sets (no handles or account ages there) except
link-only and repetition, which the evaluation includes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from tertulia.nlp.featurize import Batch, FloatArray

LINK_ONLY_SHIFT = 1.5
REPEATED_SHIFT = 1.0
NEW_ACCOUNT_SHIFT = 1.0
NO_FOLLOWERS_SHIFT = 0.5
NUMERIC_HANDLE_SHIFT = 0.5
NEW_ACCOUNT_DAYS = 2.0
REPEAT_MIN = 3
_NUMERIC_HANDLE = re.compile(r"\d{4,}$")


def _account_age_days(hint: Mapping[str, Any]) -> float | None:
    age = hint.get("account_age_days")
    if isinstance(age, int | float):
        return float(age)
    created, now = hint.get("author_created_at"), hint.get("now")
    if isinstance(created, datetime) and isinstance(now, datetime):
        try:
            return (now - created).total_seconds() / 86400
        except TypeError:  # one aware, one naive: unusable, not an error for the caller
            return None
    return None


def spam_adjustments(batch: Batch, dense: FloatArray,
                     hints: Sequence[Mapping[str, Any] | None] | None
                     ) -> tuple[npt.NDArray[np.float32], list[tuple[str, ...]]]:
    """Logit shift and reasons per text."""
    n = batch.n_docs
    shift = np.zeros(n, dtype=np.float32)
    # Reasons only for the few texts that have one (a list per text would cost more).
    reasons: dict[int, list[str]] = {}
    link_only = dense[:, 13] > 0
    shift[link_only] += LINK_ONLY_SHIFT
    for i in np.flatnonzero(link_only).tolist():
        reasons.setdefault(i, []).append("spam:link_only")

    # The same text with a link posted several times in a batch is the commonest bot
    # pattern; "thanks!" or a chain message repeated by people is not (the SMS set has
    # such ham duplicates), so a link is required.
    seps = np.flatnonzero(batch.folded == 10)
    starts = np.concatenate(([0], seps + 1)).astype(np.int64)
    ends = np.concatenate((seps, [len(batch.folded)])).astype(np.int64)
    text_hash = (batch.prefix[ends] - batch.prefix[starts]) * batch.inv_powers[starts]
    _, inverse, counts = np.unique(text_hash, return_inverse=True, return_counts=True)
    repeats = counts[inverse]
    repeated = (repeats >= REPEAT_MIN) & (dense[:, 5] > 0)
    shift[repeated] += REPEATED_SHIFT
    for i in np.flatnonzero(repeated).tolist():
        reasons.setdefault(i, []).append("spam:repeated_in_batch")

    if hints is not None:
        for i, hint in enumerate(hints):
            if not hint:
                continue
            age = _account_age_days(hint)
            if age is not None and age < NEW_ACCOUNT_DAYS:
                shift[i] += NEW_ACCOUNT_SHIFT
                reasons.setdefault(i, []).append("spam:new_account")
            followers = hint.get("followers")
            if isinstance(followers, int) and followers == 0:
                shift[i] += NO_FOLLOWERS_SHIFT
                reasons.setdefault(i, []).append("spam:no_followers")
            handle = hint.get("author_handle")
            if isinstance(handle, str) and _NUMERIC_HANDLE.search(handle):
                shift[i] += NUMERIC_HANDLE_SHIFT
                reasons.setdefault(i, []).append("spam:numeric_handle")
    out: list[tuple[str, ...]] = [()] * n
    for i, found in reasons.items():
        out[i] = tuple(found)
    return shift, out
