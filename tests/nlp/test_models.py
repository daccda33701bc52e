"""The shipped model files: sizes, manifest checksums, no pickle, runtime imports."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from tertulia.nlp import assets
from tertulia.nlp.featurize import CONTENT_BITS

MB = 1024 * 1024


def test_shipped_files_match_manifest() -> None:
    assert assets.verify() == []


def test_manifest_lists_every_file_and_model() -> None:
    manifest = assets.load_manifest()
    on_disk = {p.name for p in assets.MODELS_DIR.iterdir() if p.name != assets.MANIFEST}
    assert on_disk == set(manifest["files"])
    for name in ("sentiment", "spam", "complaint", "service", "language"):
        assert name in manifest["models"]
    assert manifest["training_command"].startswith("python -m tertulia.nlp.train")
    assert "summary" in manifest["validation_scores"]
    assert set(manifest["data"]) >= {"sentiment_en_tweeteval", "sentiment_es_intertass_umsab"}


def test_sizes_are_small() -> None:
    sizes = {p.name: p.stat().st_size for p in assets.MODELS_DIR.iterdir()}
    assert all(size < 2 * MB for size in sizes.values()), sizes
    assert sum(sizes.values()) < 8 * MB


def test_npz_files_hold_plain_arrays() -> None:
    for path in assets.MODELS_DIR.glob("*.npz"):
        with np.load(path, allow_pickle=False) as data:
            assert set(data.files) == {"weights_t", "dense", "intercept", "temperature",
                                       "labels"}


def test_manifest_is_valid_json_with_scores() -> None:
    manifest = json.loads((assets.MODELS_DIR / assets.MANIFEST).read_text(encoding="utf-8"))
    summary = manifest["validation_scores"]["summary"]
    assert 0 < summary["en_sentiment_macro_recall"] <= 1


def test_runtime_needs_neither_sklearn_nor_scipy_nor_django() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'sklearn', 'scipy', 'django'}:\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from tertulia.nlp import enrich\n"
        "r = enrich(['hola que tal', 'great stuff'])\n"
        "assert len(r) == 2\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_manifest_scores_match_shipped_models(shared_data) -> None:  # type: ignore[no-untyped-def]
    """Re-evaluating the shipped files on the validation splits gives the manifest's figures."""
    from tertulia.nlp.evaluation import evaluate, summary

    manifest = assets.load_manifest()
    recomputed = summary(evaluate(shared_data, assets.load_assets()))
    expected = manifest["validation_scores"]["summary"]
    for key, value in expected.items():
        # float16 storage of the weights may move a borderline text; allow one in a thousand.
        assert abs(recomputed[key] - value) <= 0.002, (key, recomputed[key], value)


def test_packed_scorer_gives_each_models_own_probabilities() -> None:
    """The one packed pass over the features equals scoring every content model alone,
    the Spanish head included (outputs 5-6)."""
    from tertulia.nlp import featurize, normalize

    loaded = assets.load_assets()
    texts = ["No me gusta nada, el pedido llegó roto", "Qué maravilla, gracias 😍",
             "@airline my bag is lost, please help", "WIN a FREE prize, txt 80086 now",
             "meh", ""]
    cleaned = normalize.clean_texts(texts)
    batch = featurize.prepare(normalize.normalise_batch(cleaned, loaded.emoji), len(texts))
    streams, negated = featurize.content_streams(batch)
    dense = featurize.dense_features(batch, negated, loaded.lexicon)
    logits = loaded.content.logits(streams, dense, len(texts))
    models = loaded.models
    for name, packed in (("sentiment", logits[:, 0:2]), ("sentiment_es", logits[:, 5:7])):
        expected = models[name].probabilities(streams, dense, len(texts))
        got = assets.softmax(assets.with_reference(packed, assets.SENTIMENT_REFERENCE))
        np.testing.assert_allclose(got, expected, atol=2e-3)
    for name, column in (("spam", 2), ("complaint", 3), ("service", 4)):
        expected = models[name].probabilities(streams, dense, len(texts))[:, 0]
        np.testing.assert_allclose(assets.sigmoid(logits[:, column]), expected, atol=2e-3)


def test_stacked_inputs_fold_into_one_linear_model() -> None:
    """Training the complaint model on the sentiment margins, then folding them into its
    weights, scores exactly as the stacked model does."""
    from tertulia.nlp import train

    rng = np.random.default_rng(7)
    texts = ["the order never came", "love it", "where is my refund?", "ok then"]
    loaded = assets.load_assets()
    feats = train.featurise(texts, loaded.lexicon, loaded.emoji)
    cols = 1 << CONTENT_BITS
    n_dense = feats.dense.shape[1]
    sentiment = train.Fitted(
        train.SENTIMENT_LABELS, rng.normal(size=(3, cols)).astype(np.float32),
        rng.normal(size=(3, n_dense)).astype(np.float32),
        rng.normal(size=3).astype(np.float32), 1.7, 0.5)
    margins = train.sentiment_margins(sentiment)
    extra = margins.scores(feats)
    stacked = train.Fitted(
        ("complaint",), rng.normal(size=(1, cols)).astype(np.float32),
        rng.normal(size=(1, n_dense + 2)).astype(np.float32),
        np.array([0.3], dtype=np.float32), 1.0, 0.5)
    x = train.design_matrix(feats.content, feats.n, CONTENT_BITS, None)
    before = (x @ stacked.weights_t[0].astype(np.float64)
              + feats.dense @ stacked.dense[0, :n_dense] + extra @ stacked.dense[0, n_dense:]
              + stacked.intercept[0])
    folded = margins.fold(stacked)
    after = (x @ folded.weights_t[0].astype(np.float64) + feats.dense @ folded.dense[0]
             + folded.intercept[0])
    assert folded.dense.shape == (1, n_dense)
    np.testing.assert_allclose(after, before, rtol=1e-4, atol=1e-3)
