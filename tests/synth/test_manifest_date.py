"""A batch generated for a past day carries that day in its manifest, because the
gate judges every request (removal order finality, periods) on the manifest date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from disclosure_gateway.intake.manifest import read_manifest
from disclosure_gateway.synth import MasterIndex, write_batch


def test_manifest_created_is_the_batch_date(master_index: MasterIndex, tmp_path: Path) -> None:
    day = date(2025, 10, 1)
    write_batch(tmp_path / "b", master_index, 50, seed=3, batch_date=day)
    assert read_manifest(tmp_path / "b").created.date() == day


def test_without_a_batch_date_the_manifest_is_dated_now(master_index: MasterIndex,
                                                        tmp_path: Path) -> None:
    write_batch(tmp_path / "b", master_index, 50, seed=3)
    assert read_manifest(tmp_path / "b").created.date() == datetime.now(UTC).date()
