"""Rule-based intent cues (sales, help requests), found without reading every text twice.

The patterns run over the folded batch string (lower case, no accents, digits as 0,
"n't" already rewritten to " not"), so one pattern covers "cuánto" and "cuanto". An
Aho-Corasick scan for trigger literals (``*_TRIGGERS``) first picks candidate texts; the
regexes then read only those, which keeps this stage a small share of the time budget.
"""

from __future__ import annotations

import re

import ahocorasick_rs
import numpy as np
import numpy.typing as npt

from tertulia.nlp.lexicons import HELP_PATTERNS, HELP_TRIGGERS, SALES_PATTERNS, SALES_TRIGGERS


def _compile(patterns: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{name}>{body})" for name, body in patterns))


_SALES = (_compile(SALES_PATTERNS), ahocorasick_rs.AhoCorasick(list(SALES_TRIGGERS)))
_HELP = (_compile(HELP_PATTERNS), ahocorasick_rs.AhoCorasick(list(HELP_TRIGGERS)))


def _scan(rule: tuple[re.Pattern[str], ahocorasick_rs.AhoCorasick], folded: str,
          lines: list[str], sep_positions: npt.NDArray[np.int64],
          n_docs: int) -> list[tuple[str, ...]]:
    """Reasons matched per text (empty tuple when none)."""
    pattern, triggers = rule
    found: list[tuple[str, ...]] = [()] * n_docs
    hits = triggers.find_matches_as_indexes(folded)
    if not hits:
        return found
    starts = np.fromiter((start for _, start, _ in hits), dtype=np.int64, count=len(hits))
    candidates = np.unique(np.searchsorted(sep_positions, starts, side="right")).tolist()
    # The regex reads the candidate texts only, joined once (one scan, no per-text call).
    text = "\n".join([lines[d] for d in candidates])
    matches = [(m.start(), m.lastgroup or "") for m in pattern.finditer(text)]
    if not matches:
        return found
    bounds = np.cumsum([len(lines[d]) + 1 for d in candidates]) - 1
    positions = np.fromiter((p for p, _ in matches), dtype=np.int64, count=len(matches))
    reasons: dict[int, list[str]] = {}
    for k, (_, reason) in zip(np.searchsorted(bounds, positions, side="right").tolist(),
                              matches, strict=True):
        seen = reasons.setdefault(candidates[k], [])
        if reason not in seen:
            seen.append(reason)
    for doc, names in reasons.items():
        found[doc] = tuple(names)
    return found


def find_intents(folded: str, sep_positions: npt.NDArray[np.int64],
                 n_docs: int) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(sales reasons, help reasons) per text of a ``"\\n"``-joined folded batch."""
    lines = folded.split("\n")
    return (_scan(_SALES, folded, lines, sep_positions, n_docs),
            _scan(_HELP, folded, lines, sep_positions, n_docs))
