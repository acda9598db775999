"""A synthetic request batch with its truth.

Requests are drawn for distinct taxpayers of a master file (some on purpose
among those with a namesake in their ZIP, a JR/SR, a twin, or an address
history), plus people who are not in the master file at all, often members of
a household that is. Names, dates and addresses are garbled as requesters do
(corruptions.py), the legal fields are made valid (legal.py) and then a few
requests are spoiled on purpose (defects.py). The truth file says, per
request, whom it really means, whether the address is that taxpayer's last
known one, and which corruptions and defects it carries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..agreement import Agreement
from ..contracts import DEFECT_KINDS, REQUEST_COLUMNS, TRUTH_COLUMNS
from ..errors import InputError
from . import corruptions as cx
from . import defects, vocab
from .corruptions import ADDRESS_KINDS, CORRUPTION_KINDS, NAME_KINDS
from .knobs import BatchKnobs
from .legal import iso, legal_fields
from .master import MasterIndex, MasterSource, index_master
from .population import stream, street_lines

Report = Callable[[str], None]

#: the steps ``generate_batch_tables`` reports, in order (for progress bars)
BATCH_STEPS: tuple[str, ...] = ("master", "targets", "names", "absent", "legal", "defects", "truth")


def _noop(_: str) -> None:
    return None


def _dates(arr: pa.Array) -> np.ndarray:
    try:
        d = pc.cast(arr, pa.date32())
    except pa.ArrowInvalid as e:
        raise InputError("dob is not an ISO date (YYYY-MM-DD) everywhere", where="master") from e
    return d.to_numpy(zero_copy_only=False).astype("datetime64[D]").astype(np.int64)


def _pick(rng: np.random.Generator, pool: np.ndarray, used: np.ndarray, k: int) -> np.ndarray:
    """Up to ``k`` taxpayers from ``pool`` nobody has been picked for yet."""
    cand = np.flatnonzero(pool & ~used)
    if k <= 0 or not len(cand):
        return np.zeros(0, dtype=np.int64)
    chosen = rng.choice(cand, size=min(k, len(cand)), replace=False)
    used[chosen] = True
    return np.sort(chosen)


def _targets(
    rng: np.random.Generator, ix: MasterIndex, n_present: int, k: BatchKnobs, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct taxpayers to ask for, and which of them are asked at an old address."""
    if n_present > ix.taxpayers:
        raise InputError(
            f"{n_present} requests for distinct taxpayers need a master file with at least as "
            f"many taxpayers; it has {ix.taxpayers}",
            where="--requests",
        )
    used = np.zeros(ix.taxpayers, dtype=bool)
    groups = [
        _pick(rng, ix.namesake, used, round(k.namesake_share * m)),
        _pick(rng, ix.jr_sr, used, round(k.jr_sr_share * m)),
        _pick(rng, ix.twin, used, round(k.twin_share * m)),
    ]
    moved = _pick(rng, ix.count > 1, used, round(k.moved_share * m))
    picked = sum(len(g) for g in groups) + len(moved)
    rest = _pick(rng, np.ones(ix.taxpayers, dtype=bool), used, n_present - picked)
    targets = np.concatenate([*groups, moved, rest])
    is_moved = np.zeros(len(targets), dtype=bool)
    is_moved[sum(len(g) for g in groups) : picked] = True
    return targets, is_moved


def _present(
    rng: np.random.Generator, ix: MasterIndex, targets: np.ndarray, is_moved: np.ndarray, k: BatchKnobs,
    seed: int,
) -> tuple[dict[str, pa.Array], dict[str, np.ndarray]]:
    """Request columns and corruption flags for requests about real taxpayers."""
    n = len(targets)
    t = ix.table
    cur = pa.array(ix.current[targets])
    old = ix.start[targets] + np.floor(rng.random(n) * np.maximum(ix.count[targets] - 1, 1)).astype(np.int64)
    row = pa.array(np.where(is_moved, old, ix.current[targets]))
    flags: dict[str, np.ndarray] = {kind: np.zeros(n, dtype=bool) for kind in CORRUPTION_KINDS}
    flags["moved"] = is_moved.copy()
    flags["namesake"] = ix.namesake[targets]
    flags["jr_sr"] = ix.jr_sr[targets]
    flags["twin"] = ix.twin[targets]

    def col(name: str, rows: pa.Array) -> pa.Array:
        return t[name].take(rows).combine_chunks()

    first = pc.utf8_upper(col("first_name", cur))
    middle = pc.utf8_upper(col("middle_name", cur))
    last = pc.utf8_upper(col("last_name", cur))
    last, flags["double_surname_partial"] = cx.double_surname_partial(
        rng, last, k.double_surname_partial_share
    )
    first, flags["nickname"] = cx.nickname(rng, first, k.nickname_share)
    (first, middle, last), flags["accent_dropped"], flags["accent_kept"] = cx.accents(
        rng, [first, middle, last], k.accent_dropped_share
    )
    first, last, flags["typo"] = cx.typo(rng, first, last, k.typo_share)
    suffix = pc.utf8_upper(pc.fill_null(col("suffix", cur), ""))
    append = flags["jr_sr"] & (rng.random(n) < k.suffix_in_last_name_share)
    last = pc.if_else(pa.array(append), pc.binary_join_element_wise(last, suffix, " "), last)
    style = rng.random(n)
    has_middle = pc.is_valid(middle).to_numpy(zero_copy_only=False)
    initial = has_middle & (style < k.middle_initial_share)
    omitted = has_middle & ~initial & (style < k.middle_initial_share + k.middle_omitted_share)
    middle = pc.if_else(pa.array(initial), pc.utf8_slice_codeunits(middle, 0, 1), middle)
    middle = pc.if_else(pa.array(omitted), pa.nulls(n, pa.string()), middle)
    first, last, flags["name_swap"] = cx.name_swap(rng, first, last, k.name_swap_share)

    dob = _dates(col("dob", cur))
    dob, flags["dob_transposed"] = cx.dob_transposed(rng, dob, k.dob_transposed_share)
    dob, flags["dob_off"] = cx.dob_off(rng, dob, k.dob_off_share, skip=flags["dob_transposed"])
    # The further error kinds draw from streams of their own, so a batch made with
    # them at zero (the default) is the same, byte for byte, as before they existed.
    xr = stream(seed, "errors")
    done = flags["dob_transposed"] | flags["dob_off"]
    dob, flags["dob_part"] = cx.dob_part(xr, dob, k.dob_part_share, skip=done)
    done |= flags["dob_part"]
    dob, flags["dob_year"] = cx.dob_year(xr, dob, k.dob_year_share, skip=done)
    done |= flags["dob_year"]
    dob_text, flags["dob_missing"], flags["dob_unparseable"] = cx.dob_text(
        xr, iso(dob), k.dob_missing_share, k.dob_unparseable_share, skip=done)

    line1, line2, zip_, flags["address_variant"] = cx.address_variant(
        rng,
        pc.utf8_upper(col("address_line1", row)),
        pc.utf8_upper(col("address_line2", row)),
        col("zip", row),
        k.address_variant_share,
    )
    moved_new = ~is_moved & (xr.random(n) < k.moved_new_share)
    if moved_new.any():
        # A new address the master never held, in the same state (people mostly move near).
        zt = vocab.zip_table()
        state = pc.utf8_upper(col("state", row)).to_pylist()
        picks = np.flatnonzero(moved_new)
        state_no = {st: i for i, st in enumerate(zt.states)}
        zips = zt.draw_in_state(xr, np.array([state_no.get(state[i], 0) for i in picks]))
        new1, new2 = street_lines(xr, len(picks))
        line1 = cx.put(line1, moved_new, new1)
        line2 = cx.put(line2, moved_new, new2)
        zip_ = cx.put(zip_, moved_new, zt.zip.take(pa.array(zips)))
        city = cx.put(pc.utf8_upper(col("city", row)), moved_new, zt.city.take(pa.array(zips)))
    else:
        city = pc.utf8_upper(col("city", row))
    flags["moved_new"] = moved_new
    flags["address_variant"] &= ~moved_new
    r = xr.random(n)
    flags["zip_missing"] = r < k.zip_missing_share
    flags["city_missing"] = (r >= k.zip_missing_share) & (r < k.zip_missing_share + k.city_missing_share)
    zip_ = cx.put(zip_, flags["zip_missing"], pa.nulls(int(flags["zip_missing"].sum()), pa.string()))
    city = cx.put(city, flags["city_missing"], pa.nulls(int(flags["city_missing"].sum()), pa.string()))
    tin = col("tin", cur)
    gives_tin = rng.random(n) < k.tin_dashed_share, rng.random(n) < k.tin_share
    tin, flags["tin_digit"], flags["tin_transposed"] = cx.tin_slip(
        xr, tin, k.tin_digit_share, k.tin_transposed_share)
    tin = pc.if_else(pa.array(gives_tin[0]), _dashed(tin), tin)
    tin = pc.if_else(pa.array(gives_tin[1]), tin, pa.nulls(n, pa.string()))
    flags["tin_digit"] &= gives_tin[1]
    flags["tin_transposed"] &= gives_tin[1]
    cols = {
        "first_name": first,
        "middle_name": middle,
        "last_name": last,
        "dob": dob_text,
        "tin": tin,
        "address_line1": line1,
        "address_line2": line2,
        "city": city,
        "state": pc.utf8_upper(col("state", row)),
        "zip": zip_,
    }
    return cols, flags


def _dashed(tin: pa.Array) -> pa.Array:
    nine = pc.match_substring_regex(pc.fill_null(tin, ""), r"^\d{9}$")
    joined = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(tin, 0, 3),
        pc.utf8_slice_codeunits(tin, 3, 5),
        pc.utf8_slice_codeunits(tin, 5, 9),
        "-",
    )
    return pc.if_else(nine, joined, tin)


def _absent(
    rng: np.random.Generator, ix: MasterIndex, n: int, k: BatchKnobs, batch_date: date
) -> dict[str, pa.Array]:
    """People who are not in the master file: mostly someone new at a taxpayer's
    address (a relative who never filed), else someone made up from scratch."""
    g, zt = vocab.given_names(), vocab.zip_table()
    hisp_names = vocab.hispanic_surnames_folded()
    t = ix.table
    in_household = rng.random(n) < k.absent_household_share
    src = rng.integers(0, ix.taxpayers, n)
    cur = pa.array(ix.current[src])

    def col(name: str) -> pa.Array:
        return pc.utf8_upper(t[name].take(cur).combine_chunks())

    last = col("last_name")
    first_tok = pc.list_element(pc.split_pattern(pc.fill_null(last, "X"), " "), 0)
    hisp = pc.is_in(cx.fold_array(first_tok), value_set=pa.array(sorted(hisp_names))).to_numpy(
        zero_copy_only=False
    )
    # Made-up people: Hispanic about as often as the population is.
    hisp = np.where(in_household, hisp, rng.random(n) < 0.19)
    seg = np.where(hisp, vocab.HISPANIC_MALE, vocab.MALE) + (rng.random(n) < 0.5)
    given = g.draw(rng, seg)
    # Nobody new may share a first name with a taxpayer already at that address.
    # Sorted for searchsorted; a plain sort, as np.unique's hash path is slow here.
    keys = np.sort(ix.resident_keys())
    width = len(ix.first_codes) + 1
    code_of = np.array([ix.first_codes.get(p, width - 1) for p in g.plain], dtype=np.int64)
    clash = np.zeros(n, dtype=bool)
    for _ in range(6):
        want = ix.address_code[src] * width + code_of[given]
        at = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
        clash = in_household & (keys[at] == want)
        if not clash.any():
            break
        given[clash] = g.other_than(given[clash], seg[clash])
    # Whoever still clashes after a few tries is made up from scratch instead.
    in_household &= ~clash

    sur = vocab.surnames()
    made_last = sur.forms.take(pa.array(sur.draw(rng, np.where(hisp, vocab.HISPANIC, vocab.GENERAL))))
    made_last = pc.utf8_upper(cx.fold_array(made_last))
    zips = zt.draw(rng, n)
    line1, line2 = street_lines(rng, n)
    made = pa.array(~in_household)
    middle = g.forms.take(pa.array(g.draw(rng, seg)))
    age_days = np.floor(rng.uniform(16, 85, n) * 365.2425).astype(np.int64)
    today = int((np.datetime64(batch_date, "D") - np.datetime64("1970-01-01", "D")).astype(np.int64))
    return {
        "first_name": g.forms.take(pa.array(given)),
        "middle_name": pc.if_else(pa.array(rng.random(n) < 0.4), middle, pa.nulls(n, pa.string())),
        "last_name": pc.if_else(made, made_last, last),
        "dob": iso(today - age_days),
        "tin": pa.nulls(n, pa.string()),
        "address_line1": pc.if_else(made, line1, col("address_line1")),
        "address_line2": pc.if_else(made, line2, col("address_line2")),
        "city": pc.if_else(made, zt.city.take(pa.array(zips)), col("city")),
        "state": pc.if_else(made, zt.state.take(pa.array(zips)), col("state")),
        "zip": pc.if_else(made, zt.zip.take(pa.array(zips)), t["zip"].take(cur).combine_chunks()),
    }


def _list_column(flags: dict[str, np.ndarray], kinds: tuple[str, ...], m: int) -> pa.Array:
    """list<string> per row: the kinds whose flag is set, in ``kinds`` order."""
    matrix = np.stack([flags[kd] for kd in kinds], axis=1) if kinds else np.zeros((m, 0), bool)
    _, which = np.nonzero(matrix)
    offsets = np.concatenate([[0], np.cumsum(matrix.sum(axis=1))]).astype(np.int32)
    values = pa.array(np.asarray(kinds, dtype=object)[which] if len(which) else [], pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def generate_batch_tables(
    master: MasterSource | MasterIndex,
    m: int,
    seed: int,
    knobs: BatchKnobs | None = None,
    batch_date: date | None = None,
    agreement: Agreement | None = None,
    report: Report | None = None,
) -> tuple[pa.Table, pa.Table]:
    """Records (``REQUEST_COLUMNS``, all strings) and truth (``TRUTH_COLUMNS``)."""
    if m < 1:
        raise InputError("a batch needs at least one request", where="--requests")
    if seed < 0:
        raise InputError("seed must be a non-negative integer", where="--seed")
    k = knobs or BatchKnobs()
    say = report or _noop
    if agreement is None:
        from .io import reference_agreement

        agreement = reference_agreement()
    day = batch_date or datetime.now(UTC).date()
    if m > agreement.limits.max_records_per_batch:
        raise InputError(
            f"{m} requests exceed the agreement's max_records_per_batch "
            f"({agreement.limits.max_records_per_batch})",
            where="--requests",
        )

    say("master")
    ix = master if isinstance(master, MasterIndex) else index_master(master)

    say("targets")
    rng = stream(seed, "targets")
    n_absent = round(k.absent_share * m)
    targets, is_moved = _targets(rng, ix, m - n_absent, k, m)
    # Shuffle so the kinds of request are spread through the file.
    order = np.argsort(rng.permutation(m), kind="stable")

    say("names")
    present, flags = _present(stream(seed, "present"), ix, targets, is_moved, k, seed)

    say("absent")
    absent = _absent(stream(seed, "absent"), ix, n_absent, k, day)
    arrow_order = pa.array(order)
    cols: dict[str, pa.Array] = {
        c: pa.concat_arrays([present[c], absent[c].cast(pa.string())]).take(arrow_order) for c in present
    }
    flag_all = {
        kd: np.concatenate([flags[kd], np.full(n_absent, kd == "absent")])[order] for kd in CORRUPTION_KINDS
    }
    true_tin = pa.concat_arrays(
        [
            ix.table["tin"].take(pa.array(ix.current[targets])).combine_chunks(),
            pa.nulls(n_absent, pa.string()),
        ]
    ).take(arrow_order)

    rng = stream(seed, "style")
    upper = rng.random(m) < k.upper_case_share
    for c in ("first_name", "middle_name", "last_name", "address_line1", "address_line2", "city"):
        cols[c] = cx.letter_case(cols[c], upper)

    say("legal")
    legal = legal_fields(stream(seed, "legal"), m, agreement, day, k)
    cols.update(legal.columns)
    width = max(7, len(str(m)))
    cols["request_id"] = pc.binary_join_element_wise(
        "REQ", pc.utf8_lpad(pc.cast(pa.array(np.arange(1, m + 1)), pa.string()), width, "0"), "-"
    )

    say("defects")
    rng = stream(seed, "defects")
    cap = agreement.eligibility.max_open_investigations_per_officer
    kind = defects.assign(rng, m, k.defects, cap)
    cols = defects.apply(
        rng, cols, kind, agreement=agreement, batch_date=day, implausible_officer=legal.implausible_officer
    )

    say("truth")
    defect_flags = {d: kind == i for i, d in enumerate(DEFECT_KINDS)}
    spoiled_address = np.isin(kind, [DEFECT_KINDS.index(d) for d in defects.ADDRESS_DEFECTS])
    spoiled_name = np.isin(kind, [DEFECT_KINDS.index(d) for d in defects.NAME_DEFECTS])
    for kd in ADDRESS_KINDS:
        flag_all[kd] &= ~spoiled_address
    for kd in NAME_KINDS:
        flag_all[kd] &= ~spoiled_name
    present_mask = ~flag_all["absent"]
    last_known = present_mask & ~flag_all["moved"] & ~flag_all["moved_new"] & ~spoiled_address
    records = pa.table({c: cols[c].cast(pa.string()) for c in REQUEST_COLUMNS})
    truth = pa.table(
        {
            "request_id": cols["request_id"],
            "true_tin": true_tin,
            "address_is_last_known": pa.array(last_known),
            "corruptions": _list_column(flag_all, CORRUPTION_KINDS, m),
            "defects": _list_column(defect_flags, DEFECT_KINDS, m),
        }
    )
    assert tuple(truth.column_names) == TRUTH_COLUMNS
    return records, truth


def generate_batch(
    master: MasterSource | MasterIndex,
    m: int,
    seed: int,
    knobs: BatchKnobs | None = None,
    batch_date: date | None = None,
    agreement: Agreement | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records and truth as pandas DataFrames (strings; lists for truth kinds)."""
    records, truth = generate_batch_tables(master, m, seed, knobs, batch_date, agreement)
    return records.to_pandas(), truth.to_pandas()
