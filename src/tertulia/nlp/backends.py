"""Backend registry: the plug-in point for a heavier model.

The setting is a string, ``TERTULIA_NLP_BACKEND`` by default:
- ``linear`` (default): our shipped CPU models; never downloads anything.
- ``transformers:/path/to/folder``: a local Hugging Face sentiment model folder
  (``config.json`` + weights) replaces the sentiment stage; everything else stays linear.
  It loads with ``local_files_only=True``: a missing folder or package is an error that
  says so, never a download.

Other packages register more with ``register_backend(prefix, factory)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tertulia.nlp.pipeline import SENTIMENTS, Enrichment, enrich_linear

ENV_VAR = "TERTULIA_NLP_BACKEND"
DEFAULT_BACKEND = "linear"


class Backend(Protocol):
    """What a backend provides: the same contract as ``tertulia.nlp.enrich``."""

    name: str

    def enrich(self, texts: Sequence[str],
               hints: Sequence[Mapping[str, Any] | None] | None) -> list[Enrichment]:
        """One ``Enrichment`` per text, in order."""
        ...


class BackendError(RuntimeError):
    """The configured backend cannot be used (unknown name, missing local folder/package)."""


class LinearBackend:
    """Our shipped hashed linear models (default)."""

    name = "linear"

    def enrich(self, texts: Sequence[str],
               hints: Sequence[Mapping[str, Any] | None] | None) -> list[Enrichment]:
        """Run the CPU pipeline."""
        return enrich_linear(texts, hints)


class TransformersBackend:
    """Sentiment from a local transformers sequence-classification folder."""

    def __init__(self, folder: str) -> None:
        path = Path(folder).expanduser()
        if not (path / "config.json").is_file():
            raise BackendError(
                f"{ENV_VAR}=transformers:{folder}: no config.json in {path}. Point it at a "
                "local model folder (downloads are never attempted)."
            )
        try:
            import transformers
        except ImportError as exc:
            raise BackendError(
                f"{ENV_VAR}=transformers:{folder} needs the 'transformers' package, which "
                "is not installed; install it or set the backend to 'linear'."
            ) from exc
        self.name = f"transformers:{path}"
        self._tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
        self._model = transformers.AutoModelForSequenceClassification.from_pretrained(
            path, local_files_only=True
        )
        id2label = self._model.config.id2label
        self._columns = [SENTIMENTS.index(_label_name(id2label[i])) for i in range(len(id2label))]

    def enrich(self, texts: Sequence[str],
               hints: Sequence[Mapping[str, Any] | None] | None) -> list[Enrichment]:
        """Linear pipeline, then sentiment replaced by the transformer's probabilities."""
        import torch

        base = enrich_linear(texts, hints)
        out = []
        for start in range(0, len(base), 64):
            chunk = [str(t) if isinstance(t, str) else "" for t in texts[start:start + 64]]
            encoded = self._tokenizer(chunk, padding=True, truncation=True, max_length=128,
                                      return_tensors="pt")
            with torch.no_grad():
                probs = torch.softmax(self._model(**encoded).logits, dim=-1).numpy()
            ordered = np.zeros((len(chunk), 3), dtype=np.float32)
            ordered[:, self._columns] = probs
            for item, p in zip(base[start:start + 64], ordered, strict=True):
                k = int(p.argmax())
                out.append(item._replace(
                    sentiment=SENTIMENTS[k], sentiment_score=round(float(p[k]), 4),
                    sentiment_polarity=round(float(p[2] - p[0]), 4),
                    sentiment_scores={s: round(float(v), 4) for s, v in zip(SENTIMENTS, p,
                                                                            strict=True)},
                ))
        return out


def _label_name(label: str) -> str:
    lowered = label.lower()
    for name in SENTIMENTS:
        if lowered.startswith(name[:3]):
            return name
    raise BackendError(f"model label {label!r} is not negative/neutral/positive")


_FACTORIES: dict[str, Callable[[str], Backend]] = {
    "linear": lambda _arg: LinearBackend(),
    "transformers": TransformersBackend,
}


def register_backend(prefix: str, factory: Callable[[str], Backend]) -> None:
    """Make ``<prefix>:<argument>`` a valid backend setting."""
    _FACTORIES[prefix] = factory


@cache
def _build(setting: str) -> Backend:
    prefix, _, argument = setting.partition(":")
    factory = _FACTORIES.get(prefix.strip().lower())
    if factory is None:
        known = ", ".join(sorted(_FACTORIES))
        raise BackendError(f"unknown NLP backend {setting!r}; known: {known}")
    return factory(argument)


def get_backend(setting: str | None = None) -> Backend:
    """The backend named by ``setting``, else by ``TERTULIA_NLP_BACKEND``, else linear."""
    chosen = setting or os.environ.get(ENV_VAR) or DEFAULT_BACKEND
    return _build(chosen.strip())
