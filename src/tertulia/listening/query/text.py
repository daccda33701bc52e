"""Text analysis shared by the reference interpreter and the compiled matcher.

Both sides must see a post the same way, so the rules live here and nowhere else:

* Text is NFC-normalised first, so ``é`` typed as one code point or as ``e`` + combining
  accent is the same character.
* A *token* is a run of word characters (``\\w``: letters, digits, underscore), optionally
  preceded by ``#`` or ``@`` (the prefix is kept apart from the body, so ``#Acme`` has
  prefix ``#`` and body ``Acme``), or a single symbol character (Unicode categories
  ``S*``: emoji, currency, maths, plus ``%`` and ``&``). Every other character
  (punctuation, spaces, joiners, variation selectors) separates tokens and is not
  searchable except through ``raw:``.
* Each token has three spellings: ``orig`` (as written), ``lower`` (lower-cased) and
  ``fold`` (lower-cased with combining marks removed: ``Café`` → ``cafe``). An unaccented
  query word compares against ``fold``, an accented one against ``lower``, a
  ``{CaseSensitive}`` one against ``orig``.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "AnalyzedText",
    "analyze",
    "fold",
    "haystack",
    "nfc",
    "raw_pattern",
    "split_words",
    "tags",
]


def _symbol_class() -> str:
    # Built once at import (about 50 ms): every code point in a Symbol category. Planes
    # above 3 hold no assigned symbols.
    ranges: list[tuple[int, int]] = []
    for cp in range(0x40000):
        if unicodedata.category(chr(cp))[0] == "S":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    parts = [re.escape("%&")]
    for lo, hi in ranges:
        a, b = re.escape(chr(lo)), re.escape(chr(hi))
        parts.append(a if lo == hi else f"{a}-{b}")
    return "[" + "".join(parts) + "]"


SYMBOL_CLASS = _symbol_class()
# Group 1: the # / @ prefix; group 2: the body. The look-ahead skips spaces and common
# ASCII punctuation cheaply before the (long) symbol class is tried: 2x faster on tweets.
TOKEN_RE = re.compile(r"(?:(?<!\w)([#@]))?(\w+|(?=[^\s\w.,;:!?'\"()\-/*])" + SYMBOL_CLASS + ")")
# Bodies only (same cut, no prefix group): the fast first pass of the matcher.
BODY_RE = re.compile(r"\w+|(?=[^\s\w.,;:!?'\"()\-/*])" + SYMBOL_CLASS)
# Hashtags and mentions exactly as TOKEN_RE cuts them (a prefix may precede a symbol).
PREFIXED_RE = re.compile(r"(?<!\w)[#@](?:\w+|(?=[^\s\w.,;:!?'\"()\-/*])" + SYMBOL_CLASS + ")")
# The same cut for words typed in a query, where * and ? are part of a word.
QUERY_WORD_RE = re.compile(
    r"(?:(?<![\w*?])([#@]))?([\w*?]+|(?=[^\s\w.,;:!?'\"()\-/*])" + SYMBOL_CLASS + ")"
)
_MARKS = {cp: None for cp in range(0x20000) if unicodedata.combining(chr(cp))}


def nfc(text: str) -> str:
    """NFC form of ``text`` (a no-op for ASCII, which is the common case)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip combining marks: ``"Café"`` → ``"cafe"``."""
    low = text.lower()
    if low.isascii():
        return low
    return _fold_lowered(low)


def _fold_lowered(low: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", low).translate(_MARKS))


def haystack(text: str) -> str:
    """Folded tokens of ``text`` (already NFC) joined by single spaces, spaces at both ends.

    ``" word "`` occurs in it exactly when some token folds to ``word``, ``" stem"`` when
    some token's fold starts with ``stem``, and ``" a b "`` when two consecutive tokens
    fold to ``a`` and ``b``. The matcher runs its automaton over this string, so most
    posts (which match no query) never pay for the full analysis.
    """
    bodies = BODY_RE.findall(text)
    if not bodies:
        return " "
    return fold(" " + " ".join(bodies) + " ")


def tags(text: str) -> frozenset[str]:
    """Folded hashtags and mentions of ``text`` (already NFC), prefix included."""
    return frozenset(fold(t) for t in PREFIXED_RE.findall(text))


def split_words(text: str) -> list[tuple[str, str]]:
    """``(prefix, body)`` pairs of a query word as written (NFC), ``*``/``?`` kept."""
    return QUERY_WORD_RE.findall(nfc(text))


class AnalyzedText:
    """A text cut into tokens, with the three spellings of each token side by side.

    ``orig[i]``, ``lower[i]``, ``fold[i]`` and ``prefix[i]`` describe token ``i``. The
    compiled matcher also uses ``fold_set`` and the position cache; the interpreter only
    walks the lists. When the folded spellings are passed in (the matcher has them from
    the haystack), the other spellings are computed only if something asks for them.
    """

    __slots__ = ("_lower", "_orig", "_positions", "_prefix", "fold", "fold_set", "text")

    def __init__(self, text: str, folded: tuple[str, ...] | None = None) -> None:
        """``folded`` may pass the fold spellings already computed (from ``haystack``)."""
        self.text = nfc(text or "")
        self._positions: dict[str, list[int]] | None = None
        self._orig: tuple[str, ...] | None = None
        self._lower: tuple[str, ...] = ()
        self._prefix: tuple[str, ...] = ()
        if folded is None:
            self._split()
            folded = self._fold_of_lower()
        self.fold: tuple[str, ...] = folded
        self.fold_set = frozenset(folded)

    def _split(self) -> None:
        pairs = TOKEN_RE.findall(self.text)
        if not pairs:
            self._orig = ()
            return
        prefixes, origs = zip(*pairs, strict=True)
        self._prefix = prefixes
        self._orig = origs
        # One C-level call per spelling instead of one per token; "\x00" cannot occur
        # inside a token and is a canonical starter, so it survives both transforms.
        self._lower = tuple("\x00".join(origs).lower().split("\x00"))

    def _fold_of_lower(self) -> tuple[str, ...]:
        if not self._lower:
            return ()
        joined = "\x00".join(self._lower)
        if joined.isascii():
            return self._lower
        return tuple(_fold_lowered(joined).split("\x00"))

    @property
    def orig(self) -> tuple[str, ...]:
        if self._orig is None:
            self._split()
        return self._orig  # type: ignore[return-value]

    @property
    def lower(self) -> tuple[str, ...]:
        if self._orig is None:
            self._split()
        return self._lower

    @property
    def prefix(self) -> tuple[str, ...]:
        if self._orig is None:
            self._split()
        return self._prefix

    def __len__(self) -> int:
        return len(self.fold)

    def fold_positions(self, word: str) -> list[int]:
        """Positions whose folded spelling is ``word`` (cached per text)."""
        cache = self._positions
        if cache is None:
            cache = {}
            for i, f in enumerate(self.fold):
                cache.setdefault(f, []).append(i)
            self._positions = cache
        return cache.get(word, [])

    def haystack(self) -> str:
        """Folded tokens joined by single spaces, with a space at both ends.

        The Aho–Corasick automaton runs over this string, so ``" word "`` finds a whole
        token and ``" stem"`` a token that starts with ``stem``.
        """
        return " " + " ".join(self.fold) + " " if self.fold else " "


def analyze(text: str) -> AnalyzedText:
    """Tokenise ``text`` for matching (see the module docstring for the rules)."""
    return AnalyzedText(text)


_RAW_CACHE: dict[str, re.Pattern[str]] = {}


def raw_pattern(raw: str) -> re.Pattern[str]:
    """Regex for ``raw:`` text: exact characters and case, not inside a longer word.

    ``raw:Google+`` finds ``Google+`` but not ``Googleplex+``: where the raw text starts
    (or ends) with a word character, the neighbouring character must not be one.
    """
    rx = _RAW_CACHE.get(raw)
    if rx is None:
        body = re.escape(raw)
        if re.match(r"\w", raw):
            body = r"(?<!\w)" + body
        if re.search(r"\w$", raw):
            body += r"(?!\w)"
        rx = _RAW_CACHE[raw] = re.compile(body)
    return rx
