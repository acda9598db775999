"""The rule across a grid of generator settings (small worlds; the benchmark runs the
big ones): whatever the error model, no request is linked to anyone but its own
taxpayer — no household member, no namesake, no twin, no JR for an SR."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from disclosure_gateway.agreement import Matching
from disclosure_gateway.match import settings as S
from disclosure_gateway.match.master_index import build_master_index
from disclosure_gateway.match.model_store import StoredModel, model_hash, untrained_model
from disclosure_gateway.match.service import Matcher
from disclosure_gateway.synth import BatchKnobs, PopulationKnobs, build_knobs, generate_batch
from disclosure_gateway.synth.population import generate_population

GRID: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "default": ({}, {}),
    "harsh": ({"preset": "harsh"}, {"preset": "harsh"}),
    # every request for someone at a taxpayer's address who is not in the master
    "absent households": ({"preset": "harsh"}, {"absent_share": 0.5, "absent_household_share": 1.0,
                                                "preset": "harsh"}),
    # birth dates missing or wrong everywhere, TINs given and slipped
    "birth dates and TINs": ({}, {"dob_missing_share": 0.3, "dob_year_share": 0.2,
                                  "dob_part_share": 0.2, "tin_share": 0.9,
                                  "tin_digit_share": 0.3, "tin_transposed_share": 0.2}),
    # many namesakes, twins and JR/SR at one address
    "namesakes and twins": ({"namesake_share": 0.1, "twin_share": 0.5, "jr_sr_share": 0.5},
                            {"namesake_share": 0.2, "twin_share": 0.1, "jr_sr_share": 0.1}),
}


def _knobs(model: type[PopulationKnobs] | type[BatchKnobs], values: dict[str, object]
           ) -> PopulationKnobs | BatchKnobs:
    preset = str(values.get("preset", "default"))
    sets = [f"{k}={v}" for k, v in values.items() if k != "preset"]
    return build_knobs(model, settings=sets, preset=preset)


@pytest.mark.parametrize("world", sorted(GRID))
def test_no_wrong_link_in_any_world(world: str, tmp_path: Path) -> None:
    pop_values, batch_values = GRID[world]
    pop = generate_population(3000, 51, _knobs(PopulationKnobs, pop_values))  # type: ignore[arg-type]
    src = tmp_path / "master.parquet"
    pop.to_parquet(src, index=False)
    build_master_index(src, tmp_path / "master")
    records, truth = generate_batch(pop, 400, seed=52, batch_date=date(2026, 3, 2),
                                    knobs=_knobs(BatchKnobs, batch_values))  # type: ignore[arg-type]
    valid = truth["defects"].apply(len) == 0
    # a national master's prior: the namesake test's N is ten million
    m = untrained_model(S.TRAINING.expected_match_share / 10_000_000)
    model = StoredModel(tmp_path / "prior.json", 0, m, model_hash(m), S.settings_hash(), {})
    matcher = Matcher(tmp_path / "master", model, Matching())
    try:
        res = matcher.match_frame(records[valid.to_numpy()].reset_index(drop=True))
    finally:
        matcher.close()
    x = res.merge(truth, on="request_id")
    linked = x[x["outcome"] == "match"]
    wrong = linked[linked["tin"] != linked["true_tin"]]
    assert wrong.empty, wrong[["request_id", "tin", "true_tin", "corruptions", "reasons"]]
    assert len(linked) > 0.5 * x["true_tin"].notna().sum()  # and it does link
