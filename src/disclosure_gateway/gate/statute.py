"""Statutory authority: present, and one the agreement permits.

26 U.S.C. 6103(i)(2)(B)(iii) requires the request to state the statutory
authority for the criminal investigation. The agreement lists the permitted
statutes (e.g. ``8 U.S.C. 1253(a)(1)``). Requesters write the same citation
many ways (``8 USC 1253(a)(1)``, ``8 U.S.C. § 1253 (a) (1)``, ``8 u.s.c. sec.
1253(a)(1)``), so both sides are normalised before comparison. A field may
cite several statutes separated by ";" or "," — every one must be permitted.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from . import _text as t

MISSING, NOT_PERMITTED = 1, 2


def normalise_statute(text: str) -> str:
    """One spelling per citation: '8 U.S.C. § 1253 (a)(1)' -> '8 USC 1253(A)(1)'."""
    s = text.upper().replace("§", " ")
    s = re.sub(r"\bSECTIONS?\b|\bSECS?\b\.?", " ", s)
    s = re.sub(r"U\s*\.?\s*S\s*\.?\s*C\s*\.?(?:\s*A\b\.?)?", " USC ", s)
    s = re.sub(r"\s*\(\s*", "(", s)
    s = re.sub(r"\s*\)", ")", s)
    s = s.replace(".", " ")
    return " ".join(s.split())


def statute_status(text: str, permitted: frozenset[str]) -> int:
    parts = [p for p in re.split(r"[;,]|\band\b", text, flags=re.IGNORECASE) if p.strip()]
    if not parts:
        return MISSING
    if all(normalise_statute(p) in permitted for p in parts):
        return 0
    return NOT_PERMITTED


def check_statute(df: pd.DataFrame, permitted_statutes: list[str]) -> dict[str, t.Mask]:
    permitted = frozenset(normalise_statute(s) for s in permitted_statutes)
    col = t.squeezed(t.column(df, "statute"))
    status = t.map_unique(col, lambda s: statute_status(s, permitted), np.int64)
    return {
        "STATUTE_MISSING": status == MISSING,
        "STATUTE_NOT_PERMITTED": status == NOT_PERMITTED,
    }
