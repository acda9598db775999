"""Address line facts: the worker pool gives the in-process answer, and falls back to it."""

from __future__ import annotations

import pytest

from disclosure_gateway.gate import addressparse
from disclosure_gateway.gate.addressparse import (
    FACILITY,
    HAS_NUMBER,
    HAS_STREET,
    PLACEHOLDER,
    PO_BOX,
    classify,
    classify_many,
)

LINES = [f"{n} {s}" for n in range(1, 40) for s in ("Elm St", "W 3rd Ave", "Calle Sol")] + [
    "Don't Care 12345",
    "Otero County Processing Center",
    "PO Box 12",
    "2nd Avenue",
    "",
]


@pytest.mark.parametrize(
    ("line", "has", "lacks"),
    [
        ("1423 W Elm St", HAS_NUMBER | HAS_STREET, PLACEHOLDER),
        ("23 E 7th Road", HAS_NUMBER | HAS_STREET, 0),
        ("2nd Avenue", HAS_STREET, HAS_NUMBER),
        ("Maple Ct", HAS_STREET, HAS_NUMBER),
        ("0 Elm St", PLACEHOLDER | HAS_STREET, HAS_NUMBER),
        ("1 0-0 00", 0, HAS_STREET),  # digits are not a street name
        ("Harris County Jail", FACILITY, HAS_NUMBER | HAS_STREET),
        ("POB 77", PO_BOX, HAS_STREET),
    ],
)
def test_line_facts(line: str, has: int, lacks: int) -> None:
    flags = classify(line).flags
    assert flags & has == has
    assert flags & lacks == 0


def test_pool_gives_the_in_process_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(addressparse, "PARALLEL_MIN", 10)
    assert classify_many(LINES, workers=2) == [classify(x) for x in LINES]


def test_a_failing_pool_falls_back_to_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def __init__(self, *a: object, **k: object) -> None:
            raise OSError("no processes here")

    monkeypatch.setattr(addressparse, "PARALLEL_MIN", 10)
    monkeypatch.setattr(addressparse, "ProcessPoolExecutor", Broken)
    with pytest.warns(RuntimeWarning, match="parsing in-process"):
        assert classify_many(LINES, workers=2) == [classify(x) for x in LINES]
