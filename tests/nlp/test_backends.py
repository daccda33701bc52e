"""The heavier-model plug-in point: registry, settings, clear errors, no downloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tertulia.nlp import Enrichment, enrich, get_backend, register_backend
from tertulia.nlp.backends import BackendError, LinearBackend


def test_default_backend_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERTULIA_NLP_BACKEND", raising=False)
    assert isinstance(get_backend(), LinearBackend)


def test_unknown_backend_names_the_known_ones() -> None:
    with pytest.raises(BackendError, match=r"known: .*linear"):
        get_backend("bogus")


def test_transformers_backend_needs_a_local_folder(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match=r"no config\.json"):
        get_backend(f"transformers:{tmp_path / 'missing'}")


def test_registered_backend_is_used() -> None:
    class Upper:
        name = "upper"

        def enrich(self, texts, hints):  # type: ignore[no-untyped-def]
            return [r._replace(keywords=("custom",)) for r in LinearBackend().enrich(texts, hints)]

    register_backend("upper", lambda _arg: Upper())
    result = enrich(["hola"], backend="upper:x")[0]
    assert isinstance(result, Enrichment)
    assert result.keywords == ("custom",)


def test_hints_length_mismatch_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="one mapping"):
        enrich(["a", "b"], [{"lang": "es"}])
