"""Keywords per post (for search facets) and per batch (trending terms, word clouds).

Per post: hashtags as written (lower case), then the longest content words, then
two-word keyphrases of adjacent content words. Stop words (Spanish and English),
markers, numbers and laughter never count.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from tertulia.nlp.featurize import Batch, hash_words, member
from tertulia.nlp.lexicons import STOP_WORDS

MAX_KEYWORDS = 5
MAX_HASHTAGS = 3
MAX_KEYPHRASES = 3
MIN_WORD_CHARS = 3
_STOP_HASHES = hash_words(STOP_WORDS)
_HASHTAG = re.compile(r"#(\w{2,})")
# Separators used to cut the gathered spans back into words and texts; neither can occur
# inside a word span (spans are runs of letters and digits).
_WORD_SEP = 1
_TEXT_SEP = 0


def _first_per_doc(doc: npt.NDArray[np.int64], limit: int) -> npt.NDArray[np.bool_]:
    """For a doc-sorted array, True on the first ``limit`` entries of each doc."""
    if len(doc) == 0:
        return np.zeros(0, dtype=np.bool_)
    position = np.arange(len(doc))
    change = np.concatenate(([True], doc[1:] != doc[:-1]))
    first = np.maximum.accumulate(np.where(change, position, 0))
    return (position - first) < limit


def _spans_per_doc(codes: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64],
                   ends: npt.NDArray[np.int64], doc: npt.NDArray[np.int64],
                   n: int) -> list[tuple[str, ...]]:
    """The text of each span, grouped into one tuple per doc (``doc`` sorted).

    No per-span Python: the spans' code points are gathered into one array with a
    separator after each span (a text separator after a doc's last span), decoded once
    and split; Python then touches each doc that has spans once.
    """
    out: list[tuple[str, ...]] = [()] * n
    if len(starts) == 0:
        return out
    lengths = ends - starts
    last = np.ones(len(doc), dtype=np.bool_)
    last[:-1] = doc[1:] != doc[:-1]
    total = int(lengths.sum()) + len(starts)
    # Destination of each span's first character: previous spans plus one separator each.
    dest_start = np.cumsum(lengths + 1) - (lengths + 1)
    buffer = np.empty(total, dtype=np.uint32)
    buffer[dest_start + lengths] = np.where(last, _TEXT_SEP, _WORD_SEP)
    chars = int(lengths.sum())
    # Source index of every copied character: span start + offset inside the span.
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    src = np.arange(chars, dtype=np.int64) + shift
    dst = np.arange(chars, dtype=np.int64) + np.repeat(np.arange(len(starts)), lengths)
    buffer[dst] = codes[src]
    parts = buffer.tobytes().decode("utf-32-le").split("\x00")
    parts.pop()  # after the last doc's separator
    # map() keeps the per-doc work in C (split, tuple); Python only places the results.
    grouped = map(tuple, map(str.split, parts, repeat("\x01")))
    docs = doc[last]
    if len(docs) == n:
        return list(grouped)
    for d, words in zip(docs.tolist(), grouped, strict=True):
        out[d] = words
    return out


def post_keywords(batch: Batch, texts: Sequence[str]
                  ) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(keywords, keyphrases) per text, from the batch's word spans (vectorised)."""
    n = batch.n_docs
    length = batch.ends - batch.starts
    content = (~batch.is_marker & ~batch.has_digit & (length >= MIN_WORD_CHARS)
               & ~member(batch.hashes, _STOP_HASHES))
    idx = np.flatnonzero(content)
    # One sort: text, then longest first; equal words then sit side by side (same length,
    # same hash), so repeats within a text drop out with one comparison.
    # Packed into one int64 key (text < 2**20 per chunk, length < 64, top hash bits);
    # a stable argsort of one key is much cheaper than a four-key lexsort.
    key = ((batch.doc[idx] << 43) | ((63 - np.minimum(length[idx], 63)) << 37)
           | (batch.hashes[idx] >> np.uint64(27)).astype(np.int64))
    order = np.argsort(key, kind="stable")
    idx = idx[order]
    doc = batch.doc[idx]
    if len(idx) > 1:
        repeat = np.concatenate(([False], (doc[1:] == doc[:-1])
                                 & (batch.hashes[idx[1:]] == batch.hashes[idx[:-1]])))
        idx, doc = idx[~repeat], doc[~repeat]
    keep = _first_per_doc(doc, MAX_KEYWORDS)
    idx, doc = idx[keep], doc[keep]
    keywords = _spans_per_doc(batch.codes, batch.starts[idx], batch.ends[idx], doc, n)

    joined = "\n".join(texts)
    if "#" in joined:
        matches = [(m.start(), "#" + m.group(1).lower()) for m in _HASHTAG.finditer(joined)]
        if matches:
            seps = np.cumsum([len(t) + 1 for t in texts]) - 1
            starts = np.fromiter((s for s, _ in matches), dtype=np.int64, count=len(matches))
            tags: dict[int, list[str]] = {}
            for d, (_, tag) in zip(np.searchsorted(seps, starts, side="right").tolist(),
                                   matches, strict=True):
                found = tags.setdefault(d, [])
                if len(found) < MAX_HASHTAGS and tag not in found:
                    found.append(tag)
            for d, found in tags.items():
                keywords[d] = (*found, *keywords[d])

    # Adjacent content words separated by a single space (same clause) form a keyphrase.
    pairs = np.flatnonzero(content[:-1] & content[1:]
                           & (batch.doc[:-1] == batch.doc[1:])
                           & (batch.starts[1:] - batch.ends[:-1] == 1))
    pair_doc = batch.doc[pairs]
    keep = _first_per_doc(pair_doc, MAX_KEYPHRASES)
    pairs, pair_doc = pairs[keep], pair_doc[keep]
    phrases = _spans_per_doc(batch.codes, batch.starts[pairs], batch.ends[pairs + 1],
                             pair_doc, n)
    return keywords, phrases


def batch_keywords(items: Iterable[Any], top_n: int = 20,
                   *, include_phrases: bool = True) -> list[tuple[str, int]]:
    """Trending terms of a batch: ``(term, number of posts using it)``, most used first.

    ``items`` are ``Enrichment`` objects or raw texts (raw texts are enriched first).
    Ties are broken alphabetically so the result is deterministic.
    """
    items = list(items)
    if items and isinstance(items[0], str):
        from tertulia.nlp.pipeline import enrich

        items = enrich(items)
    counts: Counter[str] = Counter()
    for item in items:
        terms = set(getattr(item, "keywords", ()))
        if include_phrases:
            terms.update(getattr(item, "keyphrases", ()))
        counts.update(terms)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
