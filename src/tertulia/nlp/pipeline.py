"""``enrich``: language, sentiment, flag, spam and keywords for a batch of posts.

One call per batch; every stage is a numpy operation over the whole batch (see
``normalize`` and ``featurize`` for why). Large batches are cut into chunks so peak memory
stays bounded whatever the caller passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from tertulia.nlp import featurize, normalize
from tertulia.nlp.assets import Assets, load_assets, sigmoid, softmax
from tertulia.nlp.intent import find_intents
from tertulia.nlp.keywords import post_keywords
from tertulia.nlp.language import decide_languages
from tertulia.nlp.spam import spam_adjustments

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
FLAGS: tuple[str, ...] = ("red", "yellow", "green", "spam", "none")
EMPTY_SENTIMENT = np.array([0.3, 0.4, 0.3], dtype=np.float32)
# Texts per internal chunk: ~1-2 MB of text, a few tens of MB of numpy temporaries.
CHUNK = 5_000

Hint = Mapping[str, Any]


class Enrichment(NamedTuple):
    """What tertulia.nlp says about one post. Every score is a suggestion, never final.

    Immutable. A NamedTuple rather than a frozen dataclass: building 100,000 of them costs
    about a third of the time (frozen dataclasses set each field through
    ``object.__setattr__``), which matters at 20,000 posts/s. ``_asdict()`` and
    ``_replace()`` give the dataclass conveniences.

    ``sentiment_score`` is the calibrated probability of ``sentiment``;
    ``sentiment_polarity`` is P(positive) - P(negative), in [-1, 1].
    ``flag_confidence`` is the score of the chosen flag in ``flag_scores``; ``intent``
    lists the reasons behind the flag (e.g. ``("sales:price",)``, ``("spam:link_only",)``).
    """

    language: str
    language_confidence: float
    sentiment: str
    sentiment_score: float
    sentiment_polarity: float
    sentiment_scores: dict[str, float]
    flag: str
    flag_confidence: float
    flag_scores: dict[str, float]
    intent: tuple[str, ...]
    is_spam: bool
    spam_score: float
    is_complaint: bool
    complaint_score: float
    keywords: tuple[str, ...]
    keyphrases: tuple[str, ...]


def enrich(texts: Sequence[str], hints: Sequence[Hint | None] | None = None,
           *, backend: str | None = None) -> list[Enrichment]:
    """Enrich a batch of posts; one result per text, in order, never an exception for bad text.

    ``hints`` (optional, one mapping or None per text) may carry ``lang`` (the network's
    language code), ``author_handle``, ``account_age_days`` or ``author_created_at`` with
    ``now``, and ``followers``. ``backend`` picks a registered backend (default: the
    ``TERTULIA_NLP_BACKEND`` environment variable, else ``linear``).
    """
    from tertulia.nlp.backends import get_backend

    return get_backend(backend).enrich(texts, hints)


def enrich_linear(texts: Sequence[str], hints: Sequence[Hint | None] | None = None,
                  assets: Assets | None = None) -> list[Enrichment]:
    """The default CPU pipeline (the ``linear`` backend)."""
    assets = assets or load_assets()
    items = list(texts)
    if hints is not None and len(hints) != len(items):
        raise ValueError(f"hints has {len(hints)} entries for {len(items)} texts; pass one "
                         "mapping (or None) per text, or no hints at all")
    out: list[Enrichment] = []
    for start in range(0, len(items), CHUNK):
        chunk_hints = None if hints is None else list(hints[start:start + CHUNK])
        out.extend(_enrich_chunk(items[start:start + CHUNK], chunk_hints, assets))
    return out


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-chunk arrays before they become ``Enrichment`` objects."""

    sentiment: npt.NDArray[np.float32]
    spam: npt.NDArray[np.float32]
    complaint: npt.NDArray[np.float32]
    service: npt.NDArray[np.float32]


def _enrich_chunk(texts: list[Any], hints: list[Hint | None] | None,
                  assets: Assets) -> list[Enrichment]:
    cleaned = normalize.clean_texts(texts)
    n = len(cleaned)
    if n == 0:
        return []
    batch = featurize.prepare(normalize.normalise_batch(cleaned, assets.emoji), n)
    streams, negated = featurize.content_streams(batch)
    dense = featurize.dense_features(batch, negated, assets.lexicon)
    models = assets.models
    # All content models share one stacked weight matrix: one pass over the features.
    logits = assets.content.logits(streams, dense, n)
    sentiment = softmax(logits[:, 0:3])
    # No word, emoji or marker at all (empty, punctuation only): nothing to read, so
    # neutral with low confidence rather than whatever the intercepts favour.
    empty = dense[:, featurize.DENSE_NAMES.index("n_words")] == 0
    sentiment[empty] = EMPTY_SENTIMENT
    spam_logit = logits[:, 3]
    complaint = sigmoid(logits[:, 4])
    service = sigmoid(logits[:, 5])

    lang_streams = featurize.language_streams(batch)
    lang_probs = models["language"].probabilities(lang_streams, None, n)
    languages, lang_conf = decide_languages(
        lang_probs, models["language"].labels, featurize.letter_counts(batch), cleaned, hints,
        assets.thresholds,
    )

    folded = batch.folded.tobytes().decode("utf-32-le")
    sep_positions = np.flatnonzero(batch.folded == 10)
    sales, help_ = find_intents(folded, sep_positions, n)
    spam_shift, spam_reasons = spam_adjustments(batch, dense, hints)
    spam = 1.0 / (1.0 + np.exp(-np.clip(spam_logit + spam_shift, -30, 30)))
    keywords, keyphrases = post_keywords(batch, cleaned)
    return _assemble(languages, lang_conf, sentiment, spam, complaint, service, sales, help_,
                     spam_reasons, keywords, keyphrases, assets.thresholds)


def flag_scores(sentiment: npt.NDArray[np.float32], spam: npt.NDArray[np.float32],
                complaint: npt.NDArray[np.float32], service: npt.NDArray[np.float32],
                has_sales: npt.NDArray[np.bool_], has_help: npt.NDArray[np.bool_],
                thresholds: Mapping[str, float]) -> npt.NDArray[np.float32]:
    """Scores for (red, yellow, green, spam, none); the flag is their argmax.

    - concern = max(P(complaint), P(negative)): how critical the post is.
    - service = P(service problem), at least 0.8 when a help/service cue matched.
    - yellow = concern * service, red = concern * (1 - service).
    - green = a sales cue matched, scaled down when the post is critical.
    - none = 1 - concern - green, floored at 0.
    - spam = P(spam) (at least 0.5) when it passes the spam threshold, else 0; the other
      scores are then multiplied by 1 - P(spam), so spam wins.
    """
    p_neg = sentiment[:, 0]
    concern = np.maximum(complaint, p_neg)
    service_p = np.where(has_help, np.maximum(service, 0.8), service)
    out = np.zeros((len(spam), len(FLAGS)), dtype=np.float32)
    out[:, 0] = concern * (1.0 - service_p)
    out[:, 1] = concern * service_p
    out[:, 2] = np.where(has_sales, thresholds.get("green_base", 0.75) * (1.0 - concern), 0.0)
    out[:, 4] = np.clip(1.0 - concern - out[:, 2], 0.0, 1.0)
    # Spam outranks everything: once over its threshold, the other scores shrink by
    # (1 - P(spam)) and the spam score is at least 0.5, so the flag agrees with is_spam.
    is_spam = spam >= thresholds.get("spam", 0.5)
    out[is_spam, :] *= (1.0 - spam[is_spam])[:, None]
    out[:, 3] = np.where(is_spam, np.maximum(spam, 0.5), 0.0)
    return out


def _assemble(languages: list[str], lang_conf: npt.NDArray[np.float32],
              sentiment: npt.NDArray[np.float32], spam: npt.NDArray[np.float32],
              complaint: npt.NDArray[np.float32], service: npt.NDArray[np.float32],
              sales: list[tuple[str, ...]], help_: list[tuple[str, ...]],
              spam_reasons: list[tuple[str, ...]], keywords: list[tuple[str, ...]],
              keyphrases: list[tuple[str, ...]],
              thresholds: Mapping[str, float]) -> list[Enrichment]:
    has_sales = np.array([bool(s) for s in sales])
    has_help = np.array([bool(h) for h in help_])
    flags = flag_scores(sentiment, spam, complaint, service, has_sales, has_help, thresholds)
    spam_cut = thresholds.get("spam", 0.5)
    flag_idx = np.where(spam >= spam_cut, FLAGS.index("spam"), flags.argmax(axis=1))
    sent_idx = sentiment.argmax(axis=1)
    complaint_cut = thresholds.get("complaint", 0.5)
    # Round once, vectorised; Python floats from .tolist() are cheap to hand out.
    sent64 = sentiment.astype(np.float64)
    sent_r = np.round(sent64, 4).tolist()
    flags_r = np.round(flags.astype(np.float64), 4).tolist()
    polarity = np.round(sent64[:, 2] - sent64[:, 0], 4).tolist()
    spam_r = np.round(spam.astype(np.float64), 4).tolist()
    complaint_r = np.round(complaint.astype(np.float64), 4).tolist()
    conf_r = np.round(lang_conf.astype(np.float64), 4).tolist()
    is_spam = (spam >= spam_cut).tolist()
    is_complaint = (complaint >= complaint_cut).tolist()
    flag_list = flag_idx.tolist()
    reasons: list[tuple[str, ...]] = [()] * len(flag_list)
    for i in np.flatnonzero(flag_idx != FLAGS.index("none")).tolist():
        flag = FLAGS[flag_list[i]]
        if flag == "green":
            reasons[i] = tuple("sales:" + r for r in sales[i])
        elif flag == "spam":
            reasons[i] = ("spam:model", *spam_reasons[i])
        else:
            reasons[i] = tuple("service:" + r for r in help_[i]) or ("critical",)
    # One comprehension over zipped lists: per-post work here is the budget's largest
    # remaining Python cost, so no indexing and no branches inside.
    out = [
        Enrichment(lang, conf, SENTIMENTS[s_i], s[s_i], pol,
                   {"negative": s[0], "neutral": s[1], "positive": s[2]},
                   FLAGS[f_i], f[f_i],
                   {"red": f[0], "yellow": f[1], "green": f[2], "spam": f[3], "none": f[4]},
                   why, spam_flag, spam_p, complaint_flag, complaint_p, kw, kp)
        for lang, conf, s_i, s, pol, f_i, f, why, spam_flag, spam_p, complaint_flag,
        complaint_p, kw, kp in zip(
            languages, conf_r, sent_idx.tolist(), sent_r, polarity, flag_list, flags_r,
            reasons, is_spam, spam_r, is_complaint, complaint_r, keywords, keyphrases,
            strict=True,
        )
    ]
    return out
