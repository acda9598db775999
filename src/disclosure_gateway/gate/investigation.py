"""The criminal investigation behind a request: case, officer, relevance.

6103(i)(2) disclosure is for officers "personally and directly engaged" in a
criminal investigation, with the specific reasons the information is relevant.
Each record must carry a case number in the agreement's format, a named
investigating officer, and a relevance statement of meaningful length. Who
the officer is (OFFICER_MISSING when the field names no one) and how many
investigations they claim across batches is ``caseload.py``'s concern.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa

from ..agreement import Eligibility
from . import _text as t

#: text that fills the field without giving a reason
_FILLER = re.compile(
    r"lorem ipsum|see attached|same as above|to be provided|not applicable|\bn/?a\b|"
    r"\btbd\b|\btest\b|asdf|qwerty|blah",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_RUN = re.compile(r"(.)\1{5,}")
MIN_DISTINCT_WORDS = 5


def relevance_ok(text: str, min_chars: int) -> bool:
    """Meaningful text: long enough, several distinct words, mostly letters, no filler."""
    s = " ".join(text.split())
    if len(s) < min_chars:
        return False
    if len({w.lower() for w in _WORD.findall(s)}) < MIN_DISTINCT_WORDS:
        return False
    if sum(c.isalpha() for c in s) < 0.5 * len(s):
        return False
    return not (_FILLER.search(s) or _RUN.search(s))


def _pattern_mask(col: t.Column, pattern: str) -> t.Mask:
    """Full match of the agreement's pattern; RE2 when it can, Python (ASCII) otherwise."""
    try:
        return t.fullmatch(col, pattern)
    except pa.ArrowInvalid:
        # Python-only syntax (look-around, back references): once per distinct value.
        compiled = re.compile(pattern, re.ASCII)
        return t.map_unique(col, lambda s: compiled.fullmatch(s) is not None, bool)


def check_investigation(df: pd.DataFrame, eligibility: Eligibility) -> dict[str, t.Mask]:
    case = t.stripped(t.column(df, "case_number"))
    case_blank = t.blank(case)
    relevance = t.column(df, "relevance")
    min_chars = eligibility.relevance_min_chars
    relevance_good = t.map_unique(relevance, lambda s: relevance_ok(s, min_chars), bool)
    return {
        "CASE_NUMBER_MISSING": case_blank & eligibility.require_case_number,
        "CASE_NUMBER_MALFORMED": ~case_blank & ~_pattern_mask(case, eligibility.case_number_pattern),
        "RELEVANCE_INSUFFICIENT": ~relevance_good,
    }
