"""Identifiers: the request id, the TIN where given, the date of birth where given.

A TIN is optional, but a malformed one is refused rather than ignored: the
real process let a name+TIN match release an address, so a TIN that cannot
exist must never take part in matching. Rules (SSA and IRS published):

* SSN: nine digits, area not 000, 666 or 900-999; group not 00; serial not
  0000; not a number SSA voided after it was published (078-05-1120,
  219-09-9999).
* ITIN: area 900-999 with group 50-65, 70-88, 90-92 or 94-99.

Written as ``NNN-NN-NNNN``, ``NNN NN NNNN`` or ``NNNNNNNNN``.

A date of birth is evidence for matching, not a condition of the request
(6103(i)(2) asks for name and address). Its codes — DOB_MISSING, DOB_MALFORMED
(not a valid ISO or US date), DOB_IMPLAUSIBLE (after the request date or more
than 120 years before it, which also covers anything before 1900) — refuse the
record only where the agreement sets ``require_birth_date``; otherwise the
gate reports them as notes, and the record goes on to matching *without* a
birth date (:func:`usable_dob`), never with the unusable text. What this must
not do: let a garbled or impossible date count as evidence for or against a
candidate, or refuse a lawful request for lacking what the law does not ask.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from . import _text as t

TIN_FORMS = r"\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{9}"
VOIDED_SSNS = frozenset({"078051120", "219099999"})
MAX_AGE_YEARS = 120


def _digits(col: t.Column, start: int, stop: int) -> np.ndarray:
    part = pc.utf8_slice_codeunits(col, start, stop)
    safe = pc.if_else(pc.match_substring_regex(part, r"^\d+$"), part, "0")
    return np.asarray(pc.cast(safe, "int64").to_numpy(zero_copy_only=False), dtype=np.int64)


def tin_valid(col: t.Column) -> t.Mask:
    """True where the (stripped, non-blank) TIN is a possible SSN or ITIN."""
    form = t.fullmatch(col, TIN_FORMS)
    digits = pc.replace_substring_regex(col, r"[^0-9]", "")
    area, group, serial = _digits(digits, 0, 3), _digits(digits, 3, 5), _digits(digits, 5, 9)
    ssn = (area != 0) & (area != 666) & (area < 900) & (group != 0) & (serial != 0)
    ssn &= ~t.in_set(digits, VOIDED_SSNS)
    itin = (area >= 900) & (
        ((group >= 50) & (group <= 65))
        | ((group >= 70) & (group <= 88))
        | ((group >= 90) & (group <= 92))
        | ((group >= 94) & (group <= 99))
    )
    return form & (ssn | itin)


def check_identifiers(df: pd.DataFrame, *, request_date: date) -> dict[str, t.Mask]:
    rid = t.stripped(t.column(df, "request_id"))
    rid_blank = t.blank(rid)
    encoded = pc.dictionary_encode(rid).combine_chunks()
    idx = encoded.indices.to_numpy(zero_copy_only=False)
    rid_dup = ~rid_blank & (np.bincount(idx, minlength=len(encoded.dictionary))[idx] > 1)

    tin = t.stripped(t.column(df, "tin"))
    tin_bad = ~t.blank(tin) & ~tin_valid(tin)

    return {
        "REQUEST_ID_MISSING": rid_blank,
        "REQUEST_ID_DUPLICATE": rid_dup,
        "TIN_MALFORMED": tin_bad,
        **dob_codes(df, request_date=request_date),
    }


def dob_codes(df: pd.DataFrame, *, request_date: date) -> dict[str, t.Mask]:
    """DOB_MISSING / DOB_MALFORMED / DOB_IMPLAUSIBLE masks (at most one per record)."""
    dob = t.stripped(t.column(df, "dob"))
    dob_blank = t.blank(dob)
    ordinal = t.date_ordinals(dob)
    today = request_date
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS).toordinal()
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28).toordinal()
    valid = ordinal != 0
    return {
        "DOB_MISSING": dob_blank,
        "DOB_MALFORMED": ~dob_blank & ~valid,
        "DOB_IMPLAUSIBLE": valid & ((ordinal > today.toordinal()) | (ordinal < oldest)),
    }


def usable_dob(codes: dict[str, t.Mask]) -> t.Mask:
    """Where the birth date can serve as evidence: present, valid and plausible."""
    return np.asarray(~(codes["DOB_MISSING"] | codes["DOB_MALFORMED"] | codes["DOB_IMPLAUSIBLE"]),
                      dtype=bool)
