"""Spreadsheet-safe text for every CSV and report the gateway writes.

Request fields come from another agency and are echoed back in reports,
CSV exports and review screens. A value such as ``=HYPERLINK(...)`` or
``@SUM(...)`` would run as a formula when a reviewer opens the file in a
spreadsheet (CSV injection, OWASP). Any value that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is therefore written with a leading
single quote, which spreadsheets show as text and never evaluate. Leading
whitespace before such a character is covered too, since some spreadsheets
skip it.

The escaping is one-way and applied only at the point of writing; values
inside the gateway stay exactly as received.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

#: characters that make a spreadsheet treat a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The text of ``value``, with a leading quote if it could run as a formula.

    None becomes ''. Numbers are written as text: a negative number gets the
    quote as well, which costs nothing (it still reads as -5) and keeps the
    rule simple enough to trust.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_START) or text.lstrip(" ").startswith(FORMULA_START):
        return "'" + text
    return text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(v) for v in values]


def write_csv(
    out: IO[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
) -> int:
    """Write a header and rows (sequences, or mappings keyed by header) as safe CSV.

    ``out`` should be opened with ``newline=""``. Every cell, the header's
    included, goes through :func:`safe_cell`. Returns the number of rows written.
    """
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(safe_row(header))
    n = 0
    for row in rows:
        values = [row.get(h) for h in header] if isinstance(row, Mapping) else row
        writer.writerow(safe_row(values))
        n += 1
    return n
