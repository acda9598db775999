"""Evaluation: a batch's answers scored against its truth file, beside the 2025 baseline.

``score(outcomes, truth)`` is pure arithmetic over two tables and is what the
tests check on a hand-made truth. An outcome row says, per request, which
taxpayer it was matched to (``tin``), the ``outcome`` (match / review /
no_match) and the ``address_result`` (same / differs / unknown). A
*confirmation* is what the requester would learn: a match whose address is the
same — for the baseline, an address released.

Counted on the requests without legal defects (the gate refuses the others
before any matching; ``defective`` counts them):

- wrongful match: matched to someone other than the true taxpayer (or to
  anyone, for a person absent from the master);
- wrongful confirmation: a confirmation for the wrong person, or of an address
  that is not the taxpayer's last known one — each is an unlawful disclosure;
- missed match: a request for a taxpayer in the master that was not matched
  to them automatically (``to_review`` of them went to a person);
- precision = correct matches / matches; recall = correct matches / matchable;
  F1 their harmonic mean; the same three for confirmations.

The **2025 baseline** (``baseline_outcomes``) is the process the court and the
inspector general described: where a request gives a TIN, the taxpayer with that
TIN, and the address released if the request's address "contains a 5- or 9-digit
number" (never compared); otherwise an exact first name + last name + ZIP match
against the master (a unique one), with the same address check. Names are only
upper-cased and trimmed: no accent folding, no parsing.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .contracts import TRUTH_COLUMNS, TRUTH_FILE
from .decide import NOT_CONFIRMABLE
from .errors import GatewayError, InputError
from .workspace import Workspace

OUTCOME_COLUMNS: tuple[str, ...] = ("request_id", "tin", "outcome", "address_result")

#: the 2025 address check: any run of exactly 5 or 9 digits (the SQL in
#: ``baseline_outcomes`` is the same pattern without look-arounds)
BASELINE_ADDRESS_RE = re.compile(r"(?<!\d)(\d{5}|\d{9})(?!\d)")


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None or p + r == 0:
        return None
    return 2 * p * r / (p + r)


@dataclass(frozen=True)
class Counts:
    requests: int
    matchable: int
    absent: int
    matches: int
    correct_matches: int
    wrongful_matches: int
    missed_matches: int
    to_review: int
    review_of_matchable: int
    confirmations: int
    correct_confirmations: int
    wrongful_confirmations: int
    confirmable: int
    missed_confirmations: int
    #: answered NOT_CONFIRMED without review: no review-band candidate's last known
    #: address is the one asked about (``decide.NOT_CONFIRMABLE``), so no reviewer's
    #: decision could change the answer
    not_confirmable: int = 0

    @property
    def precision(self) -> float | None:
        return _ratio(self.correct_matches, self.matches)

    @property
    def recall(self) -> float | None:
        return _ratio(self.correct_matches, self.matchable)

    @property
    def f1(self) -> float | None:
        return _f1(self.precision, self.recall)

    @property
    def review_share(self) -> float | None:
        return _ratio(self.to_review, self.requests)

    @property
    def confirmation_precision(self) -> float | None:
        return _ratio(self.correct_confirmations, self.confirmations)

    @property
    def confirmation_recall(self) -> float | None:
        return _ratio(self.correct_confirmations, self.confirmable)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = asdict(self)
        for k in ("precision", "recall", "f1", "review_share", "confirmation_precision",
                  "confirmation_recall"):
            d[k] = getattr(self, k)
        return d


@dataclass(frozen=True)
class Scorecard:
    overall: Counts
    by_kind: dict[str, Counts]
    defective: int
    defective_disclosures: int = 0  # confirmations given on legally defective requests
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "by_kind": {k: v.as_dict() for k, v in self.by_kind.items()},
            "defective": self.defective,
            "defective_disclosures": self.defective_disclosures,
            **self.extra,
        }


def _as_list(v: Any) -> list[str]:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    return [str(x) for x in v]


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _counts(rows: Iterable[Mapping[str, Any]]) -> Counts:
    c = dict.fromkeys(Counts.__dataclass_fields__, 0)
    for r in rows:
        true_tin = None if _missing(r["true_tin"]) else str(r["true_tin"])
        tin = None if _missing(r["tin"]) else str(r["tin"])
        matched = r["outcome"] == "match"
        right = matched and tin is not None and tin == true_tin
        last_known = bool(r["address_is_last_known"]) if not _missing(
            r["address_is_last_known"]) else False
        confirmed = matched and r["address_result"] == "same"
        c["requests"] += 1
        c["matchable"] += true_tin is not None
        c["absent"] += true_tin is None
        c["matches"] += matched
        c["correct_matches"] += right
        c["wrongful_matches"] += matched and not right
        c["missed_matches"] += true_tin is not None and not right
        c["to_review"] += r["outcome"] == "review"
        c["review_of_matchable"] += true_tin is not None and r["outcome"] == "review"
        c["confirmations"] += confirmed
        c["correct_confirmations"] += confirmed and right and last_known
        c["wrongful_confirmations"] += confirmed and not (right and last_known)
        c["confirmable"] += true_tin is not None and last_known
        c["missed_confirmations"] += (true_tin is not None and last_known
                                      and not (confirmed and right))
        c["not_confirmable"] += NOT_CONFIRMABLE in str(r.get("reasons") or "")
    return Counts(**c)


def score(outcomes: pd.DataFrame, truth: pd.DataFrame) -> Scorecard:
    """Score ``outcomes`` (``OUTCOME_COLUMNS``) against ``truth`` (``TRUTH_COLUMNS``)."""
    missing = [c for c in OUTCOME_COLUMNS if c not in outcomes.columns]
    if missing:
        raise ValueError(f"outcomes lack columns: {', '.join(missing)}")
    missing = [c for c in TRUTH_COLUMNS if c not in truth.columns]
    if missing:
        raise ValueError(f"truth lacks columns: {', '.join(missing)}")
    cols = [*OUTCOME_COLUMNS, *(["reasons"] if "reasons" in outcomes.columns else [])]
    merged = truth.merge(outcomes[cols], on="request_id", how="left", validate="one_to_one")
    merged["outcome"] = merged["outcome"].fillna("no_match")
    merged["address_result"] = merged["address_result"].fillna("unknown")
    rows = merged.to_dict("records")
    valid = [r for r in rows if not _as_list(r["defects"])]
    defective = [r for r in rows if _as_list(r["defects"])]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in valid:
        for kind in _as_list(r["corruptions"]) or ["none"]:
            by_kind.setdefault(kind, []).append(r)
    return Scorecard(
        overall=_counts(valid),
        by_kind={k: _counts(v) for k, v in sorted(by_kind.items())},
        defective=len(defective),
        defective_disclosures=sum(
            1 for r in defective if r["outcome"] == "match" and r["address_result"] == "same"),
    )


# --- the 2025 baseline ------------------------------------------------------------------


def baseline_address_passes(*parts: Any) -> bool:
    """The 2025 filter: the address contains a 5- or 9-digit number. Nothing else."""
    text = " ".join(str(p) for p in parts if not _missing(p))
    return BASELINE_ADDRESS_RE.search(text) is not None


def baseline_outcomes(con: duckdb.DuckDBPyConnection, requests: str,
                      persons: str = "m.persons") -> pd.DataFrame:
    """The 2025 process on table ``requests`` (request columns) against a master index's
    ``persons`` (every ZIP it holds for a taxpayer counts for the name + ZIP route)."""
    up = "upper(trim(regexp_replace(CAST({} AS VARCHAR), '\\s+', ' ', 'g')))"
    digits = "regexp_replace(coalesce(CAST({} AS VARCHAR), ''), '[^0-9]', '', 'g')"
    address = ("concat_ws(' ', r.address_line1, r.address_line2, r.city, r.state, "
               "CAST(r.zip AS VARCHAR))")
    sql = f"""
        WITH r AS (
            SELECT CAST(request_id AS VARCHAR) AS request_id, {digits.format('tin')} AS tin9,
                   {up.format('first_name')} AS f, {up.format('last_name')} AS l,
                   substr({digits.format('zip')}, 1, 5) AS z, *
            FROM {requests}
        ), m AS (
            SELECT uid, {up.format('raw_first_name')} AS f, {up.format('raw_last_name')} AS l,
                   unnest(list_distinct(list_prepend(zip5, hist_zip))) AS z
            FROM {persons}
        ), by_tin AS (
            SELECT r.request_id, p.uid FROM r JOIN {persons} p ON p.uid = r.tin9
            WHERE length(r.tin9) = 9
        ), by_name AS (
            SELECT r.request_id, min(m.uid) AS uid, count(DISTINCT m.uid) AS n
            FROM r JOIN m ON m.f = r.f AND m.l = r.l AND m.z = r.z
            WHERE length(r.tin9) <> 9
            GROUP BY r.request_id
        )
        SELECT r.request_id,
               coalesce(t.uid, CASE WHEN n.n = 1 THEN n.uid END) AS tin,
               regexp_matches({address}, '(^|[^0-9])([0-9]{{5}}|[0-9]{{9}})([^0-9]|$)') AS passes
        FROM r
        LEFT JOIN by_tin t ON t.request_id = r.request_id
        LEFT JOIN by_name n ON n.request_id = r.request_id
    """
    df = con.execute(sql).df()
    found = df["tin"].notna()
    return pd.DataFrame({
        "request_id": df["request_id"],
        "tin": df["tin"].where(found, None),
        "outcome": found.map({True: "match", False: "no_match"}),
        "address_result": (found & df["passes"].fillna(False).astype(bool)).map(
            {True: "same", False: "unknown"}),
    }, columns=list(OUTCOME_COLUMNS))


# --- presentation -------------------------------------------------------------------------

SIDE_BY_SIDE_ROWS: tuple[tuple[str, str], ...] = (
    ("requests (no legal defect)", "requests"),
    ("matchable (taxpayer in master)", "matchable"),
    ("matched automatically", "matches"),
    ("correct matches", "correct_matches"),
    ("wrongful matches", "wrongful_matches"),
    ("missed matches", "missed_matches"),
    ("sent to review", "to_review"),
    ("confirmations (address disclosed)", "confirmations"),
    ("wrongful confirmations", "wrongful_confirmations"),
    ("missed confirmations", "missed_confirmations"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("F1", "f1"),
    ("review share", "review_share"),
)


def fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4f}"
    return f"{v:,}"


def side_by_side(ours: Scorecard, baseline: Scorecard) -> list[tuple[str, str, str]]:
    rows = [(label, fmt(ours.overall.as_dict()[key]), fmt(baseline.overall.as_dict()[key]))
            for label, key in SIDE_BY_SIDE_ROWS]
    rows.append(("disclosures on legally defective requests", fmt(ours.defective_disclosures),
                 fmt(baseline.defective_disclosures)))
    return rows


# --- running an evaluation (I/O: batch directory, store, master index) ----------------------


@dataclass(frozen=True)
class Evaluation:
    batch_dir: str
    source: str  # where our outcomes came from: results file, store, or a fresh run
    ours: Scorecard
    baseline: Scorecard
    seconds: dict[str, float]
    #: our outcome rows as scored (``OUTCOME_COLUMNS``, ``reasons`` where known)
    outcomes: pd.DataFrame | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"batch_dir": self.batch_dir, "source": self.source, "ours": self.ours.as_dict(),
                "baseline": self.baseline.as_dict(), "seconds": self.seconds}


def read_outcomes(path: Path) -> pd.DataFrame:
    """A results file (CSV or Parquet) with at least ``OUTCOME_COLUMNS``."""
    try:
        if path.suffix.lower() == ".parquet":
            df = pd.read_parquet(path)
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as e:
        raise InputError(f"cannot read results: {e}", where=str(path)) from e
    missing = [c for c in OUTCOME_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"results lack columns: {', '.join(missing)}", where=str(path))
    df["request_id"] = df["request_id"].astype(str)
    return df


def _store_outcomes(ws: Workspace, batch_id: str) -> pd.DataFrame | None:
    """The decisions ``dgw process`` stored for the batch, if it was processed here."""
    try:
        from .services.context import open_context
        from .store.decisions import iter_decisions
    except ImportError:
        return None
    try:
        ctx = open_context(ws.root)
        with ctx.store.reader() as s:
            rows = [{"request_id": d["request_id"], "tin": d["candidate_tin"],
                     "outcome": d["outcome"], "address_result": d["address_result"],
                     "reasons": (d.get("evidence") or {}).get("reasons", "")}
                    for d in iter_decisions(s, batch_id=batch_id)]
    except (GatewayError, Exception):  # no store here, or not this batch: run afresh
        return None
    return pd.DataFrame(rows, columns=[*OUTCOME_COLUMNS, "reasons"]) if rows else None


def _fresh_outcomes(ws: Workspace, records: pd.DataFrame, request_date: date,
                    say: Callable[[str], None]) -> pd.DataFrame:
    """Gate, then match and decide the accepted requests, as ``dgw process`` would."""
    from .gate import check_records
    from .match.service import match_requests

    say("gate")
    gate = check_records(records, ws.agreement(), request_date=request_date)
    accepted = records[gate.accepted]
    say(f"match {len(accepted):,} accepted requests")
    matched = match_requests(ws, accepted.reset_index(drop=True))
    refused = pd.DataFrame({"request_id": records.loc[~gate.accepted, "request_id"].astype(str),
                            "tin": None, "outcome": "rejected", "address_result": "unknown",
                            "reasons": ""})
    return pd.concat([matched[[*OUTCOME_COLUMNS, "reasons"]], refused], ignore_index=True)


def run_evaluation(ws: Workspace, batch_dir: Path, *, results: Path | None = None,
                   say: Callable[[str], None] = lambda _m: None) -> Evaluation:
    """Score a batch's outcomes against its truth file, and the 2025 baseline beside them."""
    from .intake.manifest import read_manifest
    from .intake.records import read_records
    from .match.master_index import open_master

    truth_path = batch_dir / TRUTH_FILE
    if not truth_path.is_file():
        raise InputError("batch has no truth file (evaluation needs a synthetic batch)",
                         where=str(batch_dir))
    manifest = read_manifest(batch_dir)
    records = read_records(batch_dir / manifest.records_file)
    truth = pd.read_parquet(truth_path)
    truth["request_id"] = truth["request_id"].astype(str)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    if results is not None:
        ours, source = read_outcomes(results), f"results file {results}"
    else:
        stored = _store_outcomes(ws, manifest.batch_id)
        if stored is not None:
            ours, source = stored, f"decisions stored for batch {manifest.batch_id}"
        else:
            ours = _fresh_outcomes(ws, records, manifest.created.date(), say)
            source = "gate, match and decide run now"
    seconds["ours"] = round(time.perf_counter() - t0, 2)
    say("2025 baseline")
    t0 = time.perf_counter()
    con, _meta = open_master(ws.master_dir)
    try:
        con.register("_eval_requests", records)
        base = baseline_outcomes(con, "_eval_requests")
    finally:
        con.close()
    seconds["baseline"] = round(time.perf_counter() - t0, 2)
    return Evaluation(str(batch_dir), source, score(ours, truth), score(base, truth), seconds,
                      ours)
