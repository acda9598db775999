"""`dgw model`: train the linkage model, and show its parameters and charts."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from ..match.model_store import StoredModel, load_model
from ..match.training import DEFAULT_SAMPLE, train_model
from .common import JsonOpt, WorkspaceOpt, emit_json, err, out, table, workspace

app = typer.Typer(help="The linkage model: train it, show it.", no_args_is_help=True)


@app.command("train")
def train(
    ws_path: WorkspaceOpt,
    requests: Annotated[Path, typer.Option(
        "--requests", help="Requests to learn from: a batch directory or records file "
                           "(their truth, if any, is never read).")],
    sample: Annotated[int, typer.Option(
        "--sample", min=0, help="Use at most this many requests (0: all).")] = DEFAULT_SAMPLE,
    json_: JsonOpt = False,
) -> None:
    """u by random sampling, m by EM (TIN and birth-date blocks); saves the next version."""
    ws = workspace(ws_path)

    def say(msg: str) -> None:
        if not json_:
            err.print(f"[dim]train: {msg}[/]")

    stored = train_model(ws, requests, sample=sample or None, progress=say)
    if json_:
        emit_json(_summary(stored))
        return
    out.print(f"model v{stored.version} saved to [bold]{stored.path}[/]")
    out.print(f"model hash {stored.model_hash}")


def _summary(m: StoredModel) -> dict[str, Any]:
    return {"version": m.version, "path": str(m.path), "model_hash": m.model_hash,
            "settings_hash": m.settings_hash, "training": m.metadata.get("training", {})}


def parameters(m: StoredModel) -> list[dict[str, Any]]:
    rows = []
    for c in m.model["comparisons"]:
        for lv in c["comparison_levels"]:
            if lv.get("is_null_level"):
                continue
            mp, up = lv.get("m_probability"), lv.get("u_probability")
            w = math.log2(mp / up) if mp and up else None
            rows.append({"comparison": c["output_column_name"], "level": lv["label_for_charts"],
                         "m": mp, "u": up, "match_weight": w})
    return rows


@app.command("show")
def show(
    ws_path: WorkspaceOpt,
    version: Annotated[int | None, typer.Option("--version", help="Model version (default: newest).")] = None,
    charts: Annotated[Path | None, typer.Option(
        "--charts", help="Directory for the charts (default: W/reports/model-vN).")] = None,
    json_: JsonOpt = False,
) -> None:
    """Print the model's parameters; write its match-weight and m/u charts (HTML, JSON)."""
    from ..match.service import default_engine

    ws = workspace(ws_path)
    m = load_model(ws.models_dir, version)
    target = charts or ws.reports_dir / f"model-v{m.version:04d}"
    written = default_engine().write_charts(m.model, target)
    params = parameters(m)
    cal = _calibration(ws_path, version)
    if json_:
        emit_json(_summary(m) | {"prior": m.prior, "parameters": params,
                                 "charts": [str(p) for p in written],
                                 "review_calibration": cal.as_dict() if cal else None})
        return
    out.print(f"model v{m.version} ({m.model_hash[:16]}…), prior match probability {m.prior:.3g}")
    out.print(table("Parameters", ["comparison", "level", "m", "u", "match weight"],
                    [(p["comparison"], p["level"], _num(p["m"]), _num(p["u"]),
                      _num(p["match_weight"], ".2f")) for p in params]))
    out.print("charts: " + ", ".join(str(p) for p in written))
    if cal is not None:
        _print_calibration(cal)


def _calibration(ws_path: Path, version: int | None) -> Any:
    """What the review labels so far would do to this model (None: no store here)."""
    from ..errors import GatewayError
    from ..services.calibration import review_calibration
    from ..services.context import open_context

    try:
        ctx = open_context(ws_path)
    except GatewayError:
        return None
    return review_calibration(ctx, version=version)


def _print_calibration(cal: Any) -> None:
    out.print(f"review decisions: {cal.labels:,} closed items ({cal.matches:,} match, "
              f"{cal.no_matches:,} no match); recalibrated on them, {cal.now_automatic:,} of the "
              f"reviewed matches would be decided without a person, "
              f"{cal.wrongly_automatic:,} reviewed no-matches would be linked")
    if cal.shifts:
        out.print(table("How review decisions move the weights (bits)",
                        ["comparison", "level", "labelled matches", "m before", "m after",
                         "weight before", "weight after"],
                        [(x.comparison, x.level, f"{x.labelled_matches:,}", _num(x.m_before),
                          _num(x.m_after), _num(x.weight_before, ".2f"),
                          _num(x.weight_after, ".2f")) for x in cal.shifts]))


@app.command("recalibrate")
def recalibrate(ws_path: WorkspaceOpt, json_: JsonOpt = False) -> None:
    """Learn m from closed review items (labelled pairs); saves the next model version."""
    from ..services.calibration import recalibrate_model
    from ..services.context import open_context

    saved, cal = recalibrate_model(open_context(ws_path))
    if json_:
        emit_json(_summary(saved) | {"review_calibration": cal.as_dict()})
        return
    out.print(f"model v{saved.version} saved to [bold]{saved.path}[/] "
              f"(recalibrated on {cal.labels:,} review decisions)")
    _print_calibration(cal)


def _num(v: float | None, spec: str = ".3g") -> str:
    return "—" if v is None else format(v, spec)
