"""Vectorised text helpers the gate rules share.

A batch holds up to a couple of million records, so the rules work on whole
columns (Apache Arrow compute kernels, RE2 regular expressions) instead of
looping over rows in Python. Where a rule needs Python logic, it runs once per
*distinct* value (:func:`map_unique`): request columns repeat a lot (statutes,
periods, dates, address lines), so that is both fast and a cache.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import fold

Column = Any  # a pyarrow ChunkedArray of strings; pyarrow ships no type stubs
Mask = np.ndarray  # one bool per record


def column(df: pd.DataFrame, name: str) -> Column:
    """The column as Arrow strings, missing values as '' (zero-copy when possible)."""
    values = df[name].array
    if hasattr(values, "__arrow_array__"):
        arr = values.__arrow_array__()
    else:
        arr = pa.array(np.asarray(values, dtype=object), type=pa.large_string(), from_pandas=True)
    if not isinstance(arr, pa.ChunkedArray):
        arr = pa.chunked_array([arr])
    if not pa.types.is_large_string(arr.type):
        # one string type throughout, so kernels never meet mixed inputs;
        # large (64-bit offsets) because joined keys of a big batch exceed 2 GiB
        arr = pc.cast(arr, pa.large_string())
    return pc.fill_null(arr, "")


def lit(text: str) -> pa.Scalar:
    """A string literal of the columns' type."""
    return pa.scalar(text, pa.large_string())


def stripped(col: Column) -> Column:
    return pc.utf8_trim_whitespace(col)


def squeezed(col: Column) -> Column:
    """Trimmed, with every run of whitespace turned into one space."""
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(col, r"\s+", " "))


def upper(col: Column) -> Column:
    return pc.utf8_upper(col)


def to_mask(arr: Any) -> Mask:
    """An Arrow boolean result as a numpy mask (nulls count as False)."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def blank(col: Column) -> Mask:
    """True where the value is empty or whitespace only."""
    return to_mask(pc.equal(pc.utf8_length(stripped(col)), 0))


def fullmatch(col: Column, pattern: str) -> Mask:
    """RE2 full match (``pattern`` without anchors)."""
    return to_mask(pc.match_substring_regex(col, f"^(?:{pattern})$"))


def contains(col: Column, pattern: str) -> Mask:
    return to_mask(pc.match_substring_regex(col, pattern))


def in_set(col: Column, values: frozenset[str] | set[str]) -> Mask:
    return to_mask(pc.is_in(col, value_set=pa.array(sorted(values), type=col.type)))


def lookalike(col: Column) -> Column:
    """Each value as it looks (:func:`.fold.lookalike`): NFKC, confusables to ASCII, no
    invisible characters. ASCII values (nearly all) are passed through untouched; the
    rest are folded once per distinct value."""
    flat = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    is_ascii = pc.fill_null(pc.string_is_ascii(flat), True)
    if pc.all(is_ascii).as_py() is not False:
        return col
    other = pc.invert(is_ascii)
    encoded = pc.dictionary_encode(flat.filter(other))
    mapped = pa.array([fold.lookalike(v) for v in encoded.dictionary.to_pylist()],
                      type=flat.type)
    return pa.chunked_array([pc.replace_with_mask(flat, other, mapped.take(encoded.indices))])


def folded(col: Column) -> Column:
    """Upper case, look-alikes folded, accents removed, only letters kept.

    'José  O’Brien' -> 'JOSEOBRIEN', 'Unkn\u043ewn' (Cyrillic o) -> 'UNKNOWN'. Used to
    compare identities (duplicates, re-requests, probing, officers) and placeholders,
    where spacing, punctuation, accents and look-alike letters must not make one
    value look like two.
    """
    decomposed = pc.utf8_normalize(lookalike(col), "NFKD")
    return pc.utf8_upper(pc.replace_substring_regex(decomposed, r"[^\p{L}]|\p{M}", ""))


def map_unique(col: Column, fn: Callable[[str], Any], dtype: Any) -> np.ndarray:
    """Apply ``fn`` once per distinct value and spread the results over the rows."""
    encoded = pc.dictionary_encode(col).combine_chunks()
    dictionary = encoded.dictionary.to_pylist()
    results = np.array([fn(v) for v in dictionary], dtype=dtype)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    if len(results) == 0:
        return np.zeros(len(indices), dtype=dtype)
    return results[indices]


# --- dates ---------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def parse_date(text: str) -> date | None:
    """A request date: ISO ``YYYY-MM-DD`` or US ``MM/DD/YYYY``; None if neither or invalid.

    Only these two spellings are accepted: both are unambiguous, and guessing
    at others (``03/04/05``) would let a malformed date pass as a wrong one.
    """
    text = text.strip()
    m = _ISO.fullmatch(text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _US.fullmatch(text)
        if not m:
            return None
        mo, d, y = int(m[1]), int(m[2]), int(m[3])
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def date_ordinals(col: Column) -> np.ndarray:
    """Each value's date as a proleptic ordinal; 0 where blank or not a valid date."""

    def ordinal(text: str) -> int:
        parsed = parse_date(text)
        return parsed.toordinal() if parsed else 0

    return map_unique(col, ordinal, np.int64)
