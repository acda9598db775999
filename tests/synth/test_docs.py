"""The generator's documentation and schemas cannot drift from the code: every
knob, kind, command option and column is documented, and real output validates
against the JSON Schemas."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import typer

from disclosure_gateway.cli.synth import app
from disclosure_gateway.contracts import DEFECT_KINDS, MASTER_COLUMNS, REQUEST_COLUMNS, TRUTH_COLUMNS
from disclosure_gateway.synth import (
    CORRUPTION_KINDS,
    BatchKnobs,
    MasterIndex,
    PopulationKnobs,
    generate_batch_tables,
    knob_docs,
    write_batch,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
SYNTH_MD = (DOCS / "synth.md").read_text(encoding="utf-8")
CONTRACTS_MD = (DOCS / "data-contracts.md").read_text(encoding="utf-8")


def _schema(name: str) -> dict[str, Any]:
    return json.loads((DOCS / "schemas" / name).read_text(encoding="utf-8"))


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


@pytest.mark.parametrize("model", [PopulationKnobs, BatchKnobs])
def test_every_knob_is_documented_with_its_default(model: type[PopulationKnobs] | type[BatchKnobs]) -> None:
    for name, (default, _) in knob_docs(model).items():
        if name == "defects":
            assert isinstance(default, dict)
            for kind, share in default.items():
                assert f"| `defects.{kind}` | `{share}` |" in SYNTH_MD, kind
        else:
            assert f"| `{name}` | `{_shown(default)}` |" in SYNTH_MD, name


def test_every_kind_is_documented() -> None:
    for kind in (*CORRUPTION_KINDS, *DEFECT_KINDS):
        assert f"| `{kind}` |" in SYNTH_MD, kind


def test_every_command_option_is_documented() -> None:
    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert set(commands) == {"population", "batch"}
    for command in commands.values():
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert f"`{opt}" in SYNTH_MD, (command.name, opt)


@pytest.mark.parametrize(
    ("columns", "schema"),
    [
        (MASTER_COLUMNS, "master-row.schema.json"),
        (REQUEST_COLUMNS, "request-record.schema.json"),
        (TRUTH_COLUMNS, "truth-row.schema.json"),
    ],
)
def test_contract_columns_are_documented_and_required(columns: tuple[str, ...], schema: str) -> None:
    s = _schema(schema)
    assert tuple(s["required"]) == columns
    assert set(s["properties"]) == set(columns)
    for column in columns:
        assert f"| `{column}` |" in CONTRACTS_MD, column


def test_truth_schema_lists_the_kinds() -> None:
    props = _schema("truth-row.schema.json")["properties"]
    assert tuple(props["corruptions"]["items"]["enum"]) == CORRUPTION_KINDS
    assert tuple(props["defects"]["items"]["enum"]) == DEFECT_KINDS


@pytest.mark.parametrize(
    "name",
    ["master-row.schema.json", "request-record.schema.json", "manifest.schema.json", "truth-row.schema.json"],
)
def test_schema_examples_validate(name: str) -> None:
    s = _schema(name)
    validator = jsonschema_rs.validator_for(s)
    assert s["examples"]
    for example in s["examples"]:
        validator.validate(example)


def test_schemas_reject_what_they_should() -> None:
    master = jsonschema_rs.validator_for(_schema("master-row.schema.json"))
    row = dict(_schema("master-row.schema.json")["examples"][0])
    assert master.is_valid(row)
    assert not master.is_valid({**row, "tin": "001-03-5839"})
    assert not master.is_valid({**row, "last_tax_year": "2023"})
    request = jsonschema_rs.validator_for(_schema("request-record.schema.json"))
    rec = dict(_schema("request-record.schema.json")["examples"][0])
    del rec["relevance"]
    assert not request.is_valid(rec)


def test_generated_files_validate(master_index: MasterIndex, tmp_path: Path) -> None:
    master = jsonschema_rs.validator_for(_schema("master-row.schema.json"))
    for row in master_index.table.slice(0, 2_000).to_pylist():
        master.validate(row)
    records, truth = generate_batch_tables(master_index, 1_000, 7, batch_date=date(2026, 3, 2))
    request = jsonschema_rs.validator_for(_schema("request-record.schema.json"))
    for rec in records.to_pylist():
        request.validate(rec)
    truth_v = jsonschema_rs.validator_for(_schema("truth-row.schema.json"))
    for row in truth.to_pylist():
        truth_v.validate(row)
    write_batch(tmp_path / "b", master_index, 50, seed=1)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    jsonschema_rs.validator_for(_schema("manifest.schema.json")).validate(manifest)
