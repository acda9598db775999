"""The demo: one workspace where the gateway plays both parties end to end.

Keys for the custodian and both requesters, the reference agreement with their
keys, a synthetic master file and a signed batch; then the master index, the
model, and the whole pipeline on the batch.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .files import atomic_write, private_dir
from .ledger.events import EventType
from .pipeline import BatchOutcome, Progress, process_batch
from .provisioning import install_reference_for_demo
from .services.context import open_context
from .services.ledger import export_checkpoints
from .workspace import Workspace

DEMO_MARKER = ".dgw-demo"


@dataclass
class DemoResult:
    workspace: str
    master_file: str
    batch_dir: str
    taxpayers: int
    requests: int
    outcome: BatchOutcome | None = None
    report: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["outcome"] = self.outcome.to_json() if self.outcome else None
        return d


def prepare_workspace(root: Path) -> Workspace:
    """A fresh demo workspace; an existing one is replaced only if it is a demo's."""
    if root.exists() and any(root.iterdir()):
        if not (root / DEMO_MARKER).exists():
            raise InputError("directory exists and is not a demo workspace; refusing to replace it",
                             where=str(root))
        shutil.rmtree(root)
    ws = Workspace(root)
    ws.create()
    atomic_write(root / DEMO_MARKER, "made by dgw demo; `dgw demo` may replace it\n")
    return ws


def prepare_demo(root: Path, *, taxpayers: int = 200_000, requests: int = 20_000, seed: int = 2025,
                 say: Callable[[str], None] = lambda _m: None) -> DemoResult:
    """Everything but processing: workspace, keys, agreement, data, master index, model."""
    from .match.master_index import build_master_index
    from .match.training import train_model
    from .synth import write_batch, write_population

    timings: dict[str, float] = {}

    def timed(name: str, t0: float) -> None:
        timings[name] = round(time.perf_counter() - t0, 2)

    ws = prepare_workspace(root)
    agreement, pairs = install_reference_for_demo(ws)  # creates the store: asked for here
    with open_context(ws.root) as ctx, ctx.store.transaction() as s:
        ctx.ledger.append(s, EventType.AGREEMENT_LOADED, {
            "agreement_id": agreement.id, "agreement_hash": agreement.terms_hash, "by": "dgw demo"})
    data = private_dir(ws.root / "data", ours=True)  # synthetic, but shaped like real TINs
    master = data / "master.parquet"
    batch_dir = ws.root / "inbox" / "demo-batch"
    private_dir(batch_dir.parent, ours=True)
    t0 = time.perf_counter()
    say(f"generating {taxpayers:,} taxpayers")
    write_population(master, taxpayers, seed=seed)
    timed("synth_population", t0)
    t0 = time.perf_counter()
    say(f"generating a signed batch of {requests:,} requests")
    write_batch(batch_dir, master, requests, seed=seed + 1, agreement=agreement,
                sign_with=pairs["dhs-secretary"])
    timed("synth_batch", t0)
    t0 = time.perf_counter()
    say("building the master index")
    build_master_index(master, ws.master_dir)
    timed("master_load", t0)
    t0 = time.perf_counter()
    say("training the linkage model")
    train_model(ws, batch_dir)
    timed("model_train", t0)
    return DemoResult(workspace=str(ws.root), master_file=str(master), batch_dir=str(batch_dir),
                      taxpayers=taxpayers, requests=requests, timings=timings)


def run_demo(root: Path, *, taxpayers: int = 200_000, requests: int = 20_000, seed: int = 2025,
             say: Callable[[str], None] = lambda _m: None,
             progress: Progress | None = None) -> DemoResult:
    """The whole demo: prepare, then process the signed batch."""
    result = prepare_demo(root, taxpayers=taxpayers, requests=requests, seed=seed, say=say)
    t0 = time.perf_counter()
    say("processing the batch")
    with open_context(Path(result.workspace)) as ctx:
        result.outcome = process_batch(ctx, Path(result.batch_dir),
                                       progress=progress or (lambda *_: None))
        export_checkpoints(ctx)
        result.timings["process"] = round(time.perf_counter() - t0, 2)
        from .services.reports import write_batch_html

        written = write_batch_html(ctx, result.outcome.batch_id, ctx.ws.reports_dir)
        result.report = str(written["html"])
    return result
