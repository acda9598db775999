"""Taxable periods: present, readable, and inside the agreement's window.

26 U.S.C. 6103(i)(2)(B)(ii) requires the request to state the taxable period(s)
to which the information relates. A field lists one or more periods separated
by commas, semicolons, spaces, "|" or "and": a year (``2023``, ``TY2023``), a
year range (``2021-2023``) or a month period (``202312``, ``2023-12``). Every
year named or spanned must lie within ``taxable_period_earliest`` and
``taxable_period_latest``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..agreement import Eligibility
from . import _text as t

MISSING, MALFORMED, OUTSIDE = 1, 2, 4

_SPLIT = re.compile(r"\s*(?:[,;|]|\band\b|&|\s)\s*", re.IGNORECASE)
_DASH = re.compile(r"\s*[-–—]\s*")
_YEAR = re.compile(r"(?:TY|CY|FY)?(\d{4})", re.ASCII | re.IGNORECASE)
_RANGE = re.compile(r"(\d{4})-(\d{4})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-?(\d{2})", re.ASCII)


def period_status(text: str, earliest: int, latest: int) -> int:
    """Bits MISSING / MALFORMED / OUTSIDE for one taxable-periods field."""
    items = [p for p in _SPLIT.split(_DASH.sub("-", text.strip())) if p]
    if not items:
        return MISSING
    status = 0
    for item in items:
        years: tuple[int, int]
        if m := _YEAR.fullmatch(item):
            years = (int(m[1]), int(m[1]))
        elif m := _RANGE.fullmatch(item):
            years = (int(m[1]), int(m[2]))
            if years[1] < years[0]:
                status |= MALFORMED
                continue
        elif (m := _MONTH.fullmatch(item)) and 1 <= int(m[2]) <= 12:
            years = (int(m[1]), int(m[1]))
        else:
            status |= MALFORMED
            continue
        if years[0] < earliest or years[1] > latest:
            status |= OUTSIDE
    return status


def check_periods(df: pd.DataFrame, eligibility: Eligibility) -> dict[str, t.Mask]:
    col = t.squeezed(t.column(df, "taxable_periods"))
    lo, hi = eligibility.taxable_period_earliest, eligibility.taxable_period_latest
    status = t.map_unique(col, lambda s: period_status(s, lo, hi), np.int64)
    return {
        "TAXABLE_PERIOD_MISSING": (status & MISSING) != 0,
        "TAXABLE_PERIOD_MALFORMED": (status & MALFORMED) != 0,
        "TAXABLE_PERIOD_OUTSIDE_WINDOW": (status & OUTSIDE) != 0,
    }
