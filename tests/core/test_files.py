"""Outputs are private (0600 files, 0700 directories) and atomic (a temporary name, then a
rename): a failure leaves the old file, or nothing, behind. `dgw batch new` included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from disclosure_gateway.errors import InputError
from disclosure_gateway.files import atomic_dir, atomic_file, atomic_write, private_dir
from disclosure_gateway.provisioning import reference_agreement_path

Run = Callable[..., tuple[int, str, str]]  # the ``dgw`` fixture of tests/conftest.py


def _mode(p: Path) -> int:
    return p.stat().st_mode & 0o777


def test_atomic_write_is_private_and_replaces_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o644)
    atomic_write(target, "new")
    assert (target.read_text(), _mode(target)) == ("new", 0o600)
    with pytest.raises(RuntimeError), atomic_file(target) as f:
        f.write("half of a ")
        raise RuntimeError("the writer failed")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_an_unwritable_place_is_one_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write") as e:
        atomic_write(tmp_path / "missing-dir" / "x.json", "{}")
    assert e.value.where == str(tmp_path / "missing-dir" / "x.json")


def test_private_dir_creates_0700_and_leaves_the_users_own_alone(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    made = private_dir(tmp_path / "a" / "b")
    assert _mode(made) == _mode(tmp_path / "a") == 0o700
    assert _mode(tmp_path) == 0o755  # it existed: not ours to change
    (tmp_path / "c").mkdir(mode=0o755)
    private_dir(tmp_path / "c", ours=True)
    assert _mode(tmp_path / "c") == 0o700


def test_atomic_dir_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "batch"
    with pytest.raises(RuntimeError), atomic_dir(target) as d:
        (d / "records.csv").write_text("x")
        raise RuntimeError("failed half way")
    assert list(tmp_path.iterdir()) == []
    with atomic_dir(target) as d:
        (d / "records.csv").write_text("x")
    assert (target / "records.csv").read_text() == "x" and _mode(target) == 0o700


def test_a_failed_batch_new_leaves_nothing_behind(tmp_path: Path, dgw: Run) -> None:
    records = tmp_path / "records.txt"  # copied first, refused for its extension after
    records.write_text("request_id,name\nR1,Ana\n")
    out = tmp_path / "batches" / "b1"
    code, _, err = dgw("batch", "new", str(records), "--out", str(out), "--agreement",
                       str(reference_agreement_path()))
    assert code == InputError.exit_code
    assert "records file must end in .csv, .parquet or .jsonl" in err
    assert not out.exists()
    assert not (tmp_path / "batches").exists() or list((tmp_path / "batches").iterdir()) == []


def test_batch_new_builds_a_private_directory(tmp_path: Path, dgw: Run) -> None:
    records = tmp_path / "records.csv"
    records.write_text("request_id,name\nR1,Ana\n")
    out = tmp_path / "b1"
    out.mkdir()  # an empty directory is fine: it is replaced whole
    code, _, err = dgw("batch", "new", str(records), "--out", str(out), "--agreement",
                       str(reference_agreement_path()))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "records.csv"]
    # the CLI's umask: nothing it creates is readable by others
    assert (_mode(out), _mode(out / "records.csv")) == (0o700, 0o600)
