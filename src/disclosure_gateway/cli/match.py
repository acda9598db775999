"""`dgw match`: standalone linkage of two CSV files (for evaluation on any data)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from ..agreement import Matching
from ..errors import InputError
from ..match.standalone import link_files
from .common import JsonOpt, emit_json, err, out


def match(
    master: Annotated[Path, typer.Option("--master", help="Master CSV (linkage columns).")],
    requests: Annotated[Path, typer.Option("--requests", help="Requests CSV (linkage columns).")],
    out_path: Annotated[Path, typer.Option("--out", help="Output CSV: request_id, "
                                           "master_record_id, match_probability, decision.")],
    model: Annotated[Path | None, typer.Option(
        "--model", help="A trained model file (default: train on the two files).")] = None,
    auto_threshold: Annotated[float, typer.Option(help="Auto-match probability.")] = 0.99,
    review_threshold: Annotated[float, typer.Option(help="Review probability.")] = 0.5,
    min_weight_margin: Annotated[float, typer.Option(help="Lead over the runner-up (bits).")] = 6.0,
    json_: JsonOpt = False,
) -> None:
    """Link requests to master records; decision is match, review or no_match."""
    try:
        thresholds = Matching(auto_threshold=auto_threshold, review_threshold=review_threshold,
                              min_weight_margin=min_weight_margin)
    except ValidationError as e:
        raise InputError("; ".join(x["msg"] for x in e.errors()), where="thresholds") from e

    def say(msg: str) -> None:
        if not json_:
            err.print(f"[dim]match: {msg}[/]")

    s = link_files(master, requests, out_path, model=model, thresholds=thresholds, say=say)
    if json_:
        emit_json({"requests": s.requests, "master": s.master, "model": s.model,
                   "decisions": s.decisions, "seconds": round(s.seconds, 2), "out": str(out_path)})
        return
    out.print(f"{s.requests:,} requests against {s.master:,} master records ({s.model}): "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(s.decisions.items()))
              + f" → [bold]{out_path}[/] ({s.seconds:.1f} s)")
