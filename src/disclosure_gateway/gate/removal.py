"""The final order of removal: present, a real date, final long enough.

The agreement covers people with a final order of removal under criminal
investigation (e.g. for failure to depart, 8 U.S.C. 1253(a)(1)). The order's
date must be given (when the agreement requires it), be a valid date, not lie
after the request date, and be at least ``min_days_since_final_order`` days
before the request date — an order that recent is not yet final for the
agreement's purpose. A value with no digit at all ("N/A", "pending") counts as
missing, not malformed: nothing that could be a date was given.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..agreement import Eligibility
from . import _text as t


def check_removal(
    df: pd.DataFrame, eligibility: Eligibility, *, request_date: date
) -> dict[str, t.Mask]:
    col = t.stripped(t.column(df, "removal_order_date"))
    no_digit = ~t.contains(col, r"\d")
    ordinal = t.date_ordinals(col)
    missing = no_digit & eligibility.require_final_removal_order
    malformed = ~no_digit & (ordinal == 0)
    # A year before 1900 is a typing error, not a removal order.
    malformed |= (ordinal != 0) & (ordinal < date(1900, 1, 1).toordinal())
    today = request_date.toordinal()
    valid = (ordinal != 0) & ~malformed
    future = valid & (ordinal > today)
    not_final = valid & (ordinal > today - eligibility.min_days_since_final_order)
    return {
        "REMOVAL_ORDER_MISSING": missing,
        "REMOVAL_ORDER_DATE_MALFORMED": malformed,
        "REMOVAL_ORDER_IN_FUTURE": future,
        "REMOVAL_ORDER_NOT_FINAL": not_final,
    }
