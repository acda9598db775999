"""`dgw synth`: the batch directory it writes, and one clear line for bad input
with nothing partial left behind."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from disclosure_gateway.canonical import file_sha256
from disclosure_gateway.cli.main import main
from disclosure_gateway.contracts import REQUEST_COLUMNS
from disclosure_gateway.intake.manifest import read_manifest, read_signature, verify_manifest_signature
from disclosure_gateway.keys import new_keypair, write_keypair

REFERENCE = Path(__file__).resolve().parents[2] / "agreements" / "irs-ice-2025.toml"


def dgw(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["dgw", *args])
    code = 0
    try:
        main()
    except SystemExit as e:
        code = int(e.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def master_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from disclosure_gateway.synth import write_population

    path = tmp_path_factory.mktemp("master") / "master.parquet"
    write_population(path, 3_000, seed=21)
    return path


def _listing(path: Path) -> set[str]:
    return {p.name for p in path.iterdir()}


def test_population_command_writes_the_master_and_a_json_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sub" / "m.parquet"
    code, stdout, _ = dgw(
        monkeypatch,
        capsys,
        "synth",
        "population",
        "--taxpayers",
        "500",
        "--seed",
        "3",
        "--out",
        str(out),
        "--set",
        "moved_share=0",
        "--json",
    )
    assert code == 0
    summary = json.loads(stdout)
    assert summary["taxpayers"] == 500 and summary["rows"] == 500  # nobody moved: one row each
    assert summary["sha256"] == file_sha256(out)
    assert _listing(out.parent) == {"m.parquet"}


def test_signed_batch_directory_verifies(
    tmp_path: Path, master_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pair = new_keypair("ice-director")
    key, _ = write_keypair(pair, tmp_path / "keys")
    out = tmp_path / "batch"
    code, stdout, _ = dgw(
        monkeypatch,
        capsys,
        "synth",
        "batch",
        "--master",
        str(master_file),
        "--requests",
        "300",
        "--seed",
        "4",
        "--out",
        str(out),
        "--sign-with",
        str(key),
        "--agreement",
        str(REFERENCE),
        "--batch-date",
        "2026-03-02",
        "--json",
    )
    assert code == 0
    summary = json.loads(stdout)
    assert _listing(out) == {"manifest.json", "manifest.sig", "records.csv", "truth.parquet"}
    manifest = read_manifest(out)
    verify_manifest_signature(manifest, read_signature(out), pair.public)
    assert manifest.requester_key_id == pair.key_id == summary["requester_key_id"]
    assert manifest.record_count == 300 == summary["records"]
    assert manifest.records_sha256 == file_sha256(out / "records.csv")
    records = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)
    assert tuple(records.columns) == REQUEST_COLUMNS
    assert len(pq.read_table(out / "truth.parquet")) == 300
    assert sum(summary["defects"].values()) == sum(
        len(d) for d in pq.read_table(out / "truth.parquet")["defects"].to_pylist()
    )


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_other_record_formats_hold_the_same_records(
    tmp_path: Path,
    master_file: Path,
    fmt: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    common = ["--master", str(master_file), "--requests", "120", "--seed", "9", "--batch-date", "2026-03-02"]
    assert dgw(monkeypatch, capsys, "synth", "batch", *common, "--out", str(tmp_path / "csv"))[0] == 0
    assert (
        dgw(monkeypatch, capsys, "synth", "batch", *common, "--format", fmt, "--out", str(tmp_path / fmt))[0]
        == 0
    )
    csv = pd.read_csv(tmp_path / "csv" / "records.csv", dtype=str, keep_default_na=False)
    if fmt == "parquet":
        other = pq.read_table(tmp_path / fmt / "records.parquet").to_pandas()
    else:
        lines = (tmp_path / fmt / "records.jsonl").read_text(encoding="utf-8").splitlines()
        other = pd.DataFrame([json.loads(line) for line in lines])
    other = other.astype(object).where(other.notna(), "")
    assert tuple(other.columns) == REQUEST_COLUMNS
    assert csv.astype(object).equals(other.astype(object))
    assert read_manifest(tmp_path / fmt).records_format == fmt


def _run_bad(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    code, stdout, stderr = dgw(monkeypatch, capsys, *args)
    assert code != 0
    assert stdout == ""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return code, lines[0]


def test_missing_master_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, line = _run_bad(
        monkeypatch,
        capsys,
        "synth",
        "batch",
        "--master",
        str(tmp_path / "none.parquet"),
        "--requests",
        "5",
        "--out",
        str(tmp_path / "b"),
    )
    assert code == 2 and line == f"error: {tmp_path / 'none.parquet'}: master file not found"
    assert _listing(tmp_path) == set()


def test_master_of_the_wrong_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "master.parquet"
    fake.write_text("tin,first_name\n123456789,ANA\n")
    _, line = _run_bad(
        monkeypatch,
        capsys,
        "synth",
        "batch",
        "--master",
        str(fake),
        "--requests",
        "5",
        "--out",
        str(tmp_path / "b"),
    )
    assert "not a readable Parquet master file" in line and str(fake) in line
    assert _listing(tmp_path) == {"master.parquet"}


def test_master_missing_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "thin.parquet"
    pd.DataFrame({"tin": ["123456789"], "first_name": ["ANA"]}).to_parquet(path)
    _, line = _run_bad(
        monkeypatch,
        capsys,
        "synth",
        "batch",
        "--master",
        str(path),
        "--requests",
        "5",
        "--out",
        str(tmp_path / "b"),
    )
    assert "master file lacks column(s): middle_name, last_name" in line


def test_unwritable_batch_output(
    tmp_path: Path, master_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    _, line = _run_bad(
        monkeypatch,
        capsys,
        "synth",
        "batch",
        "--master",
        str(master_file),
        "--requests",
        "5",
        "--out",
        str(blocker / "batch"),
    )
    assert "cannot create directory" in line and str(blocker) in line
    assert _listing(tmp_path) == {"a-file"}


def test_existing_batch_directory_is_not_overwritten(
    tmp_path: Path, master_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    _, line = _run_bad(
        monkeypatch,
        capsys,
        "synth",
        "batch",
        "--master",
        str(master_file),
        "--requests",
        "5",
        "--out",
        str(out),
    )
    assert line == f"error: {out}: output exists and is not an empty directory"
    assert _listing(out) == {"keep.txt"}


def test_unwritable_population_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    _, line = _run_bad(
        monkeypatch, capsys, "synth", "population", "-n", "10", "--out", str(blocker / "m.parquet")
    )
    assert "cannot create directory" in line
    _, line = _run_bad(
        monkeypatch, capsys, "synth", "population", "-n", "10", "--out", str(tmp_path / "m.csv")
    )
    assert line == f"error: {tmp_path / 'm.csv'}: the master file must be Parquet (name ending in .parquet)"
    assert _listing(tmp_path) == {"a-file"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--format", "xml"],
            "error: --format: unknown records format 'xml'; use one of csv, parquet, jsonl",
        ),
        (["--batch-date", "02/03/2026"], "error: --batch-date: not an ISO date (YYYY-MM-DD): '02/03/2026'"),
        (["--set", "colour=blue"], "error: --set: colour: unknown knob"),
        (["--set", "defects.fishing=0.5"], "unknown defect kind(s): fishing"),
        (["--sign-with", "/nonexistent/key.pem"], "error: /nonexistent/key.pem: cannot read private key"),
        (["--agreement", "/nonexistent/agr.toml"], "error: /nonexistent/agr.toml: cannot read agreement"),
        (["--requests", "999999"], "need a master file with at least as many taxpayers; it has 3000"),
    ],
)
def test_bad_batch_options_say_what_and_where(
    args: list[str],
    expected: str,
    tmp_path: Path,
    master_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["synth", "batch", "--master", str(master_file), "--requests", "20", "--out", str(tmp_path / "b")]
    _, line = _run_bad(monkeypatch, capsys, *base, *args)
    assert expected in line
    assert _listing(tmp_path) == set()


def test_bad_knobs_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    knobs = tmp_path / "knobs.toml"
    knobs.write_text("typo_share = [")
    _, line = _run_bad(
        monkeypatch,
        capsys,
        "synth",
        "population",
        "-n",
        "10",
        "--knobs",
        str(knobs),
        "--out",
        str(tmp_path / "m.parquet"),
    )
    assert line.startswith(f"error: {knobs}: not a valid TOML knobs file")
    knobs.write_text("hispanic_share = 1.5\n")
    _, line = _run_bad(
        monkeypatch,
        capsys,
        "synth",
        "population",
        "-n",
        "10",
        "--knobs",
        str(knobs),
        "--out",
        str(tmp_path / "m.parquet"),
    )
    assert "hispanic_share: Input should be less than or equal to 1" in line
    assert _listing(tmp_path) == {"knobs.toml"}
