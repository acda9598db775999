"""Field lengths: every request field has a maximum, checked before anything is parsed.

The records reader already refuses a field over 64 KiB, but a 10,000-character
address line is well below that and, unchecked, reaches the address parser (a
CRF whose cost grows with the tokens) and the stores. A request record has no
business being that long: each field has a maximum, agreed in the request
record contract (``docs/schemas/request-record.schema.json``, ``maxLength``; a
test holds the two equal), and a longer value is refused with FIELD_TOO_LONG,
its field named in the refusal's detail.

Why the numbers hold (characters, i.e. Unicode code points), each well above
what any real value needs, so the cap refuses only what is not data:

* ``request_id`` 128 — the store's key column is 128 characters wide;
* names 100 each — the IRS name line is 35 characters and SSA's name fields
  shorter; a double surname with particles ("de la Santísima Trinidad") is ~30;
* ``dob``, ``removal_order_date`` 32, ``tin`` 32, ``zip`` 16, ``state`` 40 —
  a date, an identifier, a ZIP+4 or a spelled-out state or territory with room
  for spaces ("Federated States of Micronesia" is 30);
* ``address_line1``/``address_line2`` 200 — a USPS delivery line is at most 64
  characters; a whole address typed into line 1 (street, unit, city, state,
  ZIP+4) stays under 150;
* ``city`` 100, ``case_number`` 64, ``investigating_officer`` 200, ``statute``
  500 (several citations), ``taxable_periods`` 1,000 (every month of a
  seven-year window, "YYYY-MM; " each, is 756);
* ``relevance`` 4,000 — a statement of reasons of a page.

What this must not refuse: any value within those bounds, however written.
Over-long values are blanked before the other rules run, so no parser sees
them, and the codes about those fields are withheld (they would be verdicts
on text that was not read); the record is refused all the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ..contracts import REQUEST_COLUMNS
from . import _text as t

FIELD_MAX_CHARS: dict[str, int] = {
    "request_id": 128,
    "first_name": 100,
    "middle_name": 100,
    "last_name": 100,
    "dob": 32,
    "tin": 32,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "state": 40,
    "zip": 16,
    "taxable_periods": 1000,
    "statute": 500,
    "removal_order_date": 32,
    "case_number": 64,
    "investigating_officer": 200,
    "relevance": 4000,
}
assert set(FIELD_MAX_CHARS) == set(REQUEST_COLUMNS), "every request field needs a maximum"


def too_long(df: pd.DataFrame) -> dict[str, t.Mask]:
    """Per field, where its value is longer than its maximum (only fields with any)."""
    out: dict[str, t.Mask] = {}
    for name, limit in FIELD_MAX_CHARS.items():
        over = t.to_mask(pc.greater(pc.utf8_length(t.column(df, name)), limit))
        if over.any():
            out[name] = over
    return out


def without_long_values(df: pd.DataFrame, over: dict[str, t.Mask]) -> pd.DataFrame:
    """``df`` with over-long values blanked (the same frame when there are none)."""
    if not over:
        return df
    blanked = {name: pd.Series(np.where(mask, "", t.column(df, name).to_numpy(zero_copy_only=False)),
                               index=df.index, dtype=df[name].dtype)
               for name, mask in over.items()}
    return df.assign(**blanked)
