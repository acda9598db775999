"""Model files: versioned, hashed, refused when edited; round trip through Splink."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from disclosure_gateway.errors import InputError, NotFound
from disclosure_gateway.match import settings as S
from disclosure_gateway.match.model_store import load_model, read_model_file, save_model
from disclosure_gateway.match.splink_duckdb import floor_m


def test_versions_increase_and_newest_is_loaded(tmp_path: Path) -> None:
    a = save_model(tmp_path, S.splink_settings(1e-6), engine="test", training={"n": 1})
    b = save_model(tmp_path, S.splink_settings(2e-6), engine="test", training={"n": 2})
    assert (a.version, b.version) == (1, 2)
    got = load_model(tmp_path)
    assert got.version == 2 and got.model == b.model and got.model_hash == b.model_hash
    assert load_model(tmp_path, 1).prior == 1e-6


def test_round_trip_keeps_every_parameter(tmp_path: Path) -> None:
    model = S.splink_settings(3e-7)
    stored = save_model(tmp_path, model, engine="test", training={})
    assert read_model_file(stored.path).model == model


def test_an_edited_model_is_refused(tmp_path: Path) -> None:
    stored = save_model(tmp_path, S.splink_settings(1e-6), engine="test", training={})
    doc = json.loads(stored.path.read_text())
    doc["model"]["comparisons"][0]["comparison_levels"][1]["m_probability"] = 0.5
    stored.path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="hash does not match"):
        read_model_file(stored.path)


def test_a_model_for_other_settings_is_refused(tmp_path: Path) -> None:
    stored = save_model(tmp_path, S.splink_settings(1e-6), engine="test", training={})
    doc = json.loads(stored.path.read_text())
    doc["settings_hash"] = "0" * 64
    stored.path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="other linkage settings"):
        read_model_file(stored.path)


def test_no_model_yet(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="dgw model train"):
        load_model(tmp_path)


def test_m_floor_raises_and_renormalises() -> None:
    model = S.splink_settings(1e-6)
    levels = [lv for lv in model["comparisons"][4]["comparison_levels"]
              if not lv.get("is_null_level")]
    levels[-1]["m_probability"] = 0.0
    floored = floor_m(model, 0.01)
    ms = [lv["m_probability"] for lv in floored["comparisons"][4]["comparison_levels"]
          if not lv.get("is_null_level")]
    assert min(ms) >= 0.01 / sum([max(m, 0.01) for m in ms]) - 1e-12
    assert sum(ms) == pytest.approx(1.0)


def test_settings_hash_changes_with_any_rule() -> None:
    before = S.settings_hash()
    original = S.MAX_BLOCK_SIZE
    try:
        S.MAX_BLOCK_SIZE = original + 1
        assert S.settings_hash() != before
    finally:
        S.MAX_BLOCK_SIZE = original
    assert S.settings_hash() == before


def test_splink_settings_are_copies_the_rules_cannot_be_changed_through() -> None:
    before = S.settings_hash()
    model = S.splink_settings(1e-6)
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["m_probability"] = 0.5
    assert S.settings_hash() == before
