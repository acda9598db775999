"""Train the reference model shipped with the package (data/reference-model.json).

Used where the data cannot train a model (fewer than 200 records a side, or no
EM block with pairs): a seeded synthetic world of 20,000 taxpayers and 2,560
requests, default knobs. Run again whenever the linkage settings change (a test
fails while the shipped model was trained for other settings):

    .venv/bin/python scripts/train_reference_model.py
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

from disclosure_gateway.match.master_index import build_master_index
from disclosure_gateway.match.model_store import REFERENCE_MODEL
from disclosure_gateway.match.training import train_model
from disclosure_gateway.synth import generate_batch, write_population
from disclosure_gateway.workspace import Workspace


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dgw-reference-") as tmp:
        root = Path(tmp)
        write_population(root / "master.parquet", 20_000, seed=2026)
        records, _ = generate_batch(root / "master.parquet", 2_560, seed=2027,
                                    batch_date=date(2026, 3, 2))
        ws = Workspace(root / "ws")
        build_master_index(root / "master.parquet", ws.master_dir)
        stored = train_model(ws, records, sample=None)
        doc = json.loads(stored.path.read_text(encoding="utf-8"))
        doc["training"]["requests_source"] = "synthetic: 20,000 taxpayers (seed 2026), " \
                                             "2,560 requests (seed 2027)"
        REFERENCE_MODEL.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n",
                                   encoding="utf-8")
    print(f"wrote {REFERENCE_MODEL} (model hash {stored.model_hash})")


if __name__ == "__main__":
    main()
