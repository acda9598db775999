"""Small factories for the linkage tests: master files and indexes, seeded data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from disclosure_gateway.contracts import MASTER_COLUMNS
from disclosure_gateway.match.master_index import build_master_index

MasterFactory = Callable[[Sequence[dict[str, Any]]], Path]


def master_row(tin: str, first: str, last: str, dob: str, line1: str, zip_code: str, *,
               line2: str | None = None, city: str = "SPRINGFIELD", state: str = "IL",
               as_of: str = "2020-01-01", middle: str | None = None,
               suffix: str | None = None) -> dict[str, Any]:
    return {"tin": tin, "first_name": first, "middle_name": middle, "last_name": last,
            "suffix": suffix, "dob": dob, "address_line1": line1, "address_line2": line2,
            "city": city, "state": state, "zip": zip_code, "address_as_of": as_of,
            "last_tax_year": 2024}


@pytest.fixture
def make_master(tmp_path: Path) -> MasterFactory:
    """Write rows as a master file and index them; returns the master directory."""
    count = 0

    def make(rows: Sequence[dict[str, Any]]) -> Path:
        nonlocal count
        count += 1
        src = tmp_path / f"master-{count}.parquet"
        pd.DataFrame(list(rows), columns=list(MASTER_COLUMNS)).astype(
            {"last_tax_year": "int32"}).to_parquet(src, index=False)
        out = tmp_path / f"ws-{count}" / "master"
        build_master_index(src, out)
        return out

    return make


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A generated master (2,000 taxpayers) indexed, a 300-request batch with truth,
    and the settings' prior model (no training: fast, and enough to compare paths)."""
    from disclosure_gateway.match import settings as S
    from disclosure_gateway.match.model_store import StoredModel, model_hash, untrained_model
    from disclosure_gateway.synth.batch import generate_batch
    from disclosure_gateway.synth.population import generate_population

    root = tmp_path_factory.mktemp("synthetic")
    pop = generate_population(2000, 31)
    src = root / "master.parquet"
    pop.to_parquet(src, index=False)
    info = build_master_index(src, root / "master")
    records, truth = generate_batch(src, 300, seed=32)
    prior = S.TRAINING.expected_match_share / info.persons
    m = untrained_model(prior)
    model = StoredModel(root / "prior.json", 0, m, model_hash(m), S.settings_hash(), {})
    return {"root": root, "master_dir": root / "master", "source": src, "info": info,
            "records": records, "truth": truth, "model": model}
