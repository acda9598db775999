"""Spreadsheet-formula safety: nothing that could run as a formula is written unescaped."""

from __future__ import annotations

import csv
import io

import pytest

from disclosure_gateway.csvsafe import safe_cell, write_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        (-5, "'-5"),
        ("Don't Care 12345", "Don't Care 12345"),
        ("García-López", "García-López"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_safe_cell(value: object, expected: str) -> None:
    assert safe_cell(value) == expected


def test_write_csv_escapes_every_cell_and_round_trips_the_rest() -> None:
    buf = io.StringIO(newline="")
    rows = [
        {"request_id": "R1", "last_name": "=cmd|' /C calc'!A0", "note": "ok, fine"},
        ["R2", "@evil", "line\nbreak"],
    ]
    n = write_csv(buf, ["request_id", "last_name", "note"], rows)
    assert n == 2
    back = list(csv.reader(io.StringIO(buf.getvalue())))
    assert back[0] == ["request_id", "last_name", "note"]
    assert back[1] == ["R1", "'=cmd|' /C calc'!A0", "ok, fine"]
    assert back[2] == ["R2", "'@evil", "line\nbreak"]
    for row in back:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
