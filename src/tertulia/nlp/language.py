"""Language decision: our char-n-gram model, the network's hint, lingua for the unsure.

Our hashed model scores all texts of a batch in one numpy pass (lingua alone runs at
about 6,600 short texts/s on one core in low-accuracy mode, too slow for the 20,000/s
budget). Only texts the model is unsure about go to lingua, restricted to the same
seven languages, in low-accuracy mode, one thread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

SUPPORTED: frozenset[str] = frozenset({"es", "en", "pt", "fr", "ca", "it", "de"})
UNDETERMINED = "und"
# Network codes that mean "no language" rather than a real one.
_NO_LANGUAGE = frozenset({"", "und", "zxx", "qme", "qht", "qam", "qct", "qst", "art"})
MIN_LETTERS = 3


def normalise_hint(code: object) -> str | None:
    """``"es-ES"``/``"pt_BR"``/``"EN"`` -> ``"es"``/``"pt"``/``"en"``; None when absent."""
    if not isinstance(code, str):
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return None if base in _NO_LANGUAGE else base


@cache
def _lingua() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.SPANISH, Language.ENGLISH, Language.PORTUGUESE, Language.FRENCH,
                 Language.CATALAN, Language.ITALIAN, Language.GERMAN]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def lingua_detect(texts: Sequence[str]) -> list[tuple[str, float]]:
    """(ISO 639-1 code or "und", confidence) per text from lingua, sequentially."""
    detector = _lingua()
    out = []
    for text in texts:
        # lingua (Rust) rejects lone surrogates; they carry no language anyway.
        safe = text.encode("utf-8", "replace").decode("utf-8")
        values = detector.compute_language_confidence_values(safe)
        if not values or values[0].value <= 0.0:
            out.append((UNDETERMINED, 0.0))
            continue
        best = values[0]
        out.append((best.language.iso_code_639_1.name.lower(), float(best.value)))
    return out


def decide_languages(probs: npt.NDArray[np.float32], labels: Sequence[str],
                     letters: npt.NDArray[np.int64], texts: Sequence[str],
                     hints: Sequence[Mapping[str, Any] | None] | None,
                     thresholds: Mapping[str, float]) -> tuple[list[str], npt.NDArray[np.float32]]:
    """Pick a language per text.

    1. Fewer than MIN_LETTERS letters of the user's own words (emoji, URL, number only):
       "und", confidence 0.
    2. A supported network hint wins, unless our model is near-certain of another language
       on a text long enough to trust it (hints are sometimes the account's language).
       An unsupported hint (e.g. "ja") gives "und" unless our model is near-certain.
    3. Otherwise our model; if its top probability is below ``lingua_below`` lingua
       decides; below ``language_min`` after that: "und".
    """
    best = probs.argmax(axis=1)
    conf = probs.max(axis=1).astype(np.float32)
    codes = [labels[i] for i in best.tolist()]
    lingua_below = thresholds.get("lingua_below", 0.0)
    minimum = thresholds.get("language_min", 0.4)
    unsure = np.flatnonzero((conf < lingua_below) & (letters >= MIN_LETTERS))
    if len(unsure):
        for i, (code, value) in zip(unsure.tolist(), lingua_detect([texts[i] for i in unsure]),
                                    strict=True):
            codes[i] = code
            conf[i] = value
    too_short = letters < MIN_LETTERS
    low = conf < minimum
    for i in np.flatnonzero(too_short | low).tolist():
        codes[i] = UNDETERMINED
        conf[i] = 0.0 if too_short[i] else conf[i]
    if hints is not None:
        index = {label: k for k, label in enumerate(labels)}
        for i, hint in enumerate(hints):
            code = normalise_hint(hint.get("lang")) if hint else None
            if code is None:
                continue
            sure_other = conf[i] > 0.98 and letters[i] >= 25 and codes[i] != code
            if code in SUPPORTED and not sure_other:
                codes[i] = code
                conf[i] = max(0.9, float(probs[i, index[code]]))
            elif code not in SUPPORTED and not sure_other:
                codes[i] = UNDETERMINED
                conf[i] = 0.9
    return codes, conf
