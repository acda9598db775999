"""Training a linkage model for a workspace: requests against the master index.

The model learns from a batch of requests (their truth is never read): u from
random request × master pairs, m by EM on TIN blocks and on birth date + family
initial blocks (``settings.TRAINING``). The prior — the probability that a
random request × taxpayer pair is a match — is not learnt but set from the
master's size: about ``expected_match_share`` of requests name a taxpayer, and
each names at most one of ``persons``.

The result is saved as the next version under ``W/models`` with its hash, the
settings hash, and what it was trained on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..canonical import file_sha256
from ..errors import InputError
from ..normalise.records import normalise_table
from ..workspace import Workspace
from . import settings as S
from .candidates import MASTER_MODEL_VIEW, create_master_model_view, create_request_model_table
from .evidence import household_u
from .master_index import open_master
from .model_store import StoredModel, reference_model, save_model, with_reference_m
from .port import LinkagePort, NoTrainingPairs

DEFAULT_SAMPLE = 200_000


def read_records(path: Path) -> pd.DataFrame:
    """A records file (CSV, Parquet or JSON lines) as strings."""
    if not path.is_file():
        raise InputError("records file not found", where=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            df = pd.read_parquet(path)
        elif suffix == ".csv":
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        elif suffix in (".jsonl", ".json"):
            df = pd.read_json(path, lines=True, dtype=False)
        else:
            raise InputError("records must be .csv, .parquet or .jsonl", where=str(path))
    except (OSError, ValueError) as e:
        raise InputError(f"cannot read records: {e}", where=str(path)) from e
    return df


def find_records_file(path: Path) -> Path:
    """A batch directory's records file, or ``path`` itself."""
    if path.is_dir():
        for ext in ("parquet", "csv", "jsonl"):
            found = sorted(p for p in path.glob(f"*.{ext}") if p.name != "truth.parquet"
                           and not p.name.startswith("truth"))
            if found:
                return found[0]
        raise InputError("no records file in the batch directory", where=str(path))
    return path


def train_model(
    ws: Workspace,
    requests: Path | pd.DataFrame,
    *,
    sample: int | None = DEFAULT_SAMPLE,
    id_column: str = "request_id",
    engine: LinkagePort | None = None,
    progress: Callable[[str], None] | None = None,
) -> StoredModel:
    from .service import default_engine

    notes: list[str] = []

    def say(msg: str) -> None:
        if msg.startswith("note: "):
            notes.append(msg.removeprefix("note: "))
        if progress:
            progress(msg)

    started = time.monotonic()
    source = "frame"
    source_sha = None
    if isinstance(requests, Path):
        path = find_records_file(requests)
        source, source_sha = str(path), file_sha256(path)
        frame = read_records(path)
    else:
        frame = requests
    if id_column not in frame.columns:
        raise InputError(f"requests lack the {id_column} column")
    con, meta = open_master(ws.master_dir)
    try:
        say("normalise requests")
        con.register("_train_df", frame)
        limit = f"ORDER BY hash(CAST({id_column} AS VARCHAR)) LIMIT {int(sample)}" if sample else ""
        con.execute(f"CREATE TEMP TABLE _train_src AS SELECT * FROM _train_df {limit}")
        con.unregister("_train_df")
        normalise_table(con, "_train_src", "_train_norm", uid=id_column, temp=True)
        create_request_model_table(con, "_train_norm", "_train_model")
        create_master_model_view(con)
        n_req = int(con.execute("SELECT count(*) FROM _train_model").fetchall()[0][0])
        persons = int(meta["persons"])
        prior = min(S.TRAINING.expected_match_share / max(persons, 1), 0.5)
        eng = engine or default_engine()
        try:
            model = eng.train(con, requests="_train_model", master=MASTER_MODEL_VIEW,
                              prior=prior, progress=say)
        except NoTrainingPairs as e:
            # u is this data's; m comes from the reference, and the model says so
            reference, label = reference_model(prior)
            model = with_reference_m(e.model, reference)
            say(f"note: {e.message}: m from {label}, u from these records")
        say("household odds from the master's co-resident pairs")
        model["household_u"] = household_u(con)
    finally:
        con.close()
    training: dict[str, Any] = {
        "requests_source": source,
        "requests_sha256": source_sha,
        "requests_used": n_req,
        "master_snapshot_hash": meta["snapshot_hash"],
        "master_persons": persons,
        "prior": prior,
        "seconds": round(time.monotonic() - started, 2),
        "notes": notes,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return save_model(ws.models_dir, model, engine=eng.name, training=training)
