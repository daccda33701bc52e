"""Validation metrics shared by ``train`` (written into the manifest) and bench/nlp_eval.py.

Everything runs through the runtime ``enrich`` pipeline, so the figures describe what
callers get, including the rule layers (intent cues, spam shifts, language decision).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tertulia.nlp.assets import Assets, LinearModel, pack_language, stack
from tertulia.nlp.featurize import Lexicon
from tertulia.nlp.pipeline import FLAGS, SENTIMENTS, enrich_linear

# Decision thresholds shipped in the manifest. "spam" and "complaint" are replaced at
# training time by the F1-best value on the held-out 10% of train (never validation).
THRESHOLDS: dict[str, float] = {
    "spam": 0.5,
    "complaint": 0.5,
    "language_min": 0.3,
    "lingua_below": 0.5,
    "green_base": 0.75,
}
AIRLINE_RED_REASONS = frozenset({"Bad Flight", "Flight Attendant Complaints", "Can't Tell"})


def _load(data: Path, name: str) -> Any:
    from tertulia.nlp.train import load_split

    return load_split(data, name, "validation")


def report(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Per-label table, macro averages, accuracy and confusion matrix."""
    from tertulia.nlp.train import confusion, macro, per_label

    table = per_label(y_true, y_pred, labels)
    correct = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == p)
    return {
        "labels": list(labels),
        "per_label": table,
        "macro_recall": macro(table, "recall"),
        "macro_f1": macro(table, "f1"),
        "accuracy": round(correct / max(len(y_true), 1), 4),
        "confusion": confusion(y_true, y_pred, labels),
        "n": len(y_true),
    }


def airline_flag(label: str, reason: str | None) -> str:
    """The flag an airline tweet should get, from its gold sentiment and negativereason."""
    if label != "negative":
        return "none"
    return "red" if reason in AIRLINE_RED_REASONS else "yellow"


def evaluate(data: Path, assets: Assets) -> dict[str, Any]:
    """All validation reports keyed by task."""
    out: dict[str, Any] = {}
    for key, name in (("sentiment_en", "sentiment_en_tweeteval"),
                      ("sentiment_es", "sentiment_es_intertass_umsab"),
                      ("sentiment_airline", "airline_sentiment_en")):
        rows = _load(data, name)
        results = enrich_linear([r.text for r in rows], None, assets)
        out[key] = report([r.label for r in rows], [e.sentiment for e in results], SENTIMENTS)
        if key == "sentiment_airline":
            truth = [airline_flag(r.label, r.extra.get("negativereason")) for r in rows]
            out["flag_airline"] = report(truth, [e.flag for e in results], FLAGS)
    for key, name in (("spam_sms", "sms_spam_en"), ("spam_youtube", "youtube_spam_en")):
        rows = _load(data, name)
        results = enrich_linear([r.text for r in rows], None, assets)
        out[key] = report([r.label for r in rows],
                          ["spam" if e.is_spam else "ham" for e in results], ("spam", "ham"))
        out[key.replace("spam_", "flag_spam_")] = report(
            [r.label for r in rows], ["spam" if e.flag == "spam" else "ham" for e in results],
            ("spam", "ham"))
    rows = _load(data, "complaints_en")
    results = enrich_linear([r.text for r in rows], None, assets)
    out["complaint"] = report([r.label for r in rows],
                              ["complaint" if e.is_complaint else "not_complaint"
                               for e in results], ("complaint", "not_complaint"))
    out["flag_complaint"] = report(
        [r.label for r in rows],
        ["complaint" if e.flag in ("red", "yellow") else "not_complaint" for e in results],
        ("complaint", "not_complaint"))
    out["green_rate"] = {
        "airline": round(sum(e.flag == "green" for e in enrich_linear(
            [r.text for r in _load(data, "airline_sentiment_en")], None, assets)) / 1457, 4),
        "complaints": round(sum(e.flag == "green" for e in results) / len(results), 4),
    }
    out["language"] = language_report(data, assets)
    return out


def language_report(data: Path, assets: Assets) -> dict[str, Any]:
    """Accuracy on the held-aside slice: all texts, texts up to 40 characters, and the
    first three words of every text (short-text accuracy)."""
    from tertulia.nlp.train import LANGUAGES, language_data

    _, held = language_data(data)
    labels = (*LANGUAGES, "und")
    texts = [t for t, _ in held]
    truth = [lang for _, lang in held]
    full = enrich_linear(texts, None, assets)
    short_idx = [i for i, t in enumerate(texts) if len(t) <= 40]
    words3 = [first_words(t, 3) for t in texts]
    first3 = enrich_linear(words3, None, assets)
    return {
        "all": report(truth, [e.language for e in full], labels),
        "up_to_40_chars": report([truth[i] for i in short_idx],
                                 [full[i].language for i in short_idx], labels),
        "first_3_words": report(truth, [e.language for e in first3], labels),
    }


def first_words(text: str, n: int) -> str:
    """The first ``n`` words that are the author's (handles, URLs, hashtags skipped)."""
    words = [w for w in text.split() if w[:1] not in "@#" and "://" not in w
             and any(c.isalpha() for c in w)]
    return " ".join(words[:n])


def summary(scores: dict[str, Any]) -> dict[str, float]:
    """The headline figures (the JSON line of bench/nlp_eval.py, minus timings)."""
    return {
        "en_sentiment_macro_recall": scores["sentiment_en"]["macro_recall"],
        "en_sentiment_macro_f1": scores["sentiment_en"]["macro_f1"],
        "es_sentiment_macro_f1": scores["sentiment_es"]["macro_f1"],
        "es_sentiment_macro_recall": scores["sentiment_es"]["macro_recall"],
        "airline_sentiment_macro_f1": scores["sentiment_airline"]["macro_f1"],
        "spam_sms_f1": scores["spam_sms"]["per_label"]["spam"]["f1"],
        "spam_youtube_f1": scores["spam_youtube"]["per_label"]["spam"]["f1"],
        "complaint_macro_f1": scores["complaint"]["macro_f1"],
        "flag_airline_macro_f1_red_yellow_none": round(sum(
            scores["flag_airline"]["per_label"][k]["f1"] for k in ("red", "yellow", "none")
        ) / 3, 4),
        "language_accuracy": scores["language"]["all"]["accuracy"],
        "language_accuracy_up_to_40_chars": scores["language"]["up_to_40_chars"]["accuracy"],
        "language_accuracy_first_3_words": scores["language"]["first_3_words"]["accuracy"],
    }


def validation_scores(data: Path, models: dict[str, LinearModel], lexicon: Lexicon,
                      emoji: dict[str, str], thresholds: dict[str, float]) -> dict[str, Any]:
    """Evaluate freshly trained in-memory models (used by ``train`` for the manifest)."""
    assets = Assets(manifest={}, lexicon=lexicon, emoji=emoji, models=models,
                    thresholds=dict(thresholds), content=stack(models),
                    language=pack_language(models["language"]))
    scores = evaluate(data, assets)
    scores["summary"] = summary(scores)
    return scores
