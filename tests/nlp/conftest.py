"""Shared fixtures for tertulia.nlp tests (pure Python: no Django needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder; tests that need it skip when it is absent."""
    if not (DATA / "sentiment_en_tweeteval" / "validation.jsonl").exists():
        pytest.skip("../shared/data is not available")
    return DATA
