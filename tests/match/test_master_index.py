"""The master index: last known address, history lists, keys, atomic replacement."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure_gateway.errors import InputError
from disclosure_gateway.match.master_index import index_path, open_master

from .conftest import MasterFactory, master_row

ROWS = [
    master_row("123-45-6789", "Maria", "García López", "1980-05-13", "1 Old Rd", "10001",
               as_of="2015-01-01"),
    master_row("123456789", "Maria", "García López", "1980-05-13", "9 New St", "62704",
               line2="Apt 2", as_of="2023-06-01"),
    master_row("987654321", "John", "Smith", "1950-01-01", "5 Elm St", "62704", suffix="Sr"),
]


def test_one_person_per_tin_with_last_known_address(make_master: MasterFactory) -> None:
    con, meta = open_master(make_master(ROWS))
    rows = con.execute("SELECT uid, house, street, unit, zip5, hist_house, hist_zip, "
                       "raw_address_line1, addresses_held, suffix FROM m.persons "
                       "ORDER BY uid").fetchall()
    con.close()
    assert rows[0] == ("123456789", "9", "NEW", "2", "62704", ["1"], ["10001"], "9 New St", 2, None)
    assert rows[1][0] == "987654321" and rows[1][-1] == "SR"
    assert (meta["persons"], meta["rows"]) == (2, 3)


def test_keys_find_both_name_orders(make_master: MasterFactory) -> None:
    con, _ = open_master(make_master(ROWS))
    # A swapped request (GARCIA as given, MARIA as family) hashes to the master's key.
    got = con.execute("SELECT count(*) FROM m.keys WHERE k = hash('name_yob:' || "
                      "least('GARCIA', 'MARIA') || '|' || greatest('GARCIA', 'MARIA') || '|1980')"
                      ).fetchall()
    con.close()
    assert got == [(1,)]


def test_snapshot_hash_is_stable_and_tracks_the_source(make_master: MasterFactory) -> None:
    _, a = open_master(make_master(ROWS))
    _, b = open_master(make_master(ROWS))
    _, c = open_master(make_master(ROWS[:2]))
    assert a["snapshot_hash"] == b["snapshot_hash"] != c["snapshot_hash"]


def test_reload_replaces_and_a_failed_load_keeps_the_old_index(
        make_master: MasterFactory, tmp_path: Path) -> None:
    from disclosure_gateway.match.master_index import build_master_index

    master_dir = make_master(ROWS)
    _, before = open_master(master_dir)
    bad = tmp_path / "bad.csv"
    bad.write_text("tin,first_name\n1,A\n")
    with pytest.raises(InputError, match="lacks columns"):
        build_master_index(bad, master_dir)
    con, after = open_master(master_dir)
    con.close()
    assert after["snapshot_hash"] == before["snapshot_hash"]
    assert [p.name for p in master_dir.iterdir() if "tmp" in p.name] == []
    assert index_path(master_dir).exists()


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="dgw master load"):
        open_master(tmp_path)


def test_the_duckdb_memory_limit_follows_the_master_size(monkeypatch: pytest.MonkeyPatch) -> None:
    from disclosure_gateway.match.db import memory_for

    monkeypatch.delenv("DGW_DUCKDB_MEMORY", raising=False)
    assert memory_for(0) == "1.0GB"
    assert memory_for(200_000) == "1.0GB"
    assert memory_for(5_000_000) == "5.0GB"
    assert memory_for(50_000_000) == "8.0GB"
    monkeypatch.setenv("DGW_DUCKDB_MEMORY", "3GB")
    assert memory_for(10_000_000) == "3GB"


def test_opening_a_small_master_sets_the_floor_limit(make_master: MasterFactory,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DGW_DUCKDB_MEMORY", raising=False)
    con, _ = open_master(make_master(ROWS))
    # DuckDB reports the limit in binary units: 1 GB is 953.6 MiB.
    assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == "953.6 MiB"
