"""Taxpayer identification numbers that follow the issuing rules.

An SSN never has area 000, 666 or 900-999, group 00 or serial 0000. An ITIN
starts with 9 and its fourth and fifth digits fall in 50-65, 70-88, 90-92 or
94-99 (IRS Publication 1915). Both are drawn as integers, so ten million unique
numbers cost a few array sorts.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ITIN_GROUPS = np.array([*range(50, 66), *range(70, 89), *range(90, 93), *range(94, 100)], dtype=np.int64)
_SSN_AREAS = np.array([a for a in range(1, 900) if a != 666], dtype=np.int64)
_SERIALS = 9999  # serials 0001-9999

SSN_RE = re.compile(r"^(?!000|666|9\d\d)\d{3}-?(?!00)\d{2}-?(?!0000)\d{4}$")
ITIN_RE = re.compile(r"^9\d{2}-?(5[0-9]|6[0-5]|7[0-9]|8[0-8]|9[0-2]|9[4-9])-?\d{4}$")


def is_valid_tin(text: str) -> bool:
    """A 9-digit SSN or ITIN by the issuing rules (dashes optional)."""
    return bool(SSN_RE.match(text) or ITIN_RE.match(text))


def _decode(u: np.ndarray, itin: np.ndarray) -> np.ndarray:
    per_area_ssn = 99 * _SERIALS
    per_area_itin = len(ITIN_GROUPS) * _SERIALS
    ssn = (
        _SSN_AREAS[np.minimum(u // per_area_ssn, len(_SSN_AREAS) - 1)] * 1_000_000
        + (u % per_area_ssn // _SERIALS + 1) * 10_000
        + u % _SERIALS
        + 1
    )
    it = (
        (900 + u // per_area_itin % 100) * 1_000_000
        + ITIN_GROUPS[u % per_area_itin // _SERIALS] * 10_000
        + u % _SERIALS
        + 1
    )
    return np.where(itin, it, ssn)


def draw_tins(rng: np.random.Generator, n: int, itin_share: float) -> np.ndarray:
    """``n`` distinct TINs as int64 (SSNs, and ITINs with probability ``itin_share``)."""
    itin = rng.random(n) < itin_share
    space = np.where(itin, 100 * len(ITIN_GROUPS) * _SERIALS, len(_SSN_AREAS) * 99 * _SERIALS)
    tins = _decode(np.floor(rng.random(n) * space).astype(np.int64), itin)
    while True:
        # Redraw later duplicates only, so earlier taxpayers keep their numbers.
        _, first = np.unique(tins, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        k = int(dup.sum())
        if k == 0:
            return tins
        fresh = np.floor(rng.random(k) * space[dup]).astype(np.int64)
        tins[dup] = _decode(fresh, itin[dup])


def tin_strings(tins: np.ndarray) -> pa.Array:
    """Nine-digit, zero-padded strings."""
    return pc.utf8_lpad(pc.cast(pa.array(tins, type=pa.int64()), pa.string()), 9, "0")


def dashed(tins: pa.Array) -> pa.Array:
    """``123456789`` -> ``123-45-6789``."""
    return pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(tins, 0, 3),
        pc.utf8_slice_codeunits(tins, 3, 5),
        pc.utf8_slice_codeunits(tins, 5, 9),
        "-",
    )
