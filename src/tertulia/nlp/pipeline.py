"""``enrich``: language, sentiment, flag, spam and keywords for a batch of posts.

One call per batch; every stage is a numpy operation over the whole batch (see
``normalize`` and ``featurize`` for why). Large batches are cut into chunks so peak memory
stays bounded whatever the caller passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from tertulia.nlp import featurize, normalize
from tertulia.nlp.assets import (
    LANGUAGE_REFERENCE,
    SENTIMENT_REFERENCE,
    Assets,
    load_assets,
    sigmoid,
    softmax,
    with_reference,
)
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
    # All content models share one packed weight matrix: one pass over the features.
    logits = assets.content.logits(streams, dense, n)
    spam_logit = logits[:, 2]
    complaint = sigmoid(logits[:, 3])
    service = sigmoid(logits[:, 4])

    lang_streams, lang_dense = featurize.language_features(batch, streams)
    lang_probs = softmax(with_reference(assets.language.logits(lang_streams, lang_dense, n),
                                        LANGUAGE_REFERENCE))
    languages, lang_conf = decide_languages(
        lang_probs, models["language"].labels, featurize.letter_counts(batch), cleaned, hints,
        assets.thresholds,
    )
    # Texts decided Spanish are read by the Spanish head (outputs 5-6), the rest by the
    # shared model (outputs 0-1).
    spanish = np.fromiter((lang == "es" for lang in languages), dtype=np.bool_, count=n)
    margins = np.where(spanish[:, None], logits[:, 5:7], logits[:, 0:2])
    sentiment = softmax(with_reference(margins, SENTIMENT_REFERENCE))
    # No word, emoji or marker at all (empty, punctuation only): nothing to read, so
    # neutral with low confidence rather than whatever the intercepts favour.
    empty = dense[:, featurize.DENSE_NAMES.index("n_words")] == 0
    sentiment[empty] = EMPTY_SENTIMENT

    sales, help_ = find_intents(batch)
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


_SENTIMENT_NAMES = np.array(SENTIMENTS, dtype=object)
_FLAG_NAMES = np.array(FLAGS, dtype=object)
_new_enrichment = partial(tuple.__new__, Enrichment)


def _assemble(languages: list[str], lang_conf: npt.NDArray[np.float32],
              sentiment: npt.NDArray[np.float32], spam: npt.NDArray[np.float32],
              complaint: npt.NDArray[np.float32], service: npt.NDArray[np.float32],
              sales: list[tuple[str, ...]], help_: list[tuple[str, ...]],
              spam_reasons: list[tuple[str, ...]], keywords: list[tuple[str, ...]],
              keyphrases: list[tuple[str, ...]],
              thresholds: Mapping[str, float]) -> list[Enrichment]:
    n = len(languages)
    has_sales = np.fromiter(map(bool, sales), dtype=np.bool_, count=n)
    has_help = np.fromiter(map(bool, help_), dtype=np.bool_, count=n)
    flags = flag_scores(sentiment, spam, complaint, service, has_sales, has_help, thresholds)
    spam_cut = thresholds.get("spam", 0.5)
    is_spam = spam >= spam_cut
    flag_idx = np.where(is_spam, FLAGS.index("spam"), flags.argmax(axis=1))
    sent_idx = sentiment.argmax(axis=1)
    complaint_cut = thresholds.get("complaint", 0.5)
    # Round once, vectorised; every field is then a column list, and the objects are
    # built by zip + tuple.__new__ in C: no Python frame per post.
    sent_r = np.round(sentiment.astype(np.float64), 4)
    flags_r = np.round(flags.astype(np.float64), 4)
    rows = np.arange(n)
    s_neg, s_neu, s_pos = sent_r.T.tolist()
    f_red, f_yellow, f_green, f_spam, f_none = flags_r.T.tolist()
    sentiment_scores = [{"negative": a, "neutral": b, "positive": c}
                        for a, b, c in zip(s_neg, s_neu, s_pos, strict=True)]
    flag_scores_ = [{"red": a, "yellow": b, "green": c, "spam": d, "none": e}
                    for a, b, c, d, e in zip(f_red, f_yellow, f_green, f_spam, f_none,
                                             strict=True)]
    reasons: list[tuple[str, ...]] = [()] * n
    flag_list = flag_idx.tolist()
    for i in np.flatnonzero(flag_idx != FLAGS.index("none")).tolist():
        flag = FLAGS[flag_list[i]]
        if flag == "green":
            reasons[i] = tuple("sales:" + r for r in sales[i])
        elif flag == "spam":
            reasons[i] = ("spam:model", *spam_reasons[i])
        else:
            reasons[i] = tuple("service:" + r for r in help_[i]) or ("critical",)
    columns = (
        languages,
        np.round(lang_conf.astype(np.float64), 4).tolist(),
        _SENTIMENT_NAMES[sent_idx].tolist(),
        sent_r[rows, sent_idx].tolist(),
        np.round(sent_r[:, 2] - sent_r[:, 0], 4).tolist(),
        sentiment_scores,
        _FLAG_NAMES[flag_idx].tolist(),
        flags_r[rows, flag_idx].tolist(),
        flag_scores_,
        reasons,
        is_spam.tolist(),
        np.round(spam.astype(np.float64), 4).tolist(),
        (complaint >= complaint_cut).tolist(),
        np.round(complaint.astype(np.float64), 4).tolist(),
        keywords,
        keyphrases,
    )
    return list(map(_new_enrichment, zip(*columns, strict=True)))
