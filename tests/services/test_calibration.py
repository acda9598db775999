"""Review decisions teach the model: labels move m, re-scored cases show what moved."""

from __future__ import annotations

import math
from typing import Any

from disclosure_gateway.agreement import Matching
from disclosure_gateway.match.model_store import untrained_model
from disclosure_gateway.services.calibration import calibration, recalibrate
from disclosure_gateway.store.labels import ReviewLabel


def _label(label: str, given: str, *, weight: float = 5.0, household: float = 5.0,
           reasons: str = "BELOW_AUTO_THRESHOLD,HOUSEHOLD_DOUBT", i: int = 0) -> ReviewLabel:
    levels = {"given": given, "family": "exact", "dob": "exact", "tin": "tin absent",
              "address": "last known", "unit": "unit absent"}
    ev: dict[str, Any] = {"comparisons": {k: {"level": v} for k, v in levels.items()},
                          "household_bits": household, "namesake_bits": 30.0, "reasons": reasons}
    return ReviewLabel("b", f"r{i}", label, ev, weight, None)


def _m(model: dict[str, Any], comparison: str, level: str) -> float:
    comp = next(c for c in model["comparisons"] if c["output_column_name"] == comparison)
    return float(next(lv["m_probability"] for lv in comp["comparison_levels"]
                      if lv["label_for_charts"] == level))


def test_labelled_matches_move_m_towards_their_levels() -> None:
    before = untrained_model(1e-7)
    labels = [_label("match", "nickname", i=i) for i in range(50)]
    after = recalibrate(before, labels)
    assert _m(after, "given", "nickname") > _m(before, "given", "nickname")
    assert _m(after, "given", "exact") < _m(before, "given", "exact")
    total = sum(float(lv["m_probability"]) for lv in next(
        c for c in after["comparisons"] if c["output_column_name"] == "given")["comparison_levels"]
        if not lv.get("is_null_level"))
    assert math.isclose(total, 1.0, rel_tol=1e-9)
    # no-match labels say nothing about m
    assert recalibrate(before, [_label("no_match", "different")]) == before


def test_the_same_kind_of_easy_case_is_not_sent_to_a_person_twice() -> None:
    before = untrained_model(1e-7)
    labels = [_label("match", "nickname", household=5.5, weight=6.0, i=i) for i in range(60)]
    after = recalibrate(before, labels)
    cal = calibration(before, after, labels, Matching())
    assert cal.now_automatic == 60 and cal.wrongly_automatic == 0
    shift = next(x for x in cal.shifts if (x.comparison, x.level) == ("given", "nickname"))
    assert shift.weight_after > shift.weight_before and shift.labelled_matches == 60


def test_a_labelled_no_match_that_new_weights_would_link_is_counted() -> None:
    before = untrained_model(1e-7)
    labels = [_label("match", "nickname", household=5.5, weight=6.0, i=i) for i in range(60)]
    labels.append(_label("no_match", "nickname", household=5.5, weight=6.0, i=99))
    cal = calibration(before, recalibrate(before, labels), labels, Matching())
    assert cal.wrongly_automatic == 1


def test_a_tie_or_a_tin_slip_stays_with_a_person_whatever_the_weights() -> None:
    before = untrained_model(1e-7)
    labels = [_label("match", "nickname", household=5.5, weight=6.0, reasons="NEAR_TIE", i=i)
              for i in range(60)]
    cal = calibration(before, recalibrate(before, labels), labels, Matching())
    assert cal.now_automatic == 0
