"""Training that cannot fail on ordinary data: a block without pairs is skipped with
a note, EM runs on the blocks that have pairs, identifiers of any shape are
compared as given, and too little data falls back to the shipped reference model
— saying so, and why."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from disclosure_gateway.contracts import LINKAGE_COLUMNS
from disclosure_gateway.match.standalone import link_frames
from disclosure_gateway.synth import BatchKnobs, generate_batch, generate_population


@pytest.fixture(scope="module")
def files() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A master of 800 taxpayers (one row each, the last known address) and 250
    requests with their truth, as two linkage files."""
    pop = generate_population(800, 41)
    records, truth = generate_batch(pop, 250, seed=42, batch_date=date(2026, 3, 2),
                                    knobs=BatchKnobs(defects={}, absent_share=0.05, tin_share=0.6))
    last = pop.sort_values("address_as_of").groupby("tin").tail(1)
    master = last.rename(columns={"tin": "record_id"}).assign(tin=last["tin"].to_numpy())
    requests = records.rename(columns={"request_id": "record_id"})
    return master[list(LINKAGE_COLUMNS)], requests[list(LINKAGE_COLUMNS)], truth


def _notes(say: list[str]) -> str:
    return "\n".join(say)


def _link(master: pd.DataFrame, requests: pd.DataFrame) -> tuple[pd.DataFrame, str, str]:
    said: list[str] = []
    res, label = link_frames(master, requests, say=said.append)
    return res, label, _notes(said)


def _wrong(res: pd.DataFrame, truth: pd.DataFrame) -> int:
    x = res.merge(truth, left_on="request_id", right_on="request_id")
    return int(((x["outcome"] == "match") & (x["tin"] != x["true_tin"])).sum())


def test_files_whose_tin_block_is_empty_still_train(files: Any) -> None:
    master, requests, truth = files
    res, label, said = _link(master.assign(tin=None), requests.assign(tin=None))
    assert label == "trained on these files"
    assert 'EM block l."tin" = r."tin" skipped: 0 record pairs' in said
    assert 'm by EM on l."dob" = r."dob"' in said
    assert _wrong(res, truth) == 0
    assert (res["outcome"] == "match").mean() > 0.8


def test_seven_digit_identifiers_are_compared_as_given(files: Any) -> None:
    master, requests, truth = files
    short = {t: str(i + 1_000_000) for i, t in enumerate(master["tin"])}
    res, _, said = _link(master.assign(tin=master["tin"].map(short)),
                         requests.assign(tin=requests["tin"].map(short)))
    assert 'm by EM on l."tin" = r."tin"' in said  # the block has pairs: not dropped
    assert _wrong(res, truth) == 0


def test_no_block_with_pairs_takes_m_from_the_reference_and_says_so(files: Any) -> None:
    master, requests, truth = files
    res, label, said = _link(master.assign(tin=None, dob=None), requests.assign(tin=None, dob=None))
    assert "no EM block has enough record pairs" in said
    assert label.startswith("trained on these files (u); ") and "m from the" in label
    assert _wrong(res, truth) == 0


def test_too_few_records_say_exactly_why_not(files: Any) -> None:
    master, requests, _ = files
    _, label, said = _link(master.head(150), requests.head(150))
    why = "too few records to train (150 requests, 150 master records; at least 200 a side)"
    assert why in label and why in said


def test_the_shipped_reference_model_is_for_the_current_settings() -> None:
    # Retrain it with scripts/train_reference_model.py when the settings change.
    from disclosure_gateway.match.model_store import REFERENCE_MODEL, read_model_file, reference_model

    stored = read_model_file(REFERENCE_MODEL)
    assert stored.model.get("household_u", {}).get("pairs", 0) > 0
    model, label = reference_model(1e-6)
    assert label.startswith("the shipped reference model") and model[
        "probability_two_random_records_match"] == 1e-6
