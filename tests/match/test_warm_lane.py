"""The single-request lane is prepared at service start-up when it can be."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from disclosure_gateway.match import service
from disclosure_gateway.match.model_store import save_model
from disclosure_gateway.provisioning import install_reference_for_demo
from disclosure_gateway.workspace import Workspace


def test_warming_a_workspace_without_an_index_does_nothing(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    install_reference_for_demo(ws)
    assert service.warm_lane(ws) is False


def test_warming_opens_the_lane_and_answers_like_a_cold_one(synthetic: dict[str, Any],
                                                           tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    install_reference_for_demo(ws)
    shutil.copytree(synthetic["master_dir"], ws.master_dir, dirs_exist_ok=True)
    save_model(ws.models_dir, synthetic["model"].model, engine="test", training={})
    assert service.warm_lane(ws) is True
    key_roots = {k[0] for k in service._MATCHERS}
    assert str(ws.root.resolve()) in key_roots  # the lane's matcher stays open
    rec = synthetic["records"].iloc[0]
    record = {k: (None if v != v or v is None else v) for k, v in rec.items()}
    warm = service.match_one(ws, record)
    cold = service.Matcher.for_workspace(ws)
    try:
        assert cold.match_record(record) == warm
    finally:
        cold.close()
