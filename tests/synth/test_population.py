"""The synthetic master file: schema, identifiers, address history, households
and the hard cases (double surnames, accents, JR/SR, twins, namesakes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zipcodes
from unidecode import unidecode

from disclosure_gateway.contracts import MASTER_COLUMNS
from disclosure_gateway.synth import (
    PopulationKnobs,
    generate_population,
    generate_population_table,
    is_valid_tin,
    write_population,
)
from disclosure_gateway.synth.vocab import hispanic_surnames_folded

ISO = r"^\d{4}-\d{2}-\d{2}$"


def _current(df: pd.DataFrame) -> pd.DataFrame:
    return df.groupby("tin", sort=False).tail(1)


def test_columns_and_types_are_the_contract(population: pa.Table) -> None:
    assert tuple(population.column_names) == MASTER_COLUMNS
    for name in MASTER_COLUMNS:
        expected = pa.int32() if name == "last_tax_year" else pa.string()
        assert population.schema.field(name).type == expected, name


def test_dates_are_iso_and_required_fields_are_filled(master_df: pd.DataFrame) -> None:
    assert master_df["dob"].str.match(ISO).all()
    assert master_df["address_as_of"].str.match(ISO).all()
    required = ["tin", "first_name", "last_name", "dob", "address_line1", "city", "state", "zip"]
    assert master_df[required].notna().all().all()
    assert master_df["last_tax_year"].between(2015, 2024).all()


def test_tins_follow_issuing_rules_and_identify_one_person(master_df: pd.DataFrame) -> None:
    assert master_df["tin"].str.fullmatch(r"\d{9}").all()
    assert all(is_valid_tin(t) for t in master_df["tin"].unique())
    per_tin = master_df.groupby("tin")[["first_name", "last_name", "dob"]].nunique()
    assert (per_tin == 1).all().all()
    assert master_df["tin"].nunique() == 20_000


def test_itins_when_asked_for() -> None:
    df = generate_population(500, 3, PopulationKnobs(itin_share=1.0))
    tins = df["tin"].unique()
    assert all(t[0] == "9" and is_valid_tin(t) for t in tins)
    assert all(
        int(t[3:5]) in set(range(50, 66)) | set(range(70, 89)) | {90, 91, 92} | set(range(94, 100))
        for t in tins
    )


def test_every_zip_exists_and_belongs_to_its_state(master_df: pd.DataFrame) -> None:
    state_of = {z["zip_code"]: z["state"] for z in zipcodes.list_all()}
    pairs = master_df[["zip", "state"]].drop_duplicates()
    wrong = [(z, s) for z, s in pairs.itertuples(index=False) if state_of.get(z) != s]
    assert wrong == []
    assert len(pairs) > 5_000


def test_address_history_is_sorted_and_newest_is_last(master_df: pd.DataFrame) -> None:
    assert master_df["tin"].is_monotonic_increasing
    rows = master_df.groupby("tin").size()
    assert (rows > 1).mean() > 0.2, "too few taxpayers with an earlier address"
    assert rows.max() <= 1 + PopulationKnobs().max_previous_addresses
    dates = master_df.groupby("tin")["address_as_of"].agg(list)
    assert all(d == sorted(d) and len(set(d)) == len(d) for d in dates)
    # Earlier addresses are real other addresses, not repeats of the last known one.
    multi = master_df[master_df["tin"].isin(rows[rows > 1].index)]
    addr = multi.groupby("tin")[["address_line1", "zip"]].nunique()
    assert (addr["address_line1"] > 1).mean() > 0.95


def test_no_history_when_nobody_moves() -> None:
    df = generate_population(2_000, 4, PopulationKnobs(moved_share=0.0))
    assert df["tin"].is_unique


def test_households_share_an_address_and_usually_a_surname(master_df: pd.DataFrame) -> None:
    cur = _current(master_df)
    households = cur.groupby(["address_line1", "address_line2", "zip"], dropna=False)
    sizes = households.size()
    assert sizes.max() <= 5 + 1  # a namesake's or a stranger's coincidence at most
    shared = sizes[sizes >= 2]
    assert len(shared) > 2_000
    first_surname = cur.assign(s=cur["last_name"].str.split().str[0])
    surnames = first_surname.groupby(["address_line1", "address_line2", "zip"], dropna=False)["s"].nunique()
    assert (surnames[sizes >= 2] == 1).mean() > 0.6


def test_hispanic_double_surnames_and_accents(master_df: pd.DataFrame) -> None:
    cur = _current(master_df)
    hisp = hispanic_surnames_folded()
    parts = cur["last_name"].map(lambda s: unidecode(s).split())
    double = parts.map(lambda p: len(p) == 2 and all(x in hisp for x in p))
    assert double.sum() > 300
    accented = cur["first_name"].str.contains("[ÁÉÍÓÚÑÜ]") | cur["last_name"].str.contains("[ÁÉÍÓÚÑÜ]")
    assert accented.sum() > 200
    assert "MUÑOZ" in set(cur["last_name"].str.split().explode())


def test_jr_and_sr_share_name_and_address(master_df: pd.DataFrame) -> None:
    cur = _current(master_df)
    jr = cur[cur["suffix"] == "JR"]
    sr = cur[cur["suffix"] == "SR"]
    assert len(jr) > 50 and len(jr) == len(sr)
    key = ["first_name", "last_name", "address_line1", "zip"]
    pairs = jr.merge(sr, on=key, suffixes=("_jr", "_sr"))
    assert len(pairs) >= len(jr)
    assert (pairs["dob_jr"] > pairs["dob_sr"]).all()


def test_twins_share_birthday_surname_and_address_but_not_given_name(master_df: pd.DataFrame) -> None:
    cur = _current(master_df)
    key = ["dob", "last_name", "address_line1", "zip"]
    sizes = cur.groupby(key).size()
    names = cur.groupby(key)["first_name"].nunique()
    twins = names[sizes > 1]
    assert len(twins) > 50
    assert (twins == sizes[sizes > 1]).all()


def test_namesakes_live_in_the_same_zip_at_other_addresses(master_df: pd.DataFrame) -> None:
    cur = _current(master_df).assign(
        f=lambda d: d["first_name"].map(unidecode), l=lambda d: d["last_name"].map(unidecode)
    )
    per_name = cur.groupby(["zip", "f", "l"])["address_line1"].nunique()
    assert (per_name > 1).sum() > 20


def test_same_seed_same_bytes_and_other_seed_other_population(tmp_path: Path) -> None:
    a = write_population(tmp_path / "a.parquet", 3_000, seed=8)
    b = write_population(tmp_path / "b.parquet", 3_000, seed=8)
    c = write_population(tmp_path / "c.parquet", 3_000, seed=9)
    assert a.sha256 == b.sha256
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert a.sha256 != c.sha256
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.equals(generate_population_table(3_000, 8))
    assert a.rows == table.num_rows and a.taxpayers == 3_000


def test_population_rejects_nonsense_sizes() -> None:
    with pytest.raises(ValueError, match="at least one taxpayer"):
        generate_population_table(0, 1)
    with pytest.raises(ValueError, match="non-negative"):
        generate_population_table(10, -1)


def test_household_size_knob_changes_the_shape() -> None:
    alone = generate_population(2_000, 2, PopulationKnobs(household_size_weights=(1, 0, 0, 0, 0)))
    cur = _current(alone)
    sizes = cur.groupby(["address_line1", "address_line2", "zip"], dropna=False).size()
    # Living alone: any shared address is a coincidence of random draws.
    assert (sizes == 1).mean() > 0.98
    assert np.all(cur["suffix"].isna())
