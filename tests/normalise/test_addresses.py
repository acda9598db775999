"""Address normalisation, table-driven: the same address written many ways."""

from __future__ import annotations

import pytest

from disclosure_gateway.normalise.addresses import (
    normalise_state,
    normalise_zip,
    parse_address,
    split_line,
)

# (line1, line2) -> (house, predir, street, suffix, postdir, unit)
LINES = [
    (("123 N Main St", ""), ("123", "N", "MAIN", "ST", "", "")),
    (("123 North Main Street", None), ("123", "N", "MAIN", "ST", "", "")),
    (("123 n. main str.", None), ("123", "N", "MAIN", "ST", "", "")),
    (("123 Main St Apt 4B", None), ("123", "", "MAIN", "ST", "", "4B")),
    (("123 Main St #4B", None), ("123", "", "MAIN", "ST", "", "4B")),
    (("123 Main St # 4B", None), ("123", "", "MAIN", "ST", "", "4B")),
    (("123 Main St", "Apt 4B"), ("123", "", "MAIN", "ST", "", "4B")),
    (("123 Main St", "Unit #4B"), ("123", "", "MAIN", "ST", "", "4B")),
    (("123 Main St", "Ste 04-B"), ("123", "", "MAIN", "ST", "", "4B")),
    (("123 Main St", "4B"), ("123", "", "MAIN", "ST", "", "4B")),
    (("123 Main St", "B"), ("123", "", "MAIN", "ST", "", "B")),
    # a word alone on line 2 is a building or a place (FEBRL's "cromdale"), not a unit:
    # taken as one, "1 Armstrong Cres" never confirmed "1 Armstrong Cres, Cromdale"
    (("1 Armstrong Crescent", "Cromdale"), ("1", "", "ARMSTRONG", "CRES", "", "")),
    (("1 Armstrong Crescent", "Unit B"), ("1", "", "ARMSTRONG", "CRES", "", "B")),
    (("12-B Elm Avenue", None), ("12B", "", "ELM", "AVE", "", "")),
    (("12B Elm Av", None), ("12B", "", "ELM", "AVE", "", "")),
    (("0042 Elm Ave", None), ("42", "", "ELM", "AVE", "", "")),
    (("1600 Pennsylvania Ave NW", None), ("1600", "", "PENNSYLVANIA", "AVE", "NW", "")),
    (("4500 Martin Luther King Jr Blvd", None), ("4500", "", "MARTIN LUTHER KING JR", "BLVD", "", "")),
    (("77 Saint Charles Pkwy", None), ("77", "", "ST CHARLES", "PKWY", "", "")),
    (("5 First Street", None), ("5", "", "1ST", "ST", "", "")),
    (("5 1st St", None), ("5", "", "1ST", "ST", "", "")),
    (("9 Country Club Rd", None), ("9", "", "COUNTRY CLUB", "RD", "", "")),
    (("88 Calle Ñandú", None), ("88", "", "CALLE NANDU", "", "", "")),
    (("", None), ("", "", "", "", "", "")),
]


@pytest.mark.parametrize(("lines", "parts"), LINES)
def test_split_line(lines: tuple[str, str | None], parts: tuple[str, ...]) -> None:
    assert split_line(*lines) == parts


def test_po_box_is_not_a_street_address() -> None:
    house, _pre, street, _suf, _post, unit = split_line("PO Box 77", None)
    assert (house, street, unit) == ("", "PO BOX", "77")


@pytest.mark.parametrize(
    ("raw", "zip5"),
    [("62704", "62704"), ("62704-1234", "62704"), ("627041234", "62704"), ("2134", "02134"),
     ("6270", "06270"), ("ABCDE", ""), ("", ""), (None, ""), ("1234567", "")],
)
def test_zip(raw: str | None, zip5: str) -> None:
    assert normalise_zip(raw) == zip5


@pytest.mark.parametrize(
    ("raw", "code"),
    [("IL", "IL"), ("il", "IL"), ("Illinois", "IL"), ("new york", "NY"), ("District of Columbia", "DC"),
     ("Narnia", ""), ("", "")],
)
def test_state(raw: str, code: str) -> None:
    assert normalise_state(raw) == code


def test_same_address_two_ways_parses_the_same() -> None:
    a = parse_address("123 N. Main Street", "Apt 4B", "Saint Louis", "Missouri", "63101-1234")
    b = parse_address("123 NORTH MAIN ST #4B", None, "ST LOUIS", "MO", "63101")
    assert a == b


def test_a_different_unit_parses_differently() -> None:
    assert parse_address("123 Main St Apt 4B").unit != parse_address("123 Main St Apt 4C").unit
