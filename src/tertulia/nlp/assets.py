"""Shipped model files: plain arrays (``.npz``, no pickle) plus ``manifest.json``.

Every model is a linear layer over the hashed features of ``featurize``:
``logits = sparse_sum(weights) / sqrt(n_features) + dense @ dense_weights + intercept``,
then divided by a temperature fitted on held-out training data (calibration).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from tertulia.nlp import featurize
from tertulia.nlp.featurize import FloatArray, Lexicon, Stream

MODELS_DIR = Path(__file__).with_name("models")
MANIFEST = "manifest.json"
LEXICON = "lexicon.json"


class ModelFilesError(RuntimeError):
    """The shipped model files are missing or do not match manifest.json."""


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A calibrated multinomial (or binary, one column) linear model."""

    name: str
    labels: tuple[str, ...]
    weights_t: FloatArray  # (outputs, hashed columns), C-contiguous float32
    dense: FloatArray  # (outputs, N_DENSE)
    intercept: FloatArray  # (outputs,)
    temperature: float

    def logits(self, streams: list[Stream], dense: FloatArray | None, n_docs: int) -> FloatArray:
        """Calibrated logits, shape (texts, outputs)."""
        out = featurize.linear_scores(streams, self.weights_t, n_docs)
        if dense is not None:
            # Small product done without BLAS: its thread pool would spin on other cores.
            out += np.einsum("nd,kd->nk", dense, self.dense, optimize=False)
        out += self.intercept
        return out / self.temperature

    def probabilities(self, streams: list[Stream], dense: FloatArray | None,
                      n_docs: int) -> FloatArray:
        """Class probabilities: softmax for several labels, sigmoid for one."""
        logits = self.logits(streams, dense, n_docs)
        return sigmoid(logits) if logits.shape[1] == 1 else softmax(logits)


def sigmoid(logits: FloatArray) -> FloatArray:
    """Logistic function, clipped so exp never overflows."""
    out: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
    return out


def softmax(logits: FloatArray) -> FloatArray:
    """Row-wise softmax."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return out


CONTENT_STACK: tuple[str, ...] = ("sentiment", "spam", "complaint", "service", "sentiment_es")


def softmax_rows(model: LinearModel, reference: int) -> tuple[FloatArray, FloatArray,
                                                               FloatArray]:
    """(weights, dense, intercept) of a softmax model minus its ``reference`` row, over its
    temperature: softmax is unchanged by subtracting one row's logit from all, so K labels
    need K - 1 outputs (the reference's logit is then 0)."""
    keep = [k for k in range(len(model.labels)) if k != reference]
    t = model.temperature
    return ((model.weights_t[keep] - model.weights_t[reference]) / t,
            (model.dense[keep] - model.dense[reference]) / t,
            (model.intercept[keep] - model.intercept[reference]) / t)


def with_reference(logits: FloatArray, reference: int) -> FloatArray:
    """Full logits of a softmax model scored by ``softmax_rows`` (a zero column put back)."""
    return np.insert(logits, reference, 0.0, axis=1)


SENTIMENT_REFERENCE = 1  # neutral


def stack(models: dict[str, LinearModel]) -> featurize.PackedLinear:
    """One packed scorer for the content models, in this output order: sentiment
    (negative - neutral, positive - neutral), spam, complaint, service, Spanish sentiment
    (negative - neutral, positive - neutral); every block already divided by its
    temperature, so the outputs are calibrated logits."""
    parts_w, parts_d, parts_b = [], [], []
    for name in CONTENT_STACK:
        # A model folder from before the Spanish head: the shared model reads Spanish too.
        m = models.get(name) or models["sentiment"]
        if len(m.labels) > 1:
            weights, dense, intercept = softmax_rows(m, SENTIMENT_REFERENCE)
        else:
            t = m.temperature
            weights, dense, intercept = m.weights_t / t, m.dense / t, m.intercept / t
        parts_w.append(weights)
        parts_d.append(dense)
        parts_b.append(intercept)
    return featurize.PackedLinear.build(np.vstack(parts_w), np.vstack(parts_d),
                                        np.concatenate(parts_b))


LANGUAGE_REFERENCE = 1  # en


def pack_language(model: LinearModel) -> featurize.PackedLinear:
    """The language model as K - 1 packed outputs (see ``softmax_rows``)."""
    return featurize.PackedLinear.build(*softmax_rows(model, LANGUAGE_REFERENCE))


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(directory: Path, name: str, labels: tuple[str, ...], weights_t: FloatArray,
               dense: FloatArray, intercept: FloatArray, temperature: float) -> Path:
    """Write one model as a compressed ``.npz`` of plain arrays (weights stored float16)."""
    path = directory / f"{name}.npz"
    np.savez_compressed(
        path,
        weights_t=weights_t.astype(np.float16),
        dense=dense.astype(np.float32),
        intercept=intercept.astype(np.float32),
        temperature=np.array([temperature], dtype=np.float32),
        labels=np.array(labels, dtype=np.str_),
    )
    return path


def _load_model(directory: Path, name: str) -> LinearModel:
    path = directory / f"{name}.npz"
    with np.load(path, allow_pickle=False) as data:
        return LinearModel(
            name=name,
            labels=tuple(str(x) for x in data["labels"]),
            weights_t=np.ascontiguousarray(data["weights_t"], dtype=np.float32),
            dense=data["dense"].astype(np.float32),
            intercept=data["intercept"].astype(np.float32),
            temperature=float(data["temperature"][0]),
        )


@dataclass(frozen=True, slots=True)
class Assets:
    """Everything ``enrich`` needs, loaded once per process."""

    manifest: dict[str, Any]
    lexicon: Lexicon
    emoji: dict[str, str]
    models: dict[str, LinearModel]
    thresholds: dict[str, float]
    content: featurize.PackedLinear
    language: featurize.PackedLinear


def load_manifest(directory: Path = MODELS_DIR) -> dict[str, Any]:
    """Parse ``manifest.json``; raise ``ModelFilesError`` if it is missing."""
    path = directory / MANIFEST
    if not path.exists():
        raise ModelFilesError(
            f"{path} is missing: run `python -m tertulia.nlp.train` to build the models."
        )
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def verify(directory: Path = MODELS_DIR) -> list[str]:
    """Names of files whose sha256 differs from the manifest (empty list: all good)."""
    manifest = load_manifest(directory)
    bad = []
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.exists() or sha256_file(path) != expected["sha256"]:
            bad.append(name)
    return bad


@cache
def load_assets(directory: Path = MODELS_DIR) -> Assets:
    """Load lexicon, emoji table and every model named in the manifest (cached)."""
    manifest = load_manifest(directory)
    lexicon_data = json.loads((directory / LEXICON).read_text(encoding="utf-8"))
    models = {name: _load_model(directory, name) for name in manifest["models"]}
    from tertulia.nlp.normalize import emoji_markers

    return Assets(
        manifest=manifest,
        lexicon=Lexicon.from_dict(lexicon_data["words"]),
        emoji=emoji_markers(lexicon_data["emoji"]),
        models=models,
        thresholds={k: float(v) for k, v in manifest.get("thresholds", {}).items()},
        content=stack(models),
        language=pack_language(models["language"]),
    )
