"""Writing what the generator makes: the master file and a batch directory.

Nothing partial is ever left behind: the master file is written beside its
target and renamed into place, and a batch directory is assembled under a
temporary name and renamed whole. A batch directory holds the records file,
``truth.parquet``, ``manifest.json`` (intake.manifest) and, when a key is
given, ``manifest.sig``.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from ..agreement import Agreement, load_agreement
from ..canonical import file_sha256
from ..contracts import DEFECT_KINDS, RECORD_FORMATS, TRUTH_FILE
from ..errors import AgreementError, InputError
from ..intake.manifest import build_manifest, sign_manifest, write_manifest
from ..keys import KeyPair
from .batch import Report, generate_batch_tables
from .corruptions import CORRUPTION_KINDS
from .knobs import BatchKnobs, PopulationKnobs
from .master import MasterIndex, MasterSource
from .population import iter_population, population_schema

REFERENCE_AGREEMENT = "irs-ice-2025.toml"
#: key id written in the manifest of an unsigned batch
UNSIGNED_KEY_ID = "0" * 16


def reference_agreement_path() -> Path:
    """The reference agreement of the repository (or of the working directory)."""
    here = Path(__file__).resolve()
    candidates = [
        here.parents[3] / "agreements" / REFERENCE_AGREEMENT,
        Path.cwd() / "agreements" / REFERENCE_AGREEMENT,
        here.parents[1] / "data" / REFERENCE_AGREEMENT,
    ]
    for path in candidates:
        if path.is_file():
            return path
    raise AgreementError(
        "reference agreement not found; pass --agreement FILE", where=f"agreements/{REFERENCE_AGREEMENT}"
    )


def reference_agreement() -> Agreement:
    return load_agreement(reference_agreement_path())


def _prepare_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create directory: {e.strerror}", where=str(path.parent)) from e


def _probe(path: Path, where: Path) -> None:
    """Fail before minutes of work if the output cannot be written at all."""
    try:
        with path.open("xb"):
            pass
    except OSError as e:
        raise InputError(f"cannot write output: {e.strerror}", where=str(where)) from e


@dataclass(frozen=True)
class PopulationSummary:
    path: str
    taxpayers: int
    rows: int
    seed: int
    sha256: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_master(table: pa.Table, path: Path) -> None:
    """Write a master table atomically (temporary file, then rename)."""
    if path.suffix.lower() != ".parquet":
        raise InputError("the master file must be Parquet (name ending in .parquet)", where=str(path))
    if path.is_dir():
        raise InputError("output is a directory", where=str(path))
    _prepare_parent(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    _probe(tmp, path)
    try:
        pq.write_table(table, tmp, compression="zstd", row_group_size=1 << 20)
        tmp.replace(path)
    except OSError as e:
        raise InputError(f"cannot write master file: {e.strerror}", where=str(path)) from e
    finally:
        tmp.unlink(missing_ok=True)


def write_population(
    path: Path,
    n: int,
    *,
    seed: int,
    knobs: PopulationKnobs | None = None,
    report: Report | None = None,
) -> PopulationSummary:
    """Generate ``n`` taxpayers and write the master file to ``path``."""
    if path.suffix.lower() != ".parquet":
        raise InputError("the master file must be Parquet (name ending in .parquet)", where=str(path))
    if path.is_dir():
        raise InputError("output is a directory", where=str(path))
    _prepare_parent(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    _probe(tmp, path)
    began = time.perf_counter()
    rows = 0
    try:
        # Row groups are written as they are made: the whole table never sits in memory.
        with pq.ParquetWriter(tmp, population_schema(), compression="zstd") as writer:
            for batch in iter_population(n, seed, knobs, report):
                writer.write_batch(batch)
                rows += batch.num_rows
        tmp.replace(path)
    except ValueError as e:
        raise InputError(str(e), where="--taxpayers" if n < 1 else "--seed") from e
    except OSError as e:
        raise InputError(f"cannot write master file: {e.strerror}", where=str(path)) from e
    finally:
        tmp.unlink(missing_ok=True)
    return PopulationSummary(
        path=str(path),
        taxpayers=n,
        rows=rows,
        seed=seed,
        sha256=file_sha256(path),
        seconds=round(time.perf_counter() - began, 3),
    )


def _probe_then_remove(path: Path) -> None:
    tmp = path.with_name(f".{path.name}.probe-{os.getpid()}")
    _probe(tmp, path)
    tmp.unlink(missing_ok=True)


def write_records(table: pa.Table, path: Path, fmt: str) -> None:
    """The records file in ``csv`` (header, empty = missing), ``parquet`` (all
    strings) or ``jsonl`` (one JSON object per line, null = missing)."""
    if fmt == "csv":
        pcsv.write_csv(table, path, pcsv.WriteOptions(quoting_style="needed"))
    elif fmt == "parquet":
        pq.write_table(table, path, compression="zstd")
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as f:
            for chunk in table.to_batches(max_chunksize=100_000):
                for row in chunk.to_pylist():
                    f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
                    f.write("\n")
    else:
        raise InputError(
            f"unknown records format {fmt!r}; use one of {', '.join(RECORD_FORMATS)}", where="--format"
        )


@dataclass(frozen=True)
class BatchSummary:
    batch_dir: str
    batch_id: str
    records_file: str
    records_format: str
    records: int
    batch_date: str
    agreement_id: str
    requester_key_id: str
    signed: bool
    seed: int
    absent: int
    defects: dict[str, int] = field(default_factory=dict)
    corruptions: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _counts(truth: pa.Table, column: str, kinds: tuple[str, ...]) -> dict[str, int]:
    counted = pc.value_counts(truth[column].combine_chunks().flatten())
    c = {v["values"]: v["counts"] for v in counted.to_pylist()}
    return {k: int(c.get(k, 0)) for k in kinds}


def write_batch(
    out_dir: Path,
    master: MasterSource | MasterIndex,
    m: int,
    *,
    seed: int,
    knobs: BatchKnobs | None = None,
    batch_date: date | None = None,
    agreement: Agreement | None = None,
    sign_with: KeyPair | None = None,
    fmt: str = "csv",
    batch_id: str | None = None,
    created: datetime | None = None,
    report: Report | None = None,
) -> BatchSummary:
    """Generate a batch and write its directory: records, truth, manifest, signature."""
    if fmt not in RECORD_FORMATS:
        raise InputError(
            f"unknown records format {fmt!r}; use one of {', '.join(RECORD_FORMATS)}", where="--format"
        )
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise InputError("output exists and is not an empty directory", where=str(out_dir))
    agreement = agreement or reference_agreement()
    _prepare_parent(out_dir)
    _probe_then_remove(out_dir)
    began = time.perf_counter()
    day = batch_date or datetime.now(UTC).date()
    records, truth = generate_batch_tables(master, m, seed, knobs, day, agreement, report)

    tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        records_path = tmp / f"records.{fmt}"
        write_records(records, records_path, fmt)
        pq.write_table(truth, tmp / TRUTH_FILE, compression="zstd")
        key_id = sign_with.key_id if sign_with else UNSIGNED_KEY_ID
        manifest = build_manifest(
            records_path, agreement=agreement, requester_key_id=key_id, batch_id=batch_id,
            # the batch is judged on its manifest date: a batch made for a past day says so
            created=created or (_noon_utc(batch_date) if batch_date else None),
        )
        write_manifest(tmp, manifest)
        if sign_with:
            sign_manifest(tmp, manifest, sign_with)
        if out_dir.is_dir():
            out_dir.rmdir()
        tmp.replace(out_dir)
    except OSError as e:
        raise InputError(f"cannot write batch: {e.strerror}", where=str(out_dir)) from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    corruptions = _counts(truth, "corruptions", CORRUPTION_KINDS)
    return BatchSummary(
        batch_dir=str(out_dir),
        batch_id=manifest.batch_id,
        records_file=manifest.records_file,
        records_format=fmt,
        records=manifest.record_count,
        batch_date=day.isoformat(),
        agreement_id=agreement.id,
        requester_key_id=key_id,
        signed=sign_with is not None,
        seed=seed,
        absent=corruptions["absent"],
        defects=_counts(truth, "defects", DEFECT_KINDS),
        corruptions=corruptions,
        seconds=round(time.perf_counter() - began, 3),
    )


def _noon_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)

