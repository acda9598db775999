"""Contracts: every reason and batch refusal code is documented with its message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from disclosure_gateway.contracts import DEFECT_REASONS
from disclosure_gateway.gate.reasons import ALL_CODES, REASONS
from disclosure_gateway.intake.batch_checks import BATCH_REFUSALS

DOC = Path(__file__).resolve().parents[2] / "docs" / "reason-codes.md"


def _doc_rows() -> dict[str, str]:
    """code -> the rest of its table row."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*`([A-Z_]+)`\s*\|(.*)\|\s*$", line)
        if m:
            rows[m[1]] = m[2]
    return rows


@pytest.mark.parametrize("code", ALL_CODES)
def test_record_code_is_documented_with_its_message(code: str) -> None:
    row = _doc_rows().get(code)
    assert row is not None, f"{code} is missing from docs/reason-codes.md"
    assert REASONS[code].message in row


@pytest.mark.parametrize("code", list(BATCH_REFUSALS))
def test_batch_code_is_documented_with_its_message(code: str) -> None:
    row = _doc_rows().get(code)
    assert row is not None, f"{code} is missing from docs/reason-codes.md"
    assert BATCH_REFUSALS[code] in row


def test_docs_name_no_code_that_does_not_exist() -> None:
    assert set(_doc_rows()) - set(ALL_CODES) - set(BATCH_REFUSALS) == set()


def test_every_code_the_generator_truth_is_checked_against_exists() -> None:
    named = set().union(*DEFECT_REASONS.values())
    assert named - set(ALL_CODES) == set()


def test_codes_are_stable_identifiers() -> None:
    for code in (*ALL_CODES, *BATCH_REFUSALS):
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", code)
    assert len(set(ALL_CODES) | set(BATCH_REFUSALS)) == len(ALL_CODES) + len(BATCH_REFUSALS)
