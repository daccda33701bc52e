"""Vectorised hashed features: word and character n-grams of a whole batch at once.

Hashing trick without a per-token Python loop: the normalised batch string becomes an array
of code points, and a polynomial prefix hash (mod 2**64, numpy's uint64 wrap-around) gives
the hash of any substring in O(1):

    H[i] = sum_{j < i} (c[j] + 1) * P**j        hash(s, e) = (H[e] - H[s]) * P**(-s)

P is odd, so it is invertible mod 2**64. A hash depends only on the substring, never on its
position or on other texts, so features are deterministic and batch-independent. Buckets
take the top bits of a multiplicative mix (Fibonacci hashing).

Accent folding, digit folding and elongation ("graciaaaas" -> "graciaas") are also done on
the code-point arrays: a numpy table lookup is far cheaper than ``str.translate``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tertulia.nlp.lexicons import MARKERS, NEGATORS

U64 = np.uint64
_P = 0x100000001B3
P = U64(_P)
P_INV = U64(pow(_P, -1, 2**64))
MIX = U64(0x9E3779B97F4A7C15)
NEG_SALT = U64(0x5BD1E9955BD1E995)

CONTENT_BITS = 18
LANG_BITS = 16
CONTENT_CHAR_ORDERS: tuple[int, ...] = (4,)
# The language model reuses the content character n-grams (see ``language_features``).
LANG_CHAR_ORDERS: tuple[int, ...] = CONTENT_CHAR_ORDERS
# Dense features occupy their own small weight block, after the hashed columns.
DENSE_NAMES: tuple[str, ...] = (
    "bias", "lex_pos", "lex_neg", "exclaim", "question", "url", "user", "hashtag",
    "laugh", "emo_pos", "emo_neg", "n_words", "negations", "url_only", "digits", "elongated",
    "caps", "currency", "long_number",
)
N_DENSE = len(DENSE_NAMES)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
U64Array = npt.NDArray[np.uint64]
BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.uint32]


def _salt(i: int) -> np.uint64:
    return U64((i * 0x27D4EB2F165667C5 + 0x165667B19E3779F9) % 2**64)


_SALTS = {name: _salt(i) for i, name in enumerate(
    ("uni", "bi", "c3", "c4", "c5", "l1", "l2", "l3", "lw")
)}


def _tables() -> tuple[BoolArray, BoolArray, BoolArray, CodeArray, CodeArray]:
    """Alnum, alpha and upper-case tables over the BMP, the lower-case table, and the
    folding table (accents, digits)."""
    size = 0x10001  # last slot stands for every astral code point: never a word char
    alnum = np.zeros(size, dtype=np.bool_)
    alpha = np.zeros(size, dtype=np.bool_)
    upper = np.zeros(size, dtype=np.bool_)
    lower = np.arange(size, dtype=np.uint32)
    fold = np.arange(size, dtype=np.uint32)
    for code in range(0x10000):
        char = chr(code)
        if char.isalnum():
            alnum[code] = True
            alpha[code] = char.isalpha()
            if char.isupper():
                upper[code] = True
                # A few letters lower to two code points ("İ"); keep the first.
                lower[code] = ord(char.lower()[0])
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii():
            fold[code] = ord(base)
    fold[ord("1"):ord("9") + 1] = ord("0")
    return alnum, alpha, upper, lower, fold


_ALNUM, _ALPHA, _UPPER, _LOWER, _FOLD = _tables()
_CLAUSE_BREAK = np.zeros(0x10001, dtype=np.bool_)
_CLAUSE_BREAK[[ord(c) for c in ".,;:!?\n"]] = True


def fold_text(word: str) -> str:
    """Fold a word the way the featuriser does (lower case, no accents, digits to 0)."""
    return "".join(chr(_FOLD[min(ord(c), 0x10000)]) if ord(c) < 0x10000 else c
                   for c in word.lower())


def text_hash(word: str) -> int:
    """The 64-bit hash the featuriser gives ``word`` (no folding applied here)."""
    h = 0
    p = 1
    for char in word:
        h = (h + (ord(char) + 1) * p) % 2**64
        p = (p * _P) % 2**64
    return h


def hash_words(words: frozenset[str] | set[str] | list[str]) -> U64Array:
    """Sorted unique hashes of the folded ``words``, for ``np.isin``/``searchsorted``."""
    return np.unique(np.array([text_hash(fold_text(w)) for w in words], dtype=U64))


_FILTER_BITS = 16
_FILTERS: dict[int, BoolArray] = {}


def member(values: U64Array, sorted_set: U64Array) -> BoolArray:
    """``np.isin`` for a small sorted set of hashes.

    A 64K-slot bit filter (top bits of the mixed hash) rejects most values with one table
    lookup; only the survivors are binary-searched. Cheaper than isin's sort of
    ``values`` and than searching every value.
    """
    if len(sorted_set) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=np.bool_)
    table = _FILTERS.get(id(sorted_set))
    if table is None:
        table = np.zeros(1 << _FILTER_BITS, dtype=np.bool_)
        with np.errstate(over="ignore"):
            table[((sorted_set * MIX) >> U64(64 - _FILTER_BITS)).astype(np.int64)] = True
        _FILTERS[id(sorted_set)] = table
    with np.errstate(over="ignore"):
        maybe = table[((values * MIX) >> U64(64 - _FILTER_BITS)).astype(np.int64)]
    out = np.zeros(len(values), dtype=np.bool_)
    candidates = np.flatnonzero(maybe)
    if len(candidates):
        found = values[candidates]
        pos = np.minimum(np.searchsorted(sorted_set, found), len(sorted_set) - 1)
        out[candidates] = sorted_set[pos] == found
    return out


def _laugh_forms() -> set[str]:
    forms = {"lol", "lool", "lmao", "lmfao", "rofl", "xd", "xdd", "kk", "rsrs", "rsrsrs", "mdr"}
    for syllable in ("ja", "je", "ji", "ju", "ha", "he", "hi"):
        for k in range(2, 12):
            forms |= {syllable * k, syllable * k + syllable[0], "a" + syllable * k}
    return forms


_NEGATOR_HASHES = hash_words(NEGATORS)
_MARKER_HASHES = hash_words(MARKERS)
_LAUGH_HASHES = hash_words(_laugh_forms())
LAUGH_HASH = U64(text_hash("xlaugh"))
_MARKER_HASH = {name: U64(text_hash(name)) for name in MARKERS}


class _Powers:
    """Grow-only cache of P**i and P**-i, recomputed only when a longer batch arrives."""

    def __init__(self) -> None:
        self.pw: U64Array = np.ones(1, dtype=U64)
        self.ipw: U64Array = np.ones(1, dtype=U64)

    def get(self, n: int) -> tuple[U64Array, U64Array]:
        if len(self.pw) < n + 1:
            size = max(n + 1, 2 * len(self.pw), 1 << 16)
            pw = np.full(size, P, dtype=U64)
            pw[0] = U64(1)
            ipw = np.full(size, P_INV, dtype=U64)
            ipw[0] = U64(1)
            with np.errstate(over="ignore"):
                self.pw = np.cumprod(pw, dtype=U64)
                self.ipw = np.cumprod(ipw, dtype=U64)
        return self.pw, self.ipw


_POWERS = _Powers()


def _prefix(codes: CodeArray) -> tuple[U64Array, U64Array]:
    n = len(codes)
    pw, ipw = _POWERS.get(n)
    prefix = np.zeros(n + 1, dtype=U64)
    with np.errstate(over="ignore"):
        np.cumsum((codes.astype(U64) + U64(1)) * pw[:n], out=prefix[1:])
    return prefix, ipw


def _span_hash(prefix: U64Array, ipw: U64Array, starts: IntArray, ends: IntArray) -> U64Array:
    with np.errstate(over="ignore"):
        return (prefix[ends] - prefix[starts]) * ipw[starts]


def bucket(h: U64Array, salt: np.uint64, bits: int) -> IntArray:
    """Map 64-bit hashes to column indices in ``[0, 2**bits)``."""
    with np.errstate(over="ignore"):
        mixed = ((h ^ salt) * MIX) >> U64(64 - bits)
    return mixed.astype(np.int64)


def _runs(mask: BoolArray) -> tuple[IntArray, IntArray]:
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return edges[0::2].astype(np.int64), edges[1::2].astype(np.int64)


@dataclass(frozen=True, slots=True)
class Stream:
    """One family of hashed features: column ``index`` occurs in text ``doc`` (doc sorted)."""

    doc: IntArray
    index: IntArray


@dataclass(frozen=True, slots=True)
class Batch:
    """A normalised batch as code points, word spans and per-word hashes.

    ``codes`` is lower case with elongations cut to two letters (accents kept: keywords
    and language use them); ``folded`` is the same with accents and digits folded.
    """

    codes: CodeArray
    folded: CodeArray
    n_docs: int
    sep_cum: IntArray
    prefix: U64Array
    inv_powers: U64Array
    starts: IntArray
    ends: IntArray
    doc: IntArray
    hashes: U64Array
    is_marker: BoolArray
    has_digit: BoolArray
    elongated: FloatArray
    caps: FloatArray


def _per_doc(mask: BoolArray, bounds: IntArray) -> FloatArray:
    """How many positions of ``mask`` fall in each text (``bounds``: text starts + end)."""
    cum = np.zeros(len(mask) + 1, dtype=np.int32)
    np.cumsum(mask, out=cum[1:])
    return np.diff(cum[bounds]).astype(np.float32)


def prepare(joined: str, n_docs: int) -> Batch:
    """Turn a normalised ``"\\n"``-joined batch into lower-case code points and hashed
    word spans; also measures each text's share of upper-case letters (caps).

    Per-text counts come from cumulative sums read at the text boundaries (two reads per
    text) rather than from a per-character text index and ``bincount``.
    """
    original = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    astral = bool(len(original)) and int(original.max()) > 0xFFFF
    index = np.minimum(original, 0x10000) if astral else original
    # Where each text starts, then the end: a text's count is cum[next start] - cum[own
    # start] (the newline between them is never counted: not a letter, not upper case).
    bounds = np.concatenate(([0], np.flatnonzero(original == 10) + 1, [len(original)]))
    letters = _per_doc(_ALPHA[index], bounds)
    upper = _per_doc(_UPPER[index], bounds)
    caps = np.where(letters >= 4, upper / np.maximum(letters, 1), 0.0).astype(np.float32)
    raw = _LOWER[index]
    if astral:
        raw = np.where(original > 0xFFFF, original, raw)
    # A letter equal to the two before it is an elongation: drop it ("siiii" -> "sii").
    repeat = np.zeros(len(raw), dtype=np.bool_)
    if len(raw) > 2:
        repeat[2:] = (raw[2:] == raw[1:-1]) & (raw[2:] == raw[:-2])
        repeat[2:] &= _ALPHA[np.minimum(raw[2:], 0x10000) if astral else raw[2:]]
    elongated = _per_doc(repeat, bounds)
    if elongated.any():
        keep = ~repeat
        codes = raw[keep]
    else:
        codes = raw
    cindex = np.minimum(codes, 0x10000) if astral else codes
    folded = _FOLD[cindex]
    if astral:
        folded = np.where(codes > 0xFFFF, codes, folded)
    prefix, ipw = _prefix(folded)
    starts, ends = _runs(_ALNUM[cindex])
    newline = codes == 10
    sep_cum = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(newline, out=sep_cum[1:])
    doc = sep_cum[starts]
    hashes = _span_hash(prefix, ipw, starts, ends)
    laugh = member(hashes, _LAUGH_HASHES)
    hashes[laugh] = LAUGH_HASH
    digit_cum = np.zeros(len(codes) + 1, dtype=np.int32)
    np.cumsum(folded == 48, out=digit_cum[1:])
    has_digit = digit_cum[ends] > digit_cum[starts]
    # Emoji identity words ("e1f602") contain digits; markers start with "x".
    is_marker = member(hashes, _MARKER_HASHES) | (has_digit & (codes[starts] == 101))
    return Batch(codes, folded, n_docs, sep_cum, prefix, ipw, starts, ends, doc, hashes,
                 is_marker, has_digit, elongated, caps)


def negated_mask(batch: Batch) -> BoolArray:
    """True for words within three words after a negator, in the same clause."""
    is_neg = member(batch.hashes, _NEGATOR_HASHES)
    breaks = _CLAUSE_BREAK[np.minimum(batch.folded, 0x10000)]
    clause = np.concatenate(([0], np.cumsum(breaks)))[batch.starts]
    out = np.zeros(len(batch.starts), dtype=np.bool_)
    for k in (1, 2, 3):
        if len(out) <= k:
            break
        out[k:] |= is_neg[:-k] & (clause[:-k] == clause[k:])
    return out & ~is_neg


def _char_ngrams(codes: CodeArray, prefix: U64Array, ipw: U64Array, sep_cum: IntArray,
                 n: int) -> tuple[IntArray, U64Array]:
    """(doc, hash) of each character n-gram that neither crosses a text boundary nor is
    made of spaces only.

    Hashes of all positions come from contiguous slices of the prefix hash (no gather);
    n-grams holding a newline are then dropped with one boolean mask.
    """
    total = len(codes)
    if total < n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=U64)
    count = total - n + 1
    newline = codes == 10
    cross = newline[:count].copy()
    for k in range(1, n):
        cross |= newline[k:k + count]
    if n == 1:
        cross |= codes == 32
    keep = ~cross
    with np.errstate(over="ignore"):
        h = (prefix[n:] - prefix[:count]) * ipw[:count]
    return sep_cum[:count][keep], h[keep]


def content_streams(batch: Batch) -> tuple[list[Stream], BoolArray]:
    """Word unigrams (negation-marked), word bigrams and character n-grams of the batch."""
    negated = negated_mask(batch)
    hashes = batch.hashes
    uni = np.where(negated, hashes ^ NEG_SALT, hashes)
    streams = [Stream(batch.doc, bucket(uni, _SALTS["uni"], CONTENT_BITS))]
    same = batch.doc[1:] == batch.doc[:-1]
    with np.errstate(over="ignore"):
        bi = hashes[:-1][same] * MIX + hashes[1:][same]
    streams.append(Stream(batch.doc[1:][same], bucket(bi, _SALTS["bi"], CONTENT_BITS)))
    for n in CONTENT_CHAR_ORDERS:
        doc, h = _char_ngrams(batch.folded, batch.prefix, batch.inv_powers, batch.sep_cum, n)
        streams.append(Stream(doc, bucket(h, _SALTS[f"c{n}"], CONTENT_BITS)))
    return streams, negated


def _count(doc: IntArray, mask: BoolArray, n_docs: int) -> FloatArray:
    return np.bincount(doc[mask], minlength=n_docs).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Word valences keyed by the featuriser's 64-bit folded word hash (sorted)."""

    hashes: U64Array
    valences: FloatArray

    @classmethod
    def from_dict(cls, valences: dict[str, float]) -> Lexicon:
        merged: dict[int, float] = {}
        for word, value in valences.items():
            merged[text_hash(fold_text(word))] = float(value)
        keys = np.array(list(merged), dtype=U64)
        vals = np.array(list(merged.values()), dtype=np.float32)
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], vals[order])

    def lookup(self, hashes: U64Array) -> FloatArray:
        """Valence of each hash, 0 when the word is not in the lexicon."""
        if len(self.hashes) == 0 or len(hashes) == 0:
            return np.zeros(len(hashes), dtype=np.float32)
        pos = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        return np.where(self.hashes[pos] == hashes, self.valences[pos], 0.0).astype(np.float32)


_CURRENCY = np.zeros(0x10001, dtype=np.bool_)
_CURRENCY[[ord(c) for c in "$£€¥₹"]] = True


def dense_features(batch: Batch, negated: BoolArray, lexicon: Lexicon) -> FloatArray:
    """Per-text dense features (see DENSE_NAMES), each scaled to roughly [0, 1]."""
    n_docs = batch.n_docs
    dense = np.zeros((n_docs, N_DENSE), dtype=np.float32)
    doc = batch.doc
    val = lexicon.lookup(batch.hashes)
    # VADER's own negation rule: a negated valence flips and shrinks.
    val = np.where(negated, -0.74 * val, val)
    dense[:, 0] = 1.0
    dense[:, 1] = np.log1p(np.bincount(doc, weights=np.maximum(val, 0), minlength=n_docs)) / 2
    dense[:, 2] = np.log1p(np.bincount(doc, weights=np.maximum(-val, 0), minlength=n_docs)) / 2
    char_doc = batch.sep_cum[:-1]
    codes = batch.codes
    dense[:, 3] = np.minimum(_count(char_doc, codes == 33, n_docs), 3) / 3
    dense[:, 4] = np.minimum(_count(char_doc, codes == 63, n_docs), 3) / 3
    marker_counts = []
    for slot, name in ((5, "xurl"), (6, "xuser"), (7, "xhashtag"), (8, "xlaugh"),
                       (9, "xemopos"), (10, "xemoneg")):
        counts = _count(doc, batch.hashes == _MARKER_HASH[name], n_docs)
        dense[:, slot] = np.minimum(counts, 3) / 3
        marker_counts.append(counts)
    n_words = np.bincount(doc, minlength=n_docs).astype(np.float32)
    dense[:, 11] = np.log1p(n_words) / 4
    dense[:, 12] = np.minimum(_count(doc, negated, n_docs), 3) / 3
    plain_words = n_words - marker_counts[0] - marker_counts[1]
    dense[:, 13] = ((marker_counts[0] > 0) & (plain_words <= 1)).astype(np.float32)
    dense[:, 14] = np.minimum(_count(char_doc, batch.folded == 48, n_docs), 10) / 10
    dense[:, 15] = np.minimum(batch.elongated, 3) / 3
    dense[:, 16] = batch.caps
    currency = _CURRENCY[np.minimum(batch.folded, 0x10000)]
    dense[:, 17] = np.minimum(_count(char_doc, currency, n_docs), 2) / 2
    long_number = batch.has_digit & ((batch.ends - batch.starts) >= 5)
    dense[:, 18] = (_count(doc, long_number, n_docs) > 0).astype(np.float32)
    return dense


# Characters that tell the supported languages apart and that accent folding removes
# from the content features; the language model gets their share of each text's letters.
LANG_CHAR_GROUPS: tuple[str, ...] = (
    "ñ", "ç", "ãõ", "àèòùì", "é", "áíóú", "âêôîû", "äöüß", "ïëÿ", "·", "¿¡", "'’",
)
N_LANG_DENSE = 1 + len(LANG_CHAR_GROUPS)


def _lang_char_table() -> npt.NDArray[np.uint8]:
    table = np.zeros(0x10001, dtype=np.uint8)
    for group, chars in enumerate(LANG_CHAR_GROUPS, start=1):
        for char in chars:
            table[ord(char)] = group
    return table


_LANG_CHAR = _lang_char_table()


def language_features(batch: Batch, content: list[Stream]) -> tuple[list[Stream], FloatArray]:
    """Hashed streams and dense features of the language model.

    No second pass over the text: the content character n-grams (folded) are reused,
    bucketed into ``LANG_BITS`` columns by dropping low bits of their bucket (a bucket
    is the top bits of a mixed hash, so this equals bucketing at ``LANG_BITS``); the
    user's own words (no markers, no numbers) are hashed again with their own salt. What
    folding removed (ñ, ç, ã, à, ß, ¿, apostrophes...) comes back as dense features: each
    group's share of the text's letters, plus a bias.
    """
    shift = CONTENT_BITS - LANG_BITS
    streams = [Stream(s.doc, s.index >> shift) for s in content[2:]]
    own = ~(batch.is_marker | batch.has_digit)
    streams.append(Stream(batch.doc[own], bucket(batch.hashes[own], _SALTS["lw"], LANG_BITS)))
    n_docs = batch.n_docs
    group = _LANG_CHAR[np.minimum(batch.codes, 0x10000)]
    hit = np.flatnonzero(group)
    counts = np.bincount(batch.sep_cum[hit] * N_LANG_DENSE + group[hit],
                         minlength=n_docs * N_LANG_DENSE).reshape(n_docs, N_LANG_DENSE)
    letters = np.maximum(letter_counts(batch), 1).astype(np.float32)
    dense = np.minimum(counts.astype(np.float32) * (8.0 / letters[:, None]), 1.0)
    dense[:, 0] = 1.0
    return streams, dense


def letter_counts(batch: Batch) -> IntArray:
    """Letters per text that are the user's own words (markers and numbers excluded)."""
    lengths = (batch.ends - batch.starts).astype(np.float32)
    own = ~(batch.is_marker | batch.has_digit)
    return np.bincount(batch.doc[own], weights=lengths[own], minlength=batch.n_docs).astype(
        np.int64
    )


def stream_counts(streams: list[Stream], n_docs: int) -> FloatArray:
    """Number of hashed features per text over all streams."""
    total = np.zeros(n_docs, dtype=np.float32)
    for stream in streams:
        total += np.bincount(stream.doc, minlength=n_docs).astype(np.float32)
    return total


def doc_runs(doc: IntArray, n_docs: int) -> tuple[IntArray, IntArray, IntArray]:
    """(features per text, texts with any, where each such text's run starts) for a
    doc-sorted stream: the arguments ``np.add.reduceat`` needs."""
    counts = np.bincount(doc, minlength=n_docs)
    present = np.flatnonzero(counts)
    return counts, present, (np.cumsum(counts) - counts)[present]


def linear_scores(streams: list[Stream], weights_t: FloatArray, n_docs: int) -> FloatArray:
    """Sum of weights per text, scaled by 1/sqrt(feature count) (an L2-normalised bag).

    ``weights_t`` is (outputs, columns), C-contiguous: one 1-D ``take`` per output reads
    one contiguous row, about twice as fast as gathering 2-D rows. Streams are doc-sorted,
    so ``np.add.reduceat`` sums each text's contiguous run.
    """
    n_out = weights_t.shape[0]
    out = np.zeros((n_docs, n_out), dtype=np.float32)
    total = np.zeros(n_docs, dtype=np.int64)
    for stream in streams:
        if len(stream.doc) == 0:
            continue
        counts, present, offsets = doc_runs(stream.doc, n_docs)
        total += counts
        for k in range(n_out):
            out[present, k] += np.add.reduceat(np.take(weights_t[k], stream.index), offsets)
    norm = 1.0 / np.sqrt(np.maximum(total, 1).astype(np.float32))
    return out * norm[:, None]


# Packed scoring: two outputs per int64 lane pair. Weights are quantised to 16-bit
# integers (the shipped files already hold float16, so nothing is lost that was there);
# one gather then reads two outputs and one reduceat sums both, halving the memory
# traffic that dominates scoring. A lane's sum over m features stays below 2**31 while
# m < 65536; longer texts take the exact float path.
_QMAX = 32767
_LANE_LIMIT = 65536


@dataclass(frozen=True, slots=True)
class PackedLinear:
    """Linear outputs over hashed streams + dense features, scored two at a time.

    ``logits = sum(weights[column]) / sqrt(n_features) + dense @ dense_w.T + intercept``.
    """

    tables: tuple[npt.NDArray[np.int64], ...]
    inv_scale: FloatArray  # (outputs padded to even,)
    weights_t: FloatArray  # float32 (outputs, columns): exact path for huge texts
    dense_w: FloatArray  # (outputs, dense features)
    intercept: FloatArray  # (outputs,)

    @classmethod
    def build(cls, weights_t: FloatArray, dense_w: FloatArray,
              intercept: FloatArray) -> PackedLinear:
        n_out = weights_t.shape[0]
        padded = np.zeros((n_out + n_out % 2, weights_t.shape[1]), dtype=np.float64)
        padded[:n_out] = weights_t
        peak = np.abs(padded).max(axis=1)
        scale = np.where(peak > 0, _QMAX / np.maximum(peak, 1e-30), 1.0)
        q = np.rint(padded * scale[:, None]).astype(np.int64)
        tables = tuple(np.ascontiguousarray(q[2 * j] + (q[2 * j + 1] << 32))
                       for j in range(len(q) // 2))
        return cls(tables, (1.0 / scale).astype(np.float32),
                   np.ascontiguousarray(weights_t, dtype=np.float32),
                   np.ascontiguousarray(dense_w, dtype=np.float32),
                   np.asarray(intercept, dtype=np.float32))

    @property
    def n_outputs(self) -> int:
        return int(self.weights_t.shape[0])

    def logits(self, streams: list[Stream], dense: FloatArray | None,
               n_docs: int) -> FloatArray:
        """Logits, shape (texts, outputs)."""
        n_out = self.n_outputs
        sums = np.zeros((n_docs, 2 * len(self.tables)), dtype=np.int64)
        total = np.zeros(n_docs, dtype=np.int64)
        huge: list[int] = []
        for stream in streams:
            if len(stream.doc) == 0:
                continue
            counts, present, offsets = doc_runs(stream.doc, n_docs)
            total += counts
            for j, table in enumerate(self.tables):
                packed = np.add.reduceat(np.take(table, stream.index), offsets)
                low = (packed << 32) >> 32  # arithmetic shift: sign-extends the low lane
                sums[present, 2 * j] += low
                sums[present, 2 * j + 1] += (packed - low) >> 32
            if counts.max() >= _LANE_LIMIT:
                huge.extend(np.flatnonzero(counts >= _LANE_LIMIT).tolist())
        out = sums[:, :n_out].astype(np.float32) * self.inv_scale[:n_out]
        for d in sorted(set(huge)):
            # Tens of thousands of features in one text would overflow a lane: exact sums.
            acc = np.zeros(n_out, dtype=np.float64)
            for stream in streams:
                acc += self.weights_t[:, stream.index[stream.doc == d]].sum(axis=1,
                                                                            dtype=np.float64)
            out[d] = acc
        norm = 1.0 / np.sqrt(np.maximum(total, 1).astype(np.float32))
        out *= norm[:, None]
        if dense is not None:
            # Small product done without BLAS: its thread pool would spin on other cores.
            out += np.einsum("nd,kd->nk", dense, self.dense_w, optimize=False)
        out += self.intercept
        return out
