"""Rule-based intent cues (sales, help requests), found without reading every text twice.

The patterns run over the folded text (lower case, no accents, digits as 0, "n't"
already rewritten to " not"), so one pattern covers "cuánto" and "cuanto". Every match
contains one of a few trigger words (``*_TRIGGERS``); the batch's word hashes find the
texts holding one in a single vectorised lookup, and the regexes then read only those
texts, gathered into one string. Most posts never reach a regex.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from tertulia.nlp.featurize import MIX, U64, Batch, fold_text, hash_words, member, text_hash
from tertulia.nlp.lexicons import HELP_PATTERNS, HELP_TRIGGERS, SALES_PATTERNS, SALES_TRIGGERS


def _compile(patterns: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{name}>{body})" for name, body in patterns))


def pair_hashes(hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Hash of each word pair (word i, word i + 1); pairs across texts never match a
    trigger that matters: the regex, which stops at newlines, has the last word."""
    with np.errstate(over="ignore"):
        return hashes[:-1] * MIX + hashes[1:]


def _triggers(entries: frozenset[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    words = hash_words({e for e in entries if " " not in e})
    pairs = []
    for entry in entries:
        if " " in entry:
            first, second = entry.split()
            with np.errstate(over="ignore"):
                pairs.append(U64(text_hash(fold_text(first))) * MIX
                             + U64(text_hash(fold_text(second))))
    return words, np.unique(np.array(pairs, dtype=U64))


SALES_RE = _compile(SALES_PATTERNS)
HELP_RE = _compile(HELP_PATTERNS)
_SALES = (SALES_RE, *_triggers(SALES_TRIGGERS))
_HELP = (HELP_RE, *_triggers(HELP_TRIGGERS))


def doc_texts(batch: Batch, docs: npt.NDArray[np.int64]) -> tuple[str, npt.NDArray[np.int64]]:
    """The folded text of the given docs (sorted), joined by newlines and decoded once,
    and the positions of those newlines."""
    newlines = np.flatnonzero(batch.folded == 10)
    starts = np.concatenate(([0], newlines + 1))[docs]
    ends = np.concatenate((newlines, [len(batch.folded)]))[docs]
    lengths = ends - starts
    total = int(lengths.sum())
    # Copy each doc's characters after the previous docs plus one newline each.
    src = np.arange(total, dtype=np.int64) + np.repeat(starts - (np.cumsum(lengths) - lengths),
                                                       lengths)
    dst = np.arange(total, dtype=np.int64) + np.repeat(np.arange(len(docs)), lengths)
    buffer = np.full(total + len(docs) - 1 if len(docs) else 0, 10, dtype=np.uint32)
    buffer[dst] = batch.folded[src]
    return buffer.tobytes().decode("utf-32-le"), (np.cumsum(lengths + 1) - 1)[:-1]


def candidate_docs(batch: Batch, words: npt.NDArray[np.uint64], pairs: npt.NDArray[np.uint64],
                   pair_hash: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Sorted docs holding a trigger word or word pair."""
    hit = member(batch.hashes, words)
    hit[:-1] |= member(pair_hash, pairs)
    return np.unique(batch.doc[hit])


def _scan(rule: tuple[re.Pattern[str], npt.NDArray[np.uint64], npt.NDArray[np.uint64]],
          batch: Batch, pair_hash: npt.NDArray[np.uint64]) -> list[tuple[str, ...]]:
    """Reasons matched per text (empty tuple when none)."""
    pattern, words, pairs = rule
    n_docs = batch.n_docs
    found: list[tuple[str, ...]] = [()] * n_docs
    candidates = candidate_docs(batch, words, pairs, pair_hash)
    if len(candidates) == 0:
        return found
    text, newlines = doc_texts(batch, candidates)
    matches = [(m.start(), m.lastgroup or "") for m in pattern.finditer(text)]
    if not matches:
        return found
    positions = np.fromiter((p for p, _ in matches), dtype=np.int64, count=len(matches))
    which = np.searchsorted(newlines, positions, side="right")
    reasons: dict[int, list[str]] = {}
    for k, (_, reason) in zip(candidates[which].tolist(), matches, strict=True):
        seen = reasons.setdefault(k, [])
        if reason not in seen:
            seen.append(reason)
    for doc, names in reasons.items():
        found[doc] = tuple(names)
    return found


def find_intents(batch: Batch) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(sales reasons, help reasons) per text of a batch."""
    pair_hash = pair_hashes(batch.hashes)
    return _scan(_SALES, batch, pair_hash), _scan(_HELP, batch, pair_hash)
