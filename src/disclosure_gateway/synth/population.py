"""The synthetic taxpayer master file.

People are made in households (1-5 taxpayers sharing an address and usually a
surname), with the structures that make record linkage hard: Hispanic double
surnames, accents kept by the master for some names, father and son sharing a
name (SR / JR), twins, namesakes in the same ZIP, and an address history per
household whose newest row is the last known address.

Everything is an array operation over all people at once; strings are built
at the very end with pyarrow ``take`` and ``binary_join``. One seed gives one
population, byte for byte.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contracts import MASTER_COLUMNS
from . import vocab
from .data import places as place_data
from .knobs import PopulationKnobs
from .tins import draw_tins, tin_strings

Report = Callable[[str], None]

#: the steps ``generate_population_table`` reports, in order (for progress bars)
POPULATION_STEPS: tuple[str, ...] = (
    "households",
    "people",
    "names",
    "identifiers",
    "addresses",
    "rows",
    "strings",
)

_EPOCH = np.datetime64("1970-01-01", "D")
_YEAR = 365.2425


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per stage, so a change in one stage does
    not reshuffle every later one."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _days(d: date) -> int:
    return int((np.datetime64(d, "D") - _EPOCH).astype(np.int64))


def _iso(days: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(days.astype("datetime64[D]")), pa.string())


def _noop(_: str) -> None:
    return None


def _households(n: int, k: PopulationKnobs, rng: np.random.Generator) -> np.ndarray:
    w = np.asarray(k.household_size_weights, dtype=float)
    w /= w.sum()
    mean = float((w * np.arange(1, 6)).sum())
    sizes = rng.choice(5, size=int(n / mean * 1.05) + 16, p=w).astype(np.int64) + 1
    while sizes.sum() < n:
        sizes = np.concatenate([sizes, rng.choice(5, size=n // 4 + 16, p=w) + 1])
    cum = np.cumsum(sizes)
    h = int(np.searchsorted(cum, n)) + 1
    sizes = sizes[:h]
    sizes[-1] -= int(cum[h - 1] - n)
    return sizes


@dataclass(frozen=True, eq=False)
class _Plan:
    """Everything about the population as integer arrays; strings come later,
    one slice of rows at a time, so memory stays bounded at ten million people."""

    # per person
    tins: np.ndarray
    given: np.ndarray
    middle: np.ndarray  # -1: none
    s1: np.ndarray
    s2: np.ndarray  # -1: single surname
    accent: np.ndarray
    suffix: np.ndarray  # 0 none, 1 JR, 2 SR
    dob: np.ndarray
    last_year: np.ndarray
    # per address slot
    slot_zip: np.ndarray
    street: _Streets
    # per master row
    row_person: np.ndarray
    row_slot: np.ndarray
    as_of: np.ndarray


def _plan(n: int, seed: int, k: PopulationKnobs, say: Report) -> _Plan:
    given_v, sur_v, zt = vocab.given_names(), vocab.surnames(), vocab.zip_table()

    # --- households ----------------------------------------------------------
    say("households")
    rng = stream(seed, "households")
    sizes = _households(n, k, rng)
    n_hh = len(sizes)
    hh_start = np.cumsum(sizes) - sizes
    hh = np.repeat(np.arange(n_hh, dtype=np.int64), sizes)
    pos = np.arange(n, dtype=np.int64) - hh_start[hh]
    hh_zip = zt.draw(rng, n_hh)
    scale = k.hispanic_share / vocab.national_hispanic_share()
    hh_hisp = rng.random(n_hh) < np.clip(zt.hispanic[hh_zip] * scale, 0.0, 1.0)
    hh_jr = (sizes >= 3) & (rng.random(n_hh) < k.jr_sr_share)
    hh_twins = (sizes >= 4) & (rng.random(n_hh) < k.twin_share)

    # --- people: role, sex, age ------------------------------------------------
    say("people")
    rng = stream(seed, "people")
    hisp = hh_hisp[hh]
    spouse = (pos == 1) & (rng.random(n) < 0.7)
    other_adult = (pos == 1) & ~spouse
    child = pos >= 2
    heads = hh_start
    female = rng.random(n) < 0.5
    female[heads[hh_jr]] = False
    female[heads[hh_jr] + 2] = False
    # Mixed-sex couples mostly; a few same-sex ones.
    female = np.where(spouse, np.where(rng.random(n) < 0.95, ~female[heads[hh]], female[heads[hh]]), female)
    head_age = 18 + 72 * rng.beta(2.2, 3.0, n_hh)
    head_age = np.where(sizes >= 3, np.maximum(head_age, 36 + 20 * rng.random(n_hh)), head_age)
    age = head_age[hh]
    age = np.where(spouse, np.clip(age + rng.normal(0, 4, n), 18, 99), age)
    age = np.where(other_adult, 18 + 60 * rng.beta(2.0, 3.0, n), age)
    kid_age = age - rng.uniform(18, 40, n)
    kid_age = np.where(kid_age < 14, 14 + 8 * rng.random(n), kid_age)
    age = np.where(child, kid_age, age)
    latest = date(k.latest_tax_year + 1, 6, 30)
    dob = (_days(latest) - age * _YEAR - rng.integers(0, 365, n)).astype(np.int64)
    twin_b = heads[hh_twins] + 3
    dob[twin_b] = dob[twin_b - 1]

    # --- names -------------------------------------------------------------------
    say("names")
    rng = stream(seed, "names")
    seg = np.where(hisp, vocab.HISPANIC_MALE, vocab.MALE) + female.astype(np.int64)
    given = given_v.draw(rng, seg)
    middle = given_v.draw(rng, seg)
    # Compound names ("MARIA GUADALUPE") are given names, not middle names.
    compound = np.array([" " in g for g in given_v.plain])
    middle = np.where((middle == given) | compound[middle], given_v.other_than(middle, seg), middle)
    middle_p = np.where(hisp, k.middle_name_share * 0.4, k.middle_name_share)
    middle = np.where(rng.random(n) < middle_p, middle, -1)
    accent = hisp & (rng.random(n) < k.accent_share)

    s_general = sur_v.draw(rng, np.full(n_hh, vocab.GENERAL))
    s_hisp = sur_v.draw(rng, np.full(n_hh, vocab.HISPANIC))
    hh_s1 = np.where(hh_hisp, s_hisp, s_general)
    # The household's second Hispanic surname: the mother's, the children's second.
    hh_s2 = sur_v.draw(rng, np.full(n_hh, vocab.HISPANIC_SINGLE))
    clash = hh_s2 == hh_s1
    hh_s2[clash] = sur_v.other_than(hh_s2[clash], np.full(int(clash.sum()), vocab.HISPANIC_SINGLE))
    own_general = sur_v.draw(rng, np.full(n, vocab.GENERAL))
    own_hisp = sur_v.draw(rng, np.full(n, vocab.HISPANIC_SINGLE))

    s1 = hh_s1[hh].copy()
    s2 = np.full(n, -1, dtype=np.int32)
    double = hisp & (rng.random(n) < k.double_surname_share)
    keeps = spouse & (hisp | (rng.random(n) < k.spouse_keeps_surname_share))
    roommate = other_adult & (rng.random(n) < 0.5)
    s1 = np.where(keeps & hisp, hh_s2[hh], s1)
    s1 = np.where((keeps | roommate) & ~hisp, own_general, s1)
    s1 = np.where(roommate & hisp, own_hisp, s1)
    second = np.where(child, hh_s2[hh], own_hisp)
    second = np.where(second == s1, sur_v.other_than(second, np.full(n, vocab.HISPANIC_SINGLE)), second)
    s2 = np.where(double, second, s2).astype(np.int32)

    # SR / JR: the son takes the father's full name.
    jr = heads[hh_jr] + 2
    sr = heads[hh_jr]
    given[jr] = given[sr]
    middle[jr] = middle[sr]
    s1[jr], s2[jr], accent[jr] = s1[sr], s2[sr], accent[sr]
    suffix = np.zeros(n, dtype=np.int8)
    suffix[sr], suffix[jr] = 2, 1  # index into [null, "JR", "SR"]

    # Twins: same surname and birthday, different given names.
    ta = twin_b - 1
    s1[twin_b], s2[twin_b] = s1[ta], s2[ta]
    same = given[twin_b] == given[ta]
    given[twin_b[same]] = given_v.other_than(given[twin_b[same]], seg[twin_b[same]])

    # Namesakes: a taxpayer living alone takes the name of someone else in his ZIP.
    _plant_namesakes(rng, k, hh, hh_zip, sizes, hh_start, suffix, twin_b, given, s1, s2, accent, female)

    # --- identifiers and tax years -------------------------------------------------
    say("identifiers")
    rng = stream(seed, "identifiers")
    tins = draw_tins(rng, n, k.itin_share)
    last_year = np.where(
        rng.random(n) < k.current_tax_year_share,
        k.latest_tax_year,
        k.latest_tax_year - rng.integers(1, 7, n),
    ).astype(np.int32)

    # --- addresses (per household: the current one and earlier ones) ---------------
    say("addresses")
    rng = stream(seed, "addresses")
    n_prev = np.where(
        rng.random(n_hh) < k.moved_share, rng.integers(1, k.max_previous_addresses + 1, n_hh), 0
    )
    slots = 1 + n_prev
    slot_start = np.cumsum(slots) - slots
    n_slots = int(slots.sum())
    slot_hh = np.repeat(np.arange(n_hh), slots)
    slot_k = np.arange(n_slots) - slot_start[slot_hh]
    current_slot = slot_k == n_prev[slot_hh]
    same_state = rng.random(n_slots) < 0.6
    slot_zip = np.where(
        current_slot,
        hh_zip[slot_hh],
        np.where(same_state, zt.draw_in_state(rng, zt.state_of[hh_zip[slot_hh]]), zt.draw(rng, n_slots)),
    )
    street = _draw_streets(rng, n_slots, k)
    # Days before the current move-in; older slots lie further back.
    gap = np.where(current_slot, 0, rng.integers(200, 2600, n_slots))
    c = np.cumsum(gap)
    last_of_hh = slot_start + n_prev
    offset = c[last_of_hh[slot_hh]] - c + gap
    hh_moved_in = rng.integers(_days(date(2006, 1, 1)), _days(date(k.latest_tax_year + 1, 4, 15)), n_hh)

    # --- rows ------------------------------------------------------------------------
    say("rows")
    limit = np.array(
        [_days(date(y + 1, 4, 15)) for y in range(k.latest_tax_year - 7, k.latest_tax_year + 1)]
    )[last_year - (k.latest_tax_year - 7)]
    current_in = np.minimum(hh_moved_in[hh], limit - rng.integers(0, 200, n))
    order = np.argsort(tins, kind="stable")
    per_person = slots[hh[order]]
    row_person = np.repeat(order, per_person)
    row_k = np.arange(len(row_person)) - np.repeat(np.cumsum(per_person) - per_person, per_person)
    row_slot = slot_start[hh[row_person]] + row_k
    as_of = current_in[row_person] - offset[row_slot]
    # Nobody has an address on file from before they were sixteen.
    keep = current_slot[row_slot] | (as_of >= dob[row_person] + int(16 * _YEAR))
    row_person, row_slot, as_of = row_person[keep], row_slot[keep], as_of[keep]

    return _Plan(
        tins=tins,
        given=given,
        middle=middle.astype(np.int32),
        s1=s1.astype(np.int32),
        s2=s2,
        accent=accent,
        suffix=suffix,
        dob=dob,
        last_year=last_year,
        slot_zip=slot_zip.astype(np.int32),
        street=street,
        row_person=row_person,
        row_slot=row_slot,
        as_of=as_of,
    )


#: master rows turned into strings at a time (one Parquet row group each)
ROWS_PER_BATCH = 1 << 20

_SCHEMA = pa.schema([(c, pa.int32() if c == "last_tax_year" else pa.string()) for c in MASTER_COLUMNS])


def _rows(plan: _Plan, lo: int, hi: int) -> pa.RecordBatch:
    """Master rows ``lo:hi`` as strings, gathered straight from the vocabularies."""
    given_v, sur_v, zt = vocab.given_names(), vocab.surnames(), vocab.zip_table()
    person = plan.row_person[lo:hi]
    slot = plan.row_slot[lo:hi]
    accent = plan.accent[person]
    middle = plan.middle[person]
    s2 = plan.s2[person]
    last = pc.binary_join_element_wise(
        sur_v.forms.take(pa.array(plan.s1[person] + sur_v.size * accent)),
        sur_v.forms.take(pa.array(np.where(s2 >= 0, s2 + sur_v.size * accent, 0), mask=s2 < 0)),
        " ",
        null_handling="skip",
    )
    zips = pa.array(plan.slot_zip[slot])
    line1, line2 = _street_lines(plan.street, slot)
    columns = {
        "tin": tin_strings(plan.tins[person]),
        "first_name": given_v.forms.take(pa.array(plan.given[person] + given_v.size * accent)),
        "middle_name": given_v.forms.take(
            pa.array(np.where(middle >= 0, middle + given_v.size * accent, 0), mask=middle < 0)
        ),
        "last_name": last,
        "suffix": pa.array([None, "JR", "SR"], type=pa.string()).take(pa.array(plan.suffix[person])),
        "dob": _iso(plan.dob[person]),
        "address_line1": line1,
        "address_line2": line2,
        "city": zt.city.take(zips),
        "state": zt.state.take(zips),
        "zip": zt.zip.take(zips),
        "address_as_of": _iso(plan.as_of[lo:hi]),
        "last_tax_year": pa.array(plan.last_year[person], type=pa.int32()),
    }
    return pa.record_batch([columns[c] for c in MASTER_COLUMNS], schema=_SCHEMA)


def iter_population(
    n: int, seed: int, knobs: PopulationKnobs | None = None, report: Report | None = None
) -> Iterator[pa.RecordBatch]:
    """The master file in record batches of ``ROWS_PER_BATCH`` rows: columns
    ``contracts.MASTER_COLUMNS``, several rows per taxpayer, sorted by TIN then
    ``address_as_of``."""
    if n < 1:
        raise ValueError("a population needs at least one taxpayer")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    say = report or _noop
    plan = _plan(n, seed, knobs or PopulationKnobs(), say)
    say("strings")
    total = len(plan.row_person)
    for lo in range(0, total, ROWS_PER_BATCH):
        yield _rows(plan, lo, min(lo + ROWS_PER_BATCH, total))


def population_schema() -> pa.Schema:
    return _SCHEMA


def generate_population_table(
    n: int, seed: int, knobs: PopulationKnobs | None = None, report: Report | None = None
) -> pa.Table:
    """The whole master file as one Arrow table (see ``iter_population``)."""
    return pa.Table.from_batches(list(iter_population(n, seed, knobs, report)), schema=_SCHEMA)


def _plant_namesakes(
    rng: np.random.Generator,
    k: PopulationKnobs,
    hh: np.ndarray,
    hh_zip: np.ndarray,
    sizes: np.ndarray,
    hh_start: np.ndarray,
    suffix: np.ndarray,
    twin_b: np.ndarray,
    given: np.ndarray,
    s1: np.ndarray,
    s2: np.ndarray,
    accent: np.ndarray,
    female: np.ndarray,
) -> None:
    n = len(hh)
    special = suffix > 0
    special[twin_b] = True
    special[twin_b - 1] = True
    source = np.flatnonzero((rng.random(n) < k.namesake_share) & ~special)
    singles = np.flatnonzero(sizes == 1)
    singles = singles[np.argsort(hh_zip[singles], kind="stable")]
    single_zip = hh_zip[singles]
    if len(singles) == 0 or len(source) == 0:
        return
    z = hh_zip[hh[source]]
    lo = np.searchsorted(single_zip, z, side="left")
    width = np.searchsorted(single_zip, z, side="right") - lo
    span = np.maximum(width, 1)
    r = rng.integers(0, 1 << 30, len(source))
    last = len(singles) - 1
    target_hh = singles[np.minimum(lo + r % span, last)]
    # Never one's own namesake: step to the next single in the ZIP instead.
    own = target_hh == hh[source]
    target_hh = np.where(own, singles[np.minimum(lo + (r + 1) % span, last)], target_hh)
    ok = (width > 0) & (target_hh != hh[source])
    source, target = source[ok], hh_start[target_hh[ok]]
    target, first = np.unique(target, return_index=True)
    source = source[first]
    # A source that is itself renamed would pass on a name it no longer has.
    taken = ~np.isin(target, source)
    source, target = source[taken], target[taken]
    given[target] = given[source]
    s1[target], s2[target] = s1[source], s2[source]
    accent[target], female[target] = accent[source], female[source]


@dataclass(frozen=True, eq=False)
class _Streets:
    """Street addresses as small integers per slot (house number, pre-directional,
    street, suffix, unit), rendered to ``123 N MAPLE AVE`` / ``APT 4B`` on demand."""

    number: np.ndarray
    pre: np.ndarray
    street: np.ndarray
    suffix: np.ndarray
    has_unit: np.ndarray
    unit_kind: np.ndarray
    unit_no: np.ndarray
    unit_letter: np.ndarray
    unit_style: np.ndarray


def _draw_streets(rng: np.random.Generator, k_slots: int, k: PopulationKnobs) -> _Streets:
    n_streets = len(vocab.streets())
    sw = np.array([w for _, _, w in place_data.STREET_SUFFIXES])
    # Common street names are commoner: Zipf over the list order.
    street_w = 1.0 / (np.arange(n_streets) + 5.0)
    street = np.searchsorted(np.cumsum(street_w), rng.random(k_slots) * street_w.sum(), side="right")
    suffix = np.searchsorted(np.cumsum(sw), rng.random(k_slots) * sw.sum(), side="right")
    return _Streets(
        number=np.clip(np.exp(rng.normal(6.3, 1.3, k_slots)), 1, 29999).astype(np.int32),
        pre=np.where(rng.random(k_slots) < 0.12, rng.integers(1, 5, k_slots), 0).astype(np.int8),
        street=np.minimum(street, n_streets - 1).astype(np.int16),
        suffix=np.minimum(suffix, len(sw) - 1).astype(np.int8),
        has_unit=rng.random(k_slots) < k.unit_share,
        unit_kind=(rng.random(k_slots) >= 0.85).astype(np.int8),
        unit_no=rng.integers(1, 41, k_slots).astype(np.int8),
        unit_letter=rng.integers(0, 8, k_slots).astype(np.int8),
        unit_style=np.digitize(rng.random(k_slots), [0.6, 0.85]).astype(np.int8),
    )


def _street_lines(st: _Streets, slots: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """USPS-style ``123 N MAPLE AVE`` and ``APT 4B`` (or null) for the given slots."""
    streets = pa.array(vocab.streets(), type=pa.string())
    suffixes = pa.array([s for s, _, _ in place_data.STREET_SUFFIXES], type=pa.string())
    directional = pa.array([""] + [d + " " for d, _ in place_data.DIRECTIONALS], type=pa.string())
    line1 = pc.binary_join_element_wise(
        pc.cast(pa.array(st.number[slots]), pa.string()),
        " ",
        directional.take(pa.array(st.pre[slots])),
        streets.take(pa.array(st.street[slots])),
        " ",
        suffixes.take(pa.array(st.suffix[slots])),
        "",
    )
    unit_no = pc.cast(pa.array(st.unit_no[slots]), pa.string())
    letters = pa.array(list("ABCDEFGH"), type=pa.string()).take(pa.array(st.unit_letter[slots]))
    style = st.unit_style[slots]
    # 12, 12B or B: the three shapes of an apartment number.
    value = pc.if_else(
        pa.array(style == 0),
        unit_no,
        pc.if_else(pa.array(style == 1), pc.binary_join_element_wise(unit_no, letters, ""), letters),
    )
    designator = pa.array(["APT ", "UNIT "], type=pa.string()).take(pa.array(st.unit_kind[slots]))
    line2 = pc.binary_join_element_wise(designator, value, "")
    line2 = pc.if_else(pa.array(st.has_unit[slots]), line2, pa.nulls(len(slots), pa.string()))
    return line1, line2


def street_lines(rng: np.random.Generator, k: int) -> tuple[pa.Array, pa.Array]:
    """``k`` fresh street addresses (for people made up outside the master file)."""
    return _street_lines(_draw_streets(rng, k, PopulationKnobs()), np.arange(k))


def generate_population(n: int, seed: int, knobs: PopulationKnobs | None = None) -> pd.DataFrame:
    """The master file as a pandas DataFrame (object strings, ``last_tax_year`` int)."""
    return generate_population_table(n, seed, knobs).to_pandas()
