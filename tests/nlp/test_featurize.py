"""Normalisation and hashing details that the models rely on."""

from __future__ import annotations

import numpy as np

from tertulia.nlp import featurize, normalize
from tertulia.nlp.assets import load_assets


def batch(texts: list[str]) -> featurize.Batch:
    emoji = load_assets().emoji
    return featurize.prepare(normalize.normalise_batch(normalize.clean_texts(texts), emoji),
                             len(texts))


def words(b: featurize.Batch) -> list[list[str]]:
    text = b.codes.tobytes().decode("utf-32-le")
    out: list[list[str]] = [[] for _ in range(b.n_docs)]
    for d, s, e in zip(b.doc.tolist(), b.starts.tolist(), b.ends.tolist(), strict=True):
        out[d].append(text[s:e])
    return out


def test_social_tokens_become_markers() -> None:
    (tokens,) = words(batch(["@Ana mira https://t.co/x #BuenosDias jajaja 😍"]))
    assert tokens[:3] == ["xuser", "mira", "xurl"]
    assert "xhashtag" in tokens and "buenos" in tokens and "dias" in tokens
    assert "xlaugh" not in tokens  # laughter is re-hashed, the text keeps the letters
    b = batch(["jajaja", "hahaha", "lol"])
    assert set(b.hashes.tolist()) == {int(featurize.LAUGH_HASH)}
    assert "xemopos" in words(batch(["😍"]))[0]


def test_elongation_and_case_and_caps() -> None:
    b = batch(["GRACIAAAAS", "graciaas"])
    first, second = words(b)
    assert first == second == ["graciaas"]
    assert b.caps[0] == 1.0 and b.caps[1] == 0.0
    assert b.elongated[0] == 2  # the third and fourth "A" dropped


def test_accents_fold_for_models_but_stay_for_keywords() -> None:
    b = batch(["canción", "cancion"])
    assert b.hashes[0] == b.hashes[1]
    assert words(b)[0] == ["canción"]


def test_python_hash_matches_batch_hash() -> None:
    b = batch(["hola mundo"])
    expected = [featurize.text_hash(w) for w in ("hola", "mundo")]
    assert b.hashes.tolist() == expected


def test_negation_scope_stops_at_punctuation() -> None:
    b = batch(["no me gusta nada, pero bien", "not good at all"])
    negated = featurize.negated_mask(b)
    tokens = [w for doc in words(b) for w in doc]
    marked = {t for t, m in zip(tokens, negated.tolist(), strict=True) if m}
    assert {"me", "gusta", "good", "at"} <= marked
    assert "bien" not in marked and "pero" not in marked


def test_features_do_not_cross_texts() -> None:
    alone = featurize.content_streams(batch(["abc def"]))[0]
    pair = featurize.content_streams(batch(["abc def", "ghi"]))[0]
    for a, p in zip(alone, pair, strict=True):
        assert np.array_equal(a.index, p.index[p.doc == 0])
