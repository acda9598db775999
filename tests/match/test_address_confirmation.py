"""Address confirmation: tolerant of format, strict on number, street and unit."""

from __future__ import annotations

import pytest

from disclosure_gateway.decide import Address, AddressResult, compare_address
from disclosure_gateway.normalise import parse_address

HELD = Address(house="123", street="MAIN", unit="4B", predir="N", suffix="ST", city="SPRINGFIELD",
               state="IL", zip5="62704")


def with_(**kw: str | None) -> Address:
    return Address(**{**HELD.__dict__, **kw})


@pytest.mark.parametrize(
    ("submitted", "result"),
    [
        (HELD, AddressResult.SAME),
        (with_(house="125"), AddressResult.DIFFERS),
        (with_(street="MAPLE"), AddressResult.DIFFERS),
        (with_(unit="4C"), AddressResult.DIFFERS),
        (with_(unit=None), AddressResult.DIFFERS),     # strict: a missing unit is not the unit
        (with_(suffix=None), AddressResult.SAME),      # format: suffix left out
        (with_(suffix="AVE"), AddressResult.DIFFERS),  # another street
        (with_(predir=None), AddressResult.SAME),
        (with_(predir="S"), AddressResult.DIFFERS),
        (with_(zip5="62705"), AddressResult.DIFFERS),
        (with_(zip5=None), AddressResult.SAME),        # city and state still agree
        (with_(zip5=None, city=None), AddressResult.DIFFERS),
        (with_(state="MO"), AddressResult.DIFFERS),
        (with_(house=None), AddressResult.UNKNOWN),
        (with_(street=None), AddressResult.UNKNOWN),
    ],
)
def test_compare_components(submitted: Address, result: AddressResult) -> None:
    assert compare_address(submitted, HELD) is result


def test_no_candidate_address_is_unknown() -> None:
    assert compare_address(HELD, None) is AddressResult.UNKNOWN


def test_unit_absent_on_both_sides_is_same() -> None:
    a = with_(unit=None)
    assert compare_address(a, a) is AddressResult.SAME


def _addr(*parts: str | None) -> Address:
    p = parse_address(*parts)
    return Address(house=p.house or None, street=p.street or None, unit=p.unit or None,
                   predir=p.predir or None, suffix=p.suffix or None, postdir=p.postdir or None,
                   city=p.city or None, state=p.state or None, zip5=p.zip5 or None)


@pytest.mark.parametrize(
    ("submitted", "result"),
    [
        (("123 North Main Street", "Apt 4B", "Springfield", "Illinois", "62704-1234"),
         AddressResult.SAME),
        (("123 n main st #4b", None, "springfield", "il", "627041234"), AddressResult.SAME),
        (("123 N Main St Unit 04B", None, None, None, "62704"), AddressResult.SAME),
        (("123 N Main St", None, "Springfield", "IL", "62704"), AddressResult.DIFFERS),
        (("124 N Main St #4B", None, "Springfield", "IL", "62704"), AddressResult.DIFFERS),
        (("Don't Care 12345", None, None, None, None), AddressResult.UNKNOWN),
    ],
)
def test_end_to_end_after_normalisation(submitted: tuple[str | None, ...],
                                        result: AddressResult) -> None:
    held = _addr("123 N MAIN ST", "APT 4B", "SPRINGFIELD", "IL", "62704")
    assert compare_address(_addr(*submitted), held) is result
