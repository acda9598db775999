"""One request alone and in a batch get the same answer; candidates cover swaps."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from disclosure_gateway.agreement import Matching
from disclosure_gateway.match.candidates import (
    ParallelFetcher,
    batch_pairs,
    create_request_model_table,
    single_pairs,
)
from disclosure_gateway.match.service import RESULT_COLUMNS, Matcher
from disclosure_gateway.normalise.records import normalise_table


@pytest.fixture(scope="module")
def matcher(synthetic: dict[str, Any]) -> Matcher:
    m = Matcher(synthetic["master_dir"], synthetic["model"], Matching())
    yield m
    m.close()


@pytest.fixture(scope="module")
def batch(matcher: Matcher, synthetic: dict[str, Any]) -> pd.DataFrame:
    return matcher.match_frame(synthetic["records"])


def _sample(batch: pd.DataFrame) -> list[str]:
    """Every review and no-match (up to 15 each) and 15 matches: all kinds of answer."""
    ids: list[str] = []
    for outcome in ("review", "no_match", "match"):
        ids += batch.loc[batch.outcome == outcome, "request_id"].head(15).tolist()
    return ids


def test_batch_has_one_row_per_request_in_order(batch: pd.DataFrame,
                                                synthetic: dict[str, Any]) -> None:
    assert list(batch.columns) == list(RESULT_COLUMNS)
    assert batch.request_id.tolist() == synthetic["records"].request_id.tolist()
    assert set(batch.outcome) >= {"match", "no_match"}


def _same(a: Any, b: Any) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if isinstance(a, float):
        return b is not None and abs(a - float(b)) < 1e-9
    return bool(a == b)


def test_single_request_path_agrees_with_batch(matcher: Matcher, batch: pd.DataFrame,
                                               synthetic: dict[str, Any]) -> None:
    records = synthetic["records"].set_index("request_id", drop=False)
    by_id = batch.set_index("request_id", drop=False)
    for rid in _sample(batch):
        rec = {k: (None if pd.isna(v) else v) for k, v in records.loc[rid].items()}
        one = matcher.match_record(rec)
        row = by_id.loc[rid]
        for col in RESULT_COLUMNS:
            assert _same(one[col], row[col]), (rid, col, one[col], row[col])


def test_candidates_are_the_same_alone_and_in_a_batch(matcher: Matcher,
                                                      synthetic: dict[str, Any]) -> None:
    con = matcher.con
    recs = synthetic["records"].head(40)
    con.register("_t_src", recs)
    normalise_table(con, "_t_src", "_t_norm", uid="request_id", temp=True)
    create_request_model_table(con, "_t_norm", "_t_model")
    batch_pairs(con, "_t_model", "_t_pairs")
    together = {(r, m) for r, m in con.execute("SELECT rid, mid FROM _t_pairs").fetchall()}
    alone: set[tuple[str, str]] = set()
    for rid in recs.request_id:
        con.execute("CREATE OR REPLACE TEMP TABLE _t_one AS SELECT * FROM _t_model WHERE uid = ?",
                    [rid])
        single_pairs(con, "_t_one", "_t_one_pairs", "_t_one_cand")
        alone |= {(r, m) for r, m in con.execute("SELECT rid, mid FROM _t_one_pairs").fetchall()}
    assert together == alone and together


def test_swapped_names_are_found_and_matched(matcher: Matcher, synthetic: dict[str, Any]) -> None:
    truth = synthetic["truth"]
    swapped = truth[truth.corruptions.apply(lambda k: "name_swap" in list(k))
                    & truth.true_tin.notna() & truth.defects.apply(lambda d: len(d) == 0)]
    assert len(swapped) > 0
    records = synthetic["records"].set_index("request_id", drop=False)
    for rid, tin in zip(swapped.request_id, swapped.true_tin, strict=True):
        rec = {k: (None if pd.isna(v) else v) for k, v in records.loc[rid].items()}
        got = matcher.match_record(rec)
        assert got["candidates"] > 0
        assert '"swapped' in (got["evidence"] or "") or got["tin"] == tin


def test_duplicate_request_ids_are_refused(matcher: Matcher, synthetic: dict[str, Any]) -> None:
    from disclosure_gateway.errors import InputError

    recs = synthetic["records"].head(3).copy()
    recs.loc[:, "request_id"] = "SAME"
    with pytest.raises(InputError, match="duplicate request_id: SAME"):
        matcher.match_frame(recs)


def test_a_request_with_no_candidate_is_no_match(matcher: Matcher) -> None:
    got = matcher.match_record({"request_id": "nobody", "first_name": "Zyxwv",
                                "last_name": "Qqqqq", "dob": "1901-01-01"})
    assert (got["outcome"], got["reasons"], got["candidates"]) == ("no_match", "NO_CANDIDATE", 0)
    assert got["tin"] is None and got["model_hash"]


def test_decisions_read_in_slices_are_the_same(matcher: Matcher, batch: pd.DataFrame,
                                               synthetic: dict[str, Any],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from disclosure_gateway.match import service

    monkeypatch.setattr(service, "_FINISH_SLICE", 7)
    again = matcher.match_frame(synthetic["records"])
    pd.testing.assert_frame_equal(again, batch)


def test_candidates_read_on_parallel_cursors_give_the_same_answers(
        synthetic: dict[str, Any], batch: pd.DataFrame) -> None:
    """Many candidates are read in parts on two cursors; the answers must not change.
    ``min_rows=1`` sends every request (not only those with hundreds) that way."""
    m = Matcher(synthetic["master_dir"], synthetic["model"], Matching())
    try:
        m._fetcher = ParallelFetcher(m.con, min_rows=1)
        records = synthetic["records"].set_index("request_id", drop=False)
        by_id = batch.set_index("request_id", drop=False)
        for rid in _sample(batch):
            rec = {k: (None if pd.isna(v) else v) for k, v in records.loc[rid].items()}
            one = m.match_record(rec)
            for col in RESULT_COLUMNS:
                assert _same(one[col], by_id.loc[rid][col]), (rid, col)
    finally:
        m.close()


def test_the_parallel_fetcher_reads_every_candidate_once(matcher: Matcher) -> None:
    uids = [r[0] for r in matcher.con.execute(
        "SELECT uid FROM m.persons ORDER BY uid LIMIT 9").fetchall()]
    fetcher = ParallelFetcher(matcher.con, min_rows=1)
    try:
        table = fetcher.fetch(uids)
    finally:
        fetcher.close()
    assert sorted(table.column("uid").to_pylist()) == uids
