"""`dgw synth`: a synthetic taxpayer master file and request batches with known truth."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ..agreement import load_agreement
from ..contracts import RECORD_FORMATS
from ..errors import InputError
from ..keys import load_private
from ..synth import (
    BATCH_STEPS,
    POPULATION_STEPS,
    BatchKnobs,
    PopulationKnobs,
    build_knobs,
    reference_agreement,
    write_batch,
    write_population,
)
from .common import JsonOpt, emit_json, out, progress

app = typer.Typer(
    help="Generate a synthetic taxpayer master file and request batches with known truth.",
    no_args_is_help=True,
)

SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", metavar="NAME=VALUE", help="Set one knob (repeatable); see docs/synth.md."),
]
KnobsOpt = Annotated[Path | None, typer.Option("--knobs", help="TOML file of knobs (--set overrides it).")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Random seed; same seed, same output.")]
PresetOpt = Annotated[str, typer.Option(
    "--preset", help="Named set of knobs: default or harsh (more of every error); "
                     "--knobs and --set override it.")]


@contextmanager
def _steps(steps: tuple[str, ...], label: str, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A progress bar that advances once per generator step."""
    with progress(enabled) as bar:
        task = bar.add_task(label, total=len(steps) + 1)

        def report(step: str) -> None:
            bar.update(task, completed=steps.index(step), description=f"{label}: {step}")

        yield report
        bar.update(task, completed=len(steps) + 1, description=f"{label}: written")


@app.command("population")
def population(
    taxpayers: Annotated[int, typer.Option("--taxpayers", "-n", min=1, help="Number of taxpayers.")],
    out_path: Annotated[Path, typer.Option("--out", help="Master file to write (.parquet).")],
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    knobs_file: KnobsOpt = None,
    preset: PresetOpt = "default",
    json_: JsonOpt = False,
) -> None:
    """Write a taxpayer master file: several address rows per taxpayer, newest = last known."""
    knobs = build_knobs(PopulationKnobs, file=knobs_file, settings=set_, preset=preset)
    with _steps(POPULATION_STEPS, "population", not json_) as report:
        summary = write_population(out_path, taxpayers, seed=seed, knobs=knobs, report=report)
    if json_:
        emit_json(summary.to_dict())
    else:
        out.print(
            f"{summary.taxpayers:,} taxpayers ({summary.rows:,} address rows) in "
            f"[bold]{summary.path}[/] ({summary.seconds:.1f} s, seed {seed})"
        )


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise InputError(f"not an ISO date (YYYY-MM-DD): {text!r}", where="--batch-date") from e


@app.command("batch")
def batch(
    master: Annotated[Path, typer.Option("--master", help="Master file (.parquet) to draw requests from.")],
    requests: Annotated[int, typer.Option("--requests", "-m", min=1, help="Number of requests.")],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Batch directory to create (must not exist or be empty).")
    ],
    seed: SeedOpt = 0,
    sign_with: Annotated[
        Path | None, typer.Option("--sign-with", help="Requester's private key (PEM) to sign the manifest.")
    ] = None,
    agreement: Annotated[
        Path | None,
        typer.Option("--agreement", help="Agreement TOML (default: agreements/irs-ice-2025.toml)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Records file format: csv, parquet or jsonl.")] = "csv",
    batch_date: Annotated[
        str | None, typer.Option("--batch-date", help="Date the batch is 'sent' (YYYY-MM-DD; default today).")
    ] = None,
    batch_id: Annotated[
        str | None, typer.Option("--batch-id", help="Batch id (default: a fresh one).")
    ] = None,
    set_: SetOpt = None,
    knobs_file: KnobsOpt = None,
    preset: PresetOpt = "default",
    json_: JsonOpt = False,
) -> None:
    """Write a request batch: records, manifest.json, manifest.sig (with --sign-with), truth.parquet."""
    # Everything the user named is checked before minutes of generation.
    if fmt not in RECORD_FORMATS:
        raise InputError(
            f"unknown records format {fmt!r}; use one of {', '.join(RECORD_FORMATS)}", where="--format"
        )
    if not master.is_file():
        raise InputError("master file not found", where=str(master))
    day = _date(batch_date)
    knobs = build_knobs(BatchKnobs, file=knobs_file, settings=set_, preset=preset)
    agr = load_agreement(agreement) if agreement else reference_agreement()
    key = load_private(sign_with) if sign_with else None
    with _steps(BATCH_STEPS, "batch", not json_) as report:
        summary = write_batch(
            out_dir,
            master,
            requests,
            seed=seed,
            knobs=knobs,
            batch_date=day,
            agreement=agr,
            sign_with=key,
            fmt=fmt,
            batch_id=batch_id,
            report=report,
        )
    if json_:
        emit_json(summary.to_dict())
        return
    defects = sum(summary.defects.values())
    signed = f"signed by key {summary.requester_key_id}" if summary.signed else "unsigned"
    out.print(
        f"batch [bold]{summary.batch_id}[/]: {summary.records:,} requests in {summary.batch_dir} "
        f"({summary.records_file}, {signed}); {defects:,} with a legal defect, "
        f"{summary.absent:,} for people not in the master file ({summary.seconds:.1f} s)"
    )
