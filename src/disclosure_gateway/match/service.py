"""The match service: requests in, one decided row per request out.

``match_requests(ws, requests_df)`` (a batch) and ``match_one(ws, request)`` (one
request, the interactive lane) run the same steps on the same code:

1. normalise the requests (``normalise.records``, the master's own normaliser);
2. find candidates (``candidates``: batch hash join, or index lookups);
3. score the candidate pairs with the trained model (the linkage port);
4. per request, take the best candidate and the runner-up, evaluate the
   comparison levels the guards need, and apply the pure rules of ``decide``:
   the outcome, then the address against the last known address.

Each row carries ``model_hash``, ``master_snapshot_hash`` and ``settings_hash``:
the model, the master index and the rules that produced it. ``RESULT_COLUMNS``
lists the columns.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..decide import (
    BELOW_REVIEW_THRESHOLD,
    NO_CANDIDATE,
    Address,
    AddressResult,
    Candidate,
    Mode,
    Outcome,
    Thresholds,
    compare_address,
    decide,
    suffix_conflict,
    tin_agreement,
)
from ..errors import InputError, NotFound
from ..normalise.records import SOURCE_COLUMNS, normalise_record, normalise_table
from ..workspace import Workspace
from . import evidence as E
from . import settings as S
from .candidates import (
    MASTER_MODEL_VIEW,
    ParallelFetcher,
    batch_pairs,
    create_master_model_view,
    create_one_request_table,
    create_request_model_table,
    single_pairs,
)
from .master_index import MODEL_COLUMNS, open_master
from .model_store import StoredModel, load_model
from .port import REQUEST_DATASET, LinkagePort, PairScorer

RESULT_COLUMNS: tuple[str, ...] = (
    "request_id",
    "tin",
    "match_probability",
    "match_weight",
    "margin_to_second",
    "outcome",
    "reasons",
    "address_result",
    "candidates",
    "evidence",
    "model_hash",
    "master_snapshot_hash",
    "settings_hash",
)

_ADDRESS_FIELDS = ("house", "street", "unit", "predir", "street_suffix", "postdir", "city",
                   "state", "zip5")

Progress = Callable[[str], None]


def _say(_: str) -> None:
    return None


def default_engine() -> LinkagePort:
    from .splink_duckdb import SplinkDuckDB  # the one module that imports Splink

    return SplinkDuckDB()


def weight_of(probability: float) -> float:
    """Match weight (bits) of a match probability."""
    p = min(max(probability, 1e-300), 1 - 1e-16)
    return math.log2(p / (1 - p))


def score_floor(t: Thresholds) -> float:
    """Pairs below this weight cannot change any decision: the best would be below
    the review threshold, or a runner-up this far below any reviewable best."""
    return weight_of(t.review_threshold) - t.min_weight_margin - 1.0


def _lst(xs: tuple[str, ...] | list[str]) -> str:
    return ", ".join("'" + x.replace("'", "''") + "'" for x in xs)


#: given-name and birth-date levels that are some evidence for the person (the
#: early no-match wants none of them: only household facts agree)
_GIVEN_SOME = ("exact", "swapped with family name", "nickname")
_DOB_SOME = ("exact", "day and month transposed", "one part off by one")


@dataclass(frozen=True)
class _Context:
    """What the finishing SQL needs beyond the tables: the model (for the household
    weights and level numbers), the master's size, the thresholds."""

    model: Mapping[str, Any]
    persons: int
    review_weight: float
    floor: float


def _finish_sql(scored: str, pairs: str, req_norm: str, req_model: str, master_persons: str,
                ctx: _Context) -> str:
    """One row per request: best candidate, runner-up weight, the evidence of the
    three alternatives (``match.evidence``), both addresses, the evidence document
    (JSON), the candidate count.

    Pairs below the floor are ignored (the batch engine may already have left them
    out; the single lane has not), so both lanes rank the same pairs."""
    names = [str(c["output_column_name"]) for c in S.COMPARISONS]
    levels = ", ".join(f"{E.level_case(c)} AS lvl_{c['output_column_name']}" for c in S.COMPARISONS)
    lr = ", ".join(f"q.{c} AS {c}_l, p.{c} AS {c}_r" for c in MODEL_COLUMNS)
    addr = ", ".join(f"n.{c} AS q_{c}, lv.p_{c}" for c in _ADDRESS_FIELDS)
    # The best candidate's own facts, taken once with its levels (one join to the
    # master's rows, not two).
    held_cols = ("tin", "suffix", "residents", *_ADDRESS_FIELDS)
    held = ", ".join(f"p.{c} AS p_{c}" for c in held_cols)
    held_names = ", ".join(f"p_{c}" for c in held_cols)

    def weight(n: str) -> str:
        tf = f" + coalesce(b.mw_tf_adj_{n}, 0)" if n in ("given", "family") else ""
        return f"round(b.mw_{n}{tf}, 3)"

    held_levels = _lst(S.HELD_ADDRESS_LEVELS)
    household = E.household_bits_sql(ctx.model, given_level="lv.lvl_given",
                                     dob_level="lv.lvl_dob", tin_level="lv.lvl_tin",
                                     given_known="NOT lv.given_unknown",
                                     residents=f"CASE WHEN lv.lvl_address IN ({held_levels}) "
                                               f"THEN 1 ELSE lv.p_residents END")
    # the people who could have written this name: the commoner of the request's and
    # the candidate's spellings (ROBERT asked, BILLY held: as many as there are ROBERTs)
    namesake = E.namesake_bits_sql(
        ctx.persons, weights={n: f"b.mw_{n}" for n in names},
        tf_given="greatest(lv.tf_given_l, lv.tf_given_r)",
        tf_family="greatest(lv.tf_family_l, lv.tf_family_r)")
    weak = _lst(S.GIVEN_WEAK_LEVELS)
    person = (f"(lv.lvl_given IN ({_lst(_GIVEN_SOME)}) "
              f"OR (lv.lvl_given IN ({weak}) AND lv.given_unknown) "
              f"OR lv.lvl_dob IN ({_lst(_DOB_SOME)}) OR lv.lvl_tin IN ('exact', {_lst([S.TIN_SLIP_LEVEL])}))")
    exact = "(lv.lvl_given = 'exact' AND lv.lvl_family = 'exact' AND lv.lvl_dob = 'exact')"
    comparisons = ", ".join(
        f"'{n}', json_object('level', lv.lvl_{n}, 'weight', {weight(n)})" for n in names)
    evidence = (f"json_object('comparisons', json_object({comparisons}), "
                f"'found_by', string_split(pr.match_key, ','), "
                f"'runner_up_weight', round(b.second_weight, 3), "
                f"'household_bits', round(hv.household_bits, 3), "
                f"'namesake_bits', round(hv.namesake_bits, 3))::VARCHAR")
    held_at = E.at_level_sql("mw_address", ctx.model, "address", S.CONFIRMABLE_ADDRESS_LEVELS)
    return f"""
        WITH s AS (
            SELECT uid_l AS rid, uid_r AS mid, match_weight, match_probability,
                   {", ".join(f"mw_{n}" for n in names)},
                   {", ".join(f"mw_tf_adj_{n}" for n in ("given", "family"))},
                   row_number() OVER (PARTITION BY uid_l ORDER BY match_weight DESC, uid_r) AS rk
            FROM {scored}
            WHERE match_weight >= {ctx.floor!r}
        ), b AS (
            SELECT b.*, sec.match_weight AS second_weight
            FROM s b LEFT JOIN s sec ON sec.rid = b.rid AND sec.rk = 2
            WHERE b.rk = 1
        ), conf AS (
            -- some candidate in the review band is held at the address asked about
            SELECT rid, bool_or({held_at}) AS confirmable
            FROM s WHERE match_weight >= {ctx.review_weight!r} GROUP BY rid
        ), lr AS (
            SELECT b.rid, {lr}, {held}
            FROM b JOIN {req_model} q ON q.uid = b.rid JOIN {master_persons} p ON p.uid = b.mid
        ), lv AS (
            SELECT rid, {levels}, tf_given_l IS NULL AS given_unknown, tf_given_l, tf_given_r,
                   tf_family_l, tf_family_r,
                   {held_names} FROM lr
        ), hv AS (
            -- the two tests' bits, once per request (the evidence document repeats them)
            SELECT lv.rid, {household} AS household_bits, {namesake} AS namesake_bits
            FROM lv JOIN b ON b.rid = lv.rid
        ), counts AS (
            SELECT rid, count(*) AS candidates FROM {pairs} GROUP BY rid
        )
        SELECT n.uid AS rid, b.mid, b.match_probability, b.match_weight, b.second_weight,
               hv.household_bits, hv.namesake_bits,
               coalesce({person}, FALSE) AS person_evidence,
               coalesce({exact}, FALSE) AS exact_name_dob,
               coalesce(lv.lvl_tin = {_lst([S.TIN_SLIP_LEVEL])}, FALSE) AS tin_slip,
               coalesce(conf.confirmable, FALSE) AS confirmable,
               coalesce(lv.lvl_address IN ({held_levels}), FALSE) AS address_held,
               n.tin AS q_tin, lv.p_tin, n.suffix AS q_suffix, lv.p_suffix,
               coalesce(c.candidates, 0) AS candidates,
               CASE WHEN b.mid IS NOT NULL THEN {evidence} END AS evidence,
               {addr}
        FROM {req_norm} n
        LEFT JOIN b ON b.rid = n.uid
        LEFT JOIN lv ON lv.rid = n.uid
        LEFT JOIN conf ON conf.rid = n.uid
        LEFT JOIN hv ON hv.rid = n.uid
        -- the rules that found the pair (the single lane's engine output has its own)
        LEFT JOIN {pairs} pr ON pr.rid = b.rid AND pr.mid = b.mid
        LEFT JOIN counts c ON c.rid = n.uid
    """


#: positions in a row of ``_finish_sql`` (kept in step with its SELECT list)
_F_RID, _F_MID, _F_P, _F_W, _F_SECOND, _F_HOUSEHOLD, _F_NAMESAKE, _F_PERSON = range(8)
_F_EXACT, _F_SLIP, _F_CONFIRMABLE, _F_HELD, _F_QTIN, _F_PTIN, _F_QSUF, _F_PSUF = range(8, 16)
_F_CANDIDATES, _F_EVIDENCE = 16, 17
_F_ADDR = 18  # then q_<field>, p_<field> for each of _ADDRESS_FIELDS


def _address_pair(row: tuple[Any, ...]) -> tuple[Address, Address]:
    # _ADDRESS_FIELDS is in Address's field order (a test holds the two in step), so
    # positional construction is safe; it runs once per request in a batch.
    vals = row[_F_ADDR:]
    return Address(*vals[0::2]), Address(*vals[1::2])


@dataclass(frozen=True)
class Provenance:
    model_hash: str
    master_snapshot_hash: str
    settings_hash: str


def _decided(row: tuple[Any, ...], t: Thresholds, mode: Mode) -> tuple[Any, ...]:
    """The decided values of one ``_finish_sql`` row, in ``RESULT_COLUMNS`` order
    (without the three provenance hashes)."""
    rid, mid, candidates = row[_F_RID], row[_F_MID], int(row[_F_CANDIDATES])
    if mid is None:
        reason = NO_CANDIDATE if candidates == 0 else BELOW_REVIEW_THRESHOLD
        return (rid, None, None, None, None, Outcome.NO_MATCH.value, reason,
                AddressResult.UNKNOWN.value, candidates, None)
    best = Candidate(
        match_probability=float(row[_F_P]),
        match_weight=float(row[_F_W]),
        household_bits=float(row[_F_HOUSEHOLD]),
        namesake_bits=float(row[_F_NAMESAKE]),
        person_evidence=bool(row[_F_PERSON]),
        tin=tin_agreement(row[_F_QTIN], row[_F_PTIN], slip=bool(row[_F_SLIP])),
        exact_name_and_birth_date=bool(row[_F_EXACT]),
        suffix_conflict=suffix_conflict(row[_F_QSUF], row[_F_PSUF]),
        confirmable=bool(row[_F_CONFIRMABLE]),
        address_held=bool(row[_F_HELD]),
    )
    second = row[_F_SECOND]
    d = decide(best, None if second is None else float(second), t, mode=mode)
    revealed = d.outcome is not Outcome.NO_MATCH
    address = compare_address(*_address_pair(row)) if revealed else AddressResult.UNKNOWN
    return (rid, mid if revealed else None, best.match_probability, best.match_weight, d.margin,
            d.outcome.value, ",".join(d.reasons), address.value, candidates, row[_F_EVIDENCE])


_FINISH_SLICE = 200_000


class Matcher:
    """A master index, a model and the agreement's thresholds, ready to match.

    Holds one DuckDB connection; ``match_record`` is serialised by a lock so one
    matcher can serve an interactive lane.
    """

    def __init__(self, master_dir: Path, model: StoredModel, thresholds: Thresholds, *,
                 engine: LinkagePort | None = None, threads: int | None = None,
                 mode: Mode = "confirm_address") -> None:
        self.con, self.meta = open_master(master_dir)
        self.mode: Mode = mode
        if threads:
            # One request's queries are tiny: more threads only add coordination.
            self.con.execute(f"SET threads = {int(threads)}")
        self.model = model
        self.thresholds = thresholds
        self.engine = engine or default_engine()
        self.provenance = Provenance(model.model_hash, str(self.meta["snapshot_hash"]),
                                     S.settings_hash())
        create_master_model_view(self.con)
        # N, the taxpayers a namesake may be among, is the one the model's prior was
        # set for (0.9 / N): a model made for a national master keeps its namesake
        # odds on a small test index
        self._ctx = _Context(model.model, round(S.TRAINING.expected_match_share / model.prior),
                             weight_of(thresholds.review_threshold), score_floor(thresholds))
        self._one_scorer: PairScorer | None = None
        self._fetcher: ParallelFetcher | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_workspace(cls, ws: Workspace, *, engine: LinkagePort | None = None,
                      threads: int | None = None) -> Matcher:
        agreement = ws.agreement()
        return cls(ws.master_dir, load_model(ws.models_dir), agreement.matching,
                   engine=engine, threads=threads, mode=agreement.disclosure.mode)

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
        self.con.close()

    # --- shared steps --------------------------------------------------------
    def _normalise(self, src: str, norm: str, model_table: str, id_column: str) -> None:
        normalise_table(self.con, src, norm, uid=id_column, temp=True)
        create_request_model_table(self.con, norm, model_table)

    def _finish(self, scored: str, pairs: str, norm: str, model_table: str) -> pd.DataFrame:
        con = self.con
        sql = _finish_sql(scored, pairs, norm, model_table, "m.persons", self._ctx)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _finished AS {sql}")
        n = int(con.execute("SELECT count(*) FROM _finished").fetchall()[0][0])
        decided: list[tuple[Any, ...]] = []
        # In slices read back from a table: a million wide rows fetched at once, or
        # streamed from the query (measured: +0.8 GiB at 10M), raise the peak memory.
        for start in range(0, n, _FINISH_SLICE):
            rows = con.execute("SELECT * FROM _finished WHERE rowid >= ? AND rowid < ?",
                               [start, start + _FINISH_SLICE]).fetchall()
            decided += [_decided(r, self.thresholds, self.mode) for r in rows]
        con.execute("DROP TABLE _finished")
        prov = self.provenance
        frame = pd.DataFrame(decided, columns=list(RESULT_COLUMNS[:-3]))
        frame["model_hash"] = prov.model_hash
        frame["master_snapshot_hash"] = prov.master_snapshot_hash
        frame["settings_hash"] = prov.settings_hash
        return frame

    # --- batch -----------------------------------------------------------------
    def match_frame(self, requests: pd.DataFrame, *, id_column: str = "request_id",
                    progress: Progress = _say) -> pd.DataFrame:
        _check_frame(requests, id_column)
        con = self.con
        con.register("_req_src_df", requests)
        con.execute("CREATE OR REPLACE TEMP TABLE _req_src AS SELECT * FROM _req_src_df")
        con.unregister("_req_src_df")
        progress("normalise")
        self._normalise("_req_src", "_req_norm", "_req_model", id_column)
        progress("candidates")
        batch_pairs(con, "_req_model", "_req_pairs")
        progress("score")
        scorer = self.engine.scorer(con, self.model.model, requests="_req_model",
                                    master=MASTER_MODEL_VIEW)
        scored = scorer.score("_req_pairs", min_weight=score_floor(self.thresholds))
        progress("decide")
        frame = self._finish(scored, "_req_pairs", "_req_norm", "_req_model")
        scorer.drop(scored)
        for t in ("_req_src", "_req_norm", "_req_model", "_req_pairs"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
        order = pd.Index(frame["request_id"]).get_indexer(requests[id_column].astype(str))
        return frame.iloc[order].reset_index(drop=True)

    # --- one request -------------------------------------------------------------
    def match_record(self, record: Mapping[str, Any], *,
                     id_column: str = "request_id") -> dict[str, Any]:
        """One request: the row ``match_frame`` gives for it, in a handful of queries."""
        rid = record.get(id_column)
        if rid is None or str(rid).strip() == "":
            raise InputError(f"every request needs a {id_column}")
        norm = {"uid": str(rid), **normalise_record(record)}
        with self._lock:
            con = self.con
            create_one_request_table(con, norm, "_one_norm", "_one_model",
                                     source_dataset=REQUEST_DATASET)
            if self._fetcher is None:
                self._fetcher = ParallelFetcher(con)
            single_pairs(con, "_one_model", "_one_pairs", "_one_cand", fetcher=self._fetcher)
            if self._one_scorer is None:
                self._one_scorer = self.engine.scorer(
                    con, self.model.model, requests="_one_model", master="_one_cand")
            scored = self._one_scorer.score_all("_one_model", "_one_cand")
            # The candidates' own table (not the whole persons table): nothing to scan.
            rows = con.execute(_finish_sql(scored, "_one_pairs", "_one_norm", "_one_model",
                                           "_one_cand", self._ctx)).fetchall()
            self._one_scorer.drop(scored)
        values = _decided(rows[0], self.thresholds, self.mode)
        prov = self.provenance
        return dict(zip(RESULT_COLUMNS, (*values, prov.model_hash, prov.master_snapshot_hash,
                                         prov.settings_hash), strict=True))


def _check_frame(df: pd.DataFrame, id_column: str) -> None:
    missing = [c for c in (id_column, *SOURCE_COLUMNS) if c not in df.columns]
    if missing:
        raise InputError(f"requests lack columns: {', '.join(missing)}")
    ids = df[id_column]
    if ids.isna().any() or (ids.astype(str).str.strip() == "").any():
        raise InputError(f"every request needs a {id_column}")
    if ids.astype(str).duplicated().any():
        dup = ids[ids.astype(str).duplicated()].astype(str).iloc[0]
        raise InputError(f"duplicate {id_column}: {dup}")


def match_requests(ws: Workspace, requests: pd.DataFrame, *,
                   progress: Progress = _say) -> pd.DataFrame:
    """One decided row per request (``RESULT_COLUMNS``), in the input's order."""
    matcher = Matcher.for_workspace(ws)
    try:
        return matcher.match_frame(requests, progress=progress)
    finally:
        matcher.close()


_MATCHERS: dict[tuple[str, str, float, str], Matcher] = {}
_MATCHERS_LOCK = threading.Lock()


def match_one(ws: Workspace, request: Mapping[str, Any]) -> dict[str, Any]:
    """The single-request lane: the same row as ``match_requests`` would give.

    The matcher (connection, model, scorer) is kept per workspace, model and
    master index, so only the first call pays for opening them."""
    model = load_model(ws.models_dir)
    index = ws.master_dir / "master.duckdb"
    key = (str(ws.root.resolve()), model.model_hash,
           index.stat().st_mtime if index.exists() else 0.0, ws.agreement().terms_hash)
    with _MATCHERS_LOCK:
        matcher = _MATCHERS.get(key)
        if matcher is None:
            for old in _MATCHERS.values():
                old.close()
            _MATCHERS.clear()
            matcher = Matcher.for_workspace(ws, threads=1)
            _MATCHERS[key] = matcher
    return matcher.match_record(request)


#: a made-up request (synthetic, no one's data) for ``warm_lane``
WARM_UP_REQUEST: dict[str, Any] = {
    "request_id": "warm-up", "first_name": "JOHN", "middle_name": None, "last_name": "SMITH",
    "dob": "1980-01-01", "tin": None, "address_line1": "100 MAIN ST", "address_line2": None,
    "city": "SPRINGFIELD", "state": "IL", "zip": "62701",
}


def warm_lane(ws: Workspace) -> bool:
    """Open the single-request lane's matcher and run a made-up request through it,
    so the first real request does not pay for preparing the scorer (about 100 ms
    at 10M). False, and nothing done, while the workspace has no master index or
    model yet."""
    try:
        match_one(ws, WARM_UP_REQUEST)
    except (InputError, NotFound):  # no index or no model yet: the first request will say so
        return False
    return True
