"""Realism corruptions: how a requester garbles a true name, date or address.

Each function takes whole columns (pyarrow string arrays, numpy day counts)
and returns the new columns with a boolean mask of the rows it changed, which
becomes the ``corruptions`` list of the truth file. Work that depends on the
*value* (folding accents, finding nicknames) runs once per distinct value, not
once per row; character edits run on a fixed-width code-point matrix.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from nicknames import NickNamer

from .data import places as place_data
from .vocab import fold, hispanic_surnames_folded

#: every realism kind the generator records, in the order the truth lists them
CORRUPTION_KINDS: tuple[str, ...] = (
    "double_surname_partial",
    "name_swap",
    "nickname",
    "accent_dropped",
    "accent_kept",
    "typo",
    "dob_transposed",
    "dob_off",
    "dob_part",
    "dob_year",
    "dob_missing",
    "dob_unparseable",
    "tin_digit",
    "tin_transposed",
    "namesake",
    "jr_sr",
    "twin",
    "moved",
    "moved_new",
    "address_variant",
    "zip_missing",
    "city_missing",
    "absent",
)

#: kinds that describe the name (meaningless once a placeholder replaces it)
NAME_KINDS = frozenset(
    {"double_surname_partial", "name_swap", "nickname", "accent_dropped", "accent_kept", "typo"}
    | {"namesake", "jr_sr", "twin"}
)
#: kinds that describe the address (meaningless once a defect replaces it)
ADDRESS_KINDS = frozenset({"moved", "moved_new", "address_variant", "zip_missing", "city_missing"})
#: kinds that describe the birth date or the TIN (what a request gets wrong about a person)
DOB_KINDS = frozenset({"dob_transposed", "dob_off", "dob_part", "dob_year", "dob_missing",
                       "dob_unparseable"})
TIN_KINDS = frozenset({"tin_digit", "tin_transposed"})


def put(arr: pa.Array, mask: np.ndarray, values: pa.Array) -> pa.Array:
    """``arr`` with the rows of ``mask`` replaced by ``values`` (one per true row)."""
    if not mask.any():
        return arr
    return pc.replace_with_mask(arr, pa.array(mask), values.cast(arr.type))


def fold_array(arr: pa.Array) -> pa.Array:
    """Accent-folded upper case; ``fold`` runs once per distinct value."""
    enc = pc.dictionary_encode(arr)
    folded = pa.array([None if v is None else fold(v) for v in enc.dictionary.to_pylist()], pa.string())
    return folded.take(enc.indices)


def _strings(arr: pa.Array) -> list[str]:
    return [v or "" for v in arr.to_pylist()]


# --- names ------------------------------------------------------------------------


def double_surname_partial(
    rng: np.random.Generator, last: pa.Array, share: float
) -> tuple[pa.Array, np.ndarray]:
    """Of two Hispanic surnames, give the first, the second, or both hyphenated."""
    toks = pc.split_pattern(pc.fill_null(last, ""), " ")
    n_tok = pc.list_value_length(toks).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(toks)
    parent = pc.list_parent_indices(toks).to_numpy(zero_copy_only=False)
    enc = pc.dictionary_encode(flat)
    hisp = hispanic_surnames_folded()
    ok_value = np.array([fold(v) in hisp for v in enc.dictionary.to_pylist()], dtype=bool)
    bad = ~ok_value[enc.indices.to_numpy(zero_copy_only=False)] if len(flat) else np.zeros(0, bool)
    all_hisp = np.bincount(parent, weights=bad, minlength=len(last)) == 0
    hit = (n_tok == 2) & all_hisp & (rng.random(len(last)) < share)
    rows = np.flatnonzero(hit)
    if not len(rows):
        return last, hit
    offsets = toks.offsets.to_numpy()[rows]
    first = flat.take(pa.array(offsets))
    second = flat.take(pa.array(offsets + 1))
    style = rng.random(len(rows))
    partial = pc.if_else(
        pa.array(style < 0.5),
        first,
        pc.if_else(pa.array(style < 0.7), second, pc.binary_join_element_wise(first, second, "-")),
    )
    return put(last, hit, partial), hit


# Cross-letter nicknames everyone knows; other nicknames must share the first
# letter or a three-letter stem with the name (the package also lists rare ones).
_CLASSIC = frozenset(
    {
        *("bob", "bobby", "bill", "billy", "dick", "peggy", "polly", "molly", "jack", "ted"),
        *("ned", "chuck", "hank", "sally", "patsy", "betsy", "betty", "bess", "beth", "liz"),
        *("lizzie", "libby", "maggie", "meg", "jim", "jimmy"),
    }
)


@cache
def _nick_namer() -> NickNamer:
    return NickNamer()


@cache
def _nicknames_of(name: str) -> tuple[str, ...]:
    low = name.lower()
    found = sorted(_nick_namer().nicknames_of(low))
    keep = [
        nick
        for nick in found
        if len(nick) >= 3 and nick != low and (nick in _CLASSIC or nick[0] == low[0] or nick[:3] in low)
    ]
    return tuple(k.upper() for k in keep)


def nickname(rng: np.random.Generator, first: pa.Array, share: float) -> tuple[pa.Array, np.ndarray]:
    """A given name with a known nickname becomes that nickname (ROBERT -> BOB)."""
    enc = pc.dictionary_encode(pc.fill_null(first, ""))
    options = [_nicknames_of(fold(v)) if v and " " not in v else () for v in enc.dictionary.to_pylist()]
    width = np.array([len(o) for o in options], dtype=np.int64)
    offset = np.cumsum(width) - width
    flat = pa.array([n for o in options for n in o], type=pa.string())
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    hit = (width[codes] > 0) & (rng.random(len(first)) < share)
    rows = np.flatnonzero(hit)
    if not len(rows):
        return first, hit
    pick = offset[codes[rows]] + rng.integers(0, 1 << 30, len(rows)) % width[codes[rows]]
    return put(first, hit, flat.take(pa.array(pick))), hit


def accents(
    rng: np.random.Generator, names: list[pa.Array], share: float
) -> tuple[list[pa.Array], np.ndarray, np.ndarray]:
    """Names the master spells with accents: drop them all, or keep them."""
    folded = [fold_array(pc.fill_null(a, "")) for a in names]
    accented = np.zeros(len(names[0]), dtype=bool)
    for a, f in zip(names, folded, strict=True):
        accented |= pc.not_equal(pc.fill_null(a, ""), f).to_numpy(zero_copy_only=False)
    dropped = accented & (rng.random(len(accented)) < share)
    out = [put(a, dropped, f.filter(pa.array(dropped))) for a, f in zip(names, folded, strict=True)]
    # A null stays null: the fold of "" is "" and must not replace a null.
    out = [pc.if_else(pc.is_null(a), a, o) for a, o in zip(names, out, strict=True)]
    return out, dropped, accented & ~dropped


def _edit(rng: np.random.Generator, values: list[str]) -> list[str]:
    """One random character edit per string: substitute, delete, insert or transpose."""
    arr = np.array(values, dtype=str)
    k = len(arr)
    w = max(arr.dtype.itemsize // 4, 1)
    mat = np.zeros((k, w + 1), dtype=np.uint32)
    mat[:, :w] = arr.view(np.uint32).reshape(k, w) if arr.dtype.itemsize else 0
    length = np.char.str_len(arr)
    op = np.where(length < 2, 0, rng.integers(0, 4, k))
    pos = np.floor(rng.random(k) * np.maximum(np.where(op == 3, length - 1, length), 1)).astype(np.int64)
    rows = np.arange(k)
    letter = ord("A") + rng.integers(0, 26, k)
    letter = np.where(letter == mat[rows, pos], ord("A") + (letter - ord("A") + 1) % 26, letter)
    cols = np.arange(w + 1)
    out = mat.copy()
    sub = op == 0
    out[rows[sub], pos[sub]] = letter[sub]
    dele = op == 1
    src = np.minimum(np.where(cols >= pos[:, None], cols + 1, cols), w)
    shifted = np.take_along_axis(mat, src, axis=1)
    out[dele] = shifted[dele]
    ins = op == 2
    src = np.where(cols > pos[:, None], cols - 1, cols)
    shifted = np.take_along_axis(mat, src, axis=1)
    shifted[rows, pos] = letter
    out[ins] = shifted[ins]
    # Swapping two equal letters ("LL") changes nothing: substitute instead.
    same = (op == 3) & (mat[rows, pos] == mat[rows, np.minimum(pos + 1, w)])
    out[rows[same], pos[same]] = letter[same]
    tr = (op == 3) & ~same
    a, b = mat[rows[tr], pos[tr]], mat[rows[tr], pos[tr] + 1]
    out[rows[tr], pos[tr]], out[rows[tr], pos[tr] + 1] = b, a
    return [str(s) for s in np.ascontiguousarray(out).view(f"<U{w + 1}").ravel()]


def typo(
    rng: np.random.Generator, first: pa.Array, last: pa.Array, share: float
) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """One character edit in the given name or the family name."""
    hit = rng.random(len(first)) < share
    on_first = rng.random(len(first)) < 0.5
    out = []
    for arr, which in ((first, hit & on_first), (last, hit & ~on_first)):
        rows = np.flatnonzero(which)
        if len(rows):
            edited = _edit(rng, _strings(arr.take(pa.array(rows))))
            arr = put(arr, which, pa.array(edited, pa.string()))
        out.append(arr)
    return out[0], out[1], hit


def name_swap(
    rng: np.random.Generator, first: pa.Array, last: pa.Array, share: float
) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Given and family name in each other's fields."""
    hit = rng.random(len(first)) < share
    m = pa.array(hit)
    return pc.if_else(m, last, first), pc.if_else(m, first, last), hit


# --- dates ------------------------------------------------------------------------


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months).astype(np.int64) + 1
    return year, month, day


def _days_of(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers of (y, m, d), and whether each triple is a real date."""
    first = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    length = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    valid = (month >= 1) & (month <= 12) & (day >= 1) & (day <= length)
    days = first.astype("datetime64[D]").astype(np.int64) + day - 1
    return days, valid


def dob_transposed(rng: np.random.Generator, days: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Day and month swapped, where the swap is a different, valid date."""
    y, m, d = _ymd(days)
    swapped, valid = _days_of(y, d, m)
    hit = valid & (d != m) & (rng.random(len(days)) < share)
    return np.where(hit, swapped, days), hit


def dob_off(
    rng: np.random.Generator, days: np.ndarray, share: float, skip: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One part of the date off by one: year +-1, month +-1 or day +-1."""
    hit = ~skip & (rng.random(len(days)) < share)
    y, m, d = _ymd(days)
    part = rng.integers(0, 3, len(days))
    sign = np.where(rng.random(len(days)) < 0.5, -1, 1)
    y2 = np.where(part == 0, y + sign, y)
    m2 = np.where(part == 1, np.where(m + sign < 1, 2, np.where(m + sign > 12, 11, m + sign)), m)
    out, valid = _days_of(y2, m2, d)
    # The day moves within its month; where moving the year or month lands on no
    # date (Feb 30), the day moves instead.
    day_off = np.where(d > 1, days - 1, days + 1)
    out = np.where((part == 2) | ~valid, day_off, out)
    return np.where(hit, out, days), hit


def dob_part(
    rng: np.random.Generator, days: np.ndarray, share: float, skip: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The day or the month replaced by another value (a misread form, not a slip by one)."""
    hit = ~skip & (rng.random(len(days)) < share)
    y, m, d = _ymd(days)
    on_day = rng.random(len(days)) < 0.6
    # another day of the month (shifted 2..27, wrapped into 1..28) or another month
    d2 = np.where(on_day, (d - 1 + rng.integers(2, 27, len(days))) % 28 + 1, d)
    m2 = np.where(on_day, m, (m - 1 + rng.integers(2, 11, len(days))) % 12 + 1)
    out, valid = _days_of(y, m2, np.minimum(d2, 28))
    hit &= valid & (out != days)
    return np.where(hit, out, days), hit


def dob_year(
    rng: np.random.Generator, days: np.ndarray, share: float, skip: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The year wrong: off by 2 to 10 years, or its decade digit mistyped."""
    hit = ~skip & (rng.random(len(days)) < share)
    y, m, d = _ymd(days)
    off = rng.integers(2, 11, len(days)) * np.where(rng.random(len(days)) < 0.5, -1, 1)
    out, valid = _days_of(y + off, m, np.where((m == 2) & (d == 29), 28, d))
    hit &= valid
    return np.where(hit, out, days), hit


#: birth dates as a clerk might write them where no date can be read
UNPARSEABLE_DOBS: tuple[str, ...] = ("UNKNOWN", "00/00/0000", "N/A", "19XX-05-13", "1975", "?")


def dob_text(
    rng: np.random.Generator, dob: pa.Array, missing: float, unparseable: float, skip: np.ndarray
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """The birth date left out, or written as something no parser reads."""
    r = rng.random(len(dob))
    gone = ~skip & (r < missing)
    bad = ~skip & ~gone & (r < missing + unparseable)
    pick = rng.integers(0, len(UNPARSEABLE_DOBS), int(bad.sum()))
    dob = put(dob, bad, pa.array([UNPARSEABLE_DOBS[i] for i in pick], pa.string()))
    dob = put(dob, gone, pa.nulls(int(gone.sum()), pa.string()))
    return dob, gone, bad


# --- identifiers ------------------------------------------------------------------


def tin_slip(
    rng: np.random.Generator, tin: pa.Array, digit: float, transposed: float
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """A nine-digit TIN with one digit mistyped, or two adjacent digits swapped."""
    vals = [v or "" for v in tin.to_pylist()]
    n = len(vals)
    ok = np.array([len(v) == 9 and v.isdigit() for v in vals], dtype=bool)
    r = rng.random(n)
    one = ok & (r < digit)
    swap = ok & ~one & (r < digit + transposed)
    pos = rng.integers(0, 9, n)
    shift = rng.integers(1, 10, n)
    out = list(vals)
    for i in np.flatnonzero(one):
        v = vals[i]
        out[i] = v[: pos[i]] + str((int(v[pos[i]]) + shift[i]) % 10) + v[pos[i] + 1:]
    for i in np.flatnonzero(swap):
        v, p = vals[i], int(pos[i]) % 8
        if v[p] == v[p + 1]:  # swapping equal digits changes nothing: the next pair that differs
            q = next((j for j in range(8) if v[j] != v[j + 1]), None)
            if q is None:
                swap[i] = False
                continue
            p = q
        out[i] = v[:p] + v[p + 1] + v[p] + v[p + 2:]
    changed = one | swap
    return put(tin, changed, pa.array([out[i] for i in np.flatnonzero(changed)], pa.string())), one, swap


# --- addresses --------------------------------------------------------------------

_SUFFIX_RE = "|".join(s for s, _, _ in place_data.STREET_SUFFIXES)
_VARIANTS = (
    "suffix_full",
    "directional_full",
    "unit_hash",
    "unit_word",
    "unit_inline",
    "unit_missing",
    "zip4",
)


def _matches(arr: pa.Array, pattern: str) -> np.ndarray:
    return np.asarray(
        pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False),
        dtype=bool,
    )


def address_variant(
    rng: np.random.Generator,
    line1: pa.Array,
    line2: pa.Array,
    zip_: pa.Array,
    share: float,
) -> tuple[pa.Array, pa.Array, pa.Array, np.ndarray]:
    """The same address written differently: ``STREET`` for ``ST``, ``NORTH``
    for ``N``, ``#`` or ``UNIT`` for ``APT``, the unit on line 1, the unit left
    out, or ZIP+4."""
    n = len(line1)
    has_unit = _matches(line2, r"^(APT|UNIT) ")
    can = np.stack(
        [
            _matches(line1, rf" ({_SUFFIX_RE})$"),
            _matches(line1, r"^\d+ [NSEW] "),
            has_unit,
            has_unit,
            has_unit,
            has_unit,
            _matches(zip_, r"^\d{5}$"),
        ],
        axis=1,
    )
    want = rng.random(n) < share
    score = np.where(can, rng.random(can.shape), -1.0)
    kind = np.argmax(score, axis=1)
    hit = want & can.any(axis=1)
    for k, name in enumerate(_VARIANTS):
        rows = hit & (kind == k)
        if not rows.any():
            continue
        sel = pa.array(rows)
        if name == "suffix_full":
            sub = line1.filter(sel)
            for abbr, full, _ in place_data.STREET_SUFFIXES:
                sub = pc.replace_substring_regex(sub, rf" {abbr}$", f" {full}")
            line1 = put(line1, rows, sub)
        elif name == "directional_full":
            sub = line1.filter(sel)
            for abbr, full in place_data.DIRECTIONALS:
                sub = pc.replace_substring_regex(sub, rf"^(\d+) {abbr} ", rf"\1 {full} ")
            line1 = put(line1, rows, sub)
        elif name == "unit_hash":
            line2 = put(line2, rows, pc.replace_substring_regex(line2.filter(sel), r"^(APT|UNIT) ", "# "))
        elif name == "unit_word":
            sub = line2.filter(sel)
            is_unit = pc.starts_with(sub, "UNIT ")
            sub = pc.if_else(
                is_unit,
                pc.replace_substring_regex(sub, r"^UNIT ", "APT "),
                pc.replace_substring_regex(sub, r"^APT ", "APARTMENT "),
            )
            line2 = put(line2, rows, sub)
        elif name == "unit_inline":
            joined = pc.binary_join_element_wise(line1.filter(sel), line2.filter(sel), " ")
            line1 = put(line1, rows, joined)
            line2 = put(line2, rows, pa.nulls(int(rows.sum()), pa.string()))
        elif name == "unit_missing":
            line2 = put(line2, rows, pa.nulls(int(rows.sum()), pa.string()))
        else:
            plus4 = pc.utf8_lpad(
                pc.cast(pa.array(rng.integers(1, 10000, int(rows.sum()))), pa.string()), 4, "0"
            )
            zip_ = put(zip_, rows, pc.binary_join_element_wise(zip_.filter(sel), plus4, "-"))
    return line1, line2, zip_, hit


# --- letter case ------------------------------------------------------------------------


def title_case(arr: pa.Array) -> pa.Array:
    """Title Case, keeping ordinals lower (``5th``, not ``5Th``)."""
    out = pc.utf8_title(arr)
    for suffix in ("St", "Nd", "Rd", "Th"):
        out = pc.replace_substring_regex(out, rf"(\d){suffix}\b", rf"\1{suffix.lower()}")
    return out


def letter_case(arr: pa.Array, upper: np.ndarray) -> pa.Array:
    """Capitals where ``upper``, Title Case elsewhere."""
    return pc.if_else(pa.array(upper), pc.utf8_upper(arr), title_case(arr))
