"""`dgw match` on two small CSV files; its errors are one line and an exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from disclosure_gateway.cli.main import app
from disclosure_gateway.errors import InputError

MASTER = """record_id,first_name,middle_name,last_name,dob,tin,address_line1,address_line2,city,state,zip
m1,William,,Smith,1980-05-13,111111111,123 Main St,Apt 4,Springfield,IL,62704
m2,Robert,,Smith,1982-07-01,,123 Main St,Apt 4,Springfield,IL,62704
m3,Maria,,García López,1975-01-02,,9 Oak Ave,,Austin,TX,78701
"""
REQUESTS = """record_id,first_name,last_name,dob,address_line1,zip
r1,Bill,Smith,1980-05-13,123 Main Street #4,62704
r2,Lopez,Maria,1975-01-02,9 Oak Avenue,78701
r3,Nobody,Atall,1999-09-09,1 Nowhere Ln,99999
"""


def test_match_writes_the_documented_columns(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(MASTER)
    (tmp_path / "r.csv").write_text(REQUESTS)
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(app, ["match", "--master", str(tmp_path / "m.csv"), "--requests",
                                   str(tmp_path / "r.csv"), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, dtype=str).set_index("request_id")
    assert list(got.columns) == ["master_record_id", "match_probability", "decision"]
    assert got.loc["r1", "master_record_id"] == "m1"
    assert got.loc["r2", "master_record_id"] == "m3"  # swapped given and family names
    assert got.loc["r3", "decision"] == "no_match"
    assert set(got["decision"]) <= {"match", "review", "no_match"}


def test_missing_file_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "disclosure_gateway.cli.main", "match",
                           "--master", str(tmp_path / "nope.csv"), "--requests",
                           str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == InputError.exit_code == 2
    assert proc.stderr.strip().endswith("nope.csv: master file not found")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_missing_name_column_is_named(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("record_id,first_name\nm1,A\n")
    (tmp_path / "r.csv").write_text(REQUESTS)
    res = CliRunner().invoke(app, ["match", "--master", str(tmp_path / "m.csv"), "--requests",
                                   str(tmp_path / "r.csv"), "--out", str(tmp_path / "o.csv")])
    assert isinstance(res.exception, InputError)
    assert "master file lacks columns: last_name" in str(res.exception)


def test_bad_threshold_is_an_input_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["match", "--master", "m.csv", "--requests", "r.csv", "--out",
                                   str(tmp_path / "o.csv"), "--auto-threshold", "0.4"])
    assert isinstance(res.exception, InputError)
    assert "review_threshold is above auto_threshold" in str(res.exception)
