"""Training recovers sensible parameters from generated data (slow: EM and sampling)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from disclosure_gateway.agreement import Matching
from disclosure_gateway.match.model_store import load_model
from disclosure_gateway.match.service import Matcher
from disclosure_gateway.match.training import train_model
from disclosure_gateway.workspace import Workspace


def _level(model: dict[str, Any], comparison: str, label: str) -> dict[str, Any]:
    c = next(c for c in model["comparisons"] if c["output_column_name"] == comparison)
    return next(lv for lv in c["comparison_levels"] if lv["label_for_charts"] == label)


@pytest.mark.slow
def test_training_learns_and_the_model_matches(synthetic: dict[str, Any], tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    (tmp_path / "master").symlink_to(synthetic["master_dir"])
    stored = train_model(ws, synthetic["records"])
    assert load_model(ws.models_dir).model_hash == stored.model_hash
    m = stored.model
    for comparison in ("dob", "tin", "family"):
        assert _level(m, comparison, "exact")["m_probability"] > 0.85
    diff = _level(m, "given", "different")
    assert math.log2(diff["m_probability"] / diff["u_probability"]) < -4
    assert stored.prior == pytest.approx(0.9 / synthetic["info"].persons)
    matcher = Matcher(ws.master_dir, stored, Matching())
    res = matcher.match_frame(synthetic["records"]).merge(synthetic["truth"], on="request_id")
    matcher.close()
    valid = res[res.defects.apply(len) == 0]
    auto = valid[valid.outcome == "match"]
    assert (auto.tin != auto.true_tin).sum() == 0          # no wrong link
    matchable = valid.true_tin.notna().sum()
    assert (auto.tin == auto.true_tin).sum() / matchable > 0.95
