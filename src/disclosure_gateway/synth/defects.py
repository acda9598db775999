"""Legal defects: requests the gate must refuse, planted in exact numbers.

Each kind of ``contracts.DEFECT_KINDS`` gets ``round(share * m)`` requests,
chosen at random, and no request gets two. The court's examples are used
literally (``Don't Care 12345``, ``Failed to Provide``, ``Unknown Address``,
``NA NA``). The implausible officer is one name signing more records than the
agreement's ``max_open_investigations_per_officer``; that needs a batch larger
than that maximum, and when the share asks for fewer records the count is
raised to one above the maximum.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..agreement import Agreement
from ..contracts import DEFECT_KINDS
from .corruptions import put
from .data import places as place_data
from .legal import iso, periods
from .vocab import zip_table

#: defect kinds that replace or spoil the address
ADDRESS_DEFECTS = frozenset(k for k in DEFECT_KINDS if k.startswith("address_"))
NAME_DEFECTS = frozenset({"name_placeholder"})


def officer_records(share: float, m: int, cap: int) -> int:
    """Records the implausible officer signs: the share of the batch, but always
    more than ``cap`` (or none when the batch is too small to show it)."""
    if share <= 0:
        return 0
    want = max(round(share * m), cap + 1)
    return want if want <= m else 0


def assign(rng: np.random.Generator, m: int, shares: dict[str, float], cap: int) -> np.ndarray:
    """Defect kind number (index into DEFECT_KINDS) per request, -1 for none."""
    counts = [
        officer_records(shares[k], m, cap) if k == "officer_implausible" else round(shares[k] * m)
        for k in DEFECT_KINDS
    ]
    if sum(counts) > m:
        # Only the officer's floor can push past m; the other shares sum to <= 1.
        counts[DEFECT_KINDS.index("officer_implausible")] = 0
    kind = np.full(m, -1, dtype=np.int16)
    order = rng.permutation(m)
    at = 0
    for i, c in enumerate(counts):
        kind[order[at : at + c]] = i
        at += c
    return kind


def _choice(rng: np.random.Generator, options: tuple[str, ...] | list[str], k: int) -> pa.Array:
    return pa.array(list(options), pa.string()).take(pa.array(rng.integers(0, len(options), k)))


def _nulls(k: int) -> pa.Array:
    return pa.nulls(k, pa.string())


def _digits(rng: np.random.Generator, lo: int, hi: int, width: int, k: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(rng.integers(lo, hi, k)), pa.string()), width, "0")


def malformed_tins(rng: np.random.Generator, k: int) -> pa.Array:
    """TINs no issuing rule allows: area 000 or 666, group 00, serial 0000,
    an ITIN group outside its ranges, eight or ten digits."""
    style = rng.integers(0, 7, k)
    a = _digits(rng, 1, 666, 3, k)
    g = _digits(rng, 1, 100, 2, k)
    s = _digits(rng, 1, 10000, 4, k)
    forms = [
        pc.binary_join_element_wise("000", g, s, "-"),
        pc.binary_join_element_wise("666", g, s, "-"),
        pc.binary_join_element_wise(a, "00", s, "-"),
        pc.binary_join_element_wise(a, g, "0000", "-"),
        # 9xx with group 10-49: neither an SSN (area 9xx) nor an ITIN (group range)
        pc.binary_join_element_wise(_digits(rng, 900, 1000, 3, k), _digits(rng, 10, 50, 2, k), s, "-"),
        _digits(rng, 10**7, 10**8, 8, k),
        pc.binary_join_element_wise(a, g, _digits(rng, 10**4, 10**5, 5, k), "-"),
    ]
    out = forms[0]
    for i, f in enumerate(forms[1:], start=1):
        out = pc.if_else(pa.array(style == i), f, out)
    return out


def apply(
    rng: np.random.Generator,
    cols: dict[str, pa.Array],
    kind: np.ndarray,
    *,
    agreement: Agreement,
    batch_date: date,
    implausible_officer: str,
) -> dict[str, pa.Array]:
    """Spoil each request as its defect kind says; the others stay valid."""
    cols = dict(cols)
    el = agreement.eligibility
    zt = zip_table()
    for i, name in enumerate(DEFECT_KINDS):
        rows = kind == i
        k = int(rows.sum())
        if not k:
            continue
        sel = pa.array(rows)

        def set_(col: str, values: pa.Array, rows: np.ndarray = rows) -> None:
            cols[col] = put(cols[col], rows, values)

        if name == "address_placeholder":
            set_("address_line1", _choice(rng, place_data.PLACEHOLDER_ADDRESSES, k))
            set_("address_line2", _nulls(k))
        elif name == "address_zero_zip":
            set_("zip", pa.array(["00000"] * k, pa.string()))
        elif name == "address_zip_only":
            # Either nothing but the ZIP column, or the ZIP typed as the street line.
            as_line = rng.random(k) < 0.5
            zips = cols["zip"].filter(sel)
            set_("address_line1", pc.if_else(pa.array(as_line), zips, _nulls(k)))
            for col in ("address_line2", "city", "state"):
                set_(col, _nulls(k))
        elif name == "address_no_house_number":
            street = pc.replace_substring_regex(cols["address_line1"].filter(sel), r"^\d+\s+", "")
            set_("address_line1", street)
        elif name == "address_facility_only":
            pick = pa.array(rng.integers(0, len(place_data.DETENTION_FACILITIES), k))
            for col, j in (("address_line1", 0), ("city", 1), ("state", 2), ("zip", 3)):
                values = pa.array([f[j] for f in place_data.DETENTION_FACILITIES], pa.string())
                set_(col, values.take(pick))
            set_("address_line2", _nulls(k))
        elif name == "address_po_box":
            box = pc.cast(pa.array(rng.integers(1, 9999, k)), pa.string())
            label = _choice(rng, ("PO BOX", "P.O. Box", "Post Office Box", "POB"), k)
            set_("address_line1", pc.binary_join_element_wise(label, box, " "))
            set_("address_line2", _nulls(k))
        elif name == "address_zip_state_mismatch":
            states = pc.fill_null(cols["state"].filter(sel), "").to_pylist()
            number = {s: j for j, s in enumerate(zt.states)}
            idx = np.array([number.get(s.upper(), 0) for s in states], dtype=np.int64)
            set_("zip", zt.zip.take(pa.array(zt.draw_other_state(rng, idx))))
        elif name == "name_placeholder":
            style = rng.integers(0, 3, k)
            word = _choice(rng, place_data.PLACEHOLDER_NAMES, k)
            first = cols["first_name"].filter(sel)
            last = cols["last_name"].filter(sel)
            set_("first_name", pc.if_else(pa.array(style == 2), first, word))
            set_("last_name", pc.if_else(pa.array(style == 1), last, word))
            set_("middle_name", _nulls(k))
        elif name == "statute_not_permitted":
            others = [s for s in place_data.OTHER_STATUTES if s not in agreement.permitted_statutes]
            values = _choice(rng, others, k)
            set_("statute", pc.if_else(pa.array(rng.random(k) < 0.1), _nulls(k), values))
        elif name == "order_not_final":
            today = int((np.datetime64(batch_date, "D") - np.datetime64("1970-01-01", "D")).astype(int))
            # Final too recently, or not yet final at all (a future date).
            recent = today - rng.integers(0, max(el.min_days_since_final_order, 1), k)
            future = today + rng.integers(1, 120, k)
            set_("removal_order_date", iso(np.where(rng.random(k) < 0.6, recent, future)))
        elif name == "order_missing":
            set_("removal_order_date", _nulls(k))
        elif name == "case_number_missing":
            bad = _choice(rng, ("N/A", "PENDING", "TBD", "2025-004512", "HSI2025004512", "hsi-2025-4512"), k)
            pattern = re.compile(el.case_number_pattern)
            if any(pattern.fullmatch(v) for v in bad.to_pylist()):
                bad = _nulls(k)
            set_("case_number", pc.if_else(pa.array(rng.random(k) < 0.6), _nulls(k), bad))
        elif name == "officer_implausible":
            set_("investigating_officer", pa.array([implausible_officer] * k, pa.string()))
        elif name == "taxable_period_outside":
            lo, hi = el.taxable_period_earliest, el.taxable_period_latest
            before = periods(rng, lo - 8, lo - 1, k)
            after = periods(rng, hi + 1, hi + 4, k)
            u = rng.random(k)
            values = pc.if_else(pa.array(u < 0.5), before, after)
            set_("taxable_periods", pc.if_else(pa.array(u > 0.9), _nulls(k), values))
        elif name == "relevance_missing":
            short = [s for s in place_data.SHORT_RELEVANCE if len(s) < el.relevance_min_chars]
            set_("relevance", pc.if_else(pa.array(rng.random(k) < 0.4), _nulls(k), _choice(rng, short, k)))
        elif name == "tin_malformed":
            set_("tin", malformed_tins(rng, k))
    return cols
