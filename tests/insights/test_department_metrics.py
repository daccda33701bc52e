"""Department metrics: defined once, documented, and their formulas on known figures."""

from __future__ import annotations

import pytest

from tertulia.insights import metrics as M
from tertulia.insights.docs import metrics_page


def test_every_department_metric_is_fully_defined_and_documented() -> None:
    keys = [m.key for m in (*M.METRICS, *M.DEPARTMENT_METRICS)]
    assert len(keys) == len(set(keys))
    for lang in ("en", "es"):
        page = metrics_page(lang)
        for m in M.DEPARTMENT_METRICS:
            assert m.label_en and m.label_es and m.formula_en and m.formula_es
            assert m.missing_en and m.missing_es
            assert m.unit in M.UNIT_LABELS and m.good in M.GOOD_LABELS
            assert f"(`{m.key}`)" in page
            assert (m.formula_es if lang == "es" else m.formula_en) in page
            assert m.value({}) is None, f"{m.key} without data is unknown, not 0"
    assert M.BY_KEY["roi"] is M.ROI


def test_formulas_on_known_figures() -> None:
    assert M.ROI.value({"conversion_value": 250.0, "cost": 100.0}) == pytest.approx(150.0)
    assert M.ROI.value({"conversion_value": 250.0, "cost": 0.0}) is None
    assert M.ROI.value({"cost": 100.0}) is None
    assert M.ENGAGEMENT_RATE.value({"owned_interactions": 30.0, "owned_posts": 3.0,
                                    "followers": 1000.0}) == pytest.approx(1.0)
    assert M.ENGAGEMENT_RATE.value({"owned_interactions": 30.0, "owned_posts": 0.0,
                                    "followers": 1000.0}) is None
    assert M.SLA_COMPLIANCE.value({"sla_met": 3.0, "sla_decided": 4.0}) == 75.0
    assert M.RECONTACT_RATE.value({"recontacted": 0.0, "resolved": 0.0}) is None
    assert M.DEAL_SIZE.value({"deal_value": 900.0, "deals": 3.0}) == 300.0
    assert M.CLICK_CONVERSION_RATE.value({"conversions": 5.0, "utm_clicks": 200.0}) == 2.5
    moved = M.change(M.FIRST_RESPONSE_MEDIAN, {"first_response_p50_h": 2.0},  # type: ignore[arg-type]
                     {"first_response_p50_h": 4.0})
    assert moved.verdict == "good" and moved.percent == -50.0


def test_percentiles_interpolate_between_ranks() -> None:
    assert M.percentile([], 0.5) is None
    assert M.percentile([5.0], 0.9) == 5.0
    assert M.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert M.percentile([3.0, 1.0, 2.0], 0.9) == pytest.approx(2.8)
