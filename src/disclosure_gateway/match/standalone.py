"""Standalone linkage on any two files (``dgw match``), outside any workspace.

Both files have the linkage columns (``contracts.LINKAGE_COLUMNS``: record_id,
first/middle/last name, dob, tin, address lines, city, state, zip; any may be
empty except ``record_id`` and the names). The master side is indexed as a
master file of one address per record (``record_id`` is the entity), the model
is trained on the two files (u by sampling, m by EM on the blocks that have
pairs) unless one is given; where no EM block has pairs, m comes from the
shipped reference model; with fewer than ``MIN_TRAINING_RECORDS`` a side, the
reference model is used whole — and the summary says which, and why. Then the
requests are matched and decided by the same code as a batch.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..agreement import Matching
from ..contracts import LINKAGE_COLUMNS
from ..decide import Thresholds
from ..errors import InputError
from ..workspace import Workspace
from . import settings as S
from .master_index import build_master_index
from .model_store import StoredModel, model_hash, read_model_file, reference_model
from .port import LinkageEngineError
from .service import Matcher
from .training import train_model

OUT_COLUMNS: tuple[str, ...] = ("request_id", "master_record_id", "match_probability", "decision")

#: fewer records than this on either side: do not attempt EM
MIN_TRAINING_RECORDS = 200


@dataclass(frozen=True)
class LinkSummary:
    requests: int
    master: int
    model: str
    decisions: dict[str, int]
    seconds: float


def read_linkage_csv(path: Path, role: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{role} file not found", where=str(path))
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {role} CSV: {e}", where=str(path)) from e
    missing = [c for c in ("record_id", "first_name", "last_name") if c not in df.columns]
    if missing:
        raise InputError(f"{role} file lacks columns: {', '.join(missing)}", where=str(path))
    for c in LINKAGE_COLUMNS:
        if c not in df.columns:
            df[c] = None
    ids = df["record_id"]
    if ids.isna().any():
        raise InputError(f"{role} file has a row without record_id", where=str(path))
    if ids.duplicated().any():
        raise InputError(f"{role} file repeats record_id {ids[ids.duplicated()].iloc[0]!r}",
                         where=str(path))
    return df[list(LINKAGE_COLUMNS)]


def link_frames(mas: pd.DataFrame, req: pd.DataFrame, *, model: Path | None = None,
                thresholds: Thresholds | None = None,
                say: Callable[[str], None] = lambda _m: None) -> tuple[pd.DataFrame, str]:
    """Index ``mas``, train on the two frames (or load ``model``), match ``req``: the
    matcher's rows (``service.RESULT_COLUMNS``) and what model was used."""
    with tempfile.TemporaryDirectory(prefix="dgw-match-") as tmp:
        ws = Workspace(Path(tmp))
        master_file = Path(tmp) / "master.parquet"
        mas.to_parquet(master_file, index=False)
        say(f"indexing {len(mas):,} master records")
        info = build_master_index(master_file, ws.master_dir, entity_column="record_id")
        stored, label = _model(ws, req, model, info.persons, say)
        say(f"matching {len(req):,} requests")
        matcher = Matcher(ws.master_dir, stored, thresholds or Matching())
        try:
            res = matcher.match_frame(req, id_column="record_id")
        finally:
            matcher.close()
    return res, label


def link_files(master: Path, requests: Path, out: Path, *, model: Path | None = None,
               thresholds: Thresholds | None = None,
               say: Callable[[str], None] = lambda _m: None) -> LinkSummary:
    started = time.perf_counter()
    mas = read_linkage_csv(master, "master")
    req = read_linkage_csv(requests, "requests")
    res, label = link_frames(mas, req, model=model, thresholds=thresholds, say=say)
    revealed = res["outcome"] != "no_match"
    best = res["evidence"].notna()
    frame = pd.DataFrame({
        "request_id": res["request_id"],
        # the best candidate of a review is shown too: this is evaluation, not disclosure
        "master_record_id": res["tin"].where(revealed, None),
        "match_probability": res["match_probability"].where(best, None),
        "decision": res["outcome"],
    }, columns=list(OUT_COLUMNS))
    try:
        frame.to_csv(out, index=False)
    except OSError as e:
        raise InputError(f"cannot write output: {e.strerror}", where=str(out)) from e
    counts = {k: int(v) for k, v in frame["decision"].value_counts().items()}
    return LinkSummary(len(req), len(mas), label, counts, time.perf_counter() - started)


def _model(ws: Workspace, req: pd.DataFrame, model: Path | None, persons: int,
           say: Callable[[str], None]) -> tuple[StoredModel, str]:
    if model is not None:
        stored = read_model_file(model)
        return stored, f"{model} (v{stored.version})"
    if len(req) >= MIN_TRAINING_RECORDS and persons >= MIN_TRAINING_RECORDS:
        say("training on the two files")
        try:
            stored = train_model(ws, req, id_column="record_id", sample=None, progress=say)
        except LinkageEngineError as e:
            why = f"training failed: {e.message}"
        else:
            notes = stored.metadata.get("training", {}).get("notes", [])
            reference = [n for n in notes if "m from" in n]
            if reference:
                return stored, "trained on these files (u); " + reference[0]
            return stored, "trained on these files"
    else:
        why = (f"too few records to train ({len(req):,} requests, {persons:,} master records; "
               f"at least {MIN_TRAINING_RECORDS} a side)")
    prior = min(S.TRAINING.expected_match_share / max(persons, 1), 0.5)
    m, label = reference_model(prior)
    say(f"{why}; using {label}")
    return (StoredModel(ws.models_dir / "reference.json", 0, m, model_hash(m), S.settings_hash(),
                        {}), f"{label}: {why}")
