"""Address sufficiency: a real, complete US street address of the taxpayer.

26 U.S.C. 6103(i)(2) requires the request to set forth the taxpayer's name
*and address*. In 2025 the only check was "the field contains a 5- or 9-digit
number", so ``Don't Care 12345`` passed. Here an address passes only with

* a house number and a street name (``usaddress`` labels, not a regex), on
  address line 1 or line 2;
* a city and a state, or a ZIP code;
* a ZIP, where given, that exists in the ``zipcodes`` data and belongs to the
  state, where given; a state, where given, that is a US state or territory;
* no placeholder text, no ZIP standing alone, no jail or detention facility
  named without a street address, and no PO box or general delivery unless the
  agreement allows them.

Every failing condition is reported, not only the first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..agreement import AddressPolicy
from . import _text as t
from .addressparse import (
    BLANK,
    FACILITY,
    GENERAL_DELIVERY,
    HAS_BOX_ID,
    HAS_NUMBER,
    HAS_STREET,
    PLACEHOLDER,
    PO_BOX,
    UNPARSEABLE,
    ZIP_LIKE,
    LineFacts,
    classify_many,
    is_placeholder_text,
)
from .zipdata import state_index, zip_state_table

COMPLETE = HAS_NUMBER | HAS_STREET


def _facts(lines: list[t.Column], workers: int) -> tuple[list[np.ndarray], t.Column]:
    """Parse the distinct values of several columns once.

    Returns the flags per row of each column, and the locality found inside
    the first column per row as an Arrow table (city, state, zip), built by
    ``take`` so that no per-row Python strings are made.
    """
    uniques: dict[str, int] = {}
    codes = []
    for col in lines:
        encoded = pc.dictionary_encode(col).combine_chunks()
        dictionary = encoded.dictionary.to_pylist()
        local = np.array([uniques.setdefault(v, len(uniques)) for v in dictionary], dtype=np.int64)
        idx = encoded.indices.to_numpy(zero_copy_only=False)
        codes.append(local[idx] if len(local) else np.zeros(len(idx), dtype=np.int64))
    facts: list[LineFacts] = classify_many(list(uniques), workers=workers)
    flags = np.array([f.flags for f in facts], dtype=np.int64)
    locality = pa.table({
        "city": pa.array([f.city for f in facts], pa.large_string()),
        "state": pa.array([f.state for f in facts], pa.large_string()),
        "zip": pa.array([f.zip for f in facts], pa.large_string()),
    })
    return [flags[c] for c in codes], locality.take(pa.array(codes[0]))


def check_address(
    df: pd.DataFrame, policy: AddressPolicy, *, workers: int = 2
) -> dict[str, t.Mask]:
    line1 = t.squeezed(t.column(df, "address_line1"))
    line2 = t.squeezed(t.column(df, "address_line2"))
    (f1, f2), inline1 = _facts([line1, line2], workers)
    n = len(df)

    def has(f: np.ndarray, bit: int) -> np.ndarray:
        return (f & bit) != 0

    complete1 = ((f1 & COMPLETE) == COMPLETE) & ~has(f1, UNPARSEABLE)
    complete2 = ((f2 & COMPLETE) == COMPLETE) & ~has(f2, UNPARSEABLE)
    street_ok = complete1 | complete2
    any_flags = f1 | f2
    # The line the structural verdict is about: line 1 unless it is empty
    # and line 2 is not.
    primary = np.where(has(f1, BLANK) & ~has(f2, BLANK), f2, f1)
    no_text = has(f1, BLANK) & has(f2, BLANK)
    zip_like_only = (has(f1, ZIP_LIKE) | has(f1, BLANK)) & (has(f2, ZIP_LIKE) | has(f2, BLANK))

    # --- locality: columns, or the line itself when the columns are all empty --
    city = t.stripped(t.column(df, "city"))
    state = t.stripped(t.column(df, "state"))
    zip_col = pc.replace_substring(t.stripped(t.column(df, "zip")), " ", "")
    fallback = t.blank(city) & t.blank(state) & t.blank(zip_col)
    if fallback.any():
        use = pa.array(fallback)
        city = pc.if_else(use, inline1.column("city"), city)
        state = pc.if_else(use, inline1.column("state"), state)
        zip_col = pc.if_else(use, pc.replace_substring(inline1.column("zip"), " ", ""), zip_col)
    city_blank, state_blank, zip_blank = t.blank(city), t.blank(state), t.blank(zip_col)

    zip_arr = zip_col
    zip_form_ok = t.fullmatch(zip_arr, r"\d{5}(?:-?\d{4})?")
    zip5 = pc.utf8_slice_codeunits(zip_arr, 0, 5)
    zip_int = np.where(zip_form_ok, _to_int(zip5), 0)
    zip_state = np.where(zip_form_ok, zip_state_table()[zip_int], 0)
    zip_exists = zip_form_ok & (zip_state != 0)
    zip_zeros = zip_form_ok & (zip_int == 0)

    state_idx = t.map_unique(state, state_index, np.int64)
    city_placeholder = t.map_unique(city, is_placeholder_text, bool)

    masks: dict[str, t.Mask] = {}
    # --- the street part ----------------------------------------------------------
    box_ok = policy.allow_po_box & has(any_flags, PO_BOX) & has(any_flags, HAS_BOX_ID)
    gd_ok = policy.allow_general_delivery & has(any_flags, GENERAL_DELIVERY)
    accepted_alternative = (box_ok | gd_ok) & ~street_ok
    # With no street text at all, exactly one of these two applies.
    masks["ADDRESS_MISSING"] = no_text & zip_blank
    masks["ADDRESS_ZIP_ONLY"] = (zip_like_only & ~no_text) | (no_text & ~zip_blank)
    text_present = ~zip_like_only
    structural = text_present & ~street_ok & ~accepted_alternative
    box_refused = has(any_flags, PO_BOX) & ~street_ok & (not policy.allow_po_box)
    gd_refused = has(any_flags, GENERAL_DELIVERY) & ~street_ok & (
        not policy.allow_general_delivery
    )
    masks["ADDRESS_PO_BOX"] = box_refused
    masks["ADDRESS_GENERAL_DELIVERY"] = gd_refused
    # A refused box or general delivery line has its own code; the structural
    # codes would only repeat it. (An allowed box without a number still gets them.)
    plain = structural & ~box_refused & ~gd_refused
    no_number = ~has(primary, HAS_NUMBER)
    no_street = ~has(primary, HAS_STREET)
    masks["ADDRESS_NOT_STREET_ADDRESS"] = plain & no_number & no_street
    masks["ADDRESS_NO_HOUSE_NUMBER"] = plain & no_number & ~no_street
    masks["ADDRESS_NO_STREET_NAME"] = plain & no_street & ~no_number
    masks["ADDRESS_UNPARSEABLE"] = structural & has(primary, UNPARSEABLE)
    masks["ADDRESS_FACILITY_ONLY"] = ~street_ok & has(any_flags, FACILITY)
    masks["ADDRESS_PLACEHOLDER"] = has(any_flags, PLACEHOLDER) | city_placeholder | zip_zeros

    # --- the locality part ----------------------------------------------------------
    masks["ADDRESS_LOCALITY_MISSING"] = zip_blank & (city_blank | state_blank)
    masks["ADDRESS_STATE_INVALID"] = ~state_blank & (state_idx == 0)
    masks["ADDRESS_ZIP_INVALID"] = ~zip_blank & ~zip_exists
    masks["ADDRESS_ZIP_STATE_MISMATCH"] = (
        zip_exists & ~state_blank & (state_idx != 0) & (state_idx != zip_state)
    )
    assert all(len(m) == n for m in masks.values())
    return masks


def _to_int(col: t.Column) -> np.ndarray:
    """Digits to integers; anything else becomes 0 (callers mask it out)."""
    safe = pc.if_else(pc.match_substring_regex(col, r"^\d{1,9}$"), col, "0")
    return np.asarray(pc.cast(safe, "int64").to_numpy(zero_copy_only=False), dtype=np.int64)
