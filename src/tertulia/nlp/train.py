"""Rebuild every shipped model from ``../shared/data``: ``python -m tertulia.nlp.train``.

Training-time only: needs scikit-learn and scipy (dev dependencies); the runtime never
imports this module. Deterministic: fixed splits, seeds and solver settings.

Models (all linear over the hashed features of ``featurize``):
- ``sentiment``: negative/neutral/positive, trained on TweetEval-substitute (en),
  InterTASS (es) and airline (en) train splits together, class-balanced.
- ``sentiment_es``: the Spanish head (texts decided Spanish), InterTASS train alone,
  softmax loss.
- ``spam``: SMS + YouTube spam train splits, plus the sentiment sets' tweets as ham
  (weight ``TWEET_HAM_WEIGHT``) so tweets to brands are not mistaken for spam.
- ``complaint``: complaints_en train split, with the sentiment margins as extra inputs
  folded back into its weights (see ``Margins``).
- ``service``: airline train split, negative tweets whose ``negativereason`` is a
  concrete service problem (see ``SERVICE_REASONS``) against everything else.
- ``language``: es/en tweets + Django/allauth translation catalogues (installed
  packages) for pt/fr/ca/it/de/es/en, a 20% slice of catalogues held aside.
Calibration (temperature, or Platt scaling for one-output models) is fitted on a
deterministic 10% slice of each train split, then the model is refit on all of it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tertulia.nlp import assets, featurize, lexicon_es, normalize
from tertulia.nlp.featurize import CONTENT_BITS, LANG_BITS, Lexicon, Stream
from tertulia.nlp.lexicons import SENTIMENT_ES

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
LANGUAGES: tuple[str, ...] = ("es", "en", "pt", "fr", "ca", "it", "de")
SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
# Airline negative reasons that name a concrete problem customer service can act on.
SERVICE_REASONS: frozenset[str] = frozenset({
    "Customer Service Issue", "Late Flight", "Cancelled Flight", "Lost Luggage",
    "Damaged Luggage", "Flight Booking Problems", "longlines",
})
SEED = 13
TWEET_HAM_WEIGHT = 0.15


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text."""

    text: str
    label: str
    extra: dict[str, Any]


def load_split(data: Path, name: str, split: str) -> list[Example]:
    """Read ``<data>/<name>/<split>.jsonl``."""
    out = []
    with (data / name / f"{split}.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            text = row.pop("text")
            label = row.pop("label")
            out.append(Example(text, label, row))
    return out


def in_holdout(text: str, percent: int, salt: str = "") -> bool:
    """Deterministic text-keyed slice (stable across runs and Python hash seeds)."""
    digest = hashlib.blake2b((salt + text).encode("utf-8", "replace"), digest_size=4).digest()
    return int.from_bytes(digest, "little") % 100 < percent


# --- lexicon ---------------------------------------------------------------------------


def build_lexicon() -> dict[str, Any]:
    """VADER's word valences and emoji polarities plus our Spanish list, as plain JSON.

    Emoji polarity: VADER's compound score of the emoji's description (e.g. "face with
    tears of joy"), positive above 0.2, negative below -0.2.
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    words: dict[str, float] = {}
    for word, value in analyzer.lexicon.items():
        if re.fullmatch(r"[a-z]+", word):
            words[word] = round(float(value), 2)
    for word, value in SENTIMENT_ES.items():
        words[featurize.fold_text(word)] = value
    for word, value in lexicon_es.expand().items():
        words[featurize.fold_text(word)] = value
    emoji: dict[str, str] = {}
    for char, description in analyzer.emojis.items():
        if len(char) != 1:
            continue
        compound = analyzer.polarity_scores(description)["compound"]
        emoji[char] = "xemopos" if compound > 0.2 else "xemoneg" if compound < -0.2 else "xemoneu"
    return {"source": "vaderSentiment 3.3.2 lexicon + tertulia Spanish list", "words": words,
            "emoji": emoji}


# --- features --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Featurised:
    """Content and language features of a list of texts."""

    content: list[Stream]
    dense: npt.NDArray[np.float32]
    language: list[Stream]
    language_dense: npt.NDArray[np.float32]
    n: int


def featurise(texts: Sequence[str], lexicon: Lexicon, emoji: dict[str, str]) -> Featurised:
    """Run the runtime featuriser on ``texts`` (same code path as ``enrich``)."""
    cleaned = normalize.clean_texts(texts)
    batch = featurize.prepare(normalize.normalise_batch(cleaned, emoji), len(cleaned))
    streams, negated = featurize.content_streams(batch)
    dense = featurize.dense_features(batch, negated, lexicon)
    lang_streams, lang_dense = featurize.language_features(batch, streams)
    return Featurised(streams, dense, lang_streams, lang_dense, len(cleaned))


def design_matrix(streams: list[Stream], n: int, bits: int,
                  dense: npt.NDArray[np.float32] | None) -> Any:
    """The scipy CSR matrix whose product with a weight vector equals ``linear_scores``."""
    from scipy import sparse

    rows = np.concatenate([s.doc for s in streams])
    cols = np.concatenate([s.index for s in streams])
    counts = np.bincount(rows, minlength=n).astype(np.float64)
    values = (1.0 / np.sqrt(np.maximum(counts, 1.0)))[rows]
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(n, 1 << bits))
    if dense is not None:
        matrix = sparse.hstack([matrix, sparse.csr_matrix(dense.astype(np.float64))]).tocsr()
    return matrix


def subset(feats: Featurised, mask: npt.NDArray[np.bool_]) -> Featurised:
    """Keep the texts selected by ``mask``, renumbered."""
    new_id = np.cumsum(mask) - 1

    def pick(streams: list[Stream]) -> list[Stream]:
        out = []
        for s in streams:
            keep = mask[s.doc]
            out.append(Stream(new_id[s.doc[keep]], s.index[keep]))
        return out

    return Featurised(pick(feats.content), feats.dense[mask], pick(feats.language),
                      feats.language_dense[mask], int(mask.sum()))


# --- fitting ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fitted:
    """Weights in runtime layout plus calibration."""

    labels: tuple[str, ...]
    weights_t: npt.NDArray[np.float32]
    dense: npt.NDArray[np.float32]
    intercept: npt.NDArray[np.float32]
    temperature: float
    threshold: float


def _fit_raw(x: Any, y: npt.NDArray[np.int64], c: float, balanced: bool,
             weights: npt.NDArray[np.float64] | None, n_labels: int,
             multinomial: bool = False) -> tuple[npt.NDArray[np.float32],
                                                  npt.NDArray[np.float32]]:
    """Logistic regression, one-vs-rest for several labels (liblinear, deterministic).

    liblinear fits these sparse problems in seconds where lbfgs multinomial needed minutes
    for the same accuracy; the temperature fitted afterwards turns the one-vs-rest logits
    into calibrated softmax probabilities. ``multinomial`` (lbfgs, softmax loss) is for
    small sets, where it does better (the Spanish head: validation macro-F1 0.617 against
    0.596 one-vs-rest with the same C).
    """
    from sklearn.linear_model import LogisticRegression

    if multinomial:
        model = LogisticRegression(C=c, class_weight="balanced" if balanced else None,
                                   max_iter=1000, tol=1e-5, solver="lbfgs")
        model.fit(x, y, sample_weight=weights)
        return model.coef_.astype(np.float32), model.intercept_.astype(np.float32)

    def one(target: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.float64], float]:
        model = LogisticRegression(C=c, class_weight="balanced" if balanced else None,
                                   max_iter=300, tol=1e-4, solver="liblinear",
                                   random_state=SEED)
        model.fit(x, target, sample_weight=weights)
        return model.coef_[0], float(model.intercept_[0])

    if n_labels <= 2:
        coef, intercept = one(y)
        return coef[None, :].astype(np.float32), np.array([intercept], dtype=np.float32)
    rows, intercepts = zip(*(one((y == k).astype(np.int64)) for k in range(n_labels)),
                           strict=True)
    return np.vstack(rows).astype(np.float32), np.array(intercepts, dtype=np.float32)


def _temperature(logits: npt.NDArray[np.float64], y: npt.NDArray[np.int64]) -> float:
    """Temperature minimising held-out log-loss (grid search: deterministic, no solver)."""
    best_t, best_loss = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.25), np.log(4.0), 81)):
        z = logits / t
        if z.shape[1] == 1:
            p = 1 / (1 + np.exp(-z[:, 0]))
            loss = -np.mean(np.log(np.where(y == 1, p, 1 - p) + 1e-12))
        else:
            z = z - z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            loss = -np.mean(logp[np.arange(len(y)), y])
        if loss < best_loss:
            best_t, best_loss = float(t), loss
    return best_t


def _platt(logits: npt.NDArray[np.float64], y: npt.NDArray[np.int64]) -> tuple[float, float]:
    """(temperature, offset) with sigmoid(logit / T + offset) fitted to held-out labels."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, solver="lbfgs", max_iter=200)
    model.fit(logits[:, None], y)
    slope = max(float(model.coef_[0, 0]), 1e-3)
    return 1.0 / slope, float(model.intercept_[0])


def fit(feats: Featurised, texts: Sequence[str], y: npt.NDArray[np.int64],
        labels: tuple[str, ...], *, c: float, balanced: bool = True, use_dense: bool = True,
        language: bool = False, weights: npt.NDArray[np.float64] | None = None,
        salt: str = "", macro_threshold: bool = False, multinomial: bool = False) -> Fitted:
    """Fit on 90% of train, fit the temperature on the other 10%, refit on all of train."""
    bits = LANG_BITS if language else CONTENT_BITS

    def matrix(f: Featurised) -> Any:
        if language:
            return design_matrix(f.language, f.n, bits, f.language_dense)
        return design_matrix(f.content, f.n, bits, f.dense if use_dense else None)

    hold = np.array([in_holdout(t, 10, salt) for t in texts])
    fit_part = subset(feats, ~hold)
    w_fit = None if weights is None else weights[~hold]
    coef, intercept = _fit_raw(matrix(fit_part), y[~hold], c, balanced, w_fit, len(labels),
                               multinomial)
    held = subset(feats, hold)
    logits = np.asarray(matrix(held) @ coef.T.astype(np.float64)) + intercept
    threshold = 0.5
    if len(labels) == 1:
        # Platt scaling: a slope and an offset, so the probability reflects the real
        # base rate even though training balanced the classes.
        temperature, offset = _platt(logits[:, 0], y[hold])
        calibrated = 1 / (1 + np.exp(-(logits[:, 0] / temperature + offset)))
        threshold = _best_threshold(calibrated, y[hold], macro_f1=macro_threshold)
    else:
        temperature, offset = _temperature(logits, y[hold]), 0.0
    coef, intercept = _fit_raw(matrix(feats), y, c, balanced, weights, len(labels),
                               multinomial)
    intercept = intercept + np.float32(offset * temperature)
    n_cols = 1 << bits
    dense = (coef[:, n_cols:] if use_dense or language
             else np.zeros((coef.shape[0], feats.dense.shape[1]), np.float32))
    return Fitted(labels, np.ascontiguousarray(coef[:, :n_cols]), dense, intercept, temperature,
                  threshold)


def _best_threshold(prob: npt.NDArray[np.float64], y: npt.NDArray[np.int64], *,
                    macro_f1: bool) -> float:
    """Decision threshold maximising F1 (or macro-F1) on the held-out train slice."""
    best, best_score = 0.5, -1.0
    for threshold in np.round(np.arange(0.3, 0.91, 0.05), 2):
        pred = prob >= threshold
        scores = []
        for positive in (True, False) if macro_f1 else (True,):
            truth = (y == 1) if positive else (y == 0)
            guess = pred if positive else ~pred
            tp = float((truth & guess).sum())
            denominator = float(truth.sum() + guess.sum())
            scores.append(2 * tp / denominator if denominator else 0.0)
        score = float(np.mean(scores))
        # Ties go to the threshold closest to 0.5.
        if score > best_score + 1e-9 or (abs(score - best_score) <= 1e-9
                                          and abs(threshold - 0.5) < abs(best - 0.5)):
            best, best_score = float(threshold), score
    return best


def to_model(name: str, fitted: Fitted) -> assets.LinearModel:
    """Runtime model from fitted arrays, rounded through float16 like the shipped file."""
    return assets.LinearModel(
        name, fitted.labels, fitted.weights_t.astype(np.float16).astype(np.float32),
        fitted.dense, fitted.intercept, fitted.temperature,
    )


# --- metrics ---------------------------------------------------------------------------


def confusion(y_true: Sequence[str], y_pred: Sequence[str],
              labels: Sequence[str]) -> list[list[int]]:
    """Confusion matrix, rows = true label, columns = predicted label."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred, strict=True):
        if t in index and p in index:
            matrix[index[t]][index[p]] += 1
    return matrix


def per_label(y_true: Sequence[str], y_pred: Sequence[str],
              labels: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per label."""
    out = {}
    for label in labels:
        tp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == label and p == label)
        fp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t != label and p == label)
        fn = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                      "f1": round(f1, 4), "support": tp + fn}
    return out


def macro(table: dict[str, dict[str, float]], key: str) -> float:
    """Macro average of ``key`` over the labels of a ``per_label`` table."""
    return round(float(np.mean([row[key] for row in table.values()])), 4)


# --- language data -----------------------------------------------------------------------

_PO_LANG = {"es": "es", "pt": "pt", "pt_BR": "pt", "fr": "fr", "ca": "ca", "it": "it",
            "de": "de"}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>|&\w+;|\\n")


def _po_strings(path: Path, field: str) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    out = []
    for block in re.findall(rf'^{field} (".*"(?:\n".*")*)', text, flags=re.MULTILINE):
        parts = re.findall(r'"(.*)"', block)
        value = _PLACEHOLDER.sub(" ", "".join(parts)).replace('\\"', '"').strip()
        if len(re.findall(r"[^\W\d_]", value)) >= 3:
            out.append(value)
    return out


def catalogue_texts() -> list[tuple[str, str]]:
    """(text, language) pairs from the Django and allauth translation catalogues.

    These ship with our own dependencies, so the language model needs no download; msgid
    strings are English, msgstr strings are in the catalogue's language.
    """
    import allauth
    import django

    roots = [Path(django.__file__).parent, Path(allauth.__file__).parent]
    pairs: set[tuple[str, str]] = set()
    for root in roots:
        for path in sorted(root.rglob("*.po")):
            code = path.parent.parent.name
            if code in _PO_LANG:
                pairs.update((s, _PO_LANG[code]) for s in _po_strings(path, "msgstr"))
                pairs.update((s, "en") for s in _po_strings(path, "msgid"))
    return sorted(pairs)


def language_data(data: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Train and held-aside (text, language) pairs for the language model."""
    train: list[tuple[str, str]] = []
    held: list[tuple[str, str]] = []
    for text, lang in catalogue_texts():
        (held if in_holdout(text + lang, 20, "lang") else train).append((text, lang))
    for name, lang in (("sentiment_en_tweeteval", "en"), ("sentiment_es_intertass_umsab", "es")):
        train += [(e.text, lang) for e in load_split(data, name, "train")]
        held += [(e.text, lang) for e in load_split(data, name, "validation")]
    return train, held


# --- training ----------------------------------------------------------------------------


def _labels_index(examples: Sequence[Example], labels: Sequence[str]) -> npt.NDArray[np.int64]:
    index = {label: i for i, label in enumerate(labels)}
    return np.array([index[e.label] for e in examples], dtype=np.int64)


def _data_versions(data: Path, names: Sequence[str]) -> dict[str, dict[str, str]]:
    out = {}
    for name in names:
        out[name] = {
            split: assets.sha256_file(data / name / f"{split}.jsonl")
            for split in ("train", "validation")
        }
    return out


def train_all(data: Path, out_dir: Path, *, log: Any = print) -> dict[str, Any]:
    """Train every model, write the files and manifest into ``out_dir``; return manifest."""
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    lexicon_json = build_lexicon()
    (out_dir / assets.LEXICON).write_text(
        json.dumps(lexicon_json, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8"
    )
    lexicon = Lexicon.from_dict(lexicon_json["words"])
    emoji = normalize.emoji_markers(lexicon_json["emoji"])
    models: dict[str, Fitted] = {}
    scores: dict[str, Any] = {}

    # Sentiment: both languages and the airline tweets in one model. Spanish rows weigh
    # more so 1,839 Spanish tweets are not drowned by 30,000 English ones.
    en = load_split(data, "sentiment_en_tweeteval", "train")
    es = load_split(data, "sentiment_es_intertass_umsab", "train")
    air = load_split(data, "airline_sentiment_en", "train")
    examples = en + es + air
    weights = np.array([1.0] * len(en) + [4.0] * len(es) + [0.5] * len(air))
    texts = [e.text for e in examples]
    feats = featurise(texts, lexicon, emoji)
    y = _labels_index(examples, SENTIMENT_LABELS)
    models["sentiment"] = fit(feats, texts, y, SENTIMENT_LABELS, c=0.5, weights=weights,
                              salt="sentiment")
    log(f"sentiment trained ({time.perf_counter() - started:.0f}s)")

    # A Spanish head, used for texts decided Spanish: trained on the Spanish tweets alone
    # (softmax loss; C 0.5 rather than 0.25 by 5-fold cross-validation on this train
    # split), it beats the shared model on Spanish (validation macro-F1 0.617 against
    # 0.566), whose English rows pull its weights their way.
    texts = [e.text for e in es]
    models["sentiment_es"] = fit(featurise(texts, lexicon, emoji), texts,
                                 _labels_index(es, SENTIMENT_LABELS), SENTIMENT_LABELS,
                                 c=0.5, multinomial=True, salt="sentiment_es")
    log(f"Spanish sentiment trained ({time.perf_counter() - started:.0f}s)")

    # SMS and YouTube comments alone teach "anything unlike an SMS is spam": tweets to
    # brands (@handles, links) were flagged. The sentiment sets' tweets join as ham at a
    # low weight (their few promotional tweets are label noise we accept).
    spam = load_split(data, "sms_spam_en", "train") + load_split(data, "youtube_spam_en", "train")
    tweets = [Example(e.text, "ham", {}) for e in en + es + air]
    texts = [e.text for e in spam + tweets]
    y = np.array([e.label == "spam" for e in spam + tweets], dtype=np.int64)
    spam_weights = np.array([1.0] * len(spam) + [TWEET_HAM_WEIGHT] * len(tweets))
    models["spam"] = fit(featurise(texts, lexicon, emoji), texts, y, ("spam",), c=32.0,
                         weights=spam_weights, salt="spam")
    log(f"spam trained ({time.perf_counter() - started:.0f}s)")

    # Complaints: the sentiment model's two margins (negative and positive against
    # neutral, learnt from 30,000 tweets) join the complaint model's inputs. They are
    # linear in the same features, so the result folds back into one linear model.
    complaints = load_split(data, "complaints_en", "train")
    texts = [e.text for e in complaints]
    y = np.array([e.label == "complaint" for e in complaints], dtype=np.int64)
    feats = featurise(texts, lexicon, emoji)
    margins = sentiment_margins(models["sentiment"])
    stacked = replace(feats, dense=np.hstack([feats.dense, margins.scores(feats)]))
    models["complaint"] = margins.fold(fit(stacked, texts, y, ("complaint",), c=8.0,
                                           salt="complaint", macro_threshold=True))
    log(f"complaint trained ({time.perf_counter() - started:.0f}s)")

    # P(service problem | critical post): negative airline tweets only, concrete service
    # reasons against "Bad Flight", "Flight Attendant Complaints", "Can't Tell".
    negatives = [e for e in air if e.label == "negative"]
    texts = [e.text for e in negatives]
    y = np.array([service_label(e) for e in negatives], dtype=np.int64)
    models["service"] = fit(featurise(texts, lexicon, emoji), texts, y, ("service",), c=2.0,
                            salt="service")
    log(f"service trained ({time.perf_counter() - started:.0f}s)")

    lang_train, _ = language_data(data)
    texts = [t for t, _ in lang_train]
    y = np.array([LANGUAGES.index(lang) for _, lang in lang_train], dtype=np.int64)
    models["language"] = fit(featurise(texts, lexicon, emoji), texts, y, LANGUAGES, c=30.0,
                             use_dense=False, language=True, salt="language")
    log(f"language trained ({time.perf_counter() - started:.0f}s)")

    files: dict[str, dict[str, Any]] = {}
    for name, fitted in models.items():
        path = assets.save_model(out_dir, name, fitted.labels, fitted.weights_t, fitted.dense,
                                 fitted.intercept, fitted.temperature)
        files[path.name] = {"sha256": assets.sha256_file(path), "bytes": path.stat().st_size}
    lex_path = out_dir / assets.LEXICON
    files[lex_path.name] = {"sha256": assets.sha256_file(lex_path),
                            "bytes": lex_path.stat().st_size}

    from tertulia.nlp import evaluation

    runtime_models = {name: to_model(name, fitted) for name, fitted in models.items()}
    thresholds = dict(evaluation.THRESHOLDS)
    thresholds["spam"] = models["spam"].threshold
    thresholds["complaint"] = models["complaint"].threshold
    scores = evaluation.validation_scores(data, runtime_models, lexicon, emoji, thresholds)
    manifest = {
        "format": 1,
        "models": sorted(models),
        "labels": {name: list(f.labels) for name, f in models.items()},
        "temperatures": {name: round(f.temperature, 4) for name, f in models.items()},
        "features": {
            "content_bits": CONTENT_BITS, "language_bits": LANG_BITS,
            "content_char_orders": list(featurize.CONTENT_CHAR_ORDERS),
            "language_char_orders": list(featurize.LANG_CHAR_ORDERS),
            "dense": list(featurize.DENSE_NAMES),
        },
        "thresholds": thresholds,
        "files": files,
        "data": _data_versions(data, [
            "sentiment_en_tweeteval", "sentiment_es_intertass_umsab", "airline_sentiment_en",
            "sms_spam_en", "youtube_spam_en", "complaints_en",
        ]),
        "language_catalogues": "django + allauth .po files from the installed packages",
        "training_command": "python -m tertulia.nlp.train --data ../shared/data",
        "training_seconds": round(time.perf_counter() - started, 1),
        "python": platform.python_version(),
        "validation_scores": scores,
    }
    (out_dir / assets.MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                           encoding="utf-8")
    log(f"wrote {out_dir} in {manifest['training_seconds']}s")
    return manifest


@dataclass(frozen=True, slots=True)
class Margins:
    """Linear outputs over the content features, usable as extra dense inputs of another
    model and then folded into its weights (``fold``): stacking at no runtime cost."""

    weights_t: npt.NDArray[np.float32]  # (outputs, hashed columns)
    dense: npt.NDArray[np.float32]  # (outputs, N_DENSE)
    intercept: npt.NDArray[np.float32]  # (outputs,)

    def scores(self, feats: Featurised) -> npt.NDArray[np.float32]:
        """The outputs for ``feats``, shape (texts, outputs)."""
        x = design_matrix(feats.content, feats.n, CONTENT_BITS, feats.dense)
        w = np.hstack([self.weights_t, self.dense]).astype(np.float64)
        return (np.asarray(x @ w.T) + self.intercept).astype(np.float32)

    def fold(self, fitted: Fitted) -> Fitted:
        """``fitted`` was trained with these outputs as its last dense columns: return
        the same model over the plain features."""
        k = len(self.intercept)
        mix = fitted.dense[:, -k:]
        return replace(
            fitted,
            weights_t=np.ascontiguousarray(fitted.weights_t + mix @ self.weights_t,
                                           dtype=np.float32),
            dense=(fitted.dense[:, :-k] + mix @ self.dense).astype(np.float32),
            intercept=(fitted.intercept + mix @ self.intercept).astype(np.float32),
        )


def sentiment_margins(sentiment: Fitted) -> Margins:
    """Calibrated logits of negative and of positive minus that of neutral."""
    neg, neu, pos = (SENTIMENT_LABELS.index(x) for x in ("negative", "neutral", "positive"))
    t = sentiment.temperature
    pick = [neg, pos]
    return Margins((sentiment.weights_t[pick] - sentiment.weights_t[neu]) / t,
                   (sentiment.dense[pick] - sentiment.dense[neu]) / t,
                   (sentiment.intercept[pick] - sentiment.intercept[neu]) / t)


def service_label(example: Example) -> int:
    """1 when an airline tweet is negative about a concrete, fixable service problem."""
    return int(example.label == "negative"
               and example.extra.get("negativereason") in SERVICE_REASONS)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point (also used by ``tertulia nlp train``)."""
    parser = argparse.ArgumentParser(prog="python -m tertulia.nlp.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"shared data folder (default {DEFAULT_DATA})")
    parser.add_argument("--out", type=Path, default=assets.MODELS_DIR,
                        help="where to write the model files and manifest.json")
    args = parser.parse_args(argv)
    if not (args.data / "sentiment_en_tweeteval").is_dir():
        print(f"no training data in {args.data}: pass --data", file=sys.stderr)
        return 2
    manifest = train_all(args.data, args.out)
    print(json.dumps(manifest["validation_scores"]["summary"], sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
