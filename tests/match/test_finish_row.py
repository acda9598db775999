"""The batch's per-row decision reads a finish row by position: its layout must
stay in step with the decision module's types."""

from __future__ import annotations

import dataclasses

from disclosure_gateway.decide import Address, AddressResult, Thresholds
from disclosure_gateway.match import service as svc


def test_address_fields_follow_the_address_type() -> None:
    names = [f.name for f in dataclasses.fields(Address)]
    # street_suffix in the index is Address.suffix; every other name is the same.
    assert [("suffix" if f == "street_suffix" else f) for f in svc._ADDRESS_FIELDS] == names


class _T:
    auto_threshold = 0.99
    review_threshold = 0.9
    min_weight_margin = 3.0


def _row(q_unit: str | None, p_unit: str | None) -> tuple[object, ...]:
    # rid, mid, p, w, second, household bits, namesake bits, person evidence, exact
    # name and birth date, TIN slip, confirmable, address held, q_tin, p_tin, q_suffix, p_suffix,
    # candidates, evidence
    head = ("r1", "m1", 0.9999, 14.0, None, 20.0, 20.0, True, True, False, True, True,
            None, "123456789", None, None, 1, "{}")
    q = ("12", "MAIN", q_unit, None, "ST", None, "SPRINGFIELD", "IL", "62701")
    p = ("12", "MAIN", p_unit, None, "ST", None, "SPRINGFIELD", "IL", "62701")
    return head + tuple(v for pair in zip(q, p, strict=True) for v in pair)


def test_a_finish_row_is_decided_with_its_address_parts_in_place() -> None:
    t: Thresholds = _T()
    same = svc._decided(_row("4", "4"), t, "confirm_address")
    other_unit = svc._decided(_row("4", "5"), t, "confirm_address")
    assert same[5] == "match" and same[7] == AddressResult.SAME.value
    assert other_unit[5] == "match" and other_unit[7] == AddressResult.DIFFERS.value

