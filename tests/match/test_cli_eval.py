"""`dgw eval` end to end on a small generated batch: gate, match, decide, truth, baseline."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from disclosure_gateway.cli.main import app
from disclosure_gateway.match.model_store import save_model
from disclosure_gateway.provisioning import install_reference_for_demo
from disclosure_gateway.synth import write_batch
from disclosure_gateway.workspace import Workspace


def test_eval_prints_ours_beside_the_baseline(synthetic: dict[str, Any], tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    agreement, _ = install_reference_for_demo(ws)
    shutil.copytree(synthetic["master_dir"], ws.master_dir, dirs_exist_ok=True)
    save_model(ws.models_dir, synthetic["model"].model, engine="test", training={})
    batch = tmp_path / "batch"
    write_batch(batch, synthetic["source"], 200, seed=5, agreement=agreement,
                batch_date=date(2026, 3, 2), fmt="csv")
    res = CliRunner().invoke(app, ["eval", str(batch), "-w", str(ws.root), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout[res.stdout.index("{"):])
    ours, base = doc["ours"]["overall"], doc["baseline"]["overall"]
    assert doc["source"] == "gate, match and decide run now"
    assert ours["requests"] == base["requests"] > 100
    assert ours["wrongful_confirmations"] == 0
    assert base["wrongful_confirmations"] > 0  # old addresses released through the TIN route
    assert doc["baseline"]["defective_disclosures"] > doc["ours"]["defective_disclosures"]
    assert "absent" in doc["ours"]["by_kind"]


def test_eval_needs_a_truth_file(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    install_reference_for_demo(ws)
    (tmp_path / "batch").mkdir()
    res = CliRunner().invoke(app, ["eval", str(tmp_path / "batch"), "-w", str(ws.root)])
    assert "no truth file" in str(res.exception)


def test_eval_scores_a_results_file(synthetic: dict[str, Any], tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    agreement, _ = install_reference_for_demo(ws)
    shutil.copytree(synthetic["master_dir"], ws.master_dir, dirs_exist_ok=True)
    batch = tmp_path / "batch"
    write_batch(batch, synthetic["source"], 50, seed=6, agreement=agreement,
                batch_date=date(2026, 3, 2), fmt="csv")
    truth = pd.read_parquet(batch / "truth.parquet")
    results = tmp_path / "results.csv"
    # Everyone matched to their true taxpayer, address confirmed: the gateway never does
    # this for absent people, but the arithmetic must count it as written.
    pd.DataFrame({"request_id": truth.request_id, "tin": truth.true_tin,
                  "outcome": truth.true_tin.notna().map({True: "match", False: "no_match"}),
                  "address_result": "same"}).to_csv(results, index=False)
    res = CliRunner().invoke(app, ["eval", str(batch), "-w", str(ws.root), "--results",
                                   str(results), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout[res.stdout.index("{"):])
    ours = doc["ours"]["overall"]
    assert doc["source"].startswith("results file")
    assert ours["recall"] == 1.0 and ours["wrongful_matches"] == 0
    moved = ((truth.defects.apply(len) == 0) & truth.true_tin.notna()
             & ~truth.address_is_last_known.astype(bool)).sum()
    assert ours["wrongful_confirmations"] == moved


@pytest.mark.slow  # trains plain Splink (a minute and more on a busy machine)
def test_eval_plain_puts_plain_splink_beside_the_gateway(synthetic: dict[str, Any],
                                                         tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    agreement, _ = install_reference_for_demo(ws)
    shutil.copytree(synthetic["master_dir"], ws.master_dir, dirs_exist_ok=True)
    save_model(ws.models_dir, synthetic["model"].model, engine="test", training={})
    batch = tmp_path / "batch"
    write_batch(batch, synthetic["source"], 200, seed=5, agreement=agreement,
                batch_date=date(2026, 3, 2), fmt="csv")
    res = CliRunner().invoke(app, ["eval", str(batch), "-w", str(ws.root), "--plain", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout[res.stdout.index("{"):])
    systems = doc["side_by_side"]["systems"]
    assert set(systems) == {"gateway", "plain Splink", "plain Splink + address check"}
    n = {k: v["overall"]["requests"] for k, v in systems.items()}
    assert len(set(n.values())) == 1 and n["gateway"] > 100  # the same requests, scored alike
    assert systems["gateway"]["overall"]["wrongful_matches"] == 0
    # without the address check every link releases an address, right or not
    plain, checked = systems["plain Splink"]["overall"], systems["plain Splink + address check"]["overall"]
    assert plain["wrongful_confirmations"] >= checked["wrongful_confirmations"]
