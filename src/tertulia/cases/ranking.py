"""Which knowledge-base articles answer a message: BM25 over title and body, Spanish and
English.

Pure. Text is lower-cased, accents folded ("envío" = "envio"), split into words, stop words
of both languages dropped and words cut to a light stem (plural and common verb endings), so
"¿Cuándo llega mi pedido?" finds "Plazos de entrega de pedidos" and "where is my order"
finds "Tracking your orders". The title counts more than the body (its terms are repeated
``TITLE_WEIGHT`` times); an article in the message's language gets a small bonus, never
enough to rank an unrelated article first.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3
LANGUAGE_BONUS = 1.1
MIN_SCORE = 0.0

_STOP_TEXT = """
a al algo algun alguna alguno ante antes asi aun bien cada como con contra cual cuando de
del desde donde dos el ella ellas ellos en entre era es esa ese eso esta estan este esto
fue ha hace hay he la las le les lo los mas me mi mis mucho muy nada ni no nos nuestro o
os otra otro para pero poco por porque que quien se si sin sobre su sus tambien te tengo
ti tu tus un una uno unos unas vosotros y ya yo hola gracias buenas buenos dias favor
about after all also am an and any are as at be been but by can could did do does for from
had has have he her hi his how i if in into is it its just me my no not of on or our out
please she so some than thanks that the their them then there they this to too up us was
we were what when where which who why will with would you your hello hey
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"[a-z0-9ñ]+")
# Longest first: an ending is cut when 3+ letters remain; at most two cuts ("ordered" →
# "order" → "ord", like "orders" and "order").
_ENDINGS = ("amientos", "imientos", "amiento", "imiento", "ieron", "mente", "acion", "icion",
            "ation", "aron", "amos", "emos", "imos", "aban", "ando", "iendo", "ing", "ado",
            "ido", "ada", "ida", "an", "en", "ed", "ly", "ar", "er", "ir", "a", "o", "e", "y")
_PLURAL_ES = frozenset("lrndzjcx")


_COMBINING = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower case without accents; ``ñ`` is kept (``año`` is not ``ano``)."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.replace("ñ", "\x00"))
    return _COMBINING.sub("", decomposed).replace("\x00", "ñ")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("es") and len(word) > 4 and word[-3] in _PLURAL_ES:
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "mos")) and len(word) > 3:
        word = word[:-1]
    for _cut in range(2):
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
        else:
            break
    return word


def terms(text: str) -> list[str]:
    """The searchable terms of a text, in order."""
    return [stem(w) for w in _WORD.findall(fold(text)) if w not in STOP_WORDS and len(w) > 1]


@dataclass(frozen=True, slots=True)
class Document:
    key: int
    title: str
    body: str
    language: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    key: int
    score: float
    matched: tuple[str, ...]


class Index:
    """BM25 over a set of documents, built once and queried many times."""

    def __init__(self, documents: Sequence[Document]) -> None:
        self.documents = list(documents)
        self._tf: list[Counter[str]] = []
        for doc in self.documents:
            words = terms(doc.title) * TITLE_WEIGHT + terms(doc.body) + terms(
                " ".join(doc.tags)) * 2
            self._tf.append(Counter(words))
        self._lengths = [sum(tf.values()) for tf in self._tf]
        self._avg = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        df: Counter[str] = Counter()
        for tf in self._tf:
            df.update(tf.keys())
        n = len(self.documents)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def search(self, text: str, *, language: str = "", limit: int = 3,
               min_score: float = MIN_SCORE) -> list[Match]:
        query = set(terms(text))
        if not query or not self.documents:
            return []
        found: list[Match] = []
        for doc, tf, length in zip(self.documents, self._tf, self._lengths, strict=True):
            score = 0.0
            matched = []
            for term in query:
                freq = tf.get(term, 0)
                if not freq:
                    continue
                matched.append(term)
                norm = K1 * (1 - B + B * length / self._avg) if self._avg else K1
                score += self._idf[term] * freq * (K1 + 1) / (freq + norm)
            if language and doc.language == language:
                score *= LANGUAGE_BONUS
            if matched and score > min_score:
                found.append(Match(doc.key, round(score, 4), tuple(sorted(matched))))
        found.sort(key=lambda m: (-m.score, m.key))
        return found[:limit]


def suggest(documents: Sequence[Document], text: str, *, language: str = "",
            limit: int = 3) -> list[Match]:
    """The ``limit`` best articles for ``text``, best first (ties: the older article)."""
    return Index(documents).search(text, language=language, limit=limit)
