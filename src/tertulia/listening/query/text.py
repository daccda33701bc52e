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

__all__ = ["AnalyzedText", "analyze", "fold", "is_accented", "nfc", "split_words"]


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
        parts.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
    return "[" + "".join(parts) + "]"


SYMBOL_CLASS = _symbol_class()
# Group 1: the # / @ prefix; group 2: the body. The look-ahead skips spaces and common
# ASCII punctuation cheaply before the (long) symbol class is tried: 2x faster on tweets.
TOKEN_RE = re.compile(
    r"([#@]?)(\w+|(?=[^\s\w.,;:!?'\"()\-/*])" + SYMBOL_CLASS + ")"
)
_SYMBOL_RE = re.compile(SYMBOL_CLASS)
_MARKS = {cp: None for cp in range(0x20000) if unicodedata.combining(chr(cp))}


def nfc(text: str) -> str:
    """NFC form of ``text`` (a no-op for ASCII, which is the common case)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip combining marks: ``"Café"`` → ``"cafe"``."""
    low = text.lower()
    if low.isascii():
        return low
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", low).translate(_MARKS))


def is_accented(word: str) -> bool:
    """True when the lower-cased ``word`` carries a mark that folding would remove."""
    low = nfc(word).lower()
    return fold(low) != low


def is_symbol(char: str) -> bool:
    return bool(_SYMBOL_RE.fullmatch(char))


def split_words(text: str) -> list[tuple[str, str]]:
    """``(prefix, body)`` pairs of ``text`` as written (NFC), in order."""
    return TOKEN_RE.findall(nfc(text))


class AnalyzedText:
    """A text cut into tokens, with the three spellings of each token side by side.

    ``orig[i]``, ``lower[i]``, ``fold[i]`` and ``prefix[i]`` describe token ``i``. The
    compiled matcher also uses ``fold_set`` and the position cache; the interpreter only
    walks the lists.
    """

    __slots__ = ("_positions", "fold", "fold_set", "lower", "orig", "prefix", "text")

    def __init__(self, text: str) -> None:
        text = nfc(text or "")
        self.text = text
        pairs = TOKEN_RE.findall(text)
        if pairs:
            prefixes, origs = zip(*pairs, strict=True)
            self.prefix: tuple[str, ...] = prefixes
            self.orig: tuple[str, ...] = origs
            # One C-level call per spelling instead of one per token; "\x00" cannot occur
            # inside a token and is a canonical starter, so it survives both transforms.
            joined = "\x00".join(origs).lower()
            self.lower: tuple[str, ...] = tuple(joined.split("\x00"))
            if joined.isascii():
                self.fold: tuple[str, ...] = self.lower
            else:
                folded = unicodedata.normalize(
                    "NFC", unicodedata.normalize("NFD", joined).translate(_MARKS)
                )
                self.fold = tuple(folded.split("\x00"))
        else:
            self.prefix = self.orig = self.lower = self.fold = ()
        self.fold_set = frozenset(self.fold)
        self._positions: dict[str, list[int]] | None = None

    def __len__(self) -> int:
        return len(self.orig)

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
        return " " + " ".join(self.fold) + " "


def analyze(text: str) -> AnalyzedText:
    """Tokenise ``text`` for matching (see the module docstring for the rules)."""
    return AnalyzedText(text)
