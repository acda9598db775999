"""Birth dates and TINs in one form; transposed dates survive for the comparison."""

from __future__ import annotations

import pytest

from disclosure_gateway.normalise.identifiers import normalise_dob, normalise_tin


@pytest.mark.parametrize(
    ("raw", "dob"),
    [
        ("1980-05-13", "1980-05-13"),
        ("1980-5-3", "1980-05-03"),
        ("1980/05/13", "1980-05-13"),
        ("05/13/1980", "1980-05-13"),
        ("5-13-1980", "1980-05-13"),
        ("19800513", "1980-05-13"),
        ("1980-05-13T00:00:00", "1980-05-13"),
        ("1980-13-05", "1980-13-05"),  # not a date, kept: the transposed level needs it
        ("13 May 1980", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_dob(raw: str | None, dob: str) -> None:
    assert normalise_dob(raw) == dob


@pytest.mark.parametrize(
    ("raw", "tin"),
    [("123-45-6789", "123456789"), ("123456789", "123456789"), (" 123 45 6789 ", "123456789"),
     # identifiers of any shape are compared as given (FEBRL's are seven digits):
     # nine digits is the gate's rule for a batch's TINs, not the linkage's
     ("12345678", "12345678"), ("1234567890", "1234567890"), ("6089216", "6089216"),
     ("n/a", ""), ("", ""), (None, "")],
)
def test_tin(raw: str | None, tin: str) -> None:
    assert normalise_tin(raw) == tin
