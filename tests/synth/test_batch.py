"""Request batches: every defect kind and every corruption kind is planted, and
the truth file says exactly what was done to each request."""

from __future__ import annotations

import re
from datetime import date, timedelta

import jellyfish
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import zipcodes
from nicknames import NickNamer
from unidecode import unidecode

from disclosure_gateway.contracts import DEFECT_KINDS, REQUEST_COLUMNS, TRUTH_COLUMNS
from disclosure_gateway.errors import InputError
from disclosure_gateway.synth import (
    CORRUPTION_KINDS,
    BatchKnobs,
    MasterIndex,
    build_knobs,
    generate_batch,
    generate_batch_tables,
    generate_population_table,
    is_valid_tin,
    reference_agreement,
)
from disclosure_gateway.synth.data import places

from .conftest import BATCH_DATE, BATCH_SEED

AGREEMENT = reference_agreement()
EL = AGREEMENT.eligibility
PO_BOX = re.compile(r"^(PO BOX|P\.O\. BOX|POST OFFICE BOX|POB) \d+$", re.IGNORECASE)
FACILITIES = {f[0] for f in places.DETENTION_FACILITIES}
STATE_OF = {z["zip_code"]: z["state"] for z in zipcodes.list_all()}


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA


def violations(records: pd.DataFrame) -> list[set[str]]:
    """The legal defect kinds each record exhibits, judged from the record alone
    (what a gate would see), with the agreement's rules."""
    officer_load = records["investigating_officer"].value_counts()
    latest_order = BATCH_DATE - timedelta(days=EL.min_days_since_final_order)
    out = []
    for r in records.itertuples(index=False):
        v: set[str] = set()
        line1 = None if _blank(r.address_line1) else str(r.address_line1)
        zip_ = None if _blank(r.zip) else str(r.zip)
        if line1 in places.PLACEHOLDER_ADDRESSES:
            v.add("address_placeholder")
        if zip_ == "00000":
            v.add("address_zero_zip")
        if (line1 is None or line1 == zip_) and _blank(r.city) and _blank(r.state):
            v.add("address_zip_only")
        special = (
            line1 in places.PLACEHOLDER_ADDRESSES or line1 in FACILITIES or bool(PO_BOX.match(line1 or ""))
        )
        if line1 is not None and line1 != zip_ and not special and not line1[0].isdigit():
            v.add("address_no_house_number")
        if line1 in FACILITIES:
            v.add("address_facility_only")
        if PO_BOX.match(line1 or ""):
            v.add("address_po_box")
        if zip_ and zip_ != "00000" and not _blank(r.state) and STATE_OF.get(zip_[:5]) != r.state:
            v.add("address_zip_state_mismatch")
        names = {str(r.first_name).upper(), str(r.last_name).upper()}
        if names & set(places.PLACEHOLDER_NAMES):
            v.add("name_placeholder")
        if _blank(r.statute) or r.statute not in AGREEMENT.permitted_statutes:
            v.add("statute_not_permitted")
        if _blank(r.removal_order_date):
            v.add("order_missing")
        elif date.fromisoformat(r.removal_order_date) > latest_order:
            v.add("order_not_final")
        if _blank(r.case_number) or not re.fullmatch(EL.case_number_pattern, r.case_number):
            v.add("case_number_missing")
        if officer_load[r.investigating_officer] > EL.max_open_investigations_per_officer:
            v.add("officer_implausible")
        years = [] if _blank(r.taxable_periods) else [int(y) for y in str(r.taxable_periods).split(";")]
        if not years or any(not EL.taxable_period_earliest <= y <= EL.taxable_period_latest for y in years):
            v.add("taxable_period_outside")
        if _blank(r.relevance) or len(str(r.relevance)) < EL.relevance_min_chars:
            v.add("relevance_missing")
        if not _blank(r.tin) and not is_valid_tin(str(r.tin)):
            v.add("tin_malformed")
        out.append(v)
    return out


def test_files_have_the_contract_columns(
    batch: tuple[pd.DataFrame, pd.DataFrame], master_index: MasterIndex
) -> None:
    records, truth = batch
    assert tuple(records.columns) == REQUEST_COLUMNS
    assert tuple(truth.columns) == TRUTH_COLUMNS
    rec_t, truth_t = generate_batch_tables(master_index, 50, 1, batch_date=BATCH_DATE)
    assert all(f.type == pa.string() for f in rec_t.schema)
    assert truth_t.schema.field("corruptions").type == pa.list_(pa.string())
    assert truth_t.schema.field("defects").type == pa.list_(pa.string())
    assert truth_t.schema.field("address_is_last_known").type == pa.bool_()
    assert records["request_id"].is_unique
    assert (records["request_id"] == truth["request_id"]).all()


def test_every_defect_kind_is_planted_in_exact_numbers(batch: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, truth = batch
    assert truth["defects"].map(len).max() == 1
    counts = truth["defects"].explode().value_counts()
    shares = BatchKnobs().defects
    for kind in DEFECT_KINDS:
        want = (
            EL.max_open_investigations_per_officer + 1
            if kind == "officer_implausible"
            else round(shares[kind] * len(truth))
        )
        assert counts.get(kind, 0) == want, kind


def test_truth_defects_are_exactly_what_the_records_show(batch: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    records, truth = batch
    seen = violations(records)
    for found, planted, rid in zip(seen, truth["defects"], truth["request_id"], strict=True):
        assert found == set(planted), (rid, found, list(planted))


def test_valid_requests_meet_every_rule(batch: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    records, truth = batch
    valid = records[truth["defects"].map(len) == 0]
    assert len(valid) > 2_500
    assert valid["dob"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert valid["relevance"].str.len().min() >= 40
    tins = valid["tin"].dropna()
    assert 0.3 < len(tins) / len(valid) < 0.5
    assert valid["address_line1"].str.match(r"^\d+ ").all()
    ordinary = valid["investigating_officer"].value_counts()
    assert ordinary.max() <= BatchKnobs().officer_caseload


def test_implausible_officer_is_one_name_over_the_limit(batch: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    records, truth = batch
    flagged = records[truth["defects"].map(lambda d: "officer_implausible" in d)]
    assert flagged["investigating_officer"].nunique() == 1
    officer = flagged["investigating_officer"].iloc[0]
    assert (records["investigating_officer"] == officer).sum() > EL.max_open_investigations_per_officer
    assert flagged["case_number"].nunique() == len(flagged)


def test_every_corruption_kind_is_planted(harsh_batch: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, truth = harsh_batch
    counts = truth["corruptions"].explode().value_counts()
    for kind in CORRUPTION_KINDS:
        assert counts.get(kind, 0) >= 10, kind


def test_harsh_errors_are_what_the_truth_says(harsh_batch: tuple[pd.DataFrame, pd.DataFrame],
                                              master_df: pd.DataFrame) -> None:
    df = _joined(harsh_batch, master_df)
    digits = df["tin"].fillna("").str.replace("-", "")
    slipped = _has(df, "tin_digit") | _has(df, "tin_transposed")
    assert (digits[slipped] != df.loc[slipped, "true_tin"]).all()
    assert (digits[slipped].str.len() == 9).all()
    same_digits = digits.apply(sorted) == df["true_tin"].fillna("").apply(sorted)
    assert same_digits[_has(df, "tin_transposed")].all()
    assert df.loc[_has(df, "dob_missing"), "dob"].isna().all()
    unreadable = df.loc[_has(df, "dob_unparseable"), "dob"]
    assert not unreadable.str.fullmatch(r"\d{4}-\d{2}-\d{2}").any()
    wrong_year = df[_has(df, "dob_year")]
    gap = (wrong_year["dob"].str[:4].astype(int) - wrong_year["dob_m"].str[:4].astype(int)).abs()
    assert gap.between(2, 10).all()
    new = df[_has(df, "moved_new")]
    assert not new["address_is_last_known"].any()
    assert (new["address_line1"].str.upper() != new["address_line1_m"]).all()
    assert df.loc[_has(df, "zip_missing"), "zip"].isna().all()


def test_the_default_batch_has_none_of_the_harsh_kinds(batch: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, truth = batch
    kinds = set(truth["corruptions"].explode().dropna())
    assert not kinds & {"dob_part", "dob_year", "dob_missing", "dob_unparseable", "tin_digit",
                        "tin_transposed", "moved_new", "zip_missing", "city_missing"}


def _joined(batch: tuple[pd.DataFrame, pd.DataFrame], master_df: pd.DataFrame) -> pd.DataFrame:
    records, truth = batch
    newest = master_df.groupby("tin").tail(1).set_index("tin")
    df = records.join(truth.drop(columns="request_id"))
    present = df[df["true_tin"].notna()]
    return present.merge(newest.add_suffix("_m"), left_on="true_tin", right_index=True, how="left")


def _has(df: pd.DataFrame, kind: str) -> pd.Series:
    return df["corruptions"].map(lambda c: kind in c)


NAME_GARBLING = {"double_surname_partial", "name_swap", "nickname", "accent_dropped", "typo"}


def _name_kinds(c: object) -> set[str]:
    return set(c) & NAME_GARBLING  # type: ignore[call-overload]


def _up(s: object) -> str:
    return unidecode(str(s)).upper()


def test_absent_people_are_not_in_the_master_file(
    batch: tuple[pd.DataFrame, pd.DataFrame], master_df: pd.DataFrame
) -> None:
    records, truth = batch
    absent = truth["corruptions"].map(lambda c: "absent" in c)
    assert (absent == truth["true_tin"].isna()).all()
    assert not truth.loc[absent, "address_is_last_known"].any()
    # Someone elsewhere may share a name and a birthday; nobody in the same ZIP does.
    people = set(
        zip(
            master_df["first_name"].map(_up),
            master_df["last_name"].map(_up),
            master_df["dob"],
            master_df["zip"],
            strict=True,
        )
    )
    rows = records[absent]
    assert not any(
        (_up(f), _up(last), d, z) in people
        for f, last, d, z in zip(rows["first_name"], rows["last_name"], rows["dob"], rows["zip"], strict=True)
    )
    # Most of them live with a taxpayer: their street line is a master address.
    streets = set(master_df["address_line1"].str.upper())
    assert rows["address_line1"].str.upper().isin(streets).mean() > 0.5


def test_address_truth_matches_the_master_history(
    batch: tuple[pd.DataFrame, pd.DataFrame], master_df: pd.DataFrame
) -> None:
    df = _joined(batch, master_df)
    plain = df[(df["defects"].map(len) == 0) & ~_has(df, "address_variant")]
    same = (plain["address_line1"].str.upper() == plain["address_line1_m"]) & (plain["zip"] == plain["zip_m"])
    assert (same == plain["address_is_last_known"]).all()
    moved = plain[_has(plain, "moved")]
    assert len(moved) > 100 and not moved["address_is_last_known"].any()
    history = set(zip(master_df["tin"], master_df["address_line1"], master_df["zip"], strict=True))
    assert all(
        (t, a.upper(), z) in history
        for t, a, z in zip(moved["true_tin"], moved["address_line1"], moved["zip"], strict=True)
    )


def test_address_variants_keep_the_house_number_and_zip(
    batch: tuple[pd.DataFrame, pd.DataFrame], master_df: pd.DataFrame
) -> None:
    df = _joined(batch, master_df)
    v = df[_has(df, "address_variant") & ~_has(df, "moved") & (df["defects"].map(len) == 0)]
    assert len(v) > 300
    assert (v["zip"].str[:5] == v["zip_m"]).all()
    assert (v["address_line1"].str.split().str[0] == v["address_line1_m"].str.split().str[0]).all()
    changed = (
        (v["address_line1"].str.upper() != v["address_line1_m"])
        | (v["zip"] != v["zip_m"])
        | (v["address_line2"].fillna("").str.upper() != v["address_line2_m"].fillna(""))
    )
    assert changed.all()
    assert v["zip"].str.fullmatch(r"\d{5}-\d{4}").any()
    assert v["address_line2"].fillna("").str.startswith("#").any()


def test_name_corruptions_do_what_they_say(
    batch: tuple[pd.DataFrame, pd.DataFrame], master_df: pd.DataFrame
) -> None:
    df = _joined(batch, master_df)
    df = df[df["defects"].map(len) == 0]
    kinds = df["corruptions"].map(_name_kinds)
    namer = NickNamer()

    nick = df[kinds.map(lambda k: k <= {"nickname", "accent_dropped"} and "nickname" in k)]
    assert len(nick) > 50
    assert all(
        _up(r).lower() in namer.nicknames_of(_up(m).lower())
        for r, m in zip(nick["first_name"], nick["first_name_m"], strict=True)
    )

    swap = df[kinds.map(lambda k: k <= {"name_swap", "accent_dropped"} and "name_swap" in k)]
    assert len(swap) > 20
    assert (swap["last_name"].map(_up) == swap["first_name_m"].map(_up)).all()

    typo = df[kinds.map(lambda k: k == {"typo"}) & ~_has(df, "jr_sr")]
    assert len(typo) > 20
    dist = [
        jellyfish.damerau_levenshtein_distance(_up(rf), _up(mf))
        + jellyfish.damerau_levenshtein_distance(_up(rl), _up(ml))
        for rf, mf, rl, ml in zip(
            typo["first_name"], typo["first_name_m"], typo["last_name"], typo["last_name_m"], strict=True
        )
    ]
    assert set(dist) == {1}

    part = df[kinds.map(lambda k: k == {"double_surname_partial"}) & ~_has(df, "jr_sr")]
    assert len(part) > 20
    for req, mas in zip(part["last_name"].map(_up), part["last_name_m"].map(_up), strict=True):
        a, b = mas.split()
        assert req in {a, b, f"{a}-{b}"}

    accented = df[_has(df, "accent_dropped")]
    assert len(accented) > 20
    assert not accented["last_name"].str.contains("[ÁÉÍÓÚÑáéíóúñ]").any()
    assert not accented["first_name"].str.contains("[ÁÉÍÓÚÑáéíóúñ]").any()
    kept = df[_has(df, "accent_kept")]
    assert (kept["first_name"] + kept["last_name"]).str.contains("[ÁÉÍÓÚÑáéíóúñ]").all()


def test_date_corruptions_do_what_they_say(
    batch: tuple[pd.DataFrame, pd.DataFrame], master_df: pd.DataFrame
) -> None:
    df = _joined(batch, master_df)
    untouched = df[~_has(df, "dob_transposed") & ~_has(df, "dob_off")]
    assert (untouched["dob"] == untouched["dob_m"]).all()
    swapped = df[_has(df, "dob_transposed")]
    assert len(swapped) > 20
    for r, m in zip(swapped["dob"], swapped["dob_m"], strict=True):
        y, mo, d = r.split("-")
        assert f"{y}-{d}-{mo}" == m and r != m
    off = df[_has(df, "dob_off")]
    assert len(off) > 20
    for r, m in zip(off["dob"], off["dob_m"], strict=True):
        diff = [a != b for a, b in zip(r.split("-"), m.split("-"), strict=True)]
        assert sum(diff) == 1


def test_selected_people_really_have_the_hard_property(
    batch: tuple[pd.DataFrame, pd.DataFrame], master_df: pd.DataFrame
) -> None:
    df = _joined(batch, master_df)
    newest = master_df.groupby("tin").tail(1)
    jr = df[_has(df, "jr_sr")]
    assert len(jr) > 20 and jr["suffix_m"].isin(["JR", "SR"]).all()
    twin = df[_has(df, "twin")]
    # Siblings' surnames may differ in accents only (PEÑA / PENA): compare folded.
    key = newest.assign(l=newest["last_name"].map(_up)).groupby(["dob", "l", "address_line1", "zip"]).size()
    assert len(twin) > 20
    assert all(
        key[(d, _up(last), a, z)] >= 2
        for d, last, a, z in zip(
            twin["dob_m"], twin["last_name_m"], twin["address_line1_m"], twin["zip_m"], strict=True
        )
    )
    ns = df[_has(df, "namesake")]
    folded = newest.assign(f=newest["first_name"].map(_up), l=newest["last_name"].map(_up))
    homes = folded.groupby(["zip", "f", "l"])["address_line1"].nunique()
    assert len(ns) > 20
    assert all(
        homes[(z, _up(f), _up(last))] >= 2
        for z, f, last in zip(ns["zip_m"], ns["first_name_m"], ns["last_name_m"], strict=True)
    )


def test_same_seed_same_batch_other_seed_other_batch(master_index: MasterIndex) -> None:
    a = generate_batch_tables(master_index, 400, BATCH_SEED, batch_date=BATCH_DATE)
    b = generate_batch_tables(master_index, 400, BATCH_SEED, batch_date=BATCH_DATE)
    c = generate_batch_tables(master_index, 400, BATCH_SEED + 1, batch_date=BATCH_DATE)
    assert a[0].equals(b[0]) and a[1].equals(b[1])
    assert not a[0].equals(c[0])


def test_dataframe_api_accepts_a_master_dataframe(master_df: pd.DataFrame) -> None:
    records, truth = generate_batch(master_df, 200, 3, batch_date=BATCH_DATE)
    assert len(records) == len(truth) == 200
    assert truth["true_tin"].dropna().isin(master_df["tin"]).all()


def test_knobs_turn_kinds_off(master_index: MasterIndex) -> None:
    knobs = build_knobs(BatchKnobs, settings=["defects=0", "absent_share=0", "typo_share=0"])
    _, truth = generate_batch_tables(master_index, 500, 2, knobs, BATCH_DATE)
    assert truth.column("defects").combine_chunks().flatten().to_pylist() == []
    kinds = set(truth.column("corruptions").combine_chunks().flatten().to_pylist())
    assert "absent" not in kinds and "typo" not in kinds
    assert truth.column("true_tin").null_count == 0


def test_small_batch_cannot_show_an_implausible_officer(master_index: MasterIndex) -> None:
    records, truth = generate_batch_tables(master_index, 150, 2, batch_date=BATCH_DATE)
    assert "officer_implausible" not in truth.column("defects").combine_chunks().flatten().to_pylist()
    loads = records.column("investigating_officer").to_pandas().value_counts()
    assert loads.max() <= BatchKnobs().officer_caseload


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["colour=blue"], "colour: unknown knob"),
        (["typo_share=2"], "typo_share: Input should be less than or equal to 1"),
        (["defects.fishing=0.1"], "unknown defect kind"),
        (["absent_share=0.9", "moved_share=0.5"], "exceed 1"),
        (["typo_share"], "expected NAME=VALUE"),
    ],
)
def test_bad_knobs_are_refused_by_name(settings: list[str], message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        build_knobs(BatchKnobs, settings=settings)


def test_master_too_small_for_distinct_requests_is_refused() -> None:
    tiny = generate_population_table(100, 1)
    with pytest.raises(InputError, match="at least as many taxpayers; it has 100"):
        generate_batch_tables(tiny, 500, 1, batch_date=BATCH_DATE)
