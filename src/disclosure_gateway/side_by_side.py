"""The gateway beside plain Splink, on the same data in the same run.

Three systems are scored with ``evaluation.score`` against one truth:

- **gateway**: its decisions (match / review / no_match, the address check);
- **plain Splink**: the reference linker of ``match.splink_reference`` (the
  linkage notes' configuration), each request linked to its best candidate at
  p ≥ 0.99; with no address check, every link releases the address it finds;
- **plain Splink + address check**: the same links, confirmed only where the
  linked record's house number, street and ZIP equal the request's.

``table_rows`` lays the scorecards out side by side: wrong links, wrongful
confirmations, precision, recall, F1, confirmation recall, review share, the
requests answered NOT_CONFIRMED without review because no candidate's last known
address was the one asked about (``decide.NOT_CONFIRMABLE``), and the
identification recall of every error kind.

Data sets: a synthetic batch in a workspace (its truth file), or a public FEBRL
set (``public_data``), linked by the gateway as ``dgw match`` links two files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .evaluation import OUTCOME_COLUMNS, Scorecard, fmt, score

SYSTEMS: tuple[str, ...] = ("gateway", "plain Splink", "plain Splink + address check")

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class Comparison:
    data: str
    cards: dict[str, Scorecard]
    seconds: dict[str, float]
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"data": self.data, "seconds": self.seconds, "notes": list(self.notes),
                "systems": {k: v.as_dict() for k, v in self.cards.items()}}


def plain_outcomes(links: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outcome frames of plain Splink without and with the exact address check, from
    ``splink_reference.link``'s rows."""
    linked = links["record_id"].notna()
    base = pd.DataFrame({
        "request_id": links["request_id"].astype(str),
        "tin": links["record_id"].where(linked, None),
        "outcome": linked.map({True: "match", False: "no_match"}),
    })
    plain = base.assign(address_result=linked.map({True: "same", False: "unknown"}))
    checked = base.assign(address_result=[
        ("same" if eq else "differs") if ok else "unknown"
        for ok, eq in zip(linked, links["address_equal"].fillna(False), strict=True)])
    return plain[list(OUTCOME_COLUMNS)], checked[list(OUTCOME_COLUMNS)]


def gateway_outcomes(results: pd.DataFrame) -> pd.DataFrame:
    """Outcome rows (with ``reasons``) from the matcher's rows."""
    cols = [*OUTCOME_COLUMNS, "reasons"]
    return results.reindex(columns=cols)


def run_plain(master: pd.DataFrame | str, requests: pd.DataFrame | str, *,
              master_uid: str = "record_id", request_uid: str = "record_id",
              newest_per: str | None = None, u_pairs: float = 1e8,
              chunks: int = 1) -> tuple[pd.DataFrame, dict[str, float], int]:
    """Plain Splink on two frames (or SQL relations, e.g. ``read_parquet('…')``)."""
    import duckdb

    from .match import splink_reference as ref

    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        for name, src in (("_plain_m_src", master), ("_plain_r_src", requests)):
            if isinstance(src, pd.DataFrame):
                con.register(name + "_df", src)
                con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_df")
                con.unregister(name + "_df")
            else:
                con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM {src}")
        t0 = time.perf_counter()
        ref.prepare(con, "_plain_m_src", "plain_m", uid=master_uid, newest_per=newest_per)
        ref.prepare(con, "_plain_r_src", "plain_r", uid=request_uid)
        prep = time.perf_counter() - t0
        res = ref.link(con, "plain_r", "plain_m", u_pairs=u_pairs, chunks=chunks)
    finally:
        con.close()
    return res.links, {"prepare": round(prep, 2), **res.seconds}, res.comparisons


def compare(data: str, truth: pd.DataFrame, gateway: pd.DataFrame | None,
            links: pd.DataFrame | None, seconds: Mapping[str, float],
            notes: tuple[str, ...] = ()) -> Comparison:
    cards: dict[str, Scorecard] = {}
    if gateway is not None:
        cards["gateway"] = score(gateway, truth)
    if links is not None:
        plain, checked = plain_outcomes(links)
        cards["plain Splink"] = score(plain, truth)
        cards["plain Splink + address check"] = score(checked, truth)
    return Comparison(data, cards, dict(seconds), notes)


def febrl_comparison(name: str, *, plain: bool = True, say: Say = _quiet) -> Comparison:
    """A FEBRL set: the gateway as ``dgw match`` links two files, plain Splink beside."""
    from .match.standalone import link_frames
    from .public_data import load_febrl

    master, requests, truth = load_febrl(name)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    res, label = link_frames(master, requests, say=say)
    seconds["gateway"] = round(time.perf_counter() - t0, 2)
    ours = gateway_outcomes(res.rename(columns={"request_id": "request_id"}))
    links = None
    if plain:
        say("plain Splink")
        t0 = time.perf_counter()
        links, _, _ = run_plain(master, requests)
        seconds["plain"] = round(time.perf_counter() - t0, 2)
    return compare(name, truth, ours, links, seconds, (f"gateway model: {label}",))


# --- presentation -------------------------------------------------------------------------

ROWS: tuple[tuple[str, str], ...] = (
    ("requests (no legal defect)", "requests"),
    ("wrong links", "wrongful_matches"),
    ("wrongful confirmations", "wrongful_confirmations"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("F1", "f1"),
    ("confirmation recall", "confirmation_recall"),
    ("review share", "review_share"),
    ("answered NOT_CONFIRMED, not queued (no candidate at that address)", "not_confirmable"),
)


def table_rows(c: Comparison, *, kinds: bool = True) -> list[tuple[str, ...]]:
    """One row per figure, one column per system present."""
    systems = [s for s in SYSTEMS if s in c.cards]
    rows: list[tuple[str, ...]] = []
    for label, key in ROWS:
        rows.append((label, *(fmt(c.cards[s].overall.as_dict()[key]) for s in systems)))
    if kinds:
        all_kinds = sorted({k for s in systems for k in c.cards[s].by_kind})
        for kind in all_kinds:
            vals = []
            for s in systems:
                k = c.cards[s].by_kind.get(kind)
                vals.append(fmt(k.recall) if k and k.matchable else "—")
            n = c.cards[systems[0]].by_kind.get(kind)
            rows.append((f"identification recall: {kind} (n={n.matchable if n else 0:,})", *vals))
    return rows


def markdown(c: Comparison, *, kinds: bool = True) -> str:
    systems = [s for s in SYSTEMS if s in c.cards]
    lines = [f"| {c.data} | " + " | ".join(systems) + " |",
             "|---|" + "---:|" * len(systems)]
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(c, kinds=kinds)]
    return "\n".join(lines)


def batch_comparison(ws: Any, batch_dir: Path, ours: pd.DataFrame, *, say: Say = _quiet
                     ) -> Comparison:
    """A synthetic batch in a workspace: our outcomes beside plain Splink run now on
    the workspace's master file and the batch's records."""
    from .intake.manifest import read_manifest
    from .match.master_index import open_master

    con, meta = open_master(ws.master_dir)
    con.close()
    source = Path(str(meta.get("source") or ""))
    if not source.is_file():
        from .errors import InputError

        raise InputError("plain Splink needs the master file the index was loaded from",
                         where=str(source))
    manifest = read_manifest(batch_dir)
    records = batch_dir / manifest.records_file
    reader = {".parquet": "read_parquet", ".csv": "read_csv"}.get(records.suffix.lower())
    rel = (f"{reader}('{records}'" + (", all_varchar = true)" if reader == "read_csv" else ")")
           if reader else None)
    if rel is None:
        from .intake.records import read_records

        rel_df: pd.DataFrame | str = read_records(records)
    else:
        rel_df = rel
    src = "read_parquet" if source.suffix.lower() == ".parquet" else "read_csv"
    say("plain Splink")
    t0 = time.perf_counter()
    links, _, _ = run_plain(f"{src}('{source}')", rel_df, request_uid="request_id",
                            master_uid="regexp_replace(CAST(tin AS VARCHAR), '[^0-9]', '', 'g')",
                            newest_per="tin")
    seconds = {"plain": round(time.perf_counter() - t0, 2)}
    return compare(str(batch_dir), read_truth(batch_dir), ours, links, seconds)


def read_truth(batch_dir: Path) -> pd.DataFrame:
    from .contracts import TRUTH_FILE

    truth = pd.read_parquet(batch_dir / TRUTH_FILE)
    truth["request_id"] = truth["request_id"].astype(str)
    return truth
